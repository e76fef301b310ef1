using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Timers;

namespace MusterBot.Flows.Runtime;

/// <summary>
/// Handles one event: loads the person and their conversation, lets the routed flow decide, and writes the new state,
/// the domain changes, the outgoing messages and the handled-update mark in ONE atomic commit with version checks.
/// A version conflict (another instance changed the same records) is retried from a fresh read.
/// </summary>
public sealed partial class UpdateProcessor(
    IStateStore store,
    FlowRouter router,
    TextCatalog texts,
    IOptions<FlowOptions> options,
    TimeProvider timeProvider,
    ILogger<UpdateProcessor> logger,
    BotIdentity? bot = null,
    IMeterFactory? meters = null)
{
    private readonly BotIdentity _bot = bot ?? new BotIdentity();
    private readonly Histogram<double>? _commitSeconds = meters?.Create("MusterBot").CreateHistogram<double>(
        "musterbot.commit.duration", "s", "One store commit (a decision's writes, outbox and timers), round trip included.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
    private readonly Counter<long>? _conflicts = meters?.Create("MusterBot").CreateCounter<long>(
        "musterbot.commit.conflicts", "{conflict}", "Commits refused by a version check: the decision is made again.");

    private const int MaxAttempts = 5;

    public async Task<ProcessOutcome> ProcessAsync(long? updateId, BotEvent @event, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@event);
        if (@event is TextReceived typed && CommandCatalog.CommandForMenuLabel(typed.Text, texts) is { } menuCommand)
        {
            // A main-menu button sends its label as text: treat it as the command it stands for.
            // A label may stand for a command with an argument ("complain hazard").
            var space = menuCommand.IndexOf(' ', StringComparison.Ordinal);
            @event = space < 0
                ? new CommandReceived(typed.From, typed.ChatId, typed.MessageId, menuCommand, string.Empty)
                : new CommandReceived(typed.From, typed.ChatId, typed.MessageId, menuCommand[..space], menuCommand[(space + 1)..]);
        }

        var relocated = false;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var (context, reader) = await LoadAsync(@event, updateId, attempt == 1, cancellationToken).ConfigureAwait(false);
            if (context is { IsDuplicate: true })
            {
                return ProcessOutcome.Duplicate;
            }

            if (context is { IsSystem: false } && !relocated && context.Shard == Shards.Root && options.Value.Admins.Contains(@event.UserId)
                && await Registration.Communities.SoleAsync(reader, cancellationToken).ConfigureAwait(false) is { } sole)
            {
                // An administrator from configuration who lives in no community is placed in the only one there is
                // (with several, /admin asks which), so their panel and commands act on a community.
                context.MoveFirst(sole);
            }

            if (context is null)
            {
                if (@event is TimerFired orphan)
                {
                    // A timer of someone who left: consume it so it does not come back after every lease.
                    await store.CommitAsync(new Commit { Shard = orphan.Shard, ConsumesTimerId = orphan.TimerId }, cancellationToken).ConfigureAwait(false);
                }

                return ProcessOutcome.Ignored;
            }

            var (initialProfile, initialConversation) = (context.Profile, context.Conversation);
            try
            {
                if (@event is ButtonPressed foreign && foreign.ChatId != foreign.UserId && !router.Flows.Any(f => f.AllowsInGroup(foreign.Data)))
                {
                    // A button of a group (or of someone else's chat) that no flow takes there: refuse, change nothing
                    // (callback data is never trusted alone).
                    context.AnswerButton(context.T("button.not_yours"), alert: true);
                }
                else if (context.DecideAfterMove)
                {
                    // Moved before any flow decides (see above).
                }
                else
                {
                    var flow = router.Route(context);
                    if (context.Event is CommandReceived && flow.Name != MainFlow.FlowName && context.Conversation.Flow != flow.Name)
                    {
                        // A command leaves any flow in progress (the main flow's /cancel and /start do this themselves).
                        context.Conversation = MainFlow.Idle(context.Now);
                    }

                    await flow.HandleAsync(context, cancellationToken).ConfigureAwait(false);
                    if (context.NeedsDocumentContent)
                    {
                        // Decided again once the host has the bytes; this decision leaves no trace.
                        return ProcessOutcome.NeedsDocumentContent;
                    }
                }
            }
#pragma warning disable CA1031 // A bug in one flow must not block the person's queue: log it, apologise, move on.
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                LogFlowFailed(logger, ex, @event.GetType().Name, @event.UserId);
                var fallback = new FlowContext(@event, context.Now, initialProfile, initialConversation, context.Roles, reader, texts, _bot) { IsSystem = context.IsSystem, Emergency = context.Emergency };
                if (!context.IsSystem)
                {
                    fallback.Reply(fallback.T("error.generic"));
                }
                context = fallback;
            }

            if (@event is ButtonPressed)
            {
                // Never leave a spinner: every press is answered, even when no flow said anything.
                context.AnswerButton();
            }

            if (context.DecideAfterMove && !relocated && context.MovesTo is { } newHome && newHome != reader.Shard)
            {
                // The person moves first (their records as they were, without this update's mark), then the same update
                // is decided again where they now live. A crash in between leaves them moved, and the update decided there.
                var bare = new FlowContext(@event, context.Now, initialProfile, initialConversation, context.Roles, reader, texts, _bot) { MovesTo = newHome };
                var moves = BuildCommits(null, bare, reader, initialProfile, initialConversation, options.Value.ForgetUnregisteredAfter)
                    .Where(c => c.Writes.Count > 0 || c.SetChanges.Count > 0).ToList();
                if (await CommitInOrderAsync(moves, cancellationToken).ConfigureAwait(false) is null)
                {
                    LogConflict(logger, @event.UserId, attempt);
                    continue;
                }

                relocated = true;
                attempt--;
                continue;
            }

            var commits = BuildCommits(updateId, context, reader, initialProfile, initialConversation, options.Value.ForgetUnregisteredAfter);
            var outcome = await CommitInOrderAsync(commits, cancellationToken).ConfigureAwait(false);
            if (outcome is { } done)
            {
                RememberRecipients(commits);
                return done;
            }

            LogConflict(logger, @event.UserId, attempt);
        }

        throw new InvalidOperationException($"Gave up after {MaxAttempts} version conflicts for user {@event.UserId}.");
    }

    /// <summary>
    /// Writes a decision's commits in order (one per shard, the person's own shard last) and stops at a version conflict
    /// (null: decide again). A commit refused as a duplicate was written by an earlier attempt cut short: skip it.
    /// </summary>
    private async Task<ProcessOutcome?> CommitInOrderAsync(IReadOnlyList<Commit> commits, CancellationToken cancellationToken)
    {
        var committed = false;
        foreach (var commit in commits)
        {
            var started = timeProvider.GetTimestamp();
            var result = await store.CommitAsync(commit, cancellationToken).ConfigureAwait(false);
            _commitSeconds?.Record(timeProvider.GetElapsedTime(started).TotalSeconds);
            switch (result.Status)
            {
                case CommitStatus.Committed:
                    committed = true;
                    break;
                case CommitStatus.DuplicateUpdate:
                    break;
                default:
                    _conflicts?.Add(1);
                    return null;
            }
        }

        return committed ? ProcessOutcome.Handled : ProcessOutcome.Duplicate;
    }

    private async Task<(FlowContext? Context, DocReader Reader)> LoadAsync(BotEvent @event, long? updateId, bool checkDuplicate, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var reader = new DocReader(store);
        if (@event is TimerFired { ForUserId: Musters.MusterFlow.SystemUser } systemTimer)
        {
            // A community timer: decided in the shard it lives in, with a stand-in profile that is never written.
            reader = reader.For(systemTimer.Shard);
            var mode = await reader.GetAsync<State.Records.Musters.CommunityMode>(DocKeys.Mode, cancellationToken).ConfigureAwait(false);
            var system = new UserProfile(Musters.MusterFlow.SystemUser, 0, "system") { Roles = Roles.Admin };
            return (new FlowContext(@event, now, system, MainFlow.Idle(now), Roles.Admin, reader, texts, _bot) { IsSystem = true, Emergency = mode?.Emergency == true }, reader);
        }

        // Where the person lives decides which shard their records are read from. When this processor saw them before (or
        // sent them a message from a community: see RememberRecipients), the shard they lived in then is a hint: their
        // records there (and the update's mark) are read in the same round trip as the pointer, which still decides (a
        // wrong guess costs a second read). A person not seen before costs one small read of the pointer first, not a
        // guess (but for /start, below): guessing the root shard would read three documents there that are absent for
        // everyone who lives in a community (and load the root shard's primary with them on a cluster).
        // With them, what the flow will read to decide (a check-in: the muster and the member's answer), in the same round trip.
        DocKey[] personal = [DocKeys.Mode, DocKeys.User(@event.UserId), DocKeys.Conversation(@event.UserId), .. router.ReadsFor(@event)];
        var homeKey = DocKeys.Home(@event.UserId);
        var duplicate = Task.FromResult(false);
        long? guessed = null;
        if (_homes.TryGetValue(@event.UserId, out var lastSeenIn))
        {
            guessed = lastSeenIn;
            duplicate = checkDuplicate && updateId is { } guessId ? store.IsUpdateHandledAsync(guessId, lastSeenIn, cancellationToken) : duplicate;
            await reader.PrefetchAsync([homeKey, .. personal.Select(k => k.Bind(lastSeenIn))], cancellationToken).ConfigureAwait(false);
        }
        else if (@event is CommandReceived { Command: "start" })
        {
            // A person's first update is /start (Telegram's Start button), and someone new lives in no community yet: their
            // records are guessed in the root shard, with the pointer, in one read. A community's member who sends /start
            // before this processor saw them costs three documents read in vain and the second read, as any wrong guess.
            guessed = Shards.Root;
            duplicate = checkDuplicate && updateId is { } startId ? store.IsUpdateHandledAsync(startId, Shards.Root, cancellationToken) : duplicate;
            await reader.PrefetchAsync([homeKey, .. personal], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await reader.PrefetchAsync([homeKey], cancellationToken).ConfigureAwait(false);
        }

        var home = await reader.GetAsync<State.Records.Org.PersonHome>(homeKey, cancellationToken).ConfigureAwait(false);
        var homeShard = home?.Shard ?? Shards.Root;
        RememberHome(@event.UserId, homeShard);
        if (homeShard != reader.Shard)
        {
            reader = reader.For(homeShard);
        }

        if (guessed != homeShard)
        {
            duplicate = checkDuplicate && updateId is { } id ? store.IsUpdateHandledAsync(id, homeShard, cancellationToken) : Task.FromResult(false);
            await reader.PrefetchAsync(personal, cancellationToken).ConfigureAwait(false);
        }

        if (await duplicate.ConfigureAwait(false))
        {
            // Handled already: the person's own shard is always written last, so its mark means the whole decision landed.
            var seen = new UserProfile(@event.UserId, @event.ChatId, string.Empty);
            return (new FlowContext(@event, now, seen, MainFlow.Idle(now), Roles.None, reader, texts, _bot) { IsDuplicate = true }, reader);
        }

        var emergency = (await reader.GetAsync<State.Records.Musters.CommunityMode>(DocKeys.Mode, cancellationToken).ConfigureAwait(false))?.Emergency == true;
        var profile = await reader.GetAsync<UserProfile>(DocKeys.User(@event.UserId), cancellationToken).ConfigureAwait(false);
        var sender = SenderOf(@event);
        if (profile is null)
        {
            if (sender is null)
            {
                return (null, reader);
            }

            // A person first seen in a group: their private chat is their own id, not the group's.
            var privateChat = @event is GroupCommand or GroupBotStatusChanged or GroupMigrated || @event.ChatId != sender.Id ? sender.Id : @event.ChatId;
            profile = new UserProfile(sender.Id, privateChat, sender.FirstName) { FirstSeenAt = now, Language = LanguageOf(sender.LanguageCode) };
        }

        // LastSeenAt moves at most once per LastSeenEvery: a person's every press does not rewrite their profile.
        var lastSeen = sender is not null && now - profile.LastSeenAt >= LastSeenEvery;
        if (sender is not null)
        {
            profile = profile with
            {
                FirstName = sender.FirstName,
                LastName = sender.LastName,
                Username = sender.Username,
                LastSeenAt = lastSeen ? now : profile.LastSeenAt,
                Language = profile.LanguageChosen ? profile.Language : LanguageOf(sender.LanguageCode),
                // Only a message or press in their private chat shows they have not blocked the bot.
                BlockedBot = @event is BotMembershipChanged or GroupCommand or GroupBotStatusChanged or GroupMigrated || @event.ChatId != sender.Id ? profile.BlockedBot : false,
            };
        }

        var conversation = await reader.GetAsync<ConversationState>(DocKeys.Conversation(@event.UserId), cancellationToken).ConfigureAwait(false)
            ?? MainFlow.Idle(now);
        var configured = options.Value.Admins.Contains(profile.Id);
        var roles = profile.Roles | (configured ? Roles.Admin : Roles.None);
        return (new FlowContext(@event, now, profile, conversation, roles, reader, texts, _bot) { Emergency = emergency, ProfileSeen = lastSeen, ConfiguredAdmin = configured }, reader);
    }

    /// <summary>Where people lived when last seen by this processor (a read hint; see <see cref="LoadAsync"/>).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, long> _homes = new();

    private void RememberHome(long userId, long shard)
    {
        if (_homes.TryGetValue(userId, out var known) && known == shard)
        {
            return;
        }

        if (!TryAddHome(userId, shard))
        {
            _homes[userId] = shard;
        }
    }

    /// <summary>Adds a hint for someone without one (false when they have one).</summary>
    private bool TryAddHome(long userId, long shard)
    {
        // Bounded: a hint, not a copy of the directory. Counted here, not with ConcurrentDictionary.Count, which takes
        // every lock of the dictionary (that was 5 % of the host's CPU in the city check-in burst).
        if (!_homes.TryAdd(userId, shard))
        {
            return false;
        }

        if (Interlocked.Increment(ref _homesAdded) > MaxHomes)
        {
            _homes.Clear();
            Interlocked.Exchange(ref _homesAdded, 0);
        }

        return true;
    }

    /// <summary>
    /// The people a community's commit sends a message to in their private chat most likely live in that community (a
    /// convenor's relay orders its region's members): remembered as a hint for their first update, so a burst of
    /// check-ins on the orders reads each member's pointer and records in one round trip instead of two. A hint only,
    /// never over one this processor saw itself (a wrong one costs a second read, as a person who moved). The root
    /// shard is never guessed (see <see cref="LoadAsync"/>).
    /// </summary>
    private void RememberRecipients(IReadOnlyList<Commit> commits)
    {
        foreach (var commit in commits)
        {
            if (commit.Shard == Shards.Root)
            {
                continue;
            }

            foreach (var message in commit.Outbox)
            {
                if (message.ChatId > 0)
                {
                    TryAddHome(message.ChatId, commit.Shard);
                }
            }
        }
    }

    private const int MaxHomes = 500_000;
    private int _homesAdded;

    /// <summary>How often a person's <see cref="UserProfile.LastSeenAt"/> is written.</summary>
    public static readonly TimeSpan LastSeenEvery = TimeSpan.FromHours(1);

    /// <summary>
    /// The decision's writes as commits, one per shard: other shards first (ascending), then, when the person moves, their
    /// new shard and the directory's pointer, and last the shard the person lived in when the update arrived (its
    /// handled-update mark then means the whole decision landed). Every commit carries the update id, so one cut short by
    /// a crash or a version conflict is finished, not repeated, when the update is decided again.
    /// </summary>
    private static List<Commit> BuildCommits(long? updateId, FlowContext context, DocReader reader, UserProfile initialProfile, ConversationState initialConversation, TimeSpan forgetUnregisteredAfter)
    {
        // Someone who never registered is forgotten this long after they were last seen (their records expire).
        TimeSpan? strangerTtl = context.Profile.RegisteredAt is null ? forgetUnregisteredAfter : null;
        var home = reader.Shard;
        var target = context.MovesTo is { } moving && moving != home && !context.IsSystem && !context.DeleteProfile ? moving : home;
        var parts = new SortedDictionary<long, (List<DocWrite> Writes, List<SetChange> Sets)>();
        (List<DocWrite> Writes, List<SetChange> Sets) Part(long shard)
        {
            if (!parts.TryGetValue(shard, out var part))
            {
                part = ([], []);
                parts[shard] = part;
            }

            return part;
        }

        long? Expected(DocKey key) => reader.Versions.TryGetValue(key, out var v) ? v : null;
        void Write(DocKey key, string? json, TimeSpan? ttl = null)
        {
            var bound = reader.Bound(key);
            Part(bound.Shard!.Value).Writes.Add(new DocWrite(bound, json, Expected(bound), ttl));
        }

        void Change(SetChange change, long shard) => Part(change.Shard ?? shard).Sets.Add(change with { Shard = change.Shard ?? shard });

        var userKey = DocKeys.User(context.Event.UserId);
        var conversationKey = DocKeys.Conversation(context.Event.UserId);
        var storedProfile = reader.Versions.GetValueOrDefault(reader.Bound(userKey)) == 0 ? null : initialProfile;
        if (context.IsSystem)
        {
            // Nothing of the stand-in profile or conversation is stored.
        }
        else if (context.DeleteProfile)
        {
            Write(userKey, null);
            Write(conversationKey, null);
            foreach (var change in PeopleIndex.Changes(storedProfile, null))
            {
                Change(change, home);
            }

            // The person keeps their home community: coming back, they are its visitor again, and an old card of theirs
            // pressed afterwards is refused by that community's records.
        }
        else if (target != home)
        {
            // The person moves: written whole in the new shard, removed from the old one, and the directory points there.
            // The old sets go first: a set of a third shard (a workplace region's) is left and joined again in that
            // order in one commit, so the person stays in it.
            if (storedProfile is not null)
            {
                Write(userKey, null);
                foreach (var change in PeopleIndex.Changes(storedProfile, null))
                {
                    Change(change, home);
                }
            }

            Write(userKey.In(target), RecordJson.Serialize(context.Profile), strangerTtl);
            Write(conversationKey.In(target), RecordJson.Serialize(context.Conversation), strangerTtl);
            foreach (var change in PeopleIndex.Changes(null, context.Profile))
            {
                Change(change, target);
            }

            if (reader.Versions.GetValueOrDefault(reader.Bound(conversationKey)) > 0)
            {
                Write(conversationKey, null);
            }

            Write(DocKeys.Home(context.Event.UserId), RecordJson.Serialize(new State.Records.Org.PersonHome(target) { Since = context.Now }));
        }
        else
        {
            if (storedProfile is null || context.Profile != initialProfile || context.ProfileSeen)
            {
                Write(userKey, RecordJson.Serialize(context.Profile), strangerTtl);
                foreach (var change in PeopleIndex.Changes(storedProfile, context.Profile))
                {
                    Change(change, home);
                }
            }

            if (!Equals(context.Conversation, initialConversation) || (context.ProfileSeen && strangerTtl is not null && reader.Versions.GetValueOrDefault(reader.Bound(conversationKey)) > 0))
            {
                Write(conversationKey, RecordJson.Serialize(context.Conversation), strangerTtl);
            }
        }

        foreach (var (key, (json, ttl)) in context.Effects.Writes)
        {
            Write(key, json, ttl);
        }

        foreach (var change in context.Effects.SetChanges)
        {
            Change(change, home);
        }

        // Order: other shards (ascending), the new home of a person who moves, the root shard's pointer, the old home last.
        var order = parts.Keys.Where(s => s != home && s != target && s != Shards.Root).ToList();
        if (target != home)
        {
            order.Add(target);
        }

        if (home != Shards.Root && parts.ContainsKey(Shards.Root))
        {
            order.Add(Shards.Root);
        }

        order.Remove(home);
        order.Add(home);
        var commits = new List<Commit>(order.Count);
        foreach (var shard in order.Distinct())
        {
            var (writes, sets) = parts.TryGetValue(shard, out var part) ? part : ([], []);
            commits.Add(new Commit { Shard = shard, UpdateId = updateId, Writes = writes, SetChanges = sets });
        }

        // A timer is consumed in the shard it lives in (the shard of the commit that set it). When that is not the last
        // commit's shard (the person moved since), that shard's commit goes last, so the consumption stays the final step.
        if (context.Event is TimerFired { Shard: var timerShard } && timerShard != commits[^1].Shard)
        {
            var index = commits.FindIndex(c => c.Shard == timerShard);
            var timerCommit = index >= 0 ? commits[index] : new Commit { Shard = timerShard, UpdateId = updateId };
            if (index >= 0)
            {
                commits.RemoveAt(index);
            }

            commits.Add(timerCommit);
        }

        // A community timer whose id names its shard (MusterFlow.TimerIdIn: a chain link of a street's muster set from
        // another community) is set or cancelled by a commit of that shard, so it lives — and is decided — there.
        var last = commits[^1].Shard;
        long ShardOf(string timerId) => Musters.MusterFlow.ShardOfTimer(timerId) ?? last;
        long TimerShard(TimerEntry timer) => ShardOf(timer.Id);
        foreach (var shard in context.Effects.Timers.Select(TimerShard).Concat(context.Effects.CancelledTimers.Select(ShardOf)).Distinct())
        {
            if (shard != last && commits.FindIndex(c => c.Shard == shard) < 0)
            {
                commits.Insert(commits.Count - 1, new Commit { Shard = shard, UpdateId = updateId });
            }
        }

        for (var i = 0; i < commits.Count; i++)
        {
            var shard = commits[i].Shard;
            var isLast = i == commits.Count - 1;
            commits[i] = commits[i] with
            {
                SetTimers = context.Effects.Timers.Where(t => TimerShard(t) == shard).ToList(),
                CancelTimers = context.Effects.CancelledTimers.Where(id => ShardOf(id) == shard).ToList(),
            };
            if (isLast)
            {
                // The messages and the consumed timer go with the last commit: nothing is sent unless everything landed.
                commits[i] = commits[i] with
                {
                    ConsumesTimerId = (context.Event as TimerFired)?.TimerId,
                    Outbox = context.Effects.Outbox.Select(m => m with { EnqueuedAt = context.Now }).ToList(),
                };
            }
        }

        return commits;
    }

    private static Sender? SenderOf(BotEvent @event) => @event switch
    {
        TextReceived e => e.From,
        CommandReceived e => e.From,
        ButtonPressed e => e.From,
        ContactShared e => e.From,
        LocationShared e => e.From,
        DocumentReceived e => e.From,
        PhotoReceived e => e.From,
        OtherMessageReceived e => e.From,
        BotMembershipChanged e => e.From,
        GroupCommand e => e.From,
        GroupBotStatusChanged e => e.From,
        GroupMigrated e => e.From,
        _ => null,
    };

    /// <summary>English for Telegram language codes starting with "en", Simplified Chinese otherwise.</summary>
    public static Language LanguageOf(string? languageCode) =>
        languageCode is not null && languageCode.StartsWith("en", StringComparison.OrdinalIgnoreCase) ? Language.En : Language.Zh;

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Flow failed on {EventKind} of user {UserId}; apologised and moved on")]
    private static partial void LogFlowFailed(ILogger logger, Exception exception, string eventKind, long userId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Version conflict for user {UserId} on attempt {Attempt}; deciding again")]
    private static partial void LogConflict(ILogger logger, long userId, int attempt);
}
