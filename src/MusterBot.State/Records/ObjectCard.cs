namespace MusterBot.State.Records;

/// <summary>
/// A message the bot sent about an object (a wish, a complaint) that must keep showing the object's current state:
/// the chat it went to, the outbox tag it was sent (or last shown) with — later edits aim at it with
/// <c>EditText.TargetTag</c>, so the flow never needs its Telegram message id —, what kind of card it is (the flow's
/// own word, e.g. "review", "announce") and the language of its reader.
/// </summary>
public sealed record ObjectCard(long ChatId, string Tag, string Kind, Language Language);
