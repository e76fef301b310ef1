using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Groups;

namespace MusterBot.Flows.Groups;

/// <summary>
/// Group chats (issue #20, first part). In a group the bot answers only commands (privacy mode) and starts no
/// conversation there: "/link" by an administrator of the community who is also an administrator of the group sends
/// them the choice of grid, building or region in private; "/unlink" undoes it; any other command is answered "please
/// talk to me privately" with a link. The bot being removed, losing or gaining rights, and the group becoming a
/// supergroup update the link and are told to the administrator who linked it. "/groups" lists the community's groups.
/// Links live in the root shard, found by chat id from any sender.
/// </summary>
public sealed class GroupFlow(TextCatalog texts) : IFlow
{
    public const string FlowName = "groups";

    /// <summary>How long a "/link" waits for its target to be chosen.</summary>
    public static readonly TimeSpan PendingFor = TimeSpan.FromMinutes(30);

    private const int MaxChoices = 40;

    public string Name => FlowName;

    public IReadOnlyCollection<string> Commands { get; } = ["groups"];

    public bool OwnsButton(string data) => GroupButton.Codec.Owns(data);

    public string ToMermaid() => string.Empty;

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        switch (ctx.Event)
        {
            case GroupCommand { Command: "link" } link:
                await LinkAsync(ctx, link, cancellationToken).ConfigureAwait(false);
                return;
            case GroupCommand { Command: "unlink" } unlink:
                await UnlinkAsync(ctx, unlink, cancellationToken).ConfigureAwait(false);
                return;
            case GroupCommand:
                // No conversation in a group: everything else is done in private.
                ctx.Reply(ctx.T("gr.private"), new InlineMarkup([[new InlineButton(ctx.T("gr.btn.private"), Url: "https://t.me/" + ctx.Bot.Username)]]));
                return;
            case GroupBotStatusChanged status:
                await StatusAsync(ctx, status, cancellationToken).ConfigureAwait(false);
                return;
            case GroupMigrated migrated:
                await MigratedAsync(ctx, migrated, cancellationToken).ConfigureAwait(false);
                return;
            case CommandReceived { Command: "groups" }:
                await ListAsync(ctx, cancellationToken).ConfigureAwait(false);
                return;
            case ButtonPressed press:
                await PressedAsync(ctx, GroupButton.Codec.Decode(press.Data), cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    private static async ValueTask<GroupLink?> LinkOfAsync(FlowContext ctx, long chatId, CancellationToken cancellationToken) =>
        await ctx.Reader.GetAsync<GroupLink>(DocKeys.Group(chatId), cancellationToken).ConfigureAwait(false);

    /// <summary>"grid North", "building Block 3 (North)", "region Port".</summary>
    private string TargetName(Language language, DirectorySnapshot directory, GroupTarget target, string id)
    {
        var name = target switch
        {
            GroupTarget.Grid => directory.GridName(id),
            GroupTarget.Building when id.Split('/') is [var grid, var building] => directory.BuildingName(grid, building) + " (" + directory.GridName(grid) + ")",
            GroupTarget.Region => directory.RegionName(id),
            _ => "—",
        };
        return texts.Format(language, "gr.target." + target, Html.Escape(name));
    }

    private async ValueTask LinkAsync(FlowContext ctx, GroupCommand command, CancellationToken cancellationToken)
    {
        if (!Allowed(ctx, command))
        {
            return;
        }

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        if (await LinkOfAsync(ctx, command.Chat.Id, cancellationToken).ConfigureAwait(false) is { } linked)
        {
            ctx.Reply(ctx.T("gr.link.already", TargetName(ctx.Language, directory, linked.Target, linked.TargetId)));
            return;
        }

        ctx.Effects.Put(DocKeys.PendingGroup(command.Chat.Id), new PendingGroupLink(command.Chat.Id, command.Chat.Title, command.Chat.Supergroup, ctx.Profile.Id, ctx.Shard, ctx.Now) { CanPin = command.BotCanPin }, PendingFor);
        var rows = new List<IReadOnlyList<InlineButton>>();
        var choices = directory.Grids.Select(g => (GroupTarget.Grid, g.Id))
            .Concat(directory.Grids.SelectMany(g => g.Buildings.Select(b => (GroupTarget.Building, g.Id + "/" + b.Id))))
            .Concat(directory.Regions.Select(r => (GroupTarget.Region, r.Id)))
            .Take(MaxChoices)
            .ToList();
        rows.AddRange(choices.Select(c => new InlineButton(TargetName(ctx.Language, directory, c.Item1, c.Item2), GroupButton.Codec.Encode(new GroupButton.LinkTo(command.Chat.Id, c.Item1, c.Item2)))).Rows(2));
        rows.Add([new InlineButton(ctx.T("reg.button.cancel"), GroupButton.Codec.Encode(new GroupButton.Cancel(command.Chat.Id)))]);
        if (choices.Count == 0)
        {
            ctx.Reply(ctx.T("gr.link.nothing"));
            return;
        }

        ctx.Effects.Send(ctx.Profile.ChatId, ctx.T("gr.link.choose", Html.Escape(command.Chat.Title)), new InlineMarkup(rows));
        ctx.Reply(ctx.T("gr.link.see_private"));
    }

    /// <summary>/link and /unlink: an administrator of the community who is also an administrator of the group (refused in the group otherwise).</summary>
    private static bool Allowed(FlowContext ctx, GroupCommand command)
    {
        if (!ctx.Has(Roles.Admin))
        {
            ctx.Reply(ctx.T("gr.link.not_admin"));
            return false;
        }

        if (command.SenderIsGroupAdmin != true)
        {
            ctx.Reply(ctx.T("gr.link.not_group_admin"));
            return false;
        }

        return true;
    }

    private async ValueTask UnlinkAsync(FlowContext ctx, GroupCommand command, CancellationToken cancellationToken)
    {
        if (!Allowed(ctx, command))
        {
            return;
        }

        if (await LinkOfAsync(ctx, command.Chat.Id, cancellationToken).ConfigureAwait(false) is not { } link)
        {
            ctx.Reply(ctx.T("gr.unlink.none"));
            return;
        }

        Forget(ctx, link);
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        ctx.Reply(ctx.T("gr.unlink.done", TargetName(ctx.Language, directory, link.Target, link.TargetId)));
    }

    private static void Forget(FlowContext ctx, GroupLink link)
    {
        ctx.Effects.Delete(DocKeys.Group(link.ChatId));
        ctx.Effects.RemoveFromSet(Sets.GroupsOf(link.Community), Num(link.ChatId), Shards.Root);
        ctx.Effects.RemoveFromSet(Sets.GroupFor(link.Community, link.Target, link.TargetId), Num(link.ChatId), Shards.Root);
    }

    private static void Remember(FlowContext ctx, GroupLink link)
    {
        ctx.Effects.Put(DocKeys.Group(link.ChatId), link);
        ctx.Effects.AddToSet(Sets.GroupsOf(link.Community), Num(link.ChatId), Shards.Root);
        ctx.Effects.AddToSet(Sets.GroupFor(link.Community, link.Target, link.TargetId), Num(link.ChatId), Shards.Root);
    }

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>The administrator chose the target in private: checked again (still an administrator, the /link still waiting and theirs, the target free).</summary>
    private async ValueTask PressedAsync(FlowContext ctx, GroupButton? button, CancellationToken cancellationToken)
    {
        if (button is null)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        var chat = button switch { GroupButton.LinkTo l => l.Chat, GroupButton.Cancel c => c.Chat, _ => 0 };
        var pending = await ctx.Reader.GetAsync<PendingGroupLink>(DocKeys.PendingGroup(chat), cancellationToken).ConfigureAwait(false);
        if (!ctx.Has(Roles.Admin) || pending is null || pending.By != ctx.Profile.Id || pending.Community != ctx.Shard)
        {
            ctx.AnswerButton(ctx.T("gr.link.expired"), alert: true);
            ctx.Show(ctx.T("gr.link.expired"), null);
            return;
        }

        ctx.Effects.Delete(DocKeys.PendingGroup(chat));
        if (button is GroupButton.Cancel)
        {
            ctx.AnswerButton();
            ctx.Show(ctx.T("cancel.done"), null);
            return;
        }

        var link = (GroupButton.LinkTo)button;
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var exists = link.Target switch
        {
            GroupTarget.Grid => directory.Grid(link.Id) is not null,
            GroupTarget.Building => link.Id.Split('/') is [var g, var b] && directory.Grid(g)?.Buildings.Any(x => x.Id == b) == true,
            GroupTarget.Region => directory.Region(link.Id) is not null,
            _ => false,
        };
        if (!exists)
        {
            ctx.AnswerButton(ctx.T("button.stale"), alert: true);
            return;
        }

        if (await LinkOfAsync(ctx, chat, cancellationToken).ConfigureAwait(false) is not null)
        {
            ctx.AnswerButton(ctx.T("gr.link.already_short"), alert: true);
            return;
        }

        var holders = await ctx.Reader.MembersAsync(Sets.GroupFor(ctx.Shard, link.Target, link.Id), Shards.Root, cancellationToken).ConfigureAwait(false);
        if (holders.Count > 0 && await LinkOfAsync(ctx, long.Parse(holders[0], CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false) is { } other)
        {
            ctx.AnswerButton(ctx.T("gr.link.target_taken", TargetName(ctx.Language, directory, link.Target, link.Id), other.Title), alert: true);
            return;
        }

        var created = new GroupLink(chat, pending.Title, link.Target, link.Id) { Community = ctx.Shard, Supergroup = pending.Supergroup, CanPin = pending.CanPin, LinkedBy = ctx.Profile.Id, LinkedAt = ctx.Now, Language = ctx.Language };
        Remember(ctx, created);
        var target = TargetName(ctx.Language, directory, link.Target, link.Id);
        ctx.AnswerButton();
        ctx.Show(ctx.T("gr.link.done", Html.Escape(pending.Title), target), null);
        ctx.Effects.Send(chat, ctx.T("gr.link.done_group", target) + (link.Target == GroupTarget.Region ? "\n" + ctx.T("gr.link.done_region") : string.Empty), lane: Lane.Normal);
    }

    /// <summary>The bot added, removed, promoted or restricted in a group.</summary>
    private async ValueTask StatusAsync(FlowContext ctx, GroupBotStatusChanged status, CancellationToken cancellationToken)
    {
        var link = await LinkOfAsync(ctx, status.Chat.Id, cancellationToken).ConfigureAwait(false);
        if (link is null)
        {
            if (status.Present && status.CanPost)
            {
                ctx.Reply(ctx.T("gr.added"));
            }

            return;
        }

        var linker = await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(link.LinkedBy).In(link.Community), cancellationToken).ConfigureAwait(false);
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, link.Community, cancellationToken).ConfigureAwait(false);
        var language = linker?.Language ?? Language.Zh;
        var target = TargetName(language, directory, link.Target, link.TargetId);
        if (!status.Present)
        {
            Forget(ctx, link);
            Tell(ctx, linker, texts.Format(language, "gr.removed", Html.Escape(link.Title), target));
            return;
        }

        ctx.Effects.Put(DocKeys.Group(link.ChatId), link with { CanPost = status.CanPost, CanPin = status.CanPin, Title = status.Chat.Title });
        if (link.CanPost && !status.CanPost)
        {
            Tell(ctx, linker, texts.Format(language, "gr.rights.lost", Html.Escape(link.Title), target));
        }
        else if (!link.CanPost && status.CanPost)
        {
            Tell(ctx, linker, texts.Format(language, "gr.rights.back", Html.Escape(link.Title), target));
        }
    }

    private static void Tell(FlowContext ctx, UserProfile? person, string html)
    {
        if (person is { BlockedBot: false })
        {
            ctx.Effects.Send(person.ChatId, html, lane: Lane.Normal);
        }
    }

    /// <summary>The group became a supergroup: the link moves to the new id.</summary>
    private async ValueTask MigratedAsync(FlowContext ctx, GroupMigrated migrated, CancellationToken cancellationToken)
    {
        if (await LinkOfAsync(ctx, migrated.Chat.Id, cancellationToken).ConfigureAwait(false) is not { } link
            || await LinkOfAsync(ctx, migrated.NewChatId, cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        Forget(ctx, link);
        Remember(ctx, link with { ChatId = migrated.NewChatId, Supergroup = true, MigratedFrom = link.ChatId });
        if (link.Target == GroupTarget.Region)
        {
            // The open musters' roll calls refresh now: each finds the old id unlinked and posts the order and the roll
            // call again at the new one (the old messages cannot be edited there).
            foreach (var number in await ctx.Reader.MembersAsync(Sets.OpenMusters, link.Community, cancellationToken).ConfigureAwait(false))
            {
                var id = new Musters.MusterTimer.RefreshPanels(int.Parse(number, CultureInfo.InvariantCulture)).Id;
                ctx.Effects.SetTimer(new State.Timers.TimerEntry(Musters.MusterFlow.TimerIdAt(link.Community, id), ctx.Now, Musters.MusterFlow.SystemUser, id));
            }
        }

        var linker = await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(link.LinkedBy).In(link.Community), cancellationToken).ConfigureAwait(false);
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, link.Community, cancellationToken).ConfigureAwait(false);
        var language = linker?.Language ?? Language.Zh;
        Tell(ctx, linker, texts.Format(language, "gr.migrated", Html.Escape(link.Title), TargetName(language, directory, link.Target, link.TargetId)));
    }

    /// <summary>/groups: the community's linked groups, what each is for and what the bot may do there.</summary>
    private async ValueTask ListAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        if (!ctx.Has(Roles.Admin))
        {
            ctx.Reply(ctx.T("gr.link.not_admin"));
            return;
        }

        var ids = await ctx.Reader.MembersAsync(Sets.GroupsOf(ctx.Shard), Shards.Root, cancellationToken).ConfigureAwait(false);
        var links = (await ctx.Reader.GetManyAsync<GroupLink>(ids.Select(id => DocKeys.Group(long.Parse(id, CultureInfo.InvariantCulture))).ToList(), cancellationToken).ConfigureAwait(false)).OfType<GroupLink>().OrderBy(l => l.Title, StringComparer.Ordinal).ToList();
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var sb = new StringBuilder(ctx.T("gr.list.title"));
        foreach (var link in links)
        {
            sb.Append('\n').Append(ctx.T("gr.list.line", Html.Escape(link.Title), TargetName(ctx.Language, directory, link.Target, link.TargetId),
                ctx.T(!link.CanPost ? "gr.list.cannot_post" : link.CanPin ? "gr.list.can_pin" : "gr.list.cannot_pin")));
        }

        if (links.Count == 0)
        {
            sb.Append('\n').Append(ctx.T("gr.list.none"));
        }

        ctx.Reply(sb.ToString());
    }
}
