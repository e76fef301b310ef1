namespace MusterBot.State.Outbox;

public sealed record InlineMarkup(IReadOnlyList<IReadOnlyList<InlineButton>> Rows) : Markup;
