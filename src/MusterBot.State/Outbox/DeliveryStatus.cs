namespace MusterBot.State.Outbox;

public enum DeliveryStatus
{
    Queued,
    Sent,
    Failed,

    /// <summary>The recipient blocked the bot or is deactivated (403); never retried.</summary>
    Unreachable,
}
