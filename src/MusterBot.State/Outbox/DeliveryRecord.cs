namespace MusterBot.State.Outbox;

/// <summary>What became of one outbox message. <see cref="TelegramMessageId"/> is set for sent messages.</summary>
public sealed record DeliveryRecord(long OutboxId, long ChatId, DeliveryStatus Status, DateTimeOffset At)
{
    public int? TelegramMessageId { get; init; }

    public string? Error { get; init; }

    public string? Tag { get; init; }

    public int Attempts { get; init; }
}
