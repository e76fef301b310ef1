namespace MusterBot.State.Records.Wishes;

/// <summary>A member gave a claimed wish back, with the reason.</summary>
public sealed record WishRelease(long MemberId, DateTimeOffset At, string Reason);
