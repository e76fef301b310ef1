using System.ComponentModel.DataAnnotations;
using MusterBot.State.Records.Org;

namespace MusterBot.State.Migration;

/// <summary>
/// Names of the default tree a store starts with (configuration <c>MusterBot:Organisation</c>): the city, district,
/// street and community that a fresh store — or a store of the single-community release, migrated on start — is put
/// under. Defaults are <see cref="DefaultTreeNames.Chinese"/>. Only used when the tree is created; renaming later is an
/// administrator's job.
/// </summary>
public sealed class DefaultTreeOptions
{
    public const string Section = "MusterBot:Organisation";

    /// <summary>Longest accepted node name.</summary>
    public const int MaxNameLength = 64;

    [Required(AllowEmptyStrings = false)]
    [MaxLength(MaxNameLength)]
    public string City { get; set; } = DefaultTreeNames.Chinese.City;

    [Required(AllowEmptyStrings = false)]
    [MaxLength(MaxNameLength)]
    public string District { get; set; } = DefaultTreeNames.Chinese.District;

    [Required(AllowEmptyStrings = false)]
    [MaxLength(MaxNameLength)]
    public string Street { get; set; } = DefaultTreeNames.Chinese.Street;

    [Required(AllowEmptyStrings = false)]
    [MaxLength(MaxNameLength)]
    public string Community { get; set; } = DefaultTreeNames.Chinese.Community;

    public DefaultTreeNames Names => new(City.Trim(), District.Trim(), Street.Trim(), Community.Trim());
}
