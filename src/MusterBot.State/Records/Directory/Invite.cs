namespace MusterBot.State.Records.Directory;

/// <summary>
/// An invitation deep link (<c>https://t.me/&lt;bot&gt;?start=&lt;code&gt;</c>) bound to a role and optionally a
/// grid or region, usable <see cref="MaxUses"/> times until <see cref="ExpiresAt"/>, unless revoked.
/// </summary>
public sealed record Invite(string Code, Roles Role, int MaxUses, DateTimeOffset ExpiresAt)
{
    /// <summary>
    /// The organisation node the invitation is for (a community for residents, members and staff; any node for its
    /// administrators). Null on invitations written before the tree: the default community.
    /// </summary>
    public long? NodeId { get; init; }

    /// <summary>
    /// True on an invitation made in the organisation section to appoint an administrator of <see cref="NodeId"/> (no
    /// registration). An administrator invitation without it, for a community, registers a community administrator there
    /// (home community and the administrator role); one without it for a node above a community (written before this
    /// field) is still an appointment.
    /// </summary>
    public bool AppointsNodeAdmin { get; init; }

    public string? GridId { get; init; }

    public string? RegionId { get; init; }

    public int Uses { get; init; }

    public bool Revoked { get; init; }

    public long CreatedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public bool IsUsable(DateTimeOffset now) => !Revoked && Uses < MaxUses && now < ExpiresAt;
}
