using System.Text.Json.Serialization;

namespace MusterBot.State.Outbox;

/// <summary>Keyboards attached to a message, independent of the Bot API client's types.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(InlineMarkup), "inline")]
[JsonDerivedType(typeof(ReplyKeyboard), "reply")]
[JsonDerivedType(typeof(RemoveKeyboard), "remove")]
public abstract record Markup;
