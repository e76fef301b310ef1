using System.ComponentModel.DataAnnotations;

namespace MusterBot.Flows.Musters;

/// <summary>Timings and points of musters, bound from the <c>Muster</c> configuration section.</summary>
public sealed class MusterOptions
{
    public const string Section = "Muster";

    /// <summary>T1: a convenor who has not acknowledged by then is escalated (backup, members directly, administrator).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan AcknowledgeWithin { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>T2: a region whose answered share is below <see cref="NudgeBelowShare"/> by then nudges its convenor.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan NudgeAfter { get; set; } = TimeSpan.FromMinutes(10);

    [Range(0.0, 1.0)]
    public double NudgeBelowShare { get; set; } = 0.5;

    /// <summary>When non-responders are reminded, counted from the launch (default +5 and +15 minutes).</summary>
    public IList<TimeSpan> Reminders { get; } = [];

    /// <summary>At most this many reminders per member.</summary>
    [Range(0, 10)]
    public int MaxReminders { get; set; } = 2;

    /// <summary>A live roll call is edited at most once per this interval.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RollCallInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An open muster closes by itself this long after its report-by time (null: only by hand).</summary>
    public TimeSpan? AutoCloseAfterReportBy { get; set; } = TimeSpan.FromHours(12);

    [Range(0, 1000)]
    public int PointsArrived { get; set; } = 10;

    [Range(0, 1000)]
    public int PointsOnTheWay { get; set; } = 5;

    [Range(0, 1000)]
    public int PointsAnswered { get; set; } = 1;

    /// <summary>The most households one arrived member is given in a welfare check (at most 20: their list is one message).</summary>
    [Range(1, 20)]
    public int WelfareMaxPerMember { get; set; } = 5;

    /// <summary>After this, members with unchecked households are reminded.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan WelfareRemindAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>After this, households still unchecked are listed to the convenors and administrators.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan WelfareEscalateAfter { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>A request for help nobody has taken after this is sent again to every administrator and the backup convenor.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan HelpEscalateAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Members of a post's shift are reminded this long before it ends (and the next shift that it starts).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "06:00:00")]
    public TimeSpan ShiftReminderBefore { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Points for serving at a front-line post of a real muster (written at the close).</summary>
    [Range(0, 1000)]
    public int PointsPost { get; set; } = 5;

    /// <summary>Points for being the secretary of a temporary party branch (on top of the post's).</summary>
    [Range(0, 1000)]
    public int PointsBranchSecretary { get; set; } = 5;

    /// <summary>The community's offset from UTC, for the times shown in messages (default China, +08:00).</summary>
    [Range(typeof(TimeSpan), "-14:00:00", "14:00:00")]
    public TimeSpan UtcOffset { get; set; } = TimeSpan.FromHours(8);

    /// <summary>The community's hotline, added to every emergency notice (null: none).</summary>
    [MaxLength(40)]
    public string? Hotline { get; set; }

    /// <summary>Drills award points only when this is true.</summary>
    public bool PointsForDrills { get; set; }

    /// <summary>The reminder schedule in effect (the defaults when none are configured).</summary>
    public IReadOnlyList<TimeSpan> ReminderSchedule =>
        Reminders.Count > 0 ? Reminders.OrderBy(t => t).ToList() : [TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)];
}
