namespace MusterBot.State.Outbox;

/// <summary>answerCallbackQuery; ChatId of the outbox message is the presser's chat.</summary>
public sealed record AnswerCallback(string CallbackQueryId, string? Text = null, bool ShowAlert = false) : OutgoingAction;
