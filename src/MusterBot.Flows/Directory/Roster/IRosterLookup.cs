namespace MusterBot.Flows.Directory.Roster;

/// <summary>Resolves the grid and region names written in a roster to ids; null means no such grid or region.</summary>
public interface IRosterLookup
{
    /// <summary>The id of the grid called <paramref name="name"/> (trimmed, matched case-insensitively), or null.</summary>
    string? FindGrid(string name);

    /// <summary>The id of the region called <paramref name="name"/> (trimmed, matched case-insensitively), or null.</summary>
    string? FindRegion(string name);
}
