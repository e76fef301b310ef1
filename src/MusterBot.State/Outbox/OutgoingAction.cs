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
public abstract record OutgoingAction;

/// <summary>sendMessage with HTML text (user-supplied parts already escaped).</summary>
public sealed record SendText(string Html, Markup? Markup = null) : OutgoingAction
{
    public bool AllowPaidBroadcast { get; init; }

    public bool DisableNotification { get; init; }
}

/// <summary>editMessageText of a message the bot sent.</summary>
public sealed record EditText(int MessageId, string Html, InlineMarkup? Markup = null) : OutgoingAction;

/// <summary>editMessageReplyMarkup; null markup removes the buttons.</summary>
public sealed record EditMarkup(int MessageId, InlineMarkup? Markup) : OutgoingAction;

/// <summary>answerCallbackQuery; ChatId of the outbox message is the presser's chat.</summary>
public sealed record AnswerCallback(string CallbackQueryId, string? Text = null, bool ShowAlert = false) : OutgoingAction;

public sealed record SendLocation(double Latitude, double Longitude) : OutgoingAction;

/// <summary>sendDocument with the file's bytes (kept small: reports and CSV exports).</summary>
public sealed record SendDocument(string FileName, byte[] Content, string? CaptionHtml = null) : OutgoingAction;
