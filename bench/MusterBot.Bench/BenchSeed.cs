using System.Globalization;
using MusterBot.Emulator;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Records;

namespace MusterBot.Bench;

/// <summary>What the benchmarks seed straight into the store: registered people, region ids, document writes.</summary>
internal static class BenchSeed
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

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
