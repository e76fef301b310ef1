using System.Globalization;

namespace MusterBot.State.Records.Complaints;

/// <summary>
/// A complaint or appeal (诉求), quoted as <c>C-0123</c>, with its deadlines, its handler and its full audit trail.
/// <see cref="Followers"/> are residents who joined it as a duplicate: they get the same updates as the filer.
/// </summary>
public sealed record Complaint(int Number, long FiledBy, ComplaintCategory Category, string Description, DateTimeOffset FiledAt)
{
    public string? GridId { get; init; }

    public IReadOnlyList<string> PhotoFileIds { get; init; } = [];

    public double? Latitude { get; init; }

    public double? Longitude { get; init; }

    /// <summary>The filer's identity is hidden from handlers (administrators see it).</summary>
    public bool Anonymous { get; init; }

    /// <summary>Filed as "report a hazard" in emergency mode.</summary>
    public bool Urgent { get; init; }

    public IReadOnlyList<long> Followers { get; init; } = [];

    public ComplaintStatus Status { get; init; }

    public long? HandlerId { get; init; }

    public DateTimeOffset? AssignedAt { get; init; }

    public DateTimeOffset? FirstResponseAt { get; init; }

    /// <summary>First response is due by then (accepting or a progress note counts).</summary>
    public DateTimeOffset RespondBy { get; init; }

    public DateTimeOffset ResolveBy { get; init; }

    /// <summary>Overdue escalations (督办) already sent: "response", "resolution".</summary>
    public IReadOnlyList<string> Supervised { get; init; } = [];

    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>When it last went under supervision (督办) after a second dissatisfaction; <see cref="ResolveBy"/> is then the supervision deadline.</summary>
    public DateTimeOffset? SupervisedAt { get; init; }

    /// <summary>What the resident said was still wrong when it went under supervision.</summary>
    public string? SupervisionReason { get; init; }

    /// <summary>Escalations up the tree (街道, 区, 市) when the community's supervision deadline passed, oldest first.</summary>
    public IReadOnlyList<ComplaintEscalation> Escalations { get; init; } = [];

    public string? Result { get; init; }

    public string? ResultPhotoFileId { get; init; }

    public Satisfaction? Feedback { get; init; }

    /// <summary>How many times the resident reopened it after a "dissatisfied".</summary>
    public int Reopens { get; init; }

    public int Dissatisfactions { get; init; }

    public DateTimeOffset? ClosedAt { get; init; }

    public IReadOnlyList<ComplaintEvent> History { get; init; } = [];

    /// <summary>The cards the bot sent about it (to administrators, handlers, residents), edited on every change.</summary>
    public IReadOnlyList<ComplaintCard> Cards { get; init; } = [];

    /// <summary>How many cards were ever sent (numbers the cards' outbox tags).</summary>
    public int CardsSent { get; init; }

    public string Code => "C-" + Number.ToString("0000", CultureInfo.InvariantCulture);

    public bool IsOpen => Status is not ComplaintStatus.Closed;

    public IEnumerable<long> Audience => Followers.Prepend(FiledBy).Distinct();

    public Complaint With(ComplaintEvent step) => this with { History = [.. History, step] };
}
