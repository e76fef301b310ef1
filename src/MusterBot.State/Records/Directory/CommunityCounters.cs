namespace MusterBot.State.Records.Directory;

/// <summary>Id sequences of the directory and anonymised counts (people who left).</summary>
public sealed record CommunityCounters
{
    public int Grids { get; init; }

    public int Buildings { get; init; }

    public int Regions { get; init; }

    /// <summary>The last muster number given out (M-1, M-2, …).</summary>
    public int Musters { get; init; }

    /// <summary>The last wish number given out (W-0001, …).</summary>
    public int Wishes { get; init; }

    /// <summary>The last complaint number given out (C-0001, …).</summary>
    public int Complaints { get; init; }

    /// <summary>The last household number given out (H-0001, …).</summary>
    public int Households { get; init; }

    /// <summary>The last notice number given out (N-1, …).</summary>
    public int Notices { get; init; }

    /// <summary>People who left, by role name (personal data deleted, the count kept).</summary>
    public IReadOnlyDictionary<string, int> Left { get; init; } = new Dictionary<string, int>();
}
