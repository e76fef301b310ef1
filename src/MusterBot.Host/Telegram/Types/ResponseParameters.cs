namespace MusterBot.Host.Telegram.Types;

/// <summary>Why a request failed, in machine-readable form (the <c>parameters</c> of an error response).</summary>
public sealed record ResponseParameters
{
    /// <summary>The group became a supergroup with this id.</summary>
    public long? MigrateToChatId { get; init; }

    /// <summary>Flood control: seconds to wait before repeating the request.</summary>
    public int? RetryAfter { get; init; }
}
