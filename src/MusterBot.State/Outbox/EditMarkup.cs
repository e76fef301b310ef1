namespace MusterBot.State.Outbox;

/// <summary>editMessageReplyMarkup; null markup removes the buttons.</summary>
public sealed record EditMarkup(int MessageId, InlineMarkup? Markup) : OutgoingAction;
