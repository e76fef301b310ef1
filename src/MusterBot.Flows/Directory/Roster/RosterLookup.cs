namespace MusterBot.Flows.Directory.Roster;

/// <summary>An <see cref="IRosterLookup"/> over two name-to-id maps, matching trimmed names case-insensitively.</summary>
public sealed class RosterLookup : IRosterLookup
{
    private readonly Dictionary<string, string> _grids;
    private readonly Dictionary<string, string> _regions;

    /// <param name="grids">Grid name to grid id.</param>
    /// <param name="regions">Region name to region id.</param>
    public RosterLookup(IEnumerable<KeyValuePair<string, string>> grids, IEnumerable<KeyValuePair<string, string>> regions)
    {
        _grids = ToMap(grids);
        _regions = ToMap(regions);
    }

    public string? FindGrid(string name) => Find(_grids, name);

    public string? FindRegion(string name) => Find(_regions, name);

    private static string? Find(Dictionary<string, string> map, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return map.TryGetValue(name.Trim(), out var id) ? id : null;
    }

    private static Dictionary<string, string> ToMap(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, id) in pairs)
        {
            map.TryAdd(name.Trim(), id);
        }

        return map;
    }
}
