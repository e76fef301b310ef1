using System.Globalization;
using MusterBot.Emulator;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Org;

namespace MusterBot.Bench;

/// <summary>What the benchmarks seed straight into the store: registered people, region ids, document writes.</summary>
internal static class BenchSeed
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// The seeded directory as commits of the default tree's community (<see cref="DefaultTree.CommunityId"/>): its grids,
    /// regions, profiles and people index sets in the community's shard, then every person's <see cref="PersonHome"/> in
    /// the root shard (written last, as a move writes it). Seeded in the root shard instead, a muster of the community
    /// calls no one (0 people called).
    /// </summary>
    public static IEnumerable<Commit> CommunityCommits(List<DocWrite> writes, List<SetChange> sets, IReadOnlyCollection<long> people, DateTimeOffset now, int size = 2000)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(sets);
        ArgumentNullException.ThrowIfNull(people);
        for (var i = 0; i < writes.Count; i += size)
        {
            yield return new Commit { Shard = DefaultTree.CommunityId, Writes = writes.Skip(i).Take(size).ToList() };
        }

        for (var i = 0; i < sets.Count; i += size * 4)
        {
            yield return new Commit { Shard = DefaultTree.CommunityId, SetChanges = sets.Skip(i).Take(size * 4).ToList() };
        }

        var homes = people.Select(id => Put(DocKeys.Home(id), new PersonHome(DefaultTree.CommunityId) { Since = now })).ToList();
        for (var i = 0; i < homes.Count; i += size)
        {
            yield return new Commit { Shard = Shards.Root, Writes = homes.Skip(i).Take(size).ToList() };
        }
    }

    public static string RegionId(int r) => "r" + (r + 1).ToString(Inv);

    public static DocWrite Put<T>(DocKey key, T value) => new(key, RecordJson.Serialize(value), 0);

    /// <summary>An English-speaking emulator user and their registered profile (grid g1, a phone from the id), with its index changes.</summary>
    public static void AddPerson(BotApiEmulator emulator, List<DocWrite> writes, List<SetChange> sets, DateTimeOffset now, long id, string name, string regionId, Roles roles)
    {
        emulator.CreateUser(id, name, "en");
        var profile = new UserProfile(id, id, name)
        {
            Language = Language.En,
            LanguageChosen = true,
            Roles = roles,
            FirstSeenAt = now,
            LastSeenAt = now,
            RegisteredAt = now,
            Phone = "+86138" + (id % 100_000_000).ToString("00000000", Inv),
            GridId = "g1",
            RegionId = regionId,
        };
        writes.Add(Put(DocKeys.User(id), profile));
        sets.AddRange(MusterBot.Flows.Directory.PeopleIndex.Changes(null, profile));
    }
}
