using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Memory;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.State.Records.Org;
using MusterBot.State.Timers;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>
/// Where the processor reads a person's records: a person it has not seen costs one read of their home pointer in the
/// root shard (on a cluster every update starts there), not a guess of their records in the root shard; a person it has
/// seen (or sent a message from their community) is read where they lived then, together with the pointer, which still
/// decides when they have moved since.
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
        await MoveAnnTo40BehindTheProcessorAsync(h, store);

        store.Reads.Clear();
        await h.Command(Ann, "help");

        Assert.Contains(DocKeys.User(Ann.Id).In(40), store.Reads);
        var reply = string.Join('\n', await h.DrainTextsAsync());
        Assert.DoesNotContain("What I can do", reply, StringComparison.Ordinal); // decided on her profile in community 40 (Chinese there)
        Assert.Contains(reply, c => c is >= '\u4e00' and <= '\u9fff');
        Assert.Equal(40, await h.HomeOfAsync(Ann.Id));
    }

    [Fact]
    public async Task A_check_in_reads_the_muster_and_the_members_answer_with_the_members_own_records()
    {
        var (store, h) = await AnnSentAnOrderAsync();
        store.Calls.Clear();

        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data);

        // Not seen before, but sent her order from community 4: her home pointer and everything the check-in is
        // decided on (her records, the muster, her answer) in one read.
        var read = Assert.Single(store.Calls);
        Assert.Contains(DocKeys.Home(Ann.Id).In(Shards.Root), read);
        Assert.Contains(DocKeys.User(Ann.Id).In(FlowHarness.Community), read);
        Assert.Contains(DocKeys.Muster(1).In(FlowHarness.Community), read);
        Assert.Contains(DocKeys.MusterAnswer(1, Ann.Id).In(FlowHarness.Community), read);
        var answer = RecordJson.Deserialize<MusterAnswer>((await store.GetAsync(DocKeys.MusterAnswer(1, Ann.Id).In(FlowHarness.Community), Ct))!.Json);
        Assert.Equal(CheckInStatus.Arrived, answer.Status);

        // Her next answer: the same one read.
        store.Calls.Clear();
        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.CantCome).Data);
        read = Assert.Single(store.Calls);
        Assert.Contains(DocKeys.MusterAnswer(1, Ann.Id).In(FlowHarness.Community), read);

        // A press of a button no answer belongs to reads no muster.
        store.Calls.Clear();
        await h.Press(Ann, "mu:ci:x");
        Assert.DoesNotContain(store.Calls.SelectMany(c => c), k => k.Kind == DocKeys.Muster(1).Kind);
    }

    [Fact]
    public async Task A_person_sent_an_order_from_a_community_they_have_left_is_still_decided_where_they_live()
    {
        var (store, h) = await AnnSentAnOrderAsync();

        // Another process moves her to community 40 after her order went out: the order's community is a wrong hint.
        await MoveAnnTo40BehindTheProcessorAsync(h, store);
        store.Calls.Clear();

        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data);

        // Read where the hint said, then where the pointer says: decided in community 40, where no muster 1 is.
        Assert.Equal(2, store.Calls.Count);
        Assert.Contains(DocKeys.User(Ann.Id).In(FlowHarness.Community), store.Calls[0]);
        Assert.Contains(DocKeys.User(Ann.Id).In(40), store.Calls[1]);
        Assert.Contains(DocKeys.Muster(1).In(40), store.Calls[1]);
        var answer = RecordJson.Deserialize<MusterAnswer>((await store.GetAsync(DocKeys.MusterAnswer(1, Ann.Id).In(FlowHarness.Community), Ct))!.Json);
        Assert.NotEqual(CheckInStatus.Arrived, answer.Status);
        Assert.Equal(40, await h.HomeOfAsync(Ann.Id));
    }

    [Fact]
    public async Task A_start_from_someone_new_is_one_read_in_the_root_shard_and_from_a_member_not_seen_two()
    {
        var store = new RecordingStore(new InMemoryStateStore(new FakeTimeProvider(TestClock.Start)));
        var h = new FlowHarness(store);
        var stranger = FlowHarness.Person(777, "en", "Xu");

        await h.Command(stranger, "start");

        // The pointer and the records guessed in the root shard, where someone new lives: one read.
        var read = Assert.Single(store.Calls);
        Assert.Contains(DocKeys.Home(stranger.Id).In(Shards.Root), read);
        Assert.Contains(DocKeys.User(stranger.Id).In(Shards.Root), read);
        Assert.Contains("Xu", string.Join('\n', await h.DrainTextsAsync()), StringComparison.Ordinal);
        Assert.NotNull(await h.ProfileAsync(stranger.Id));

        // A community's member not seen before: the guess is wrong, and the pointer sends the second read to community 4.
        await SeedMemberAsync(h, Ann, FlowHarness.Community);
        store.Calls.Clear();
        await h.Command(Ann, "start");
        Assert.Equal(2, store.Calls.Count);
        Assert.Contains(DocKeys.User(Ann.Id).In(FlowHarness.Community), store.Calls[1]);
        Assert.Contains("Ann", string.Join('\n', await h.DrainTextsAsync()), StringComparison.Ordinal);
        Assert.Null(await store.GetAsync(DocKeys.User(Ann.Id).In(Shards.Root), Ct));
    }

    /// <summary>Ann lives in community 4; an administrator launches a drill for everyone there, so her order is sent from it.</summary>
    private static async Task<(RecordingStore Store, FlowHarness H)> AnnSentAnOrderAsync()
    {
        var store = new RecordingStore(new InMemoryStateStore(new FakeTimeProvider(TestClock.Start)));
        var h = new FlowHarness(store, 1);
        await SeedMemberAsync(h, Ann, FlowHarness.Community);
        await h.LaunchDrillForEveryoneAsync(FlowHarness.Person(1, "en", "Boss"));
        await h.DrainAsync();
        return (store, h);
    }

    /// <summary>Another process moves Ann to community 40 (profile there, in Chinese; pointer changed), unseen by the harness's processor.</summary>
    private static async Task MoveAnnTo40BehindTheProcessorAsync(FlowHarness h, IStateStore store)
    {
        var profile = await h.ProfileAsync(Ann.Id);
        Assert.NotNull(profile);
        await store.CommitAsync(new Commit { Shard = 40, Writes = [new DocWrite(DocKeys.User(Ann.Id).In(40), RecordJson.Serialize(profile with { Language = Language.Zh, LanguageChosen = true }), null)] }, Ct);
        await store.CommitAsync(new Commit { Shard = FlowHarness.Community, Writes = [new DocWrite(DocKeys.User(Ann.Id).In(FlowHarness.Community), null, null)] }, Ct);
        await store.CommitAsync(new Commit { Writes = [new DocWrite(DocKeys.Home(Ann.Id), RecordJson.Serialize(new PersonHome(40)), null)] }, Ct);
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

        /// <summary>The documents of each read, one entry per round trip.</summary>
        public List<List<DocKey>> Calls { get; } = [];

        public override Task<StoredDoc?> GetAsync(DocKey key, CancellationToken cancellationToken)
        {
            lock (Reads)
            {
                Reads.Add(key.Bind(Shards.Root));
                Calls.Add([key.Bind(Shards.Root)]);
            }

            return Inner.GetAsync(key, cancellationToken);
        }

        public override Task<IReadOnlyList<StoredDoc?>> GetManyAsync(IReadOnlyList<DocKey> keys, CancellationToken cancellationToken)
        {
            lock (Reads)
            {
                Reads.AddRange(keys.Select(k => k.Bind(Shards.Root)));
                Calls.Add([.. keys.Select(k => k.Bind(Shards.Root))]);
            }

            return Inner.GetManyAsync(keys, cancellationToken);
        }
    }
}
