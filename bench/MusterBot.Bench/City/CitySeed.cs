using System.Globalization;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Musters;
using MusterBot.State.Records.Org;
using StackExchange.Redis;

namespace MusterBot.Bench.City;

/// <summary>
/// The city as commits, one shard each: the root shard (the organisation tree, its counters, every member's
/// <see cref="PersonHome"/>), each community's shard (grids, member profiles and the people index sets as
/// <see cref="MusterBot.Flows.Directory.PeopleIndex"/> writes them) and each street's or the city's shard (its workplace
/// regions, the <c>regions</c> set and, as PeopleIndex writes them for members with <see cref="UserProfile.WorkNodeId"/>,
/// the regions' <c>people:region:{id}</c> sets). Commits hold at most <see cref="MaxItems"/> writes and set changes.
/// </summary>
public static class CitySeed
{
    public const int MaxItems = 500;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static IReadOnlyList<Commit> Directory(CityModel city)
    {
        ArgumentNullException.ThrowIfNull(city);
        var commits = new List<Commit>();

        // Root: the tree, its counters, where everybody lives.
        var root = new ShardBuilder(Shards.Root, commits);
        foreach (var node in city.Nodes)
        {
            root.Put(DocKeys.OrgNode(node.Id), node);
        }

        root.Put(DocKeys.OrgCounters, new OrgCounters(city.LastNodeId));
        foreach (var member in city.Members)
        {
            root.Put(DocKeys.Home(member.Id), new PersonHome(member.CommunityId) { Since = city.Now });
        }

        root.Flush();

        // Workplace regions in their node's shard.
        foreach (var group in city.Regions.GroupBy(r => r.NodeId))
        {
            var shard = new ShardBuilder(group.Key, commits);
            foreach (var region in group)
            {
                shard.Put(DocKeys.Region(region.Region.Id), region.Region);
                shard.Add(new SetChange(Sets.Regions, region.Region.Id, true));
            }

            shard.Flush();
        }

        // Communities: grids, profiles, people index sets, the community's counters. A workplace region's people set
        // lives in the region's node shard (PeopleIndex names that shard): collected and committed there.
        var elsewhere = new SortedDictionary<long, List<SetChange>>();
        foreach (var members in city.Members.GroupBy(m => m.CommunityId))
        {
            var shard = new ShardBuilder(members.Key, commits);
            var grids = city.Grids[members.Key];
            foreach (var grid in grids)
            {
                shard.Put(DocKeys.Grid(grid.Id), grid);
                shard.Add(new SetChange(Sets.Grids, grid.Id, true));
            }

            shard.Put(DocKeys.Counters, new CommunityCounters { Grids = grids.Count, Buildings = grids.Sum(g => g.Buildings.Count) });
            foreach (var member in members)
            {
                var profile = city.Profile(member);
                shard.Put(DocKeys.User(member.Id), profile);
                foreach (var change in MusterBot.Flows.Directory.PeopleIndex.Changes(null, profile))
                {
                    if (change.Shard is { } other && other != members.Key)
                    {
                        if (!elsewhere.TryGetValue(other, out var list))
                        {
                            elsewhere[other] = list = [];
                        }

                        list.Add(change);
                    }
                    else
                    {
                        shard.Add(change);
                    }
                }
            }

            shard.Flush();
        }

        foreach (var (node, changes) in elsewhere)
        {
            var shard = new ShardBuilder(node, commits);
            foreach (var change in changes)
            {
                shard.Add(change);
            }

            shard.Flush();
        }

        return commits;
    }

    /// <summary>
    /// Muster 1 in every community, as today's single-community launch writes it after every convenor relayed: the
    /// header, one part per workplace region of the community's members, an answer per member, the target and index sets.
    /// (Stand-in until the city-level launch of "mustertree" exists: one muster per community shard.)
    /// </summary>
    public static IReadOnlyList<Commit> Musters(CityModel city, long launchedBy)
    {
        ArgumentNullException.ThrowIfNull(city);
        var commits = new List<Commit>();
        var regions = city.Regions.ToDictionary(r => r.Region.Id, r => r.Region, StringComparer.Ordinal);
        var plan = new MusterPlan(MusterKind.Flood, new MusterScope(MusterScopeKind.Everyone)) { RallyText = "城市集结演练", Drill = true };
        foreach (var members in city.Members.GroupBy(m => m.CommunityId))
        {
            var shard = new ShardBuilder(members.Key, commits);
            var parts = members.GroupBy(m => m.RegionId).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
            var muster = new Muster(1, plan, launchedBy, city.Now)
            {
                ReportBy = city.Now.AddMinutes(plan.ReportWithinMinutes),
                RegionIds = [.. parts.Select(p => p.Key)],
            };
            shard.Put(DocKeys.Muster(1), muster);
            shard.Put(DocKeys.Counters, expectedVersion: null, new CommunityCounters
            {
                Grids = city.Grids[members.Key].Count,
                Buildings = city.Grids[members.Key].Sum(g => g.Buildings.Count),
                Musters = 1,
            });
            shard.Add(new SetChange(Sets.OpenMusters, "1", true));
            shard.Add(new SetChange(Sets.AllMusters, "1", true));
            foreach (var part in parts)
            {
                var region = regions[part.Key];
                shard.Put(DocKeys.MusterRegion(1, part.Key), new MusterRegion(part.Key, part.Count())
                {
                    ConvenorId = region.ConvenorId,
                    BackupConvenorId = region.BackupConvenorId,
                    AcknowledgedAt = city.Now,
                    AcknowledgedBy = region.ConvenorId,
                    RelayedAt = city.Now,
                    RelayedBy = region.ConvenorId,
                    MembersToldAt = city.Now,
                });
                foreach (var member in part)
                {
                    var id = Sets.Member(member.Id);
                    shard.Add(new SetChange(Sets.MusterTargets(1, part.Key), id, true));
                    shard.Add(new SetChange(Sets.MustersOf(member.Id), "1", true));
                    shard.Put(DocKeys.MusterAnswer(1, member.Id), new MusterAnswer(1, member.Id, part.Key) { MatchedSkills = [] });
                }
            }

            shard.Flush();
        }

        return commits;
    }

    /// <summary>Commits through the store, <paramref name="inFlight"/> at a time; throws when one is refused.</summary>
    public static async Task CommitAsync(IStateStore store, IReadOnlyList<Commit> commits, int inFlight, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(commits);
        await Parallel.ForEachAsync(
            commits,
            new ParallelOptions { MaxDegreeOfParallelism = inFlight, CancellationToken = cancellationToken },
            async (commit, ct) =>
            {
                var result = await store.CommitAsync(commit, ct);
                if (result.Status != CommitStatus.Committed)
                {
                    throw new InvalidOperationException($"seeding shard {commit.Shard} was refused: {result.Status}");
                }
            });
    }

    /// <summary>
    /// Writes the same keys and values the store's commit script writes for these commits (a document: a hash with
    /// <c>v</c> = 1 and <c>j</c> = its JSON; a set change: SADD), without the script: each commit as one pipeline of
    /// HSET/SADD, <paramref name="inFlight"/> at a time. For Redis Cluster while the store's scripts are
    /// <c>no-cluster</c> (main before "cluster"): it measures memory and key spread, not the store's commit speed.
    /// Only fresh documents without version checks or expiry and set additions (all a seed has).
    /// </summary>
    public static async Task WriteRawAsync(IDatabase db, string prefix, IReadOnlyList<Commit> commits, int inFlight, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(commits);
        await Parallel.ForEachAsync(
            commits,
            new ParallelOptions { MaxDegreeOfParallelism = inFlight, CancellationToken = cancellationToken },
            async (commit, ct) =>
            {
                var shard = prefix + "{" + commit.Shard.ToString(Inv) + "}:";
                var writes = new List<Task>(commit.Writes.Count + commit.SetChanges.Count);
                foreach (var write in commit.Writes)
                {
                    if (write.Json is null || write.TimeToLive is not null || (write.ExpectedVersion ?? 0) != 0 || (write.Key.Shard ?? commit.Shard) != commit.Shard)
                    {
                        throw new InvalidOperationException("raw seeding writes fresh documents of the commit's shard only");
                    }

                    writes.Add(db.HashSetAsync(shard + "doc:" + write.Key.Kind + ":" + write.Key.Id, [new HashEntry("v", "1"), new HashEntry("j", write.Json)]));
                }

                foreach (var change in commit.SetChanges)
                {
                    if (!change.Add || (change.Shard ?? commit.Shard) != commit.Shard)
                    {
                        throw new InvalidOperationException("raw seeding adds set members of the commit's shard only");
                    }

                    writes.Add(db.SetAddAsync(shard + "set:" + change.Set, change.Member));
                }

                await Task.WhenAll(writes).WaitAsync(ct);
            });
    }

    /// <summary>Collects one shard's writes and set changes into commits of at most <see cref="MaxItems"/>.</summary>
    private sealed class ShardBuilder(long shard, List<Commit> commits)
    {
        private List<DocWrite> _writes = [];
        private List<SetChange> _sets = [];

        public void Put<T>(DocKey key, T value) => Put(key, 0, value);

        public void Put<T>(DocKey key, long? expectedVersion, T value)
        {
            _writes.Add(new DocWrite(key, RecordJson.Serialize(value), expectedVersion));
            FlushIfFull();
        }

        public void Add(SetChange change)
        {
            _sets.Add(change);
            FlushIfFull();
        }

        public void Flush()
        {
            if (_writes.Count + _sets.Count > 0)
            {
                commits.Add(new Commit { Shard = shard, Writes = _writes, SetChanges = _sets });
                _writes = [];
                _sets = [];
            }
        }

        private void FlushIfFull()
        {
            if (_writes.Count + _sets.Count >= MaxItems)
            {
                Flush();
            }
        }
    }
}
