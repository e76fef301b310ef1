using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.InService;
using MusterBot.State.Records.Org;
using Stateless;
using Stateless.Graph;
using Stateless.Reflection;

namespace MusterBot.Flows.InService;

/// <summary>
/// In-service members (在职党员) and 双报到: an administrator of a street, district or the city keeps that node's workplace
/// regions (by work unit) and invites their convenors and members; a member joins a workplace region and reports in to
/// the community where they live; the community's administrators see who reported in and call on them. Every press
/// re-reads what it names and re-checks the presser's rights.
/// </summary>
public sealed class InServiceFlow(IOptions<FlowOptions> options) : IFlow, ILeaveSection
{
    public const string FlowName = "inservice";
    private const int PageSize = 10;
    private const int MaxNameLength = 30;
    private const int MaxCallLength = 500;

    /// <summary>A convenor's invitation: one use, a week. The members' invitation: many uses, a month.</summary>
    private static readonly (int Uses, int Days) ConvenorInvite = (1, 7);
    private static readonly (int Uses, int Days) MemberInvite = (500, 30);

    private readonly FlowOptions _options = options.Value;

    public string Name => FlowName;

    public IReadOnlyCollection<string> Commands { get; } = [];

    public bool OwnsButton(string data) => InServiceButton.Codec.Owns(data);

    /// <summary>The row /admin shows for this section (a minimal hook in the administrators' menu).</summary>
    public static IReadOnlyList<InlineButton> AdminMenuRow(FlowContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        return [Button(ctx, "is.menu.regions", new InServiceButton.Nodes(0)), Button(ctx, "is.menu.members", new InServiceButton.Members(0))];
    }

    /// <summary>The staff member's live count of a call, edited in place (outbox tag).</summary>
    public static string PanelTag(long shard, int number) => string.Create(CultureInfo.InvariantCulture, $"isc:{shard}:{number}");

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var inFlow = ctx.Conversation.Flow == FlowName && Enum.TryParse<InServiceStep>(ctx.Conversation.Step, out _);
        var data = inFlow ? new Dictionary<string, string>(ctx.Conversation.Data) : [];
        var step = inFlow ? Enum.Parse<InServiceStep>(ctx.Conversation.Step) : InServiceStep.Idle;
        var button = ctx.Event is ButtonPressed press ? InServiceButton.Codec.Decode(press.Data) : null;
        var machine = Build(() => step, s => step = s, () => DecideAsync(ctx, button, step, data, cancellationToken));
        machine.OnUnhandledTrigger((current, trigger) => Refuse(ctx, current, trigger));
        await machine.FireAsync(TriggerFor(ctx.Event, button)).ConfigureAwait(false);

        if (ctx.MovesTo is not null)
        {
            // Reported in: the conversation moves with the person, at rest.
            ctx.Conversation = MainFlow.Idle(ctx.Now);
            return;
        }

        ctx.Conversation = step == InServiceStep.Idle
            ? (ctx.Conversation.Flow == FlowName ? MainFlow.Idle(ctx.Now) : ctx.Conversation)
            : new ConversationState(FlowName, step.ToString()) { Data = data, UpdatedAt = ctx.Now };
    }

    public string ToMermaid()
    {
        var step = InServiceStep.Idle;
        return MermaidGraph.Format(Build(() => step, s => step = s, () => Task.FromResult(InServiceStep.Idle)).GetInfo()) + "\n";
    }

    /// <summary>Leaving: the person's seats in their workplace region are emptied (in the region's node).</summary>
    public async ValueTask HandBackAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var p = context.Profile;
        if (p is { WorkNodeId: { } nodeId, RegionId: { } regionId }
            && await Workplace.RegionAsync(context.Reader, nodeId, regionId, cancellationToken).ConfigureAwait(false) is { } region
            && (region.ConvenorId == p.Id || region.BackupConvenorId == p.Id))
        {
            context.Effects.Put(Workplace.RegionKey(nodeId, regionId), region with
            {
                ConvenorId = region.ConvenorId == p.Id ? null : region.ConvenorId,
                BackupConvenorId = region.BackupConvenorId == p.Id ? null : region.BackupConvenorId,
            });
        }
    }

    private static InServiceTrigger TriggerFor(BotEvent @event, InServiceButton? button) => @event switch
    {
        TextReceived => InServiceTrigger.TextTyped,
        ButtonPressed => button switch
        {
            null => InServiceTrigger.StaleButton,
            InServiceButton.Cancel => InServiceTrigger.Cancelled,
            InServiceButton.NewRegion or InServiceButton.RenameRegion => InServiceTrigger.NameAsked,
            InServiceButton.CallAudience => InServiceTrigger.CallTextAsked,
            InServiceButton.SendCall => InServiceTrigger.CallConfirmed,
            _ => InServiceTrigger.Navigated,
        },
        _ => InServiceTrigger.OtherMessage,
    };

    private static StateMachine<InServiceStep, InServiceTrigger> Build(Func<InServiceStep> read, Action<InServiceStep> write, Func<Task<InServiceStep>> act)
    {
        var machine = new StateMachine<InServiceStep, InServiceTrigger>(read, write);

        // Views work from every step and leave it as it is; a button that asks for input moves there when allowed.
        machine.Configure(InServiceStep.Panel)
            .InternalTransitionAsync(InServiceTrigger.Navigated, async _ => await act().ConfigureAwait(false))
            .PermitDynamicAsync(InServiceTrigger.NameAsked, act, "the node is theirs", Destinations.To((InServiceStep.AwaitingRegionName, "the node is theirs"), (InServiceStep.Idle, "not theirs or gone")))
            .PermitDynamicAsync(InServiceTrigger.CallTextAsked, act, "community staff", Destinations.To((InServiceStep.AwaitingCallText, "community staff"), (InServiceStep.Idle, "not staff")))
            .PermitDynamicAsync(InServiceTrigger.Cancelled, act, "show the menu", Destinations.To((InServiceStep.Idle, "cancelled")));
        machine.Configure(InServiceStep.Idle).SubstateOf(InServiceStep.Panel);
        machine.Configure(InServiceStep.AwaitingRegionName).SubstateOf(InServiceStep.Panel)
            .PermitDynamicAsync(InServiceTrigger.TextTyped, act, "a new name", Destinations.To((InServiceStep.Idle, "a new name"), (InServiceStep.AwaitingRegionName, "taken or too long")));
        machine.Configure(InServiceStep.AwaitingCallText).SubstateOf(InServiceStep.Panel)
            .PermitDynamicAsync(InServiceTrigger.TextTyped, act, "the call's text", Destinations.To((InServiceStep.ConfirmingCall, "the call's text"), (InServiceStep.AwaitingCallText, "empty or too long")));
        machine.Configure(InServiceStep.ConfirmingCall).SubstateOf(InServiceStep.Panel)
            .PermitDynamicAsync(InServiceTrigger.TextTyped, act, "a new text", Destinations.To((InServiceStep.ConfirmingCall, "a new text")))
            .PermitDynamicAsync(InServiceTrigger.CallConfirmed, act, "sent", Destinations.To((InServiceStep.Idle, "sent or refused")));
        return machine;
    }

    /// <summary>An input the step does not take: a stale button, a text outside a question, a photo where a text is expected.</summary>
    private static void Refuse(FlowContext ctx, InServiceStep step, InServiceTrigger trigger)
    {
        if (ctx.Event is ButtonPressed)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        ctx.Reply(ctx.T(step == InServiceStep.AwaitingRegionName ? "is.hint.name" : "is.hint.text", MaxNameLength), CancelKeyboard(ctx));
    }

    private async Task<InServiceStep> DecideAsync(FlowContext ctx, InServiceButton? button, InServiceStep step, Dictionary<string, string> data, CancellationToken cancellationToken)
    {
        if (ctx.Event is TextReceived text)
        {
            return step == InServiceStep.AwaitingRegionName
                ? await RegionNameAsync(ctx, text.Text.Trim(), step, data, cancellationToken).ConfigureAwait(false)
                : await CallTextAsync(ctx, text.Text.Trim(), step, data, cancellationToken).ConfigureAwait(false);
        }

        return button switch
        {
            InServiceButton.Cancel => Cancelled(ctx),
            InServiceButton.Nodes or InServiceButton.Node or InServiceButton.NewRegion or InServiceButton.OpenRegion
                or InServiceButton.RenameRegion or InServiceButton.InviteToRegion => await RegionsPressAsync(ctx, button, step, data, cancellationToken).ConfigureAwait(false),
            InServiceButton.Members or InServiceButton.StartCall or InServiceButton.CallAudience or InServiceButton.SendCall
                or InServiceButton.CallPanel => await CommunityPressAsync(ctx, button, step, data, cancellationToken).ConfigureAwait(false),
            InServiceButton.Answer answer => await AnswerAsync(ctx, answer, step, cancellationToken).ConfigureAwait(false),
            _ => await ReportInAsync(ctx, button!, step, cancellationToken).ConfigureAwait(false),
        };
    }

    private static InServiceStep Cancelled(FlowContext ctx)
    {
        ctx.Show(ctx.T("cancel.done"), null);
        return InServiceStep.Idle;
    }

    private static InServiceStep NotAllowed(FlowContext ctx, InServiceStep step)
    {
        ctx.AnswerButton(ctx.T("is.not_allowed"), alert: true);
        return step;
    }

    private static InServiceStep Stale(FlowContext ctx, InServiceStep step)
    {
        ctx.AnswerButton(ctx.T("button.stale"));
        return step;
    }

    // ----- Workplace regions of a street, district or the city -----

    /// <summary>The node a press names, when it exists, holds workplace regions and the presser administers it.</summary>
    private async ValueTask<(OrgNode? Node, bool Allowed)> ManagedNodeAsync(FlowContext ctx, long nodeId, CancellationToken cancellationToken)
    {
        var node = await Workplace.NodeAsync(ctx.Reader, nodeId, cancellationToken).ConfigureAwait(false);
        if (!Workplace.HoldsWorkRegions(node))
        {
            return (null, node is null || Workplace.Administers(ctx, _options, node));
        }

        return Workplace.Administers(ctx, _options, node!) ? (node, true) : (null, false);
    }

    private async ValueTask<InServiceStep> RegionsPressAsync(FlowContext ctx, InServiceButton button, InServiceStep step, Dictionary<string, string> data, CancellationToken cancellationToken)
    {
        if (button is InServiceButton.Nodes nodes)
        {
            var managed = await Workplace.ManagedNodesAsync(ctx, _options, cancellationToken).ConfigureAwait(false);
            if (managed.Count == 0)
            {
                return NotAllowed(ctx, step);
            }

            var page = Math.Clamp(nodes.Page, 0, (managed.Count - 1) / PageSize);
            var rows = managed.Skip(page * PageSize).Take(PageSize)
                .Select(n => Button(n.Name, new InServiceButton.Node(n.Id))).Rows(2);
            rows.Add(Pager(ctx, p => new InServiceButton.Nodes(p), page, managed.Count));
            ctx.Show(ctx.T("is.nodes.header"), new InlineMarkup(rows));
            return step;
        }

        var nodeId = button switch
        {
            InServiceButton.Node n => n.NodeId,
            InServiceButton.NewRegion n => n.NodeId,
            InServiceButton.OpenRegion r => r.NodeId,
            InServiceButton.RenameRegion r => r.NodeId,
            InServiceButton.InviteToRegion i => i.NodeId,
            _ => 0,
        };
        var (node, allowed) = await ManagedNodeAsync(ctx, nodeId, cancellationToken).ConfigureAwait(false);
        if (node is null)
        {
            // A node outside the presser's subtree (a forged or old button) or one that is gone: nothing changes.
            return allowed ? Stale(ctx, step) : NotAllowed(ctx, step);
        }

        switch (button)
        {
            case InServiceButton.Node:
                var (html, markup) = await NodeViewAsync(ctx, node, cancellationToken).ConfigureAwait(false);
                ctx.Show(html, markup);
                return step;
            case InServiceButton.NewRegion:
                data.Clear();
                data["node"] = Num(node.Id);
                ctx.Show(ctx.T("is.ask.region_name", Html.Escape(node.Name)), CancelKeyboard(ctx));
                return InServiceStep.AwaitingRegionName;
        }

        var regionId = button switch
        {
            InServiceButton.OpenRegion r => r.RegionId,
            InServiceButton.RenameRegion r => r.RegionId,
            InServiceButton.InviteToRegion i => i.RegionId,
            _ => string.Empty,
        };
        if (await Workplace.RegionAsync(ctx.Reader, node.Id, regionId, cancellationToken).ConfigureAwait(false) is not { } region)
        {
            return Stale(ctx, step);
        }

        switch (button)
        {
            case InServiceButton.RenameRegion:
                data.Clear();
                data["node"] = Num(node.Id);
                data["region"] = region.Id;
                ctx.Show(ctx.T("is.ask.rename", Html.Escape(region.Name)), CancelKeyboard(ctx));
                return InServiceStep.AwaitingRegionName;
            case InServiceButton.InviteToRegion invite:
                var (uses, days) = invite.Convenor ? ConvenorInvite : MemberInvite;
                var code = NewCode();
                var created = new Invite(code, invite.Convenor ? Roles.Convenor : Roles.Member, uses, ctx.Now.AddDays(days))
                {
                    NodeId = node.Id,
                    RegionId = region.Id,
                    CreatedBy = ctx.Event.UserId,
                    CreatedAt = ctx.Now,
                };

                // Invitations are redeemed by people who live nowhere yet: they are kept where DocKeys.Invite points
                // (the directory's root shard unless it names another), and listed in the node's shard.
                ctx.Effects.Put(DocKeys.Invite(code).Bind(Shards.Root), created);
                ctx.Effects.AddToSet(Sets.Invites, code, node.Id);
                ctx.Show(
                    ctx.T(invite.Convenor ? "is.invite.convenor" : "is.invite.members", Html.Escape(region.Name), Html.Escape(node.Name), ctx.Bot.InviteLink(code), uses, days),
                    new InlineMarkup([[Button(ctx, "admin.button.back", new InServiceButton.OpenRegion(node.Id, region.Id))]]));
                return step;
            default:
                ctx.Show(await RegionTextAsync(ctx, node, region, cancellationToken).ConfigureAwait(false), RegionKeyboard(ctx, node, region));
                return step;
        }
    }

    private static async ValueTask<(string, InlineMarkup)> NodeViewAsync(FlowContext ctx, OrgNode node, CancellationToken cancellationToken)
    {
        var regions = await Workplace.RegionsAsync(ctx.Reader, node.Id, cancellationToken).ConfigureAwait(false);
        var rows = regions.Select(r => Button(r.Name, new InServiceButton.OpenRegion(node.Id, r.Id))).Rows(2);
        rows.Add([Button(ctx, "is.button.new_region", new InServiceButton.NewRegion(node.Id)), Button(ctx, "admin.button.back", new InServiceButton.Nodes(0))]);
        var html = regions.Count == 0 ? ctx.T("is.node.none", Html.Escape(node.Name)) : ctx.T("is.node.header", Html.Escape(node.Name), regions.Count);
        return (html, new InlineMarkup(rows));
    }

    private static async ValueTask<string> RegionTextAsync(FlowContext ctx, OrgNode node, Region region, CancellationToken cancellationToken)
    {
        // Convenors live in their home communities: their profiles are found through the directory.
        async ValueTask<string> NameOf(long? id)
        {
            if (id is not { } userId)
            {
                return ctx.T("admin.none");
            }

            var person = await ProfileAnywhereAsync(ctx, userId, cancellationToken).ConfigureAwait(false);
            return person is null ? ctx.T("admin.none") : Html.Escape(DisplayName(person)) + (person.Phone is { } phone ? " " + phone : string.Empty);
        }

        var members = (await ctx.Reader.MembersAsync(Sets.PeopleInRegion(region.Id), node.Id, cancellationToken).ConfigureAwait(false)).Count;
        return ctx.T("is.region.detail", Html.Escape(region.Name), Html.Escape(node.Name), await NameOf(region.ConvenorId).ConfigureAwait(false), await NameOf(region.BackupConvenorId).ConfigureAwait(false), members);
    }

    private static async ValueTask<UserProfile?> ProfileAnywhereAsync(FlowContext ctx, long userId, CancellationToken cancellationToken)
    {
        var home = await ctx.Reader.GetAsync<PersonHome>(DocKeys.Home(userId), cancellationToken).ConfigureAwait(false);
        return await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(userId) with { Shard = home?.Shard ?? Shards.Root }, cancellationToken).ConfigureAwait(false);
    }

    private static InlineMarkup RegionKeyboard(FlowContext ctx, OrgNode node, Region region) => new([
        [Button(ctx, "is.button.invite_convenor", new InServiceButton.InviteToRegion(node.Id, region.Id, true)), Button(ctx, "is.button.invite_members", new InServiceButton.InviteToRegion(node.Id, region.Id, false))],
        [Button(ctx, "admin.button.rename", new InServiceButton.RenameRegion(node.Id, region.Id)), Button(ctx, "admin.button.back", new InServiceButton.Node(node.Id))]]);

    private async ValueTask<InServiceStep> RegionNameAsync(FlowContext ctx, string text, InServiceStep step, Dictionary<string, string> data, CancellationToken cancellationToken)
    {
        if (text.Length is 0 or > MaxNameLength || text.Contains('\n', StringComparison.Ordinal))
        {
            ctx.Reply(ctx.T("is.hint.name", MaxNameLength), CancelKeyboard(ctx));
            return step;
        }

        // The node is checked again: the person may have lost it since they were asked.
        var nodeId = long.TryParse(data.GetValueOrDefault("node"), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;
        var (node, _) = await ManagedNodeAsync(ctx, nodeId, cancellationToken).ConfigureAwait(false);
        if (node is null)
        {
            ctx.Reply(ctx.T("is.not_allowed"));
            return InServiceStep.Idle;
        }

        var regions = await Workplace.RegionsAsync(ctx.Reader, node.Id, cancellationToken).ConfigureAwait(false);
        var renaming = data.GetValueOrDefault("region");
        if (regions.Any(r => r.Id != renaming && string.Equals(r.Name, text, StringComparison.OrdinalIgnoreCase)))
        {
            ctx.Reply(ctx.T("admin.hint.name_taken", Html.Escape(text)), CancelKeyboard(ctx));
            return step;
        }

        if (renaming is not null)
        {
            if (regions.FirstOrDefault(r => r.Id == renaming) is not { } region)
            {
                ctx.Reply(ctx.T("button.stale"));
                return InServiceStep.Idle;
            }

            ctx.Effects.Put(Workplace.RegionKey(node.Id, region.Id), region with { Name = text });
            ctx.Reply(ctx.T("admin.done.renamed", Html.Escape(region.Name), Html.Escape(text)), new InlineMarkup([[Button(ctx, "admin.button.open", new InServiceButton.OpenRegion(node.Id, region.Id))]]));
            return InServiceStep.Idle;
        }

        // Ids come from the node's own counter (w1, w2, …), so two administrators creating at once conflict and decide again.
        var countersKey = DocKeys.Counters with { Shard = node.Id };
        var counters = await ctx.Reader.GetAsync<CommunityCounters>(countersKey, cancellationToken).ConfigureAwait(false) ?? new CommunityCounters();
        var regionId = Workplace.IdPrefix + Num(counters.Regions + 1);
        ctx.Effects.Put(countersKey, counters with { Regions = counters.Regions + 1 });
        ctx.Effects.Put(Workplace.RegionKey(node.Id, regionId), new Region(regionId, text));
        ctx.Effects.AddToSet(Sets.Regions, regionId, node.Id);
        ctx.Reply(ctx.T("is.done.region", Html.Escape(text), Html.Escape(node.Name)), new InlineMarkup([[Button(ctx, "admin.button.open", new InServiceButton.OpenRegion(node.Id, regionId)), Button(ctx, "admin.button.back", new InServiceButton.Node(node.Id))]]));
        return InServiceStep.Idle;
    }

    // ----- The community: who reported in, and calls -----

    /// <summary>An administrator of the community the person lives in (appointed there, configured, or above it in the tree).</summary>
    private async ValueTask<bool> IsCommunityStaffAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        if (ctx.Has(Roles.Admin))
        {
            return true;
        }

        return ctx.Profile.AdminOf.Count > 0
            && await Workplace.NodeAsync(ctx.Reader, ctx.Shard, cancellationToken).ConfigureAwait(false) is { } home
            && Workplace.Administers(ctx, _options, home);
    }

    private async ValueTask<InServiceStep> CommunityPressAsync(FlowContext ctx, InServiceButton button, InServiceStep step, Dictionary<string, string> data, CancellationToken cancellationToken)
    {
        if (!await IsCommunityStaffAsync(ctx, cancellationToken).ConfigureAwait(false))
        {
            return NotAllowed(ctx, step);
        }

        switch (button)
        {
            case InServiceButton.Members list:
                var (html, markup) = await MembersPageAsync(ctx, Math.Max(0, list.Page), cancellationToken).ConfigureAwait(false);
                ctx.Show(html, markup);
                return step;
            case InServiceButton.StartCall:
                var rows = Enum.GetValues<Skill>().Select(s => Button(ctx.T("skill." + s), new InServiceButton.CallAudience(s))).Rows(3);
                rows.Insert(0, [Button(ctx, "is.call.everyone", new InServiceButton.CallAudience(null))]);
                rows.Add([Button(ctx, "reg.button.cancel", new InServiceButton.Cancel())]);
                ctx.Show(ctx.T("is.call.ask_audience"), new InlineMarkup(rows));
                return step;
            case InServiceButton.CallAudience audience:
                if (audience.Skill is { } skill && !Enum.IsDefined(skill))
                {
                    return Stale(ctx, step);
                }

                data.Clear();
                if (audience.Skill is { } chosen)
                {
                    data["skill"] = chosen.ToString();
                }

                ctx.Show(ctx.T("is.call.ask_text", AudienceName(ctx, ctx.Language, audience.Skill)), CancelKeyboard(ctx));
                return InServiceStep.AwaitingCallText;
            case InServiceButton.SendCall:
                return await SendCallAsync(ctx, step, data, cancellationToken).ConfigureAwait(false);
            case InServiceButton.CallPanel panel:
                if (await ctx.Reader.GetAsync<InServiceCall>(DocKeys.InServiceCall(panel.Number), cancellationToken).ConfigureAwait(false) is not { } call)
                {
                    return Stale(ctx, step);
                }

                var (coming, cant) = await CountsAsync(ctx, call.Number, null, cancellationToken).ConfigureAwait(false);
                ctx.Show(PanelText(ctx, ctx.Language, call, coming, cant), PanelKeyboard(ctx, ctx.Language, call.Number));
                return step;
            default:
                return Stale(ctx, step);
        }
    }

    private static async ValueTask<(string, InlineMarkup)> MembersPageAsync(FlowContext ctx, int page, CancellationToken cancellationToken)
    {
        var ids = (await ctx.Reader.MembersAsync(Sets.InServiceMembers, cancellationToken).ConfigureAwait(false))
            .Select(id => long.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : 0).Where(v => v != 0).Order().ToList();
        var profiles = (await ctx.Reader.GetManyAsync<UserProfile>(ids.Skip(page * PageSize).Take(PageSize).Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false)).OfType<UserProfile>().ToList();
        var sb = new StringBuilder(ctx.T("is.members.header", ids.Count)).Append('\n');
        foreach (var p in profiles)
        {
            var node = p.WorkNodeId is { } nodeId ? await Workplace.NodeAsync(ctx.Reader, nodeId, cancellationToken).ConfigureAwait(false) : null;
            var region = p is { WorkNodeId: { } n, RegionId: { } r } ? await Workplace.RegionAsync(ctx.Reader, n, r, cancellationToken).ConfigureAwait(false) : null;
            sb.Append(ctx.T("is.members.line", Html.Escape(DisplayName(p)), Html.Escape(p.WorkUnit ?? "—"), Html.Escape(region?.Name ?? "—"), Html.Escape(node?.Name ?? "—"), p.Phone ?? "—")).Append('\n');
        }

        if (ids.Count == 0)
        {
            sb.Append(ctx.T("is.members.none")).Append('\n');
        }

        var rows = new List<IReadOnlyList<InlineButton>>();
        if (ids.Count > PageSize)
        {
            rows.Add(Pager(ctx, p => new InServiceButton.Members(p), page, ids.Count));
        }

        if (ids.Count > 0)
        {
            rows.Add([Button(ctx, "is.button.call", new InServiceButton.StartCall())]);
        }

        return (sb.ToString(), new InlineMarkup(rows));
    }

    /// <summary>Who a call reaches: the community's reported-in members (with the skill), less the sender and those away.</summary>
    private static async ValueTask<IReadOnlyList<UserProfile>> RecipientsAsync(FlowContext ctx, Skill? skill, CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(await ctx.Reader.MembersAsync(Sets.InServiceMembers, cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        if (skill is { } s)
        {
            ids.IntersectWith(await ctx.Reader.MembersAsync(Sets.PeopleWithSkill(s), cancellationToken).ConfigureAwait(false));
        }

        var keys = ids.Select(id => long.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : 0)
            .Where(v => v != 0 && v != ctx.Event.UserId).Order().Select(DocKeys.User).ToList();
        var today = DateOnly.FromDateTime(ctx.Now.UtcDateTime);
        return (await ctx.Reader.GetManyAsync<UserProfile>(keys, cancellationToken).ConfigureAwait(false))
            .OfType<UserProfile>().Where(p => p.RegisteredAt is not null && (p.AwayUntil is null || p.AwayUntil < today)).ToList();
    }

    private static Skill? SkillOf(Dictionary<string, string> data) =>
        Enum.TryParse<Skill>(data.GetValueOrDefault("skill"), out var skill) && Enum.IsDefined(skill) ? skill : null;

    private async ValueTask<InServiceStep> CallTextAsync(FlowContext ctx, string text, InServiceStep step, Dictionary<string, string> data, CancellationToken cancellationToken)
    {
        if (text.Length is 0 or > MaxCallLength)
        {
            ctx.Reply(ctx.T("is.hint.call_text", MaxCallLength), CancelKeyboard(ctx));
            return step;
        }

        if (!await IsCommunityStaffAsync(ctx, cancellationToken).ConfigureAwait(false))
        {
            ctx.Reply(ctx.T("is.not_allowed"));
            return InServiceStep.Idle;
        }

        data["text"] = text;
        var recipients = await RecipientsAsync(ctx, SkillOf(data), cancellationToken).ConfigureAwait(false);
        ctx.Reply(
            ctx.T("is.call.preview", Html.Escape(text), AudienceName(ctx, ctx.Language, SkillOf(data)), recipients.Count),
            new InlineMarkup([[Button(ctx, "is.button.send", new InServiceButton.SendCall()), Button(ctx, "reg.button.cancel", new InServiceButton.Cancel())]]));
        return InServiceStep.ConfirmingCall;
    }

    private static async ValueTask<InServiceStep> SendCallAsync(FlowContext ctx, InServiceStep step, Dictionary<string, string> data, CancellationToken cancellationToken)
    {
        if (step != InServiceStep.ConfirmingCall || data.GetValueOrDefault("text") is not { } text)
        {
            return Stale(ctx, step);
        }

        var skill = SkillOf(data);
        var recipients = await RecipientsAsync(ctx, skill, cancellationToken).ConfigureAwait(false);
        if (recipients.Count == 0)
        {
            ctx.Show(ctx.T("is.call.nobody"), null);
            return InServiceStep.Idle;
        }

        var counter = await ctx.Reader.GetAsync<InServiceCallCounter>(DocKeys.InServiceCallCounter, cancellationToken).ConfigureAwait(false) ?? new InServiceCallCounter(0);
        var number = counter.Last + 1;
        var call = new InServiceCall(number, text, ctx.Event.UserId, ctx.Now) { Skill = skill, Called = recipients.Count, PanelChatId = ctx.ChatId };
        ctx.Effects.Put(DocKeys.InServiceCallCounter, new InServiceCallCounter(number));
        ctx.Effects.Put(DocKeys.InServiceCall(number), call);
        var community = await Workplace.NodeAsync(ctx.Reader, ctx.Shard, cancellationToken).ConfigureAwait(false);
        foreach (var member in recipients)
        {
            ctx.Effects.AddToSet(Sets.InServiceCalled(number), Sets.Member(member.Id));
            ctx.Effects.Send(member.ChatId, MemberCallText(ctx, member.Language, call, community, null), AnswerKeyboard(ctx, member.Language, number), Lane.Normal);
        }

        ctx.AnswerButton();
        if (ctx.Event is ButtonPressed { MessageId: { } pressed })
        {
            ctx.Effects.EditMarkup(ctx.ChatId, pressed, null);
        }

        ctx.Effects.Send(ctx.ChatId, PanelText(ctx, ctx.Language, call, 0, 0), PanelKeyboard(ctx, ctx.Language, number), Lane.Reply, PanelTag(ctx.Shard, number));
        return InServiceStep.Idle;
    }

    /// <summary>The call's answers now, with the presser's own change (not committed yet) applied.</summary>
    private static async ValueTask<(int Coming, int Cant)> CountsAsync(FlowContext ctx, int number, (long UserId, bool Coming)? change, CancellationToken cancellationToken)
    {
        var coming = new HashSet<string>(await ctx.Reader.MembersAsync(Sets.InServiceAnswers(number, true), cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        var cant = new HashSet<string>(await ctx.Reader.MembersAsync(Sets.InServiceAnswers(number, false), cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        if (change is { } c)
        {
            var member = Sets.Member(c.UserId);
            (c.Coming ? cant : coming).Remove(member);
            (c.Coming ? coming : cant).Add(member);
        }

        return (coming.Count, cant.Count);
    }

    private static async ValueTask<InServiceStep> AnswerAsync(FlowContext ctx, InServiceButton.Answer answer, InServiceStep step, CancellationToken cancellationToken)
    {
        if (await ctx.Reader.GetAsync<InServiceCall>(DocKeys.InServiceCall(answer.Number), cancellationToken).ConfigureAwait(false) is not { } call)
        {
            return Stale(ctx, step);
        }

        var member = Sets.Member(ctx.Event.UserId);
        if (!(await ctx.Reader.MembersAsync(Sets.InServiceCalled(call.Number), cancellationToken).ConfigureAwait(false)).Contains(member))
        {
            return NotAllowed(ctx, step);
        }

        var key = DocKeys.InServiceAnswer(call.Number, ctx.Event.UserId);
        var before = await ctx.Reader.GetAsync<InServiceAnswer>(key, cancellationToken).ConfigureAwait(false);
        if (before?.Coming == answer.Coming)
        {
            // A second press of the same answer: recorded once.
            ctx.AnswerButton(ctx.T("is.answer.already"));
            return step;
        }

        ctx.Effects.Put(key, new InServiceAnswer(call.Number, ctx.Event.UserId, answer.Coming, ctx.Now));
        ctx.Effects.RemoveFromSet(Sets.InServiceAnswers(call.Number, !answer.Coming), member);
        ctx.Effects.AddToSet(Sets.InServiceAnswers(call.Number, answer.Coming), member);
        var community = await Workplace.NodeAsync(ctx.Reader, ctx.Shard, cancellationToken).ConfigureAwait(false);
        ctx.Show(MemberCallText(ctx, ctx.Language, call, community, answer.Coming), AnswerKeyboard(ctx, ctx.Language, call.Number));

        // The sender's live count, edited in place (the sender coalesces a burst of edits; "refresh" re-counts).
        var (coming, cant) = await CountsAsync(ctx, call.Number, (ctx.Event.UserId, answer.Coming), cancellationToken).ConfigureAwait(false);
        var staff = await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(call.CreatedBy), cancellationToken).ConfigureAwait(false);
        var language = staff?.Language ?? Language.Zh;
        ctx.Effects.Publish(new OutboxMessage(Lane.Normal, call.PanelChatId, new EditText(0, PanelText(ctx, language, call, coming, cant), PanelKeyboard(ctx, language, call.Number)) { TargetTag = PanelTag(ctx.Shard, call.Number) }));
        return step;
    }

    private static string MemberCallText(FlowContext ctx, Language language, InServiceCall call, OrgNode? community, bool? answered)
    {
        var text = ctx.Texts.Format(language, "is.call.member", Html.Escape(community?.Name ?? "—"), Html.Escape(call.Text));
        return answered switch
        {
            true => text + "\n\n" + ctx.Texts.Get(language, "is.answer.coming_done"),
            false => text + "\n\n" + ctx.Texts.Get(language, "is.answer.cant_done"),
            null => text,
        };
    }

    private static InlineMarkup AnswerKeyboard(FlowContext ctx, Language language, int number) => new([[
        new InlineButton(ctx.Texts.Get(language, "is.answer.coming"), InServiceButton.Codec.Encode(new InServiceButton.Answer(number, true))),
        new InlineButton(ctx.Texts.Get(language, "is.answer.cant"), InServiceButton.Codec.Encode(new InServiceButton.Answer(number, false)))]]);

    private static string PanelText(FlowContext ctx, Language language, InServiceCall call, int coming, int cant) =>
        ctx.Texts.Format(language, "is.call.panel", Num(call.Number), Html.Escape(call.Text), AudienceName(ctx, language, call.Skill), call.Called, coming, cant, Math.Max(0, call.Called - coming - cant));

    private static InlineMarkup PanelKeyboard(FlowContext ctx, Language language, int number) =>
        new([[new InlineButton(ctx.Texts.Get(language, "is.button.refresh"), InServiceButton.Codec.Encode(new InServiceButton.CallPanel(number)))]]);

    private static string AudienceName(FlowContext ctx, Language language, Skill? skill) =>
        skill is { } s ? ctx.Texts.Format(language, "is.call.with_skill", ctx.Texts.Get(language, "skill." + s)) : ctx.Texts.Get(language, "is.call.all");

    // ----- Reporting in to a community (双报到) -----

    private static async ValueTask<InServiceStep> ReportInAsync(FlowContext ctx, InServiceButton button, InServiceStep step, CancellationToken cancellationToken)
    {
        if (ctx.Profile is not { WorkNodeId: not null, RegisteredAt: not null } || !ctx.Profile.Roles.HasFlag(Roles.Member))
        {
            return NotAllowed(ctx, step);
        }

        if (!await Workplace.MayReportInAsync(ctx, cancellationToken).ConfigureAwait(false))
        {
            // Reported in already (a second press of "confirm" lands here), or staff who stay where they serve.
            var home = await Workplace.HomeCommunityAsync(ctx, cancellationToken).ConfigureAwait(false);
            ctx.AnswerButton(home is null ? ctx.T("is.report.staff_stay") : ctx.T("is.report.already", home.Name), alert: true);
            return step;
        }

        switch (button)
        {
            case InServiceButton.ReportIn report:
                var streets = await Workplace.NodesAtAsync(ctx.Reader, OrgLevel.Street, cancellationToken).ConfigureAwait(false);
                var page = Math.Clamp(report.Page, 0, Math.Max(0, (streets.Count - 1) / PageSize));
                var rows = streets.Skip(page * PageSize).Take(PageSize).Select(s => Button(s.Name, new InServiceButton.Street(s.Id))).Rows(2);
                if (streets.Count > PageSize)
                {
                    rows.Add(Pager(ctx, p => new InServiceButton.ReportIn(p), page, streets.Count));
                }

                ctx.Show(ctx.T(streets.Count == 0 ? "is.report.no_streets" : "is.report.ask_street"), new InlineMarkup(rows));
                return step;
            case InServiceButton.Street street:
                if (await Workplace.NodeAsync(ctx.Reader, street.StreetId, cancellationToken).ConfigureAwait(false) is not { Level: OrgLevel.Street, RemovedAt: null } streetNode)
                {
                    return Stale(ctx, step);
                }

                var communities = (await ctx.Reader.GetManyAsync<OrgNode>(streetNode.Children.Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false))
                    .OfType<OrgNode>().Where(n => n is { Level: OrgLevel.Community, RemovedAt: null }).ToList();
                var communityRows = communities.Select(c => Button(c.Name, new InServiceButton.PickCommunity(c.Id))).Rows(2);
                communityRows.Add([Button(ctx, "admin.button.back", new InServiceButton.ReportIn(0))]);
                ctx.Show(ctx.T(communities.Count == 0 ? "is.report.no_communities" : "is.report.ask_community", Html.Escape(streetNode.Name)), new InlineMarkup(communityRows));
                return step;
            case InServiceButton.PickCommunity chosen:
                if (await CommunityAsync(ctx, chosen.CommunityId, cancellationToken).ConfigureAwait(false) is not { } community)
                {
                    return Stale(ctx, step);
                }

                ctx.Show(ctx.T("is.report.confirm", Html.Escape(community.Name)), new InlineMarkup([
                    [Button(ctx, "is.button.confirm_report", new InServiceButton.ConfirmReport(community.Id))],
                    [Button(ctx, "admin.button.back", new InServiceButton.Street(community.ParentId ?? 0))]]));
                return step;
            case InServiceButton.ConfirmReport confirm:
                if (await CommunityAsync(ctx, confirm.CommunityId, cancellationToken).ConfigureAwait(false) is not { } target)
                {
                    return Stale(ctx, step);
                }

                // The person moves to the community's shard (the processor writes them there, then the directory's pointer).
                // Grids and buildings are the community's own: chosen again there in /me.
                ctx.MovesTo = target.Id;
                ctx.Profile = ctx.Profile with { GridId = null, BuildingId = null, Fixed = ctx.Profile.Fixed & ~ProfileFields.Grid };
                ctx.Show(ctx.T("is.report.done", Html.Escape(target.Name)), null);
                return InServiceStep.Idle;
            default:
                return Stale(ctx, step);
        }
    }

    private static async ValueTask<OrgNode?> CommunityAsync(FlowContext ctx, long id, CancellationToken cancellationToken) =>
        await Workplace.NodeAsync(ctx.Reader, id, cancellationToken).ConfigureAwait(false) is { Level: OrgLevel.Community, RemovedAt: null } node ? node : null;

    // ----- Helpers -----

    private static List<InlineButton> Pager(FlowContext ctx, Func<int, InServiceButton> pageButton, int page, int total)
    {
        var row = new List<InlineButton>();
        if (page > 0)
        {
            row.Add(Button("◀️", pageButton(page - 1)));
        }

        var pages = Math.Max(1, (total + PageSize - 1) / PageSize);
        row.Add(Button(ctx.T("admin.page", page + 1, pages), pageButton(page)));
        if ((page + 1) * PageSize < total)
        {
            row.Add(Button("▶️", pageButton(page + 1)));
        }

        return row;
    }

    private static InlineMarkup CancelKeyboard(FlowContext ctx) => new([[Button(ctx, "reg.button.cancel", new InServiceButton.Cancel())]]);

    private static InlineButton Button(FlowContext ctx, string textKey, InServiceButton button) => new(ctx.T(textKey), InServiceButton.Codec.Encode(button));

    private static InlineButton Button(string label, InServiceButton button) => new(label, InServiceButton.Codec.Encode(button));

    private static string DisplayName(UserProfile p) => string.IsNullOrEmpty(p.LastName) ? p.FirstName : p.FirstName + " " + p.LastName;

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>A short random invitation code (10 characters), as the administrators' panel draws them.</summary>
    private static string NewCode()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        Span<byte> bytes = stackalloc byte[10];
        RandomNumberGenerator.Fill(bytes);
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = alphabet[bytes[i] % alphabet.Length];
        }

        return new string(chars);
    }
}
