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
        .Add<Fill>("fill");

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

    /// <summary>Gives every arrived member at no post a place: skills the posts ask for first, then where most places are open.</summary>
    public sealed record Fill(int Number) : PostButton;
}
