using MusterBot.Flows.Events;
using MusterBot.Flows.Texts;
using MusterBot.State.Records;

namespace MusterBot.Flows.Runtime;

/// <summary>
/// Everything one decision sees and may change: the event, the person (profile, effective roles, language), their
/// conversation state, the clock reading, a read-only view of other records, and the effects collector.
/// </summary>
public sealed class FlowContext(BotEvent @event, DateTimeOffset now, UserProfile profile, ConversationState conversation, Roles roles, DocReader reader, TextCatalog texts, BotIdentity? bot = null)
{
    public BotEvent Event { get; } = @event;

    public DateTimeOffset Now { get; } = now;

    /// <summary>The person; replace it to change their profile (it is written with the commit).</summary>
    public UserProfile Profile { get; set; } = profile;

    /// <summary>The person's conversation; replace it to move them to another step or flow.</summary>
    public ConversationState Conversation { get; set; } = conversation;

    /// <summary>Stored roles plus roles from configuration (administrators).</summary>
    public Roles Roles { get; } = roles;

    public DocReader Reader { get; } = reader;

    /// <summary>True for an administrator from configuration (<see cref="FlowOptions.Admins"/>): they administer the root of the organisation tree.</summary>
    public bool ConfiguredAdmin { get; init; }

    /// <summary>
    /// The shard of this decision: where the person's records live (their home community; the root shard for someone
    /// who has not joined one). Records addressed without a shard are read and written here.
    /// </summary>
    public long Shard => Reader.Shard;

    /// <summary>
    /// Set to move the person to another shard (joining a community): their profile and conversation are written there,
    /// removed here, and the directory's <see cref="State.Records.Org.PersonHome"/> points to the new shard — in that order,
    /// each shard's part its own commit, so a move cut short is finished when the update is handled again.
    /// </summary>
    public long? MovesTo { get; set; }

    /// <summary>Set by <see cref="MoveFirst"/>: the person is moved, and the same update is decided again where they now live.</summary>
    public bool DecideAfterMove { get; private set; }

    /// <summary>
    /// Moves the person to <paramref name="shard"/> (joining a community) and has the processor decide the same update
    /// again there, so the decision reads and writes that community's records as its own. Nothing else this decision
    /// did is kept: call it before deciding anything. Honoured once per update.
    /// </summary>
    public void MoveFirst(long shard)
    {
        MovesTo = shard;
        DecideAfterMove = true;
    }

    public Effects Effects { get; } = new();

    public TextCatalog Texts { get; } = texts;

    public BotIdentity Bot { get; } = bot ?? new BotIdentity();

    /// <summary>True while the community is in emergency mode (急时): menus and notices follow it.</summary>
    public bool Emergency { get; set; }

    /// <summary>True when the update was handled before (the person's shard has its mark): nothing is decided.</summary>
    public bool IsDuplicate { get; init; }

    /// <summary>True for community timers, which belong to no person (nothing is written to a profile).</summary>
    public bool IsSystem { get; init; }

    /// <summary>True when this update moves the person's LastSeenAt (at most hourly): the profile is written even if unchanged.</summary>
    public bool ProfileSeen { get; init; }

    /// <summary>Set when the person leaves: their profile and conversation are deleted with the commit.</summary>
    public bool DeleteProfile { get; set; }

    /// <summary>Set by <see cref="RequestDocumentContent"/>: nothing of this decision is committed; it is made again with the document's bytes.</summary>
    public bool NeedsDocumentContent { get; private set; }

    /// <summary>
    /// Asks the host for the bytes of the document this event carries (only a flow that has checked the sender's right to
    /// send it calls this). True when the decision should stop here: it is made again with the content.
    /// </summary>
    public bool RequestDocumentContent()
    {
        NeedsDocumentContent = Event is DocumentReceived { CanFetchContent: true };
        return NeedsDocumentContent;
    }

    public Language Language => Profile.Language;

    /// <summary>
    /// True for a button pressed in a group chat (the only thing the bot takes there besides commands): the decision
    /// is the presser's, and what it says goes to their private chat (<see cref="ChatId"/>), never to the group.
    /// </summary>
    public bool InGroup => Event is ButtonPressed press && press.ChatId != press.UserId;

    /// <summary>
    /// The pressed message, when it is in the presser's own chat (where a flow may edit it); null for anything but a
    /// press, and for a press in a group (that message is everyone's).
    /// </summary>
    public int? PressedMessageId => Event is ButtonPressed { MessageId: { } messageId } && !InGroup ? messageId : null;

    /// <summary>The chat replies go to: the event's chat; the presser's private chat for a press in a group.</summary>
    public long ChatId => InGroup ? Profile.ChatId : Event.ChatId;

    public bool Has(Roles role) => (Roles & role) != 0;

    public string T(string key) => Texts.Get(Language, key);

    public string T(string key, params object?[] args) => Texts.Format(Language, key, args);

    /// <summary>Sends a reply in the person's chat (direct reply lane).</summary>
    public void Reply(string html, State.Outbox.Markup? markup = null) => Effects.Send(ChatId, html, markup);

    /// <summary>
    /// Shows a view: after a press, answers it and edits the pressed message in place; otherwise (and after a press in a
    /// group, whose message is everyone's) sends a new message.
    /// </summary>
    public void Show(string html, State.Outbox.InlineMarkup? markup)
    {
        AnswerButton();
        if (PressedMessageId is { } messageId)
        {
            Effects.Edit(ChatId, messageId, html, markup);
        }
        else
        {
            Reply(html, markup);
        }
    }

    /// <summary>Answers the pressed button (if the event is a press); safe to call more than once.</summary>
    public void AnswerButton(string? text = null, bool alert = false)
    {
        if (Event is ButtonPressed press)
        {
            Effects.AnswerCallback(ChatId, press.CallbackQueryId, text, alert);
        }
    }
}
