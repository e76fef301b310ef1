using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Records;

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
    BotIdentity? bot = null)
{
    private readonly BotIdentity _bot = bot ?? new BotIdentity();

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

        // The duplicate check runs while the person's records load (the commit refuses a duplicate anyway).
        var handled = updateId is { } id ? store.IsUpdateHandledAsync(id, cancellationToken) : Task.FromResult(false);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var reader = new DocReader(store);
            var context = await LoadAsync(@event, reader, cancellationToken).ConfigureAwait(false);
            if (attempt == 1 && await handled.ConfigureAwait(false))
            {
                return ProcessOutcome.Duplicate;
            }

            if (context is null)
            {
                if (@event is TimerFired orphan)
                {
                    // A timer of someone who left: consume it so it does not come back after every lease.
                    await store.CommitAsync(new Commit { ConsumesTimerId = orphan.TimerId }, cancellationToken).ConfigureAwait(false);
                }

                return ProcessOutcome.Ignored;
            }

            var (initialProfile, initialConversation) = (context.Profile, context.Conversation);
            try
            {
                if (@event is ButtonPressed foreign && foreign.ChatId != foreign.UserId)
                {
                    // A button of someone else's chat: refuse, change nothing (callback data is never trusted alone).
                    context.AnswerButton(context.T("button.not_yours"), alert: true);
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

            var commit = BuildCommit(updateId, context, reader, initialProfile, initialConversation, options.Value.ForgetUnregisteredAfter);
            var result = await store.CommitAsync(commit, cancellationToken).ConfigureAwait(false);
            switch (result.Status)
            {
                case CommitStatus.Committed:
                    return ProcessOutcome.Handled;
                case CommitStatus.DuplicateUpdate:
                    return ProcessOutcome.Duplicate;
                default:
                    LogConflict(logger, @event.UserId, attempt);
                    break;
            }
        }

        throw new InvalidOperationException($"Gave up after {MaxAttempts} version conflicts for user {@event.UserId}.");
    }

    private async Task<FlowContext?> LoadAsync(BotEvent @event, DocReader reader, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        // One round trip for the mode, the person and their conversation.
        await reader.PrefetchAsync([DocKeys.Mode, DocKeys.User(@event.UserId), DocKeys.Conversation(@event.UserId)], cancellationToken).ConfigureAwait(false);
        var emergency = (await reader.GetAsync<State.Records.Musters.CommunityMode>(DocKeys.Mode, cancellationToken).ConfigureAwait(false))?.Emergency == true;
        if (@event is TimerFired { ForUserId: Musters.MusterFlow.SystemUser })
        {
            // A community timer: decided with a stand-in profile that is never written.
            var system = new UserProfile(Musters.MusterFlow.SystemUser, 0, "system") { Roles = Roles.Admin };
            return new FlowContext(@event, now, system, MainFlow.Idle(now), Roles.Admin, reader, texts, _bot) { IsSystem = true, Emergency = emergency };
        }

        var profile = await reader.GetAsync<UserProfile>(DocKeys.User(@event.UserId), cancellationToken).ConfigureAwait(false);
        var sender = SenderOf(@event);
        if (profile is null)
        {
            if (sender is null)
            {
                return null;
            }

            profile = new UserProfile(sender.Id, @event.ChatId, sender.FirstName) { FirstSeenAt = now, Language = LanguageOf(sender.LanguageCode) };
        }

        // LastSeenAt moves at most once per LastSeenEvery: a person's every press does not rewrite their profile.
        var seen = sender is not null && now - profile.LastSeenAt >= LastSeenEvery;
        if (sender is not null)
        {
            profile = profile with
            {
                FirstName = sender.FirstName,
                LastName = sender.LastName,
                Username = sender.Username,
                LastSeenAt = seen ? now : profile.LastSeenAt,
                Language = profile.LanguageChosen ? profile.Language : LanguageOf(sender.LanguageCode),
                BlockedBot = @event is BotMembershipChanged ? profile.BlockedBot : false,
            };
        }

        var conversation = await reader.GetAsync<ConversationState>(DocKeys.Conversation(@event.UserId), cancellationToken).ConfigureAwait(false)
            ?? MainFlow.Idle(now);
        var roles = profile.Roles | (options.Value.Admins.Contains(profile.Id) ? Roles.Admin : Roles.None);
        return new FlowContext(@event, now, profile, conversation, roles, reader, texts, _bot) { Emergency = emergency, ProfileSeen = seen };
    }

    /// <summary>How often a person's <see cref="UserProfile.LastSeenAt"/> is written.</summary>
    public static readonly TimeSpan LastSeenEvery = TimeSpan.FromHours(1);

    private static Commit BuildCommit(long? updateId, FlowContext context, DocReader reader, UserProfile initialProfile, ConversationState initialConversation, TimeSpan forgetUnregisteredAfter)
    {
        // Someone who never registered is forgotten this long after they were last seen (their records expire).
        TimeSpan? strangerTtl = context.Profile.RegisteredAt is null ? forgetUnregisteredAfter : null;
        var writes = new List<DocWrite>();
        long? Expected(State.Documents.DocKey key) => reader.Versions.TryGetValue(key, out var v) ? v : null;

        var userKey = DocKeys.User(context.Event.UserId);
        var conversationKey = DocKeys.Conversation(context.Event.UserId);
        var storedProfile = reader.Versions.GetValueOrDefault(userKey) == 0 ? null : initialProfile;
        var setChanges = new List<SetChange>();
        if (context.IsSystem)
        {
            // Nothing of the stand-in profile or conversation is stored.
        }
        else if (context.DeleteProfile)
        {
            writes.Add(new DocWrite(userKey, null, Expected(userKey)));
            writes.Add(new DocWrite(conversationKey, null, Expected(conversationKey)));
            setChanges.AddRange(PeopleIndex.Changes(storedProfile, null));
        }
        else
        {
            if (storedProfile is null || context.Profile != initialProfile || context.ProfileSeen)
            {
                writes.Add(new DocWrite(userKey, RecordJson.Serialize(context.Profile), Expected(userKey), strangerTtl));
                setChanges.AddRange(PeopleIndex.Changes(storedProfile, context.Profile));
            }

            if (!Equals(context.Conversation, initialConversation) || (context.ProfileSeen && strangerTtl is not null && reader.Versions.GetValueOrDefault(conversationKey) > 0))
            {
                writes.Add(new DocWrite(conversationKey, RecordJson.Serialize(context.Conversation), Expected(conversationKey), strangerTtl));
            }
        }

        foreach (var (key, (json, ttl)) in context.Effects.Writes)
        {
            writes.Add(new DocWrite(key, json, Expected(key), ttl));
        }

        return new Commit
        {
            UpdateId = updateId,
            ConsumesTimerId = (context.Event as TimerFired)?.TimerId,
            Writes = writes,
            SetChanges = [.. context.Effects.SetChanges, .. setChanges],
            Outbox = context.Effects.Outbox.Select(m => m with { EnqueuedAt = context.Now }).ToList(),
            SetTimers = context.Effects.Timers,
            CancelTimers = context.Effects.CancelledTimers,
        };
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
