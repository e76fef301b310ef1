using System.Text.Json.Serialization;

namespace MusterBot.State.Outbox;

/// <summary>What to do with the Bot API. Stored as JSON with a "type" discriminator.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(SendText), "send")]
[JsonDerivedType(typeof(EditText), "edit")]
[JsonDerivedType(typeof(EditMarkup), "markup")]
[JsonDerivedType(typeof(AnswerCallback), "answer")]
[JsonDerivedType(typeof(SendLocation), "location")]
[JsonDerivedType(typeof(SendDocument), "document")]
[JsonDerivedType(typeof(SetChatCommands), "commands")]
[JsonDerivedType(typeof(SendPhoto), "photo")]
[JsonDerivedType(typeof(PinMessage), "pin")]
public abstract record OutgoingAction;
