using MusterBot.Flows.Runtime.Buttons;
using MusterBot.State.Records.Wishes;

namespace MusterBot.Flows.Wishes;

/// <summary>
/// Every button of the wish flow, as typed payloads (callback data <c>wi:tag:field…</c>, see <see cref="Codec"/>).
/// A payload only names a wish and a choice: the flow re-reads the wish and the lifecycle machine re-checks who may
/// do what. The lifecycle buttons keep the callback data they had before the payloads were typed ("wi:cl:12",
/// "wi:rt:12:5"), so buttons on messages sent before an upgrade still work.
/// </summary>
public abstract record WishButton
{
    /// <summary>The one codec of the flow: each payload type with its tag.</summary>
    public static readonly ButtonCodec<WishButton> Codec = new ButtonCodec<WishButton>("wi")
        // Filing (/wish): the wizard's buttons.
        .Add<CancelFiling>("fx")
        .Add<SkipPhoto>("fskip")
        .Add<PickCategory>("fcat")
        .Add<PickDate>("fdate")
        .Add<Submit>("fok")
        // Anyone: the cancel of a typed reason, note or comment, and the pages of /wishes.
        .Add<CancelInput>("x")
        .Add<ListPage>("ls")
        // A resident's free text (answered by the main flow): file it as a wish.
        .Add<FromText>("ftxt")
        // Reviewers (administrators and the grid's workers).
        .Add<Approve>("ap")
        .Add<ApproveSkilled>("aps")
        .Add<ShowCategories>("cat")
        .Add<SetCategory>("setcat")
        .Add<Reject>("rj")
        .Add<MarkDuplicate>("dup")
        .Add<AssignList>("as")
        .Add<Assign>("asg")
        // Members: claim, give back, mark done.
        .Add<Claim>("cl")
        // The claim on a wish announced in its grid's linked group (names the community: anyone in the group may press).
        .Add<GroupClaim>("gcl")
        .Add<Release>("rl")
        .Add<MarkDone>("dn")
        .Add<DoneWithoutNote>("dn0")
        // The resident: rate, skip the comment, withdraw.
        .Add<Rate>("rt")
        .Add<NotDone>("nd")
        .Add<NoComment>("rc0")
        .Add<Withdraw>("wd");

    public string Encode() => Codec.Encode(this);

    public sealed record CancelFiling : WishButton;

    public sealed record SkipPhoto : WishButton;

    public sealed record PickCategory(WishCategory Category) : WishButton;

    public sealed record PickDate(WantedBy By) : WishButton;

    public sealed record Submit : WishButton;

    public sealed record CancelInput : WishButton;

    public sealed record ListPage(int Page) : WishButton;

    /// <summary>File the text the resident just typed (kept in their conversation by the main flow) as a wish.</summary>
    public sealed record FromText : WishButton;

    /// <summary>A button about one wish.</summary>
    public abstract record About(int Number) : WishButton;

    public sealed record Approve(int Number) : About(Number);

    public sealed record ApproveSkilled(int Number) : About(Number);

    public sealed record ShowCategories(int Number) : About(Number);

    public sealed record SetCategory(int Number, WishCategory Category) : About(Number);

    public sealed record Reject(int Number) : About(Number);

    public sealed record MarkDuplicate(int Number) : About(Number);

    public sealed record AssignList(int Number, int Page) : About(Number);

    public sealed record Assign(int Number, long MemberId) : About(Number);

    public sealed record Claim(int Number) : About(Number);

    /// <summary>"Claim" on the announcement in a grid's group: the flow checks the presser is a member of <paramref name="Community"/>.</summary>
    public sealed record GroupClaim(long Community, int Number) : WishButton;

    public sealed record Release(int Number) : About(Number);

    public sealed record MarkDone(int Number) : About(Number);

    public sealed record DoneWithoutNote(int Number) : About(Number);

    public sealed record Rate(int Number, int Stars) : About(Number);

    /// <summary>The resident: not done yet (asks what is missing, then back to the member).</summary>
    public sealed record NotDone(int Number) : About(Number);

    public sealed record NoComment(int Number) : About(Number);

    public sealed record Withdraw(int Number) : About(Number);
}

/// <summary>The wanted-by choices of the filing wizard (a date can also be typed).</summary>
public enum WantedBy
{
    Week,
    Month,
    None,
}

/// <summary>The wish flow's timers (not callback data; the same <c>wi:kind:number</c> shape).</summary>
public abstract record WishTimer(int Number)
{
    public static readonly ButtonCodec<WishTimer> Codec = new ButtonCodec<WishTimer>("wi")
        .Add<Widen>("widen")
        .Add<Stale>("stale")
        .Add<AutoClose>("auto");

    public string Id => Codec.Encode(this);

    /// <summary>Nobody in the grid claimed it: announce it to the whole community.</summary>
    public sealed record Widen(int Number) : WishTimer(Number);

    /// <summary>Claimed and no progress: remind the member, then tell the staff.</summary>
    public sealed record Stale(int Number) : WishTimer(Number);

    /// <summary>Done and not confirmed by the resident: close it.</summary>
    public sealed record AutoClose(int Number) : WishTimer(Number);
}
