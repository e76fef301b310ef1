using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Directory;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Org;
using MusterBot.State.Records.Wishes;
using MusterBot.State.Migration;

namespace MusterBot.Emulator.Sandbox;

/// <summary>
/// Seeds the sandbox with <see cref="SandboxDemo"/> in <c>Sandbox:Language</c> (Chinese by default): the emulator's
/// users always (the emulator starts empty), the street and its two communities in the state store only when the first
/// community has no grids yet (a Redis-backed sandbox keeps its data). Each community's records go into its own shard,
/// each person's home (<see cref="PersonHome"/>) into the root. <see cref="ResetAsync"/> is the page's "reset demo".
/// </summary>
public sealed partial class SandboxSeeder(
    BotApiEmulator emulator,
    IStateStore store,
    TimeProvider time,
    IOptions<SandboxOptions> options,
    ILogger<SandboxSeeder> logger,
    StoreStartup? startup = null,
    IOptions<Flows.Complaints.ComplaintOptions>? complaintOptions = null) : IHostedService, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The language the demo people read.</summary>
    public Language Language => string.Equals(options.Value.Language, "en", StringComparison.OrdinalIgnoreCase) ? Language.En : Language.Zh;

    /// <summary>The demo community in <see cref="Language"/>.</summary>
    public SandboxCommunity Community => SandboxDemo.For(Language);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SeedDemo)
        {
            return;
        }

        foreach (var person in Community.People)
        {
            if (emulator.State.Users.All(u => u.Id != person.Id))
            {
                emulator.CreateUser(person.Id, person.Name, Language == Language.En ? "en" : "zh-CN");
            }
        }

        if (startup is not null)
        {
            // A sandbox on Redis may hold an older sandbox's single-community keys: migrated first, like the bot's own store.
            await startup.EnsureAsync(cancellationToken).ConfigureAwait(false);
        }

        if ((await store.GetSetMembersAsync(Sets.Grids, DefaultTree.CommunityId, cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            await SeedStoreAsync(cancellationToken).ConfigureAwait(false);
            var communities = Community.Nodes.Count(n => n.Level == OrgLevel.Community);
            var grids = Community.GridsByNode.Values.Sum(g => g.Count);
            LogSeeded(logger, communities, grids, Community.Regions.Count, Community.People.Count);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _gate.Dispose();

    /// <summary>
    /// Restores the seed: every chat in the emulator is emptied, the store forgets everything (musters, wishes,
    /// complaints, emergency mode, conversations, outbox, timers; on Redis every key under the sandbox's own prefix
    /// <c>{Redis:KeyPrefix}sandbox:</c>, nothing else) and the demo community is seeded again.
    /// </summary>
    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await store.EraseAllAsync(cancellationToken).ConfigureAwait(false);
            emulator.State.ClearChats();
            await SeedStoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task SeedStoreAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var community = Community;

        // Each node's own records, one commit per shard (the people's homes last, as a move writes them).
        foreach (var node in community.Nodes.Select(n => n.Id).Where(id => community.PeopleOf(id).Count > 0 || community.GridsByNode.ContainsKey(id)))
        {
            await CommitAsync(await NodeCommitAsync(node, now, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

            // The community's figures document, as the flows keep it, so that a street's figures and queues count the
            // seeded wishes from the first minute (the flows would otherwise compute it at the community's first change).
            if (community.WishesByNode.ContainsKey(node))
            {
                var stats = await Flows.Stats.CommunityTally.ComputeAsync(new Flows.Runtime.DocReader(store, node), node, complaintOptions?.Value.UtcOffset ?? TimeSpan.FromHours(8), cancellationToken).ConfigureAwait(false);
                await CommitAsync(new Commit { Shard = node, Writes = [Put(DocKeys.CommunityStats, stats with { UpdatedAt = now })] }, cancellationToken).ConfigureAwait(false);
            }
        }

        var root = new List<DocWrite>();
        root.AddRange(community.Nodes.Select(n => Put(DocKeys.OrgNode(n.Id), n with { CreatedAt = now })));
        root.Add(Put(DocKeys.OrgCounters, new OrgCounters(community.Nodes.Max(n => n.Id))));
        root.AddRange(community.People.Select(p => Put(DocKeys.Home(p.Id), new PersonHome(p.Node) { Since = now })));
        await CommitAsync(new Commit { Shard = Shards.Root, Writes = root }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One node's grids, regions (the first community's), counters, people and starting micro-wishes.</summary>
    private async Task<Commit> NodeCommitAsync(long node, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var community = Community;
        var writes = new List<DocWrite>();
        var sets = new List<SetChange>();
        var grids = community.GridsByNode.GetValueOrDefault(node) ?? [];
        var regions = node == DefaultTree.CommunityId ? community.Regions : [];
        var wishes = community.WishesByNode.GetValueOrDefault(node) ?? [];
        foreach (var grid in grids)
        {
            writes.Add(Put(DocKeys.Grid(grid.Id), grid));
            sets.Add(new SetChange(Sets.Grids, grid.Id, true));
        }

        foreach (var region in regions)
        {
            writes.Add(Put(DocKeys.Region(region.Id), region));
            sets.Add(new SetChange(Sets.Regions, region.Id, true));
        }

        foreach (var wish in wishes)
        {
            var resident = community.People.Single(p => p.Id == wish.ResidentId);
            var record = new Wish(wish.Number, wish.ResidentId, wish.Text, WishCategory.Repairs, now)
            {
                GridId = resident.GridId,
                Status = WishStatus.Open,
                ReviewedBy = wish.ApprovedBy,
                OpenedAt = now,
                History = [new WishEvent(now, wish.ResidentId, "filed"), new WishEvent(now, wish.ApprovedBy, "approved")],
            };
            writes.Add(Put(DocKeys.Wish(wish.Number), record));
            sets.Add(new SetChange(Sets.WishesWithStatus(WishStatus.Open), Sets.Member(wish.Number), true));
            sets.Add(new SetChange(Sets.WishesOf(wish.ResidentId), Sets.Member(wish.Number), true));
        }

        var households = community.HouseholdsByNode.GetValueOrDefault(node) ?? [];
        foreach (var household in households)
        {
            writes.Add(Put(DocKeys.Household(household.Number), household with { CreatedAt = now, UpdatedAt = now }));
            sets.Add(new SetChange(Sets.HouseholdsInGrid(household.GridId), Sets.Member(household.Number), true));
        }

        if (grids.Count > 0 || regions.Count > 0)
        {
            var counters = new CommunityCounters
            {
                Grids = grids.Count,
                Buildings = grids.Sum(g => g.Buildings.Count),
                Regions = regions.Count,
                Wishes = wishes.Count == 0 ? 0 : wishes.Max(w => w.Number),
                Households = households.Count == 0 ? 0 : households.Max(h => h.Number),
            };
            if (await store.GetAsync(DocKeys.Counters.In(node), cancellationToken).ConfigureAwait(false) is { } existing)
            {
                var old = RecordJson.Deserialize<CommunityCounters>(existing.Json);
                counters = old with
                {
                    Grids = Math.Max(old.Grids, counters.Grids), Buildings = Math.Max(old.Buildings, counters.Buildings), Regions = Math.Max(old.Regions, counters.Regions),
                    Wishes = Math.Max(old.Wishes, counters.Wishes), Households = Math.Max(old.Households, counters.Households),
                };
            }

            writes.Add(Put(DocKeys.Counters, counters));
        }

        foreach (var person in community.PeopleOf(node))
        {
            var before = await store.GetAsync(DocKeys.User(person.Id).In(node), cancellationToken).ConfigureAwait(false);
            var profile = Profile(person, now);
            writes.Add(new DocWrite(DocKeys.User(person.Id), RecordJson.Serialize(profile), ExpectedVersion: null));
            sets.AddRange(PeopleIndex.Changes(before is null ? null : RecordJson.Deserialize<UserProfile>(before.Json), profile));
        }

        return new Commit { Shard = node, Writes = writes, SetChanges = sets };
    }

    private async Task CommitAsync(Commit commit, CancellationToken cancellationToken)
    {
        var result = await store.CommitAsync(commit, cancellationToken).ConfigureAwait(false);
        if (result.Status != CommitStatus.Committed)
        {
            throw new InvalidOperationException($"Seeding the sandbox demo failed in shard {commit.Shard}: {result.Status}.");
        }
    }

    private UserProfile Profile(SandboxPersona person, DateTimeOffset now) =>
        new(person.Id, person.Id, person.Name)
        {
            Language = Language,
            LanguageChosen = true,
            // The secretary is an administrator by configuration (MusterBot:Admins); the street's administrator by the tree.
            Roles = person.Id == SandboxDemo.AdminId ? person.Roles & ~Roles.Admin : person.Roles,
            AdminOf = person.AdminOf,
            FirstSeenAt = now,
            LastSeenAt = now,
            RegisteredAt = now,
            Phone = person.Phone,
            GridId = person.GridId,
            BuildingId = person.BuildingId,
            RegionId = person.RegionId,
            Skills = person.Skills,
        };

    private static DocWrite Put<T>(DocKey key, T value) => new(key, RecordJson.Serialize(value), ExpectedVersion: null);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Sandbox demo seeded: a street with {Communities} communities, {Grids} grids, {Regions} regions, {People} people. Open the web page to play it.")]
    private static partial void LogSeeded(ILogger logger, int communities, int grids, int regions, int people);
}
