using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Admin;
using MusterBot.Flows.Profile;
using MusterBot.Flows.Events;
using MusterBot.Flows.Complaints;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Points;
using MusterBot.Flows.Wishes;
using MusterBot.Flows.Registration;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State;
using MusterBot.State.Memory;
using MusterBot.State.Outbox;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Org;

namespace MusterBot.Tests.Support;

/// <summary>Runs events through the real processor and flows on a real (in-memory or Redis) store with a fake clock.</summary>
public sealed class FlowHarness
{
    private int _nextMessageId = 1;
    // Update ids are unique across harnesses, so two harnesses over one store (a restart) never collide.
    private static long _nextUpdateId = 1;

    public FlowHarness(IStateStore? store = null, params long[] admins)
        : this(store, new MusterOptions(), admins)
    {
    }

    public FlowHarness(IStateStore? store, MusterOptions musterOptions, params long[] admins)
        : this(store, musterOptions, new WishOptions(), admins)
    {
    }

    public FlowHarness(IStateStore? store, MusterOptions musterOptions, WishOptions wishOptions, params long[] admins)
        : this(store, musterOptions, wishOptions, new ComplaintOptions(), admins)
    {
    }

    public FlowHarness(IStateStore? store, MusterOptions musterOptions, WishOptions wishOptions, ComplaintOptions complaintOptions, params long[] admins)
    {
        Clock = new FakeTimeProvider(TestClock.Start);
        Store = store ?? new InMemoryStateStore(Clock);

        // The organisation tree every deployment starts with (city 1 … community 4): people join community 4.
        Store.CommitAsync(DefaultTree.Commit(DefaultTreeNames.Chinese, Clock.GetUtcNow()), CancellationToken.None).GetAwaiter().GetResult();
        var options = new FlowOptions();
        foreach (var admin in admins)
        {
            options.Admins.Add(admin);
        }

        Processor = new UpdateProcessor(Store, new FlowRouter(Flows(musterOptions, wishOptions, complaintOptions, options)), TextCatalog.Default, Options.Create(options), Clock, NullLogger<UpdateProcessor>.Instance);
    }

    public FakeTimeProvider Clock { get; }

    private static IEnumerable<IFlow> Flows(MusterOptions musterOptions, WishOptions wishOptions, ComplaintOptions complaintOptions, FlowOptions options)
    {
        var musters = new MusterFlow(TextCatalog.Default, Options.Create(musterOptions), Options.Create(options));
        var wishes = new WishFlow(TextCatalog.Default, Options.Create(wishOptions), Options.Create(options));
        var complaints = new ComplaintFlow(TextCatalog.Default, Options.Create(complaintOptions), Options.Create(options));
        var inService = new MusterBot.Flows.InService.InServiceFlow(Options.Create(options));
        return [new MainFlow(TextCatalog.Default), new RegistrationFlow(), new AdminFlow(), new MusterBot.Flows.Org.OrgFlow(), new ProfileFlow([musters, wishes, complaints, inService]), musters, wishes, complaints, new PointsFlow(TextCatalog.Default, wishOptions.UtcOffset), new MyFlow(TextCatalog.Default, [musters, wishes, complaints]), inService, new MusterBot.Flows.Households.HouseholdFlow(wishOptions.UtcOffset), new MusterBot.Flows.Households.WelfareFlow(TextCatalog.Default, Options.Create(musterOptions)), new MusterBot.Flows.Posts.PostFlow(TextCatalog.Default, Options.Create(musterOptions)), new MusterBot.Flows.Groups.GroupFlow(TextCatalog.Default), new MusterBot.Flows.Broadcasts.NoticeFlow(TextCatalog.Default, wishOptions.UtcOffset)];
    }

    private static long NextUpdateId() => Interlocked.Increment(ref _nextUpdateId);

    public IStateStore Store { get; }

    public UpdateProcessor Processor { get; }

    public static Sender Person(long id, string language = "zh-CN", string name = "Li") => new(id, name, null, null, language);

    public Task<ProcessOutcome> Command(Sender who, string command, string argument = "", long? updateId = null) =>
        Processor.ProcessAsync(updateId ?? NextUpdateId(), new CommandReceived(who, who.Id, _nextMessageId++, command, argument), CancellationToken.None);

    public Task<ProcessOutcome> Text(Sender who, string text) =>
        Processor.ProcessAsync(NextUpdateId(), new TextReceived(who, who.Id, _nextMessageId++, text), CancellationToken.None);

    public Task<ProcessOutcome> Press(Sender who, string data, int? messageId = 1, string? queryId = null) =>
        Processor.ProcessAsync(NextUpdateId(), new ButtonPressed(who, who.Id, messageId, queryId ?? "q" + Guid.NewGuid().ToString("N"), data), CancellationToken.None);

    /// <summary>
    /// An administrator launches a fire drill through the /muster wizard for everyone in the community (rally point
    /// "Square", no pin, report within 30 minutes).
    /// </summary>
    public async Task LaunchDrillForEveryoneAsync(Sender admin)
    {
        await Command(admin, "muster");
        await Press(admin, new MusterButton.PickKind(MusterBot.State.Records.Musters.MusterKind.Fire).Data);
        await Press(admin, new MusterButton.PickScope(MusterBot.State.Records.Musters.MusterScopeKind.Everyone).Data);
        await Text(admin, "Square");
        await Press(admin, new MusterButton.Skip().Data);
        await Press(admin, new MusterButton.ReportWithin(30).Data);
        await Press(admin, new MusterButton.DrillOrReal(true).Data);
        await Press(admin, new MusterButton.Launch().Data);
    }

    public Task<ProcessOutcome> Event(BotEvent @event) => Processor.ProcessAsync(NextUpdateId(), @event, CancellationToken.None);

    /// <summary>Fires every timer due now (as the host's timer service would); returns how many fired.</summary>
    public async Task<int> FireDueTimersAsync()
    {
        var fired = 0;
        while (true)
        {
            var due = await Store.ClaimDueTimersAsync(1_000, TimeSpan.FromMinutes(1), CancellationToken.None);
            if (due.Count == 0)
            {
                return fired;
            }

            foreach (var timer in due)
            {
                await Processor.ProcessAsync(null, new TimerFired(timer.UserId, timer.Id, timer.Payload, timer.Shard), CancellationToken.None);
                fired++;
            }
        }
    }

    /// <summary>Takes every waiting outbox message (and completes it, as a sender would).</summary>
    public async Task<IReadOnlyList<OutboxMessage>> DrainAsync()
    {
        var messages = await Store.ClaimOutboxAsync(10_000, TimeSpan.FromMinutes(1), CancellationToken.None);
        foreach (var m in messages)
        {
            await Store.CompleteOutboxAsync(m.Id, new DeliveryRecord(m.Id, m.ChatId, DeliveryStatus.Sent, Clock.GetUtcNow()), CancellationToken.None);
        }

        return messages;
    }

    public async Task<IReadOnlyList<string>> DrainTextsAsync() =>
        (await DrainAsync()).Select(m => m.Action switch
        {
            SendText s => s.Html,
            EditText e => "[edit] " + e.Html,
            AnswerCallback a => "[answer] " + a.Text,
            _ => m.Action.GetType().Name,
        }).ToList();

    /// <summary>The default community (node 4 of the default tree): where the harness's people live.</summary>
    public const long Community = DefaultTree.CommunityId;

    /// <summary>The shard a person lives in (their <see cref="PersonHome"/>; the root shard when they have none).</summary>
    public async Task<long> HomeOfAsync(long userId)
    {
        var doc = await Store.GetAsync(DocKeys.Home(userId), CancellationToken.None);
        return doc is null ? Shards.Root : RecordJson.Deserialize<PersonHome>(doc.Json).Shard;
    }

    public async Task<UserProfile?> ProfileAsync(long userId)
    {
        var doc = await Store.GetAsync(DocKeys.User(userId).In(await HomeOfAsync(userId)), CancellationToken.None);
        return doc is null ? null : RecordJson.Deserialize<UserProfile>(doc.Json);
    }

    public async Task<ConversationState?> ConversationAsync(long userId)
    {
        var doc = await Store.GetAsync(DocKeys.Conversation(userId).In(await HomeOfAsync(userId)), CancellationToken.None);
        return doc is null ? null : RecordJson.Deserialize<ConversationState>(doc.Json);
    }

    /// <summary>A record of the default community (community 4), or null.</summary>
    public async Task<T?> CommunityDocAsync<T>(DocKey key)
        where T : class
    {
        var doc = await Store.GetAsync(key.Bind(Community), CancellationToken.None);
        return doc is null ? null : RecordJson.Deserialize<T>(doc.Json);
    }

    /// <summary>Members of a set of the default community.</summary>
    public Task<IReadOnlyList<string>> CommunitySetAsync(string name) => Store.GetSetMembersAsync(name, Community, CancellationToken.None);
}
