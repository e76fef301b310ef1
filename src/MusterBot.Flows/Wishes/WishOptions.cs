using System.ComponentModel.DataAnnotations;

namespace MusterBot.Flows.Wishes;

/// <summary>Timings and points of micro-wishes, bound from the <c>Wishes</c> configuration section.</summary>
public sealed class WishOptions
{
    public const string Section = "Wishes";

    /// <summary>An open wish nobody of its grid claimed by then is announced to the whole community.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan WidenAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A claimed wish not marked done by then reminds the member; after twice this long, the administrators.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "60.00:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>A done wish the resident has not confirmed by then is closed as done, unrated.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "60.00:00:00")]
    public TimeSpan ConfirmWithin { get; set; } = TimeSpan.FromDays(7);

    [Range(0, 1000)]
    public int PointsFulfilled { get; set; } = 10;

    [Range(0, 1000)]
    public int PointsFiveStarBonus { get; set; } = 5;

    /// <summary>The community's offset from UTC (dates such as "wanted by" are the community's dates).</summary>
    [Range(typeof(TimeSpan), "-14:00:00", "14:00:00")]
    public TimeSpan UtcOffset { get; set; } = TimeSpan.FromHours(8);
}
