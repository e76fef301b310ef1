using System.ComponentModel.DataAnnotations;
using MusterBot.State.Records.Complaints;

namespace MusterBot.Flows.Complaints;

/// <summary>Deadlines and limits of complaints, bound from the <c>Complaints</c> configuration section.</summary>
public sealed class ComplaintOptions
{
    public const string Section = "Complaints";

    /// <summary>First response per category name (e.g. <c>Complaints:RespondWithin:Noise</c> = <c>04:00:00</c>); defaults below.</summary>
    public IDictionary<string, TimeSpan> RespondWithin { get; } = new Dictionary<string, TimeSpan>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Resolution per category name; defaults below.</summary>
    public IDictionary<string, TimeSpan> ResolveWithin { get; } = new Dictionary<string, TimeSpan>(StringComparer.OrdinalIgnoreCase);

    /// <summary>A dissatisfied resident may reopen within this long after the result.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "60.00:00:00")]
    public TimeSpan ReopenWithin { get; set; } = TimeSpan.FromDays(7);

    /// <summary>A resolved complaint without the resident's feedback closes after this long.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "60.00:00:00")]
    public TimeSpan FeedbackWithin { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Under supervision (督办, a second dissatisfaction), it must be resolved again within this long.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "60.00:00:00")]
    public TimeSpan SuperviseWithin { get; set; } = TimeSpan.FromDays(3);

    /// <summary>
    /// A complaint under supervision not resolved by the community's supervision deadline goes up to the street; each
    /// further period of this length without a result takes it one level higher (district, then city).
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "60.00:00:00")]
    public TimeSpan EscalateAfter { get; set; } = TimeSpan.FromDays(2);

    [Range(1, 10)]
    public int MaxPhotos { get; set; } = 9;

    /// <summary>The community's centre and radius: a location farther away is refused (both unset: any location).</summary>
    public double? CenterLatitude { get; set; }

    public double? CenterLongitude { get; set; }

    [Range(0.1, 100)]
    public double RadiusKm { get; set; } = 3;

    [Range(typeof(TimeSpan), "-14:00:00", "14:00:00")]
    public TimeSpan UtcOffset { get; set; } = TimeSpan.FromHours(8);

    public TimeSpan Respond(ComplaintCategory category, bool urgent) =>
        urgent ? TimeSpan.FromMinutes(30)
        : RespondWithin.TryGetValue(category.ToString(), out var configured) ? configured
        : category == ComplaintCategory.PublicSafety ? TimeSpan.FromHours(2) : TimeSpan.FromHours(24);

    public TimeSpan Resolve(ComplaintCategory category) =>
        ResolveWithin.TryGetValue(category.ToString(), out var configured) ? configured
        : category switch
        {
            ComplaintCategory.PublicSafety or ComplaintCategory.Sanitation or ComplaintCategory.Noise => TimeSpan.FromDays(3),
            ComplaintCategory.Property or ComplaintCategory.Traffic or ComplaintCategory.Services => TimeSpan.FromDays(7),
            _ => TimeSpan.FromDays(15),
        };

    /// <summary>The warning goes out this long before a deadline: a fifth of the window, at least 15 minutes.</summary>
    public static TimeSpan WarnBefore(TimeSpan window) => TimeSpan.FromTicks(Math.Max(window.Ticks / 5, TimeSpan.FromMinutes(15).Ticks));
}
