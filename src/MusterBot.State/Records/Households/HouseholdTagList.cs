namespace MusterBot.State.Records.Households;

/// <summary>The community's own household tags, added by its administrators next to the built-in ones.</summary>
public sealed record HouseholdTagList
{
    public IReadOnlyList<string> Names { get; init; } = [];
}
