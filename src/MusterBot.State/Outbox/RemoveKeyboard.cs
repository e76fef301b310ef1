namespace MusterBot.State.Outbox;

public sealed record RemoveKeyboard : Markup;
