using MusterBot.Flows.Runtime;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;

namespace MusterBot.Flows.Directory;

/// <summary>The community's grids and regions as read for one decision (read through the tracked reader).</summary>
public sealed record DirectorySnapshot(IReadOnlyList<Grid> Grids, IReadOnlyList<Region> Regions)
{
    public static ValueTask<DirectorySnapshot> LoadAsync(DocReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return LoadAsync(reader, reader.Shard, cancellationToken);
    }

    /// <summary>The grids and regions of another community than the reader's (a group's event sent by anyone).</summary>
    public static async ValueTask<DirectorySnapshot> LoadAsync(DocReader reader, long shard, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var grids = new List<Grid>();
        foreach (var id in Ordered(await reader.MembersAsync(Sets.Grids, shard, cancellationToken).ConfigureAwait(false)))
        {
            if (await reader.GetAsync<Grid>(DocKeys.Grid(id).In(shard), cancellationToken).ConfigureAwait(false) is { } grid)
            {
                grids.Add(grid);
            }
        }

        var regions = new List<Region>();
        foreach (var id in Ordered(await reader.MembersAsync(Sets.Regions, shard, cancellationToken).ConfigureAwait(false)))
        {
            if (await reader.GetAsync<Region>(DocKeys.Region(id).In(shard), cancellationToken).ConfigureAwait(false) is { } region)
            {
                regions.Add(region);
            }
        }

        return new DirectorySnapshot(grids, regions);
    }

    public Grid? Grid(string? id) => id is null ? null : Grids.FirstOrDefault(g => g.Id == id);

    public Region? Region(string? id) => id is null ? null : Regions.FirstOrDefault(r => r.Id == id);

    public string GridName(string? id) => Grid(id)?.Name ?? "—";

    public string BuildingName(string? gridId, string? buildingId) =>
        Grid(gridId)?.Buildings.FirstOrDefault(b => b.Id == buildingId)?.Name ?? "—";

    public string RegionName(string? id) => Region(id)?.Name ?? "—";

    /// <summary>Ids like g1, g2, g10 in number order.</summary>
    private static IEnumerable<string> Ordered(IEnumerable<string> ids) =>
        ids.OrderBy(id => id.Length).ThenBy(id => id, StringComparer.Ordinal);
}
