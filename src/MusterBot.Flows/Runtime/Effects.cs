using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Timers;

namespace MusterBot.Flows.Runtime;

/// <summary>
/// What a decision wants done, as data: messages, edits, callback answers, document writes, set changes, timers.
/// Nothing here performs I/O; the <see cref="UpdateProcessor"/> turns it into one atomic <see cref="Commit"/>.
/// </summary>
public sealed class Effects
{
    private readonly List<OutboxMessage> _outbox = [];
    private readonly Dictionary<DocKey, (string? Json, TimeSpan? Ttl)> _writes = [];
    private readonly List<SetChange> _setChanges = [];
    private readonly List<TimerEntry> _timers = [];
    private readonly List<string> _cancelledTimers = [];

    public IReadOnlyList<OutboxMessage> Outbox => _outbox;

    public IReadOnlyDictionary<DocKey, (string? Json, TimeSpan? Ttl)> Writes => _writes;

    public IReadOnlyList<SetChange> SetChanges => _setChanges;

    public IReadOnlyList<TimerEntry> Timers => _timers;

    public IReadOnlyList<string> CancelledTimers => _cancelledTimers;

    /// <summary>True once a callback answer was queued (every pressed button must be answered exactly once).</summary>
    public bool CallbackAnswered { get; private set; }

    public void Send(long chatId, string html, Markup? markup = null, Lane lane = Lane.Reply, string? tag = null) =>
        _outbox.Add(new OutboxMessage(lane, chatId, new SendText(html, markup)) { Tag = tag });

    /// <summary>Queues any outgoing action as it is (for actions without a helper of their own).</summary>
    public void Publish(OutboxMessage message) => _outbox.Add(message);

    public void Edit(long chatId, int messageId, string html, InlineMarkup? markup = null, Lane lane = Lane.Reply) =>
        _outbox.Add(new OutboxMessage(lane, chatId, new EditText(messageId, html, markup)));

    public void EditMarkup(long chatId, int messageId, InlineMarkup? markup, Lane lane = Lane.Reply) =>
        _outbox.Add(new OutboxMessage(lane, chatId, new EditMarkup(messageId, markup)));

    public void AnswerCallback(long chatId, string callbackQueryId, string? text = null, bool showAlert = false)
    {
        if (CallbackAnswered)
        {
            return;
        }

        if (string.IsNullOrEmpty(callbackQueryId))
        {
            // A press made in the dashboard Mini App has no Telegram query to answer: what the answer would have said
            // ("already closed", "only administrators …") comes to the person's chat instead.
            CallbackAnswered = true;
            if (!string.IsNullOrEmpty(text))
            {
                _outbox.Add(new OutboxMessage(Lane.Reply, chatId, new SendText(Texts.Html.Escape(text))));
            }

            return;
        }

        CallbackAnswered = true;
        _outbox.Add(new OutboxMessage(Lane.Answer, chatId, new AnswerCallback(callbackQueryId, text, showAlert)));
    }

    public void Put<T>(DocKey key, T record, TimeSpan? timeToLive = null) =>
        _writes[key] = (RecordJson.Serialize(record), timeToLive);

    public void Delete(DocKey key) => _writes[key] = (null, null);

    /// <summary>Writes another person's profile and keeps the people index sets in step with it.</summary>
    /// <remarks>The person lives in <paramref name="shard"/> (null = the decision's shard).</remarks>
    public void PutProfile(UserProfile before, UserProfile after, long? shard = null)
    {
        ArgumentNullException.ThrowIfNull(after);
        Put(DocKeys.User(after.Id) with { Shard = shard }, after);
        _setChanges.AddRange(Directory.PeopleIndex.Changes(before, after).Select(c => c with { Shard = c.Shard ?? shard }));
    }

    /// <summary>Adds a member to a set of <paramref name="shard"/> (null = the decision's shard).</summary>
    public void AddToSet(string setName, string member, long? shard = null) => _setChanges.Add(new SetChange(setName, member, Add: true) { Shard = shard });

    /// <summary>Removes a member from a set of <paramref name="shard"/> (null = the decision's shard).</summary>
    public void RemoveFromSet(string setName, string member, long? shard = null) => _setChanges.Add(new SetChange(setName, member, Add: false) { Shard = shard });

    public void SetTimer(TimerEntry timer) => _timers.Add(timer);

    public void CancelTimer(string timerId) => _cancelledTimers.Add(timerId);
}
