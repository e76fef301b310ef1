namespace MusterBot.Host.Telegram.Types;

/// <summary>The current webhook status (getWebhookInfo).</summary>
public sealed record WebhookInfo
{
    /// <summary>Empty when no webhook is set (long polling).</summary>
    public string Url { get; init; } = string.Empty;

    public bool HasCustomCertificate { get; init; }

    public int PendingUpdateCount { get; init; }

    public string? IpAddress { get; init; }

    public DateTime? LastErrorDate { get; init; }

    public string? LastErrorMessage { get; init; }

    public DateTime? LastSynchronizationErrorDate { get; init; }

    public int? MaxConnections { get; init; }

    /// <summary>Kinds not modelled by <see cref="UpdateType"/> read as <see cref="UpdateType.Unknown"/>.</summary>
    public IReadOnlyList<UpdateType>? AllowedUpdates { get; init; }
}
