using MusterBot.Flows.Runtime.Buttons;
using MusterBot.State.Records.Groups;

namespace MusterBot.Flows.Groups;

/// <summary>The buttons of linking a group, pressed in the administrator's private chat (never in the group).</summary>
public abstract record GroupButton
{
    public static readonly ButtonCodec<GroupButton> Codec = new ButtonCodec<GroupButton>("gr")
        .Add<LinkTo>("t")
        .Add<Cancel>("x");

    /// <summary>Links group <paramref name="Chat"/> to a grid, a building ("grid/building") or a region.</summary>
    public sealed record LinkTo(long Chat, GroupTarget Target, string Id) : GroupButton;

    public sealed record Cancel(long Chat) : GroupButton;
}
