namespace MusterBot.State.Outbox;

/// <summary>editMessageText of a message the bot sent.</summary>
public sealed record EditText(int MessageId, string Html, InlineMarkup? Markup = null) : OutgoingAction;
