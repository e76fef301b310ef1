using System.Globalization;

namespace MusterBot.State.Records.Wishes;

/// <summary>
/// A micro-wish (微心愿), quoted as <c>W-0042</c>. The resident's name and phone are not in it: they are read from the
/// resident's profile and shown only to the member who claimed it and to administrators.
/// </summary>
public sealed record Wish(int Number, long ResidentId, string Text, WishCategory Category, DateTimeOffset FiledAt)
{
    public string? GridId { get; init; }

    public string? PhotoFileId { get; init; }

    public DateOnly? WantedBy { get; init; }

    public WishStatus Status { get; init; }

    /// <summary>Announced only to members with one of these skills (empty: every member of the grid).</summary>
    public IReadOnlyList<Skill> Skills { get; init; } = [];

    public long? ReviewedBy { get; init; }

    public string? RejectReason { get; init; }

    public int? DuplicateOf { get; init; }

    public DateTimeOffset? OpenedAt { get; init; }

    /// <summary>When the wish was announced to the whole community (nobody of the grid claimed it in time).</summary>
    public DateTimeOffset? WidenedAt { get; init; }

    public long? ClaimedBy { get; init; }

    public DateTimeOffset? ClaimedAt { get; init; }

    /// <summary>Set when an administrator assigned it (instead of a member claiming it).</summary>
    public long? AssignedBy { get; init; }

    /// <summary>How many "no progress" reminders went out for the current claim.</summary>
    public int StaleReminders { get; init; }

    public IReadOnlyList<WishRelease> Releases { get; init; } = [];

    public DateTimeOffset? DoneAt { get; init; }

    public string? DoneNote { get; init; }

    public string? DonePhotoFileId { get; init; }

    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>1–5 stars, null while unrated (and when closed without the resident's answer).</summary>
    public int? Rating { get; init; }

    public string? RatingComment { get; init; }

    public IReadOnlyList<WishEvent> History { get; init; } = [];

    /// <summary>
    /// The messages about this wish in other people's chats (review cards, announcements, the claimer's and the
    /// resident's cards): edited whenever the wish changes, so none shows an old status or buttons that no longer apply.
    /// </summary>
    public IReadOnlyList<ObjectCard> Cards { get; init; } = [];

    public string Code => "W-" + Number.ToString("0000", CultureInfo.InvariantCulture);

    public Wish With(WishEvent step) => this with { History = [.. History, step] };
}
