using MusterBot.State.Outbox;
using MusterBot.State.Records;

namespace MusterBot.Flows.Runtime;

/// <summary>
/// Normal-time notices (wish and complaint updates, reminders): sent at once in normal mode; in emergency mode held
/// and sent when the community switches back, so the emergency traffic is not crowded out.
/// </summary>
public static class Notices
{
    public static void Notify(FlowContext ctx, long chatId, string html, Markup? markup = null)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (!ctx.Emergency)
        {
            ctx.Effects.Send(chatId, html, markup, Lane.Normal);
            return;
        }

        var id = Guid.NewGuid().ToString("N");
        ctx.Effects.Put(DocKeys.HeldNotice(id), new HeldNotice(chatId, html, markup, ctx.Now));
        ctx.Effects.AddToSet(Sets.HeldNotices, id);
    }

    /// <summary>A photo that goes with a normal-time notice (held like the notice in emergency mode).</summary>
    public static void NotifyPhoto(FlowContext ctx, long chatId, string fileId, string captionHtml)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (!ctx.Emergency)
        {
            ctx.Effects.Publish(new OutboxMessage(Lane.Normal, chatId, new SendPhoto(fileId, captionHtml)));
            return;
        }

        var id = Guid.NewGuid().ToString("N");
        ctx.Effects.Put(DocKeys.HeldNotice(id), new HeldNotice(chatId, captionHtml, null, ctx.Now) { PhotoFileId = fileId });
        ctx.Effects.AddToSet(Sets.HeldNotices, id);
    }

    /// <summary>Queues every held notice (oldest first) and forgets them, in the same commit as the switch back.</summary>
    public static async ValueTask<int> ReleaseAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var ids = await ctx.Reader.MembersAsync(Sets.HeldNotices, cancellationToken).ConfigureAwait(false);
        var notices = await ctx.Reader.GetManyAsync<HeldNotice>(ids.Select(DocKeys.HeldNotice).ToList(), cancellationToken).ConfigureAwait(false);
        var released = 0;
        foreach (var (id, notice) in ids.Zip(notices).OrderBy(p => p.Second?.HeldAt))
        {
            if (notice is { Edit: true })
            {
                // A card's edit (ObjectCards): released after the card itself, which was held before it.
                ctx.Effects.Publish(ObjectCards.EditMessage(Lane.Normal, notice.ChatId, notice.Tag, notice.MessageId, notice.Html, notice.Markup as InlineMarkup));
                released++;
            }
            else if (notice is { PhotoFileId: { } photo })
            {
                ctx.Effects.Publish(new OutboxMessage(Lane.Normal, notice.ChatId, new SendPhoto(photo, notice.Html)));
                released++;
            }
            else if (notice is not null)
            {
                ctx.Effects.Send(notice.ChatId, notice.Html, notice.Markup, Lane.Normal, notice.Tag);
                released++;
            }

            ctx.Effects.Delete(DocKeys.HeldNotice(id));
            ctx.Effects.RemoveFromSet(Sets.HeldNotices, id);
        }

        return released;
    }
}
