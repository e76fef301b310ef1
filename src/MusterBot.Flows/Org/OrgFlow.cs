using System.Globalization;
using System.Text;
using MusterBot.Flows.Admin;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Org;
using Stateless;
using Stateless.Graph;
using Stateless.Reflection;

namespace MusterBot.Flows.Org;

/// <summary>
/// The organisation section of /admin: the tree city → district → street → community, each node with its
/// administrators. An administrator views their node and everything below it, creates nodes of the next level, renames
/// and removes the nodes below theirs, appoints administrators by a one-time invitation link and removes them. Every
/// press reads the node it names again and re-checks <see cref="OrgAccess"/> from the stored profile and nodes; the
/// payload is never trusted. The tree lives in the root shard, so every change to it is one commit there.
/// </summary>
public sealed class OrgFlow : IFlow
{
    public const string FlowName = "org";
    internal const int PageSize = 10;
    internal const int MaxNameLength = 30;

    /// <summary>How long an administrator's invitation link stays valid.</summary>
    public static readonly TimeSpan InviteLifetime = TimeSpan.FromDays(7);

    private static readonly OrgFlow Instance = new();

    public string Name => FlowName;

    /// <summary>/admin stays the administrators' flow's: it hands administrators of nodes only over here (<see cref="OpenAsync"/>).</summary>
    public IReadOnlyCollection<string> Commands { get; } = [];

    public bool OwnsButton(string data) => OrgButton.Codec.Owns(data);

    /// <summary>/admin of someone who administers nodes of the tree but not a community's panel: the section is their /admin.</summary>
    public static ValueTask OpenAsync(FlowContext context, CancellationToken cancellationToken) => Instance.HandleAsync(context, cancellationToken);

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var inFlow = ctx.Conversation.Flow == FlowName && Enum.TryParse<OrgStep>(ctx.Conversation.Step, out _);
        var data = inFlow ? new Dictionary<string, string>(ctx.Conversation.Data) : [];
        var step = inFlow ? Enum.Parse<OrgStep>(ctx.Conversation.Step) : OrgStep.Idle;
        var access = await OrgAccess.LoadAsync(ctx, cancellationToken).ConfigureAwait(false);
        if (!access.Any)
        {
            // Nobody without a live node of their own gets anything here, whatever the payload names.
            if (ctx.Event is ButtonPressed)
            {
                ctx.AnswerButton(ctx.T("org.not_admin"), alert: true);
            }
            else
            {
                ctx.Reply(ctx.T("org.not_admin"), CommandCatalog.Menu(ctx.Roles, ctx.Language, ctx.Texts, ctx.Emergency));
            }

            if (inFlow)
            {
                ctx.Conversation = MainFlow.Idle(ctx.Now);
            }

            return;
        }

        var button = ctx.Event is ButtonPressed press ? OrgButton.Codec.Decode(press.Data) : null;
        var machine = Build(() => step, s => step = s, () => DecideAsync(ctx, access, button, step, data, cancellationToken));
        machine.OnUnhandledTrigger((current, trigger) => Refuse(ctx, current, trigger));
        await machine.FireAsync(TriggerFor(ctx.Event, button)).ConfigureAwait(false);

        ctx.Conversation = step == OrgStep.Idle
            ? (ctx.Conversation.Flow == FlowName ? MainFlow.Idle(ctx.Now) : ctx.Conversation)
            : new ConversationState(FlowName, step.ToString()) { Data = data, UpdatedAt = ctx.Now };
    }

    public string ToMermaid()
    {
        var step = OrgStep.Idle;
        return MermaidGraph.Format(Build(() => step, s => step = s, () => Task.FromResult(OrgStep.Idle)).GetInfo()) + "\n";
    }

    private static OrgTrigger TriggerFor(BotEvent @event, OrgButton? button) => @event switch
    {
        CommandReceived => OrgTrigger.Opened,
        TextReceived => OrgTrigger.NameTyped,
        ButtonPressed => button switch
        {
            null => OrgTrigger.StaleButton,
            OrgButton.Home => OrgTrigger.Opened,
            OrgButton.Cancel => OrgTrigger.Cancelled,
            OrgButton.NewChild => OrgTrigger.ChildNameAsked,
            OrgButton.Rename => OrgTrigger.RenameAsked,
            _ => OrgTrigger.Navigated,
        },
        _ => OrgTrigger.OtherMessage,
    };

    private static StateMachine<OrgStep, OrgTrigger> Build(Func<OrgStep> read, Action<OrgStep> write, Func<Task<OrgStep>> act)
    {
        var machine = new StateMachine<OrgStep, OrgTrigger>(read, write);
        async Task Act() => await act().ConfigureAwait(false);

        // Views work from every step and leave it as it is; a button that asks for a name moves there when the presser
        // may do it, and otherwise leaves the person where they were.
        machine.Configure(OrgStep.Panel)
            .InternalTransitionAsync(OrgTrigger.Navigated, _ => Act())
            .PermitDynamicAsync(OrgTrigger.ChildNameAsked, act, "allowed here", Destinations.To((OrgStep.AwaitingChildName, "allowed here"), (OrgStep.Idle, "refused")))
            .PermitDynamicAsync(OrgTrigger.RenameAsked, act, "allowed here", Destinations.To((OrgStep.AwaitingRename, "allowed here"), (OrgStep.Idle, "refused")));
        machine.Configure(OrgStep.Idle)
            .SubstateOf(OrgStep.Panel)
            .InternalTransitionAsync(OrgTrigger.Opened, _ => Act())
            .InternalTransitionAsync(OrgTrigger.Cancelled, _ => Act())
            .OnEntryFromAsync(OrgTrigger.Opened, Act, "show the node")
            .OnEntryFromAsync(OrgTrigger.Cancelled, Act, "show the node");
        foreach (var step in new[] { OrgStep.AwaitingChildName, OrgStep.AwaitingRename })
        {
            machine.Configure(step).SubstateOf(OrgStep.Panel)
                .PermitDynamicAsync(OrgTrigger.NameTyped, act, "a new name", Destinations.To((OrgStep.Idle, "a new name or refused"), (step, "taken or too long")))
                .Permit(OrgTrigger.Cancelled, OrgStep.Idle)
                .Permit(OrgTrigger.Opened, OrgStep.Idle);
        }

        return machine;
    }

    /// <summary>An input the step does not take: a text where a button is expected, a photo where a name is, a stale button.</summary>
    private static void Refuse(FlowContext ctx, OrgStep step, OrgTrigger trigger)
    {
        switch (trigger)
        {
            case OrgTrigger.NameTyped:
                ctx.Reply(ctx.T("org.hint.buttons"));
                break;
            case OrgTrigger.OtherMessage:
                ctx.Reply(ctx.T(step is OrgStep.AwaitingChildName or OrgStep.AwaitingRename ? "admin.hint.text" : "org.hint.buttons"));
                break;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                break;
        }
    }

    private static async Task<OrgStep> DecideAsync(FlowContext ctx, OrgAccess access, OrgButton? button, OrgStep step, Dictionary<string, string> data, CancellationToken cancellationToken) =>
        ctx.Event switch
        {
            TextReceived text => await TextAsync(ctx, access, text.Text.Trim(), step, data, cancellationToken).ConfigureAwait(false),
            ButtonPressed => await PressAsync(ctx, access, button!, step, data, cancellationToken).ConfigureAwait(false),
            _ => await HomeAsync(ctx, access, cancellationToken).ConfigureAwait(false),
        };

    /// <summary>The section's start: the one node the person administers, or the list of them.</summary>
    private static async Task<OrgStep> HomeAsync(FlowContext ctx, OrgAccess access, CancellationToken cancellationToken)
    {
        if (access.Nodes.Count == 1)
        {
            var (text, markup) = await NodeViewAsync(ctx, access, access.Nodes[0], 0, null, cancellationToken).ConfigureAwait(false);
            ctx.Show(text, markup);
            return OrgStep.Idle;
        }

        var rows = access.Nodes.Select(n => (IReadOnlyList<InlineButton>)[Choice(n.Name + " · " + LevelName(ctx, n.Level), new OrgButton.Open(n.Id, 0))]).ToList();
        AddAdminMenu(ctx, rows);
        ctx.Show(ctx.T("org.home.many", access.Nodes.Count), new InlineMarkup(rows));
        return OrgStep.Idle;
    }

    private static async Task<OrgStep> PressAsync(FlowContext ctx, OrgAccess access, OrgButton button, OrgStep step, Dictionary<string, string> data, CancellationToken cancellationToken)
    {
        if (button is OrgButton.Home)
        {
            return await HomeAsync(ctx, access, cancellationToken).ConfigureAwait(false);
        }

        if (button is OrgButton.Cancel)
        {
            // Back to the node whose name was being asked, when it can still be shown.
            var asked = long.TryParse(data.GetValueOrDefault("node"), NumberStyles.None, CultureInfo.InvariantCulture, out var askedId)
                ? await ReadNodeAsync(ctx, askedId, cancellationToken).ConfigureAwait(false)
                : null;
            if (asked is not null && access.Check(asked, OrgAction.View) == OrgVerdict.Allowed)
            {
                var (text, markup) = await NodeViewAsync(ctx, access, asked, 0, ctx.T("cancel.done"), cancellationToken).ConfigureAwait(false);
                ctx.Show(text, markup);
                data.Clear();
                return OrgStep.Idle;
            }

            data.Clear();
            return await HomeAsync(ctx, access, cancellationToken).ConfigureAwait(false);
        }

        var nodeId = NodeIdOf(button);
        var node = await ReadNodeAsync(ctx, nodeId, cancellationToken).ConfigureAwait(false);
        if (node is null)
        {
            // No such node (a forged id, or a tree written by someone else): nothing to act on.
            ctx.AnswerButton(ctx.T("org.outside"), alert: true);
            return step;
        }

        var action = button switch
        {
            OrgButton.NewChild => OrgAction.CreateChild,
            OrgButton.Rename => OrgAction.Rename,
            OrgButton.Remove or OrgButton.ConfirmRemove => OrgAction.Remove,
            OrgButton.Appoint => OrgAction.AppointAdmin,
            OrgButton.RemoveAdmin or OrgButton.ConfirmRemoveAdmin => OrgAction.RemoveAdmin,
            _ => OrgAction.View,
        };
        var verdict = access.Check(node, action);
        if (verdict != OrgVerdict.Allowed)
        {
            ctx.AnswerButton(Refusal(ctx, verdict, node), alert: true);
            return step is OrgStep.Idle or OrgStep.Panel ? OrgStep.Idle : step;
        }

        switch (button)
        {
            case OrgButton.Open open:
                var (viewText, viewMarkup) = await NodeViewAsync(ctx, access, node, open.Page, null, cancellationToken).ConfigureAwait(false);
                ctx.Show(viewText, viewMarkup);
                return step;
            case OrgButton.NewChild:
                data.Clear();
                data["node"] = Id(node.Id);
                ctx.Show(ctx.T("org.ask.child_name", LevelName(ctx, node.Level + 1), Html.Escape(node.Name), MaxNameLength), CancelKeyboard(ctx));
                return OrgStep.AwaitingChildName;
            case OrgButton.Rename:
                data.Clear();
                data["node"] = Id(node.Id);
                ctx.Show(ctx.T("admin.ask.rename", Html.Escape(node.Name)), CancelKeyboard(ctx));
                return OrgStep.AwaitingRename;
            case OrgButton.Remove:
                if (await LiveChildrenAsync(ctx, node, cancellationToken).ConfigureAwait(false) is { Count: > 0 } remaining)
                {
                    ctx.AnswerButton(ctx.T("org.remove.has_children", node.Name, remaining.Count, LevelName(ctx, node.Level + 1)), alert: true);
                    return step;
                }

                ctx.Show(ctx.T("org.remove.confirm", Html.Escape(node.Name), LevelName(ctx, node.Level)), new InlineMarkup([
                    [Choice(ctx.T("org.button.confirm_remove"), new OrgButton.ConfirmRemove(node.Id))],
                    [Choice(ctx.T("reg.button.cancel"), new OrgButton.Open(node.Id, 0))]]));
                return step;
            case OrgButton.ConfirmRemove:
                if (await LiveChildrenAsync(ctx, node, cancellationToken).ConfigureAwait(false) is { Count: > 0 } left)
                {
                    ctx.AnswerButton(ctx.T("org.remove.has_children", node.Name, left.Count, LevelName(ctx, node.Level + 1)), alert: true);
                    return step;
                }

                var removed = node with { RemovedAt = ctx.Now };
                ctx.Effects.Put(DocKeys.OrgNode(node.Id), removed);
                var parent = node.ParentId is { } parentId ? await ReadNodeAsync(ctx, parentId, cancellationToken).ConfigureAwait(false) : null;
                var done = ctx.T("org.done.removed", Html.Escape(node.Name));
                if (parent is not null && access.Check(parent, OrgAction.View) == OrgVerdict.Allowed)
                {
                    var (parentText, parentMarkup) = await NodeViewAsync(ctx, access, parent, 0, done, cancellationToken, removed).ConfigureAwait(false);
                    ctx.Show(parentText, parentMarkup);
                }
                else
                {
                    ctx.Show(done, null);
                }

                return step;
            case OrgButton.Appoint:
                var code = AdminFlow.NewCode();
                var invite = new Invite(code, Roles.Admin, 1, ctx.Now + InviteLifetime)
                {
                    NodeId = node.Id,
                    AppointsNodeAdmin = true,
                    CreatedBy = ctx.Event.UserId,
                    CreatedAt = ctx.Now,
                };

                // Invitation codes are looked up where a newcomer lives: the root shard (the directory).
                ctx.Effects.Put(DocKeys.Invite(code).In(Shards.Root), invite);
                ctx.Show(
                    ctx.T("org.invite.created", Html.Escape(node.Name), LevelName(ctx, node.Level), (int)InviteLifetime.TotalDays, ctx.Bot.InviteLink(code)),
                    new InlineMarkup([[Choice(ctx.T("admin.button.back"), new OrgButton.Open(node.Id, 0))]]));
                return step;
            case OrgButton.RemoveAdmin or OrgButton.ConfirmRemoveAdmin:
                var userId = button is OrgButton.RemoveAdmin r ? r.UserId : ((OrgButton.ConfirmRemoveAdmin)button).UserId;
                if (!node.Admins.Contains(userId))
                {
                    ctx.AnswerButton(ctx.T("org.admin.gone"), alert: true);
                    return step;
                }

                if (userId == ctx.Event.UserId)
                {
                    ctx.AnswerButton(ctx.T("org.admin.not_self"), alert: true);
                    return step;
                }

                var (person, shard) = await OrgAdmins.ReadPersonAsync(ctx, userId, cancellationToken).ConfigureAwait(false);
                var name = person is null ? ctx.T("org.admin.unknown", userId) : Html.Escape(OrgAdmins.DisplayName(person));
                if (button is OrgButton.RemoveAdmin)
                {
                    ctx.Show(ctx.T("org.admin.confirm_remove", name, Html.Escape(node.Name)), new InlineMarkup([
                        [Choice(ctx.T("org.button.confirm_remove_admin"), new OrgButton.ConfirmRemoveAdmin(node.Id, userId))],
                        [Choice(ctx.T("reg.button.cancel"), new OrgButton.Open(node.Id, 0))]]));
                    return step;
                }

                var after = OrgAdmins.Dismiss(ctx, node, userId, person, shard);
                var (afterText, afterMarkup) = await NodeViewAsync(ctx, access, after, 0, ctx.T("org.done.admin_removed", name, Html.Escape(node.Name)), cancellationToken).ConfigureAwait(false);
                ctx.Show(afterText, afterMarkup);
                return step;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                return step;
        }
    }

    private static async Task<OrgStep> TextAsync(FlowContext ctx, OrgAccess access, string text, OrgStep step, Dictionary<string, string> data, CancellationToken cancellationToken)
    {
        if (text.Length is 0 or > MaxNameLength || text.Contains('\n', StringComparison.Ordinal))
        {
            ctx.Reply(ctx.T("admin.hint.name", MaxNameLength), CancelKeyboard(ctx));
            return step;
        }

        var node = long.TryParse(data.GetValueOrDefault("node"), NumberStyles.None, CultureInfo.InvariantCulture, out var nodeId)
            ? await ReadNodeAsync(ctx, nodeId, cancellationToken).ConfigureAwait(false)
            : null;
        if (node is null)
        {
            ctx.Reply(ctx.T("button.stale"));
            return OrgStep.Idle;
        }

        // The right is checked again: it may have been taken away, or the node removed, since the name was asked.
        var verdict = access.Check(node, step == OrgStep.AwaitingChildName ? OrgAction.CreateChild : OrgAction.Rename);
        if (verdict != OrgVerdict.Allowed)
        {
            ctx.Reply(Refusal(ctx, verdict, node, html: true));
            return OrgStep.Idle;
        }

        bool Taken(IEnumerable<OrgNode> siblings) => siblings.Any(n => string.Equals(n.Name, text, StringComparison.OrdinalIgnoreCase));
        if (step == OrgStep.AwaitingChildName)
        {
            if (Taken(await LiveChildrenAsync(ctx, node, cancellationToken).ConfigureAwait(false)))
            {
                ctx.Reply(ctx.T("admin.hint.name_taken", Html.Escape(text)), CancelKeyboard(ctx));
                return step;
            }

            var child = await CreateChildAsync(ctx, node, text, cancellationToken).ConfigureAwait(false);
            ctx.Reply(ctx.T("org.done.created", LevelName(ctx, child.Level), Html.Escape(child.Name), Html.Escape(node.Name)), new InlineMarkup([
                [Choice(ctx.T("org.button.open", child.Name), new OrgButton.Open(child.Id, 0))],
                [Choice(ctx.T("org.button.new_more", LevelName(ctx, child.Level)), new OrgButton.NewChild(node.Id)), Choice(ctx.T("admin.button.back"), new OrgButton.Open(node.Id, 0))]]));
            data.Clear();
            return OrgStep.Idle;
        }

        var parent = node.ParentId is { } parentId ? await ReadNodeAsync(ctx, parentId, cancellationToken).ConfigureAwait(false) : null;
        var siblings = parent is null ? [] : await LiveChildrenAsync(ctx, parent, cancellationToken).ConfigureAwait(false);
        if (Taken(siblings.Where(n => n.Id != node.Id)))
        {
            ctx.Reply(ctx.T("admin.hint.name_taken", Html.Escape(text)), CancelKeyboard(ctx));
            return step;
        }

        ctx.Effects.Put(DocKeys.OrgNode(node.Id), node with { Name = text });
        ctx.Reply(ctx.T("admin.done.renamed", Html.Escape(node.Name), Html.Escape(text)), new InlineMarkup([[Choice(ctx.T("admin.button.back"), new OrgButton.Open(node.Id, 0))]]));
        data.Clear();
        return OrgStep.Idle;
    }

    /// <summary>
    /// Writes a new node of the next level under <paramref name="parent"/>: the node, the parent's children and the id
    /// sequence, all in the root shard, so one version-checked commit (two administrators creating at once get distinct ids).
    /// </summary>
    private static async ValueTask<OrgNode> CreateChildAsync(FlowContext ctx, OrgNode parent, string name, CancellationToken cancellationToken)
    {
        var counters = await ctx.Reader.GetAsync<OrgCounters>(DocKeys.OrgCounters, cancellationToken).ConfigureAwait(false) ?? new OrgCounters(Shards.Root);
        var id = counters.LastNodeId + 1;
        while (await ReadNodeAsync(ctx, id, cancellationToken).ConfigureAwait(false) is not null)
        {
            // A sequence behind the tree (written by hand): never overwrite a node.
            id++;
        }

        var child = new OrgNode(id, parent.Level + 1, parent.Id, name) { Path = [.. parent.Path, parent.Id], CreatedAt = ctx.Now };
        ctx.Effects.Put(DocKeys.OrgNode(id), child);
        ctx.Effects.Put(DocKeys.OrgNode(parent.Id), parent with { Children = [.. parent.Children, id] });
        ctx.Effects.Put(DocKeys.OrgCounters, new OrgCounters(id));
        return child;
    }

    /// <summary>A node with its place in the tree, its administrators and a page of its children, with the buttons the viewer may use.</summary>
    private static async ValueTask<(string, InlineMarkup)> NodeViewAsync(
        FlowContext ctx, OrgAccess access, OrgNode node, int page, string? notice, CancellationToken cancellationToken, OrgNode? changedChild = null)
    {
        var ancestors = await ctx.Reader.GetManyAsync<OrgNode>(node.Path.Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false);
        var path = string.Join(" › ", ancestors.Select(a => Html.Escape(a?.Name ?? "?")).Append("<b>" + Html.Escape(node.Name) + "</b>"));
        var admins = new List<(long Id, string Name)>();
        foreach (var adminId in node.Admins)
        {
            var (person, _) = await OrgAdmins.ReadPersonAsync(ctx, adminId, cancellationToken).ConfigureAwait(false);
            admins.Add((adminId, person is null ? ctx.T("org.admin.unknown", adminId) : OrgAdmins.DisplayName(person)));
        }

        var children = (await LiveChildrenAsync(ctx, node, cancellationToken).ConfigureAwait(false))
            .Where(c => changedChild is null || c.Id != changedChild.Id || changedChild.RemovedAt is null)
            .ToList();
        var pages = Math.Max(1, (children.Count + PageSize - 1) / PageSize);
        page = Math.Clamp(page, 0, pages - 1);

        var sb = new StringBuilder();
        if (notice is not null)
        {
            sb.Append(notice).Append("\n\n");
        }

        sb.Append(ctx.T("org.node", Html.Escape(node.Name), LevelName(ctx, node.Level), path,
            admins.Count == 0 ? ctx.T("admin.none") : string.Join(ctx.T("role.separator"), admins.Select(a => Html.Escape(a.Name)))));
        if (node.RemovedAt is { } removedAt)
        {
            sb.Append('\n').Append(ctx.T("org.node.removed", removedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        }

        sb.Append('\n');
        if (node.Level == OrgLevel.Community)
        {
            sb.Append(ctx.T("org.node.grids"));
        }
        else if (children.Count == 0)
        {
            sb.Append(ctx.T("org.node.no_children", LevelName(ctx, node.Level + 1)));
        }
        else
        {
            sb.Append(ctx.T("org.node.children", LevelName(ctx, node.Level + 1), children.Count));
        }

        var rows = children.Skip(page * PageSize).Take(PageSize).Select(c => Choice(c.Name, new OrgButton.Open(c.Id, 0))).Rows(2);
        if (pages > 1)
        {
            var pager = new List<InlineButton>();
            if (page > 0)
            {
                pager.Add(Choice("◀️", new OrgButton.Open(node.Id, page - 1)));
            }

            pager.Add(Choice(ctx.T("admin.page", page + 1, pages), new OrgButton.Open(node.Id, page)));
            if (page + 1 < pages)
            {
                pager.Add(Choice("▶️", new OrgButton.Open(node.Id, page + 1)));
            }

            rows.Add(pager);
        }

        bool May(OrgAction action) => access.Check(node, action) == OrgVerdict.Allowed;
        if (May(OrgAction.CreateChild))
        {
            rows.Add([Choice(ctx.T("org.button.new_child", LevelName(ctx, node.Level + 1)), new OrgButton.NewChild(node.Id))]);
        }

        var edit = new List<InlineButton>();
        if (May(OrgAction.Rename))
        {
            edit.Add(Choice(ctx.T("admin.button.rename"), new OrgButton.Rename(node.Id)));
        }

        if (May(OrgAction.Remove))
        {
            edit.Add(Choice(ctx.T("org.button.remove"), new OrgButton.Remove(node.Id)));
        }

        if (edit.Count > 0)
        {
            rows.Add(edit);
        }

        if (May(OrgAction.AppointAdmin))
        {
            rows.Add([Choice(ctx.T("org.button.appoint"), new OrgButton.Appoint(node.Id))]);
        }

        if (May(OrgAction.RemoveAdmin))
        {
            foreach (var (adminId, adminName) in admins.Where(a => a.Id != ctx.Event.UserId))
            {
                rows.Add([Choice(ctx.T("org.button.remove_admin", adminName), new OrgButton.RemoveAdmin(node.Id, adminId))]);
            }
        }

        var back = new List<InlineButton>();
        if (node.ParentId is { } parentId && (ancestors.Count > 0 ? ancestors[^1] : null) is { } parent && parent.Id == parentId && access.Covers(parent))
        {
            back.Add(Choice(ctx.T("org.button.up", parent.Name), new OrgButton.Open(parent.Id, 0)));
        }
        else if (access.Nodes.Count > 1)
        {
            back.Add(Choice(ctx.T("org.button.home"), new OrgButton.Home()));
        }

        if (ctx.Has(Roles.Admin))
        {
            back.Add(new InlineButton(ctx.T("org.button.admin_menu"), AdminButton.Codec.Encode(new AdminButton.Menu())));
        }

        if (back.Count > 0)
        {
            rows.Add(back);
        }

        return (sb.ToString(), new InlineMarkup(rows));
    }

    private static void AddAdminMenu(FlowContext ctx, List<IReadOnlyList<InlineButton>> rows)
    {
        if (ctx.Has(Roles.Admin))
        {
            rows.Add([new InlineButton(ctx.T("org.button.admin_menu"), AdminButton.Codec.Encode(new AdminButton.Menu()))]);
        }
    }

    /// <summary>The children of a node that are not removed, in creation order.</summary>
    private static async ValueTask<List<OrgNode>> LiveChildrenAsync(FlowContext ctx, OrgNode node, CancellationToken cancellationToken) =>
        (await ctx.Reader.GetManyAsync<OrgNode>(node.Children.Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<OrgNode>()
            .Where(c => c.RemovedAt is null)
            .ToList();

    internal static async ValueTask<OrgNode?> ReadNodeAsync(FlowContext ctx, long nodeId, CancellationToken cancellationToken) =>
        nodeId <= 0 ? null : await ctx.Reader.GetAsync<OrgNode>(DocKeys.OrgNode(nodeId), cancellationToken).ConfigureAwait(false);

    private static long NodeIdOf(OrgButton button) => button switch
    {
        OrgButton.Open b => b.NodeId,
        OrgButton.NewChild b => b.NodeId,
        OrgButton.Rename b => b.NodeId,
        OrgButton.Remove b => b.NodeId,
        OrgButton.ConfirmRemove b => b.NodeId,
        OrgButton.Appoint b => b.NodeId,
        OrgButton.RemoveAdmin b => b.NodeId,
        OrgButton.ConfirmRemoveAdmin b => b.NodeId,
        _ => 0,
    };

    /// <summary>The polite reason an action is refused.</summary>
    /// <remarks>An alert is plain text; a message is HTML (<paramref name="html"/>: the node's name is escaped).</remarks>
    internal static string Refusal(FlowContext ctx, OrgVerdict verdict, OrgNode node, bool html = false) => verdict switch
    {
        OrgVerdict.NodeRemoved => ctx.T("org.refused.removed", html ? Html.Escape(node.Name) : node.Name),
        OrgVerdict.NeedsLevelAbove => ctx.T("org.refused.level_above", html ? Html.Escape(node.Name) : node.Name),
        OrgVerdict.NoLevelBelow => ctx.T("org.refused.no_level_below"),
        _ => ctx.T("org.outside"),
    };

    /// <summary>The name of a level in the reader's language ("街道（乡镇）", "street").</summary>
    internal static string LevelName(FlowContext ctx, OrgLevel level) => ctx.T("org.level." + level.ToString().ToLowerInvariant());

    private static InlineMarkup CancelKeyboard(FlowContext ctx) => new([[Choice(ctx.T("reg.button.cancel"), new OrgButton.Cancel())]]);

    private static InlineButton Choice(string label, OrgButton button) => new(label, OrgButton.Codec.Encode(button));

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
