using MusterBot.Flows.Runtime.Buttons;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Posts;

/// <summary>
/// The buttons of a muster's front-line posts. A payload names a muster and a post; every press re-reads them and
/// re-checks the presser: an administrator or convenor of the muster to define and lead, an arrived member to join.
/// </summary>
public abstract record PostButton
{
    public static readonly ButtonCodec<PostButton> Codec = new ButtonCodec<PostButton>("po")
        .Add<List>("l")
        .Add<OpenList>("ln")
        .Add<Create>("new")
        .Add<Kind>("k")
        .Add<Needed>("n")
        .Add<View>("v")
        .Add<Join>("j")
        .Add<Leave>("lv")
        .Add<PickLeader>("pl")
        .Add<Leader>("ld")
        .Add<Remove>("rm")
        .Add<RemoveYes>("rmy")
        .Add<Cancel>("x")
        .Add<Skills>("sk")
        .Add<ToggleSkill>("ts")
        .Add<Fill>("fill")
        .Add<JoinShift>("js")
        .Add<Rota>("rota")
        .Add<NoLocation>("nol")
        .Add<Assign>("as")
        .Add<AssignTo>("ast")
        .Add<Handover>("ho")
        .Add<More>("more")
        .Add<Branches>("br")
        .Add<FormBranch>("bf")
        .Add<Secretary>("bs")
        .Add<MyBranch>("mb");

    public abstract int Number { get; init; }

    /// <summary>The muster's posts (the pressed message edited).</summary>
    public sealed record List(int Number) : PostButton;

    /// <summary>The muster's posts as a new message (pressed on a live roll call, which stays as it is).</summary>
    public sealed record OpenList(int Number) : PostButton;

    public sealed record Create(int Number) : PostButton;

    public sealed record Kind(int Number, PostKind What) : PostButton;

    /// <summary>How many people the new post needs (its kind and place are in the conversation).</summary>
    public sealed record Needed(int Number, int Count) : PostButton;

    public sealed record View(int Number, int Post) : PostButton;

    public sealed record Join(int Number, int Post) : PostButton;

    public sealed record Leave(int Number, int Post) : PostButton;

    public sealed record PickLeader(int Number, int Post) : PostButton;

    public sealed record Leader(int Number, int Post, long UserId) : PostButton;

    public sealed record Remove(int Number, int Post) : PostButton;

    public sealed record RemoveYes(int Number, int Post) : PostButton;

    public sealed record Cancel(int Number) : PostButton;

    /// <summary>The skills a post asks for, to toggle (staff).</summary>
    public sealed record Skills(int Number, int Post) : PostButton;

    public sealed record ToggleSkill(int Number, int Post, Skill Skill) : PostButton;

    /// <summary>Gives every arrived member at no post a place (<see cref="PostFlow.Choose"/>: skill, a post asking for none, on duty now, nearest, most open places).</summary>
    public sealed record Fill(int Number) : PostButton;

    /// <summary>A place in one shift of a post with a rota.</summary>
    public sealed record JoinShift(int Number, int Post, int Shift) : PostButton;

    /// <summary>The new post's rota: <paramref name="Shifts"/> shifts of <paramref name="Hours"/> hours (1 shift: no rota).</summary>
    public sealed record Rota(int Number, int Shifts, int Hours) : PostButton;

    /// <summary>The new post has no pin (members are given it by skill and open places only).</summary>
    public sealed record NoLocation(int Number) : PostButton;

    /// <summary>The staff choose an arrived member at no post to place at this post.</summary>
    public sealed record Assign(int Number, int Post) : PostButton;

    public sealed record AssignTo(int Number, int Post, long UserId) : PostButton;

    /// <summary>A member of <paramref name="Shift"/> (or the post leader, or the staff) confirms the handover to the next shift.</summary>
    public sealed record Handover(int Number, int Post, int Shift) : PostButton;

    /// <summary>The post leader asks for more people: how many (the answer launches a follow-up muster, a muster button).</summary>
    public sealed record More(int Number, int Post) : PostButton;

    /// <summary>The muster's temporary party branches (administrators form them).</summary>
    public sealed record Branches(int Number) : PostButton;

    /// <summary>Forms a branch for a post (<paramref name="Post"/> 0: the arrived members at no branch): choose its secretary.</summary>
    public sealed record FormBranch(int Number, int Post) : PostButton;

    public sealed record Secretary(int Number, int Post, long UserId) : PostButton;

    /// <summary>A member's own branch: its secretary and members.</summary>
    public sealed record MyBranch(int Number) : PostButton;
}

/// <summary>The posts' timers (not callback data; the same "po:…" shape, with tags of their own).</summary>
public abstract record PostTimer
{
    public static ButtonCodec<PostTimer> Codec { get; } = new ButtonCodec<PostTimer>("po")
        .Add<ShiftEnding>("tse")
        .Add<HandoverDue>("thd");

    public string Id => Codec.Encode(this);

    public abstract int Number { get; init; }

    /// <summary>Before <paramref name="Shift"/> ends: its members are reminded to hand over, the next shift that it starts.</summary>
    public sealed record ShiftEnding(int Number, int Post, int Shift) : PostTimer;

    /// <summary>When <paramref name="Shift"/> ends: not handed over yet, the leader and the staff are told.</summary>
    public sealed record HandoverDue(int Number, int Post, int Shift) : PostTimer;
}
