using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Memory;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Org;
using MusterBot.State.Timers;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>
/// Where the processor reads a person's records: a person it has not seen costs one read of their home pointer in the
/// root shard (on a cluster every update starts there), not a guess of their records in the root shard; a person it has
/// seen is read where they lived then, together with the pointer, which still decides when they have moved since.
/// </summary>
public sealed class HomeReadTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly Sender Ann = FlowHarness.Person(501, "en", "Ann");

    [Fact]
    public async Task A_member_of_a_community_not_seen_before_costs_the_root_shard_only_their_home_pointer()
    {
        var store = new RecordingStore(new InMemoryStateStore(new FakeTimeProvider(TestClock.Start)));
        var h = new FlowHarness(store);
        await SeedMemberAsync(h, Ann, FlowHarness.Community);
        store.Reads.Clear();

        await h.Command(Ann, "help");

        var root = store.Reads.Where(k => k.Shard == Shards.Root).ToList();
        Assert.Contains(DocKeys.Home(Ann.Id).In(Shards.Root), root);
        Assert.DoesNotContain(root, k => k.Kind == DocKeys.User(0).Kind || k.Kind == DocKeys.Conversation(0).Kind || k.Kind == DocKeys.Mode.Kind);
        Assert.Contains(DocKeys.User(Ann.Id).In(FlowHarness.Community), store.Reads);
        Assert.NotEmpty(await h.DrainTextsAsync());
    }

    [Fact]
    public async Task A_person_seen_before_is_read_where_they_lived_and_found_where_they_live_after_a_move_made_elsewhere()
    {
        var store = new RecordingStore(new InMemoryStateStore(new FakeTimeProvider(TestClock.Start)));
        var h = new FlowHarness(store);
        await SeedMemberAsync(h, Ann, FlowHarness.Community);
        await h.Command(Ann, "help");
        Assert.Contains("What I can do", string.Join('\n', await h.DrainTextsAsync()), StringComparison.Ordinal);

        // Seen: the second update reads the pointer and the records in community 4 in one go.
        store.Reads.Clear();
        await h.Command(Ann, "help");
        Assert.Contains(DocKeys.User(Ann.Id).In(FlowHarness.Community), store.Reads);
        Assert.DoesNotContain(store.Reads, k => k.Shard == Shards.Root && k.Kind == DocKeys.User(0).Kind);
        await h.DrainAsync();

        // Another process moves her to community 40 (profile there, pointer changed): this processor's hint is stale.
        var profile = await h.ProfileAsync(Ann.Id);
        Assert.NotNull(profile);
        await store.CommitAsync(new Commit { Shard = 40, Writes = [new DocWrite(DocKeys.User(Ann.Id).In(40), RecordJson.Serialize(profile with { Language = Language.Zh, LanguageChosen = true }), null)] }, Ct);
        await store.CommitAsync(new Commit { Shard = FlowHarness.Community, Writes = [new DocWrite(DocKeys.User(Ann.Id).In(FlowHarness.Community), null, null)] }, Ct);
        await store.CommitAsync(new Commit { Writes = [new DocWrite(DocKeys.Home(Ann.Id), RecordJson.Serialize(new PersonHome(40)), null)] }, Ct);

        store.Reads.Clear();
        await h.Command(Ann, "help");

        Assert.Contains(DocKeys.User(Ann.Id).In(40), store.Reads);
        var reply = string.Join('\n', await h.DrainTextsAsync());
        Assert.DoesNotContain("What I can do", reply, StringComparison.Ordinal); // decided on her profile in community 40 (Chinese there)
        Assert.Contains(reply, c => c is >= '\u4e00' and <= '\u9fff');
        Assert.Equal(40, await h.HomeOfAsync(Ann.Id));
    }

    private static async Task SeedMemberAsync(FlowHarness h, Sender who, long community)
    {
        var now = h.Clock.GetUtcNow();
        var profile = new UserProfile(who.Id, who.Id, who.FirstName) { Language = Language.En, LanguageChosen = true, Roles = Roles.Member, RegisteredAt = now, FirstSeenAt = now, LastSeenAt = now };
        var result = await h.Store.SeedCommunityInAsync(new Commit { Writes = [new DocWrite(DocKeys.User(who.Id), RecordJson.Serialize(profile), null)], SetChanges = [.. PeopleIndex.Changes(null, profile)] }, community, Ct);
        Assert.Equal(CommitStatus.Committed, result.Status);
    }

    /// <summary>Remembers every document key read (bound to its shard).</summary>
    private sealed class RecordingStore(IStateStore inner) : DelegatingStore(inner)
    {
        public List<DocKey> Reads { get; } = [];

        public override Task<StoredDoc?> GetAsync(DocKey key, CancellationToken cancellationToken)
        {
            lock (Reads)
            {
                Reads.Add(key.Bind(Shards.Root));
            }

            return Inner.GetAsync(key, cancellationToken);
        }

        public override Task<IReadOnlyList<StoredDoc?>> GetManyAsync(IReadOnlyList<DocKey> keys, CancellationToken cancellationToken)
        {
            lock (Reads)
            {
                Reads.AddRange(keys.Select(k => k.Bind(Shards.Root)));
            }

            return Inner.GetManyAsync(keys, cancellationToken);
        }
    }
}
