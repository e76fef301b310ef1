using MusterBot.State.Outbox;
using MusterBot.State.Records;

namespace MusterBot.Flows.Runtime;

/// <summary>
/// Normal-time notices (wish and complaint updates, reminders): sent at once in normal mode; in emergency mode held
/// and sent when the community switches back, so the emergency traffic is not crowded out.
/// </summary>
public static class Notices
{
    /// <summary>A notice; <paramref name="tag"/> is its outbox tag (a card that later edits aim at).</summary>
    public static void Notify(FlowContext ctx, long chatId, string html, Markup? markup = null, string? tag = null)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (!ctx.Emergency)
        {
            ctx.Effects.Send(chatId, html, markup, Lane.Normal, tag);
            return;
        }

        var id = Guid.NewGuid().ToString("N");
        ctx.Effects.Put(DocKeys.HeldNotice(id), new HeldNotice(chatId, html, markup, ctx.Now) { Tag = tag });
        ctx.Effects.AddToSet(Sets.HeldNotices, id);
    }

    /// <summary>
    /// Edits the newest message of the chat sent with <paramref name="targetTag"/> (a card showing an object's state);
    /// held like a notice in emergency mode, so it follows the held card it may aim at.
    /// </summary>
    public static void NotifyEdit(FlowContext ctx, long chatId, string targetTag, string html, InlineMarkup? markup)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (!ctx.Emergency)
        {
            ctx.Effects.Publish(new OutboxMessage(Lane.Normal, chatId, new EditText(0, html, markup) { TargetTag = targetTag }) { Tag = targetTag });
            return;
        }

        var id = Guid.NewGuid().ToString("N");
        ctx.Effects.Put(DocKeys.HeldNotice(id), new HeldNotice(chatId, html, markup, ctx.Now) { TargetTag = targetTag });
        ctx.Effects.AddToSet(Sets.HeldNotices, id);
    }

    /// <summary>A photo that goes with a normal-time notice (held like the notice in emergency mode).</summary>
    public static void NotifyPhoto(FlowContext ctx, long chatId, string fileId, string captionHtml, Markup? markup = null, string? tag = null)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (!ctx.Emergency)
        {
            ctx.Effects.Publish(new OutboxMessage(Lane.Normal, chatId, new SendPhoto(fileId, captionHtml, markup)) { Tag = tag });
            return;
        }

        var id = Guid.NewGuid().ToString("N");
        ctx.Effects.Put(DocKeys.HeldNotice(id), new HeldNotice(chatId, captionHtml, markup, ctx.Now) { PhotoFileId = fileId, Tag = tag });
        ctx.Effects.AddToSet(Sets.HeldNotices, id);
    }

    /// <summary>Queues every held notice (oldest first) and forgets them, in the same commit as the switch back.</summary>
    public static async ValueTask<int> ReleaseAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var ids = await ctx.Reader.MembersAsync(Sets.HeldNotices, cancellationToken).ConfigureAwait(false);
        var notices = await ctx.Reader.GetManyAsync<HeldNotice>(ids.Select(DocKeys.HeldNotice).ToList(), cancellationToken).ConfigureAwait(false);
        var released = 0;
        // Edits last among notices held at the same moment: a card is sent before the edit aimed at it.
        foreach (var (id, notice) in ids.Zip(notices).OrderBy(p => p.Second?.HeldAt).ThenBy(p => p.Second?.TargetTag is not null))
        {
            if (notice is { Edit: true })
            {
                // A card's edit (ObjectCards): released after the card itself, which was held before it.
                ctx.Effects.Publish(ObjectCards.EditMessage(Lane.Normal, notice.ChatId, notice.Tag, notice.MessageId, notice.Html, notice.Markup as InlineMarkup));
                released++;
            }
            else if (notice is { PhotoFileId: { } photo })
            {
                ctx.Effects.Publish(new OutboxMessage(Lane.Normal, notice.ChatId, new SendPhoto(photo, notice.Html, notice.Markup)) { Tag = notice.Tag });
                released++;
            }
            else if (notice is { TargetTag: { } target })
            {
                ctx.Effects.Publish(new OutboxMessage(Lane.Normal, notice.ChatId, new EditText(0, notice.Html, notice.Markup as InlineMarkup) { TargetTag = target }) { Tag = target });
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
