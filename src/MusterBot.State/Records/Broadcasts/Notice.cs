namespace MusterBot.State.Records.Broadcasts;

/// <summary>Where a notice stands.</summary>
public enum NoticeStatus
{
    /// <summary>Waiting for its time (a timer sends it).</summary>
    Scheduled,

    /// <summary>Sent (or held for the end of emergency mode, when not urgent).</summary>
    Sent,

    /// <summary>Cancelled by its sender before its time.</summary>
    Cancelled,

    /// <summary>Not sent at its time: every grid or building it was for had been deleted, or nobody was left to get it.</summary>
    Dropped,
}

/// <summary>A grid (no building) or one building of a grid a notice goes to.</summary>
public sealed record NoticeTarget(string GridId, string? BuildingId = null)
{
    /// <summary>How the sender saw it ("grid North", "building Block 3 (North)"): still shown after the grid is deleted.</summary>
    public string Name { get; init; } = string.Empty;
}

/// <summary>
/// An ordinary notice (通知, issue #20 point 4): a text and an optional photo from an administrator or grid worker to the
/// residents of chosen grids or buildings and to their linked groups, now or at a set time. Who got it is kept in a set
/// (<see cref="Sets.NoticeRecipients"/>), who marked it read in another (<see cref="Sets.NoticeRead"/>).
/// </summary>
public sealed record Notice(int Number, long By, DateTimeOffset CreatedAt, string Text, IReadOnlyList<NoticeTarget> Targets)
{
    public string? PhotoFileId { get; init; }

    /// <summary>Sent even in emergency mode (on the emergency lane); otherwise held there like any normal-time notice.</summary>
    public bool Urgent { get; init; }

    public NoticeStatus Status { get; init; }

    /// <summary>When it is to go out (null: at once).</summary>
    public DateTimeOffset? SendAt { get; init; }

    public DateTimeOffset? SentAt { get; init; }

    /// <summary>How many people it was sent to, and to how many linked groups.</summary>
    public int Recipients { get; init; }

    public int Groups { get; init; }

    /// <summary>The sender's private chat and language (their confirmations, at the scheduled time too).</summary>
    public long SenderChat { get; init; }

    public Language SenderLanguage { get; init; }

    public string Code => "N-" + Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
