using System.Text.Json.Serialization;

namespace MusterBot.State.Outbox;

/// <summary>Keyboards attached to a message, independent of the Bot API client's types.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(InlineMarkup), "inline")]
[JsonDerivedType(typeof(ReplyKeyboard), "reply")]
[JsonDerivedType(typeof(RemoveKeyboard), "remove")]
public abstract record Markup;

public sealed record InlineMarkup(IReadOnlyList<IReadOnlyList<InlineButton>> Rows) : Markup;

/// <summary>An inline button; <paramref name="CallbackData"/> is an opaque id of at most 64 bytes.</summary>
public sealed record InlineButton(string Text, string? CallbackData = null, string? Url = null);

public sealed record ReplyKeyboard(IReadOnlyList<IReadOnlyList<ReplyButton>> Rows) : Markup
{
    public bool OneTime { get; init; }

    public string? Placeholder { get; init; }
}

public sealed record ReplyButton(string Text, bool RequestContact = false, bool RequestLocation = false);

public sealed record RemoveKeyboard : Markup;
