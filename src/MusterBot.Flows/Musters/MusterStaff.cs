using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Musters;

/// <summary>Who runs a muster on the ground, and the answer to a press on a closed one (shared by the muster's flows).</summary>
public static class MusterStaff
{
    /// <summary>An administrator, or a convenor (or backup convenor) of one of the muster's regions.</summary>
    public static bool Is(FlowContext ctx, Muster muster)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(muster);
        return ctx.Has(Roles.Admin) || muster.Regions.Any(r => r.ConvenorId == ctx.Profile.Id || r.BackupConvenorId == ctx.Profile.Id);
    }

    /// <summary>A press on a closed muster: said so (<paramref name="text"/>), and the buttons are taken off the pressed message.</summary>
    public static void AnswerClosed(FlowContext ctx, string text)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.AnswerButton(text, alert: true);
        if (ctx.PressedMessageId is { } messageId)
        {
            ctx.Effects.EditMarkup(ctx.ChatId, messageId, null);
        }
    }
}
