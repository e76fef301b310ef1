namespace MusterBot.State.Records;

/// <summary>The emergency talent pool (应急人才库): what a member can do.</summary>
public enum Skill
{
    Medical,
    Nursing,
    Legal,
    Rescue,
    Driving,
    Electrician,
    Plumbing,
    Counselling,
    Translation,
    IT,
    Logistics,
    Other,
}
