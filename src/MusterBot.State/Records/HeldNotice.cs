using MusterBot.State.Outbox;

namespace MusterBot.State.Records;

/// <summary>A normal-time notice held while the community is in emergency mode.</summary>
public sealed record HeldNotice(long ChatId, string Html, Markup? Markup, DateTimeOffset HeldAt);
