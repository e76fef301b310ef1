using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Directory;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;

namespace MusterBot.Emulator.Sandbox;

/// <summary>
/// Seeds the sandbox with <see cref="SandboxDemo"/> in <c>Sandbox:Language</c> (Chinese by default): the emulator's
/// users always (the emulator starts empty), the community in the state store only when it has no grids yet (a
/// Redis-backed sandbox keeps its data). <see cref="ResetAsync"/> is the page's "reset demo".
/// </summary>
public sealed partial class SandboxSeeder(
    BotApiEmulator emulator,
    IStateStore store,
    TimeProvider time,
    IOptions<SandboxOptions> options,
    ILogger<SandboxSeeder> logger) : IHostedService, IDisposable
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

        if ((await store.GetSetMembersAsync(Sets.Grids, cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            await SeedStoreAsync(cancellationToken).ConfigureAwait(false);
            LogSeeded(logger, Community.Grids.Count, Community.Regions.Count, Community.People.Count);
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
        var writes = new List<DocWrite>();
        var sets = new List<SetChange>();
        var community = Community;
        foreach (var grid in community.Grids)
        {
            writes.Add(Put(DocKeys.Grid(grid.Id), grid));
            sets.Add(new SetChange(Sets.Grids, grid.Id, true));
        }

        foreach (var region in community.Regions)
        {
            writes.Add(Put(DocKeys.Region(region.Id), region));
            sets.Add(new SetChange(Sets.Regions, region.Id, true));
        }

        var counters = new CommunityCounters
        {
            Grids = community.Grids.Count,
            Buildings = community.Grids.Sum(g => g.Buildings.Count),
            Regions = community.Regions.Count,
        };
        if (await store.GetAsync(DocKeys.Counters, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            var old = RecordJson.Deserialize<CommunityCounters>(existing.Json);
            counters = old with { Grids = Math.Max(old.Grids, counters.Grids), Buildings = Math.Max(old.Buildings, counters.Buildings), Regions = Math.Max(old.Regions, counters.Regions) };
        }

        writes.Add(Put(DocKeys.Counters, counters));
        foreach (var person in community.People)
        {
            var before = await store.GetAsync(DocKeys.User(person.Id), cancellationToken).ConfigureAwait(false);
            var profile = Profile(person, now);
            writes.Add(new DocWrite(DocKeys.User(person.Id), RecordJson.Serialize(profile), ExpectedVersion: null));
            sets.AddRange(PeopleIndex.Changes(before is null ? null : RecordJson.Deserialize<UserProfile>(before.Json), profile));
        }

        var result = await store.CommitAsync(new Commit { Writes = writes, SetChanges = sets }, cancellationToken).ConfigureAwait(false);
        if (result.Status != CommitStatus.Committed)
        {
            throw new InvalidOperationException($"Seeding the sandbox demo failed: {result.Status}.");
        }
    }

    private UserProfile Profile(SandboxPersona person, DateTimeOffset now) =>
        new(person.Id, person.Id, person.Name)
        {
            Language = Language,
            LanguageChosen = true,
            Roles = person.Roles & ~Roles.Admin,
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

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Sandbox demo community seeded: {Grids} grids, {Regions} regions, {People} people. Open the web page to play it.")]
    private static partial void LogSeeded(ILogger logger, int grids, int regions, int people);
}
