namespace MusterBot.State.Outbox;

/// <summary>sendMessage with HTML text (user-supplied parts already escaped).</summary>
public sealed record SendText(string Html, Markup? Markup = null) : OutgoingAction
{
    public bool AllowPaidBroadcast { get; init; }

    public bool DisableNotification { get; init; }
}
