namespace MusterBot.State.Records.Households;

/// <summary>
/// The built-in tags of a household (biao qian hua guan li): the groups the source articles name for door-to-door care in an
/// emergency. A community may add its own tags (<see cref="HouseholdTagList"/>).
/// </summary>
public enum HouseholdTag
{
    /// <summary>du ju lao ren: an elderly person living alone.</summary>
    LivingAlone,

    /// <summary>gao ling: aged 80 or over.</summary>
    Aged,

    /// <summary>can ji: a person with a disability.</summary>
    Disabled,

    /// <summary>wo chuang: bedridden.</summary>
    Bedridden,

    /// <summary>yun chan fu: pregnant or recently delivered.</summary>
    Pregnant,

    /// <summary>man bing: a chronic illness needing regular medicine.</summary>
    ChronicIllness,

    /// <summary>di bao: on minimum-living support.</summary>
    LowIncome,

    /// <summary>liu shou er tong: children left behind (parents working elsewhere).</summary>
    LeftBehindChildren,
}
