namespace MusterBot.State.Outbox;

public sealed record ReplyButton(string Text, bool RequestContact = false, bool RequestLocation = false);
