namespace MusterBot.State.Outbox;

public sealed record ReplyKeyboard(IReadOnlyList<IReadOnlyList<ReplyButton>> Rows) : Markup
{
    public bool OneTime { get; init; }

    public string? Placeholder { get; init; }
}
