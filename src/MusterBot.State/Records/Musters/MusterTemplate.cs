namespace MusterBot.State.Records.Musters;

/// <summary>A saved muster plan an administrator can launch again.</summary>
public sealed record MusterTemplate(string Name, MusterPlan Plan, long SavedBy, DateTimeOffset SavedAt);
