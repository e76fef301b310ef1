using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Directory.Roster;
using MusterBot.Flows.Engine;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;

namespace MusterBot.Flows.Admin;

/// <summary>
/// The administrators' panel (/admin): grids and buildings, regions and their convenors, invitations, people lists and
/// roster import. Every press re-checks that the presser is an administrator; callback data carries only short ids that
/// are looked up again. Typed input (names, the roster file) is asked for in a step that /cancel leaves.
/// </summary>
public sealed class AdminFlow : IFlow
{
    public const string FlowName = "admin";
    private const string P = "a:";
    private const int PageSize = 10;
    private const int MaxNameLength = 30;
    private static readonly TimeSpan PendingImportLifetime = TimeSpan.FromHours(1);

    public string Name => FlowName;

    public IReadOnlyCollection<string> Commands { get; } = ["admin"];

    public bool OwnsButton(string data) => data.StartsWith(P, StringComparison.Ordinal);

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var inFlow = ctx.Conversation.Flow == FlowName && Enum.TryParse<AdminStep>(ctx.Conversation.Step, out _);
        var data = inFlow ? new Dictionary<string, string>(ctx.Conversation.Data) : [];
        var step = inFlow ? Enum.Parse<AdminStep>(ctx.Conversation.Step) : AdminStep.Idle;
        AdminStep target = AdminStep.Idle;

        var machine = new StateMachine<AdminStep, AdminTrigger>(() => step, s => step = s);
        Configure(machine, () => target);
        machine.OnUnhandledTrigger((_, _) =>
        {
            ctx.AnswerButton(ctx.T("button.stale"));
        });

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var (trigger, next) = await DecideAsync(ctx, step, data, directory, cancellationToken).ConfigureAwait(false);
        target = next ?? AdminStep.Idle;
        machine.Fire(trigger);

        ctx.Conversation = step == AdminStep.Idle
            ? (ctx.Conversation.Flow == FlowName ? MainFlow.Idle(ctx.Now) : ctx.Conversation)
            : new ConversationState(FlowName, step.ToString()) { Data = data, UpdatedAt = ctx.Now };
    }

    public string ToMermaid()
    {
        var step = AdminStep.Idle;
        var machine = new StateMachine<AdminStep, AdminTrigger>(() => step, s => step = s);
        Configure(machine, () => AdminStep.Idle);
        return machine.ToMermaidGraph(AdminStep.Idle);
    }

    private static readonly AdminStep[] InputSteps =
    [
        AdminStep.AwaitingGridName, AdminStep.AwaitingBuildingName, AdminStep.AwaitingRegionName, AdminStep.AwaitingRename,
        AdminStep.InviteRole, AdminStep.AwaitingRosterFile,
    ];

    private static void Configure(StateMachine<AdminStep, AdminTrigger> machine, Func<AdminStep> target)
    {
        machine.Configure(AdminStep.Panel)
            .InternalTransition(AdminTrigger.Navigated, _ => { })
            .InternalTransition(AdminTrigger.NotAllowed, _ => { })
            .InternalTransition(AdminTrigger.InputRejected, _ => { })
            .PermitDynamic(AdminTrigger.InputRequested, target, InputSteps);
        machine.Configure(AdminStep.Idle).SubstateOf(AdminStep.Panel).InternalTransition(AdminTrigger.Cancelled, _ => { });
        foreach (var step in new[] { AdminStep.AwaitingGridName, AdminStep.AwaitingBuildingName, AdminStep.AwaitingRegionName, AdminStep.AwaitingRename, AdminStep.AwaitingRosterFile })
        {
            machine.Configure(step).SubstateOf(AdminStep.Panel).Permit(AdminTrigger.InputAccepted, AdminStep.Idle).Permit(AdminTrigger.Cancelled, AdminStep.Idle);
        }

        machine.Configure(AdminStep.InviteRole).SubstateOf(AdminStep.Panel).PermitDynamic(AdminTrigger.InputAccepted, target, AdminStep.InviteScope, AdminStep.InviteUses).Permit(AdminTrigger.Cancelled, AdminStep.Idle);
        machine.Configure(AdminStep.InviteScope).SubstateOf(AdminStep.Panel).Permit(AdminTrigger.InputAccepted, AdminStep.InviteUses).Permit(AdminTrigger.Cancelled, AdminStep.Idle);
        machine.Configure(AdminStep.InviteUses).SubstateOf(AdminStep.Panel).Permit(AdminTrigger.InputAccepted, AdminStep.InviteExpiry).Permit(AdminTrigger.Cancelled, AdminStep.Idle);
        machine.Configure(AdminStep.InviteExpiry).SubstateOf(AdminStep.Panel).Permit(AdminTrigger.InputAccepted, AdminStep.Idle).Permit(AdminTrigger.Cancelled, AdminStep.Idle);
    }

    private static async ValueTask<(AdminTrigger Trigger, AdminStep? Next)> DecideAsync(
        FlowContext ctx, AdminStep step, Dictionary<string, string> data, DirectorySnapshot directory, CancellationToken cancellationToken)
    {
        if (!ctx.Has(Roles.Admin))
        {
            var refusal = ctx.T("not_allowed", ctx.T("role.admin"));
            if (ctx.Event is ButtonPressed)
            {
                ctx.AnswerButton(refusal, alert: true);
            }
            else
            {
                ctx.Reply(refusal, CommandCatalog.Menu(ctx.Roles, ctx.Language, ctx.Texts, ctx.Emergency));
            }

            return (AdminTrigger.NotAllowed, null);
        }

        switch (ctx.Event)
        {
            case CommandReceived:
                ctx.Reply(ctx.T("admin.menu"), MenuKeyboard(ctx));
                return (step == AdminStep.Idle ? AdminTrigger.Navigated : AdminTrigger.Cancelled, AdminStep.Idle);
            case ButtonPressed press when !press.Data.StartsWith(P, StringComparison.Ordinal):
                // A button of another flow while an administrator types input: it belongs to an earlier message.
                ctx.AnswerButton(ctx.T("button.stale"));
                return (AdminTrigger.InputRejected, null);
            case ButtonPressed press:
                return await PressAsync(ctx, press, step, data, directory, cancellationToken).ConfigureAwait(false);
            case TextReceived text:
                return await TextAsync(ctx, text.Text.Trim(), step, data, directory, cancellationToken).ConfigureAwait(false);
            case DocumentReceived document when step == AdminStep.AwaitingRosterFile:
                await RosterFileAsync(ctx, document, directory).ConfigureAwait(false);
                return (AdminTrigger.InputAccepted, AdminStep.Idle);
            default:
                ctx.Reply(ctx.T(step == AdminStep.AwaitingRosterFile ? "admin.roster.ask" : "admin.hint.text"));
                return (AdminTrigger.InputRejected, null);
        }
    }

    private static async ValueTask<(AdminTrigger, AdminStep?)> PressAsync(
        FlowContext ctx, ButtonPressed press, AdminStep step, Dictionary<string, string> data, DirectorySnapshot directory, CancellationToken cancellationToken)
    {
        var parts = press.Data[P.Length..].Split(':');
        var action = parts[0];
        string Arg(int i) => parts.Length > i ? parts[i] : string.Empty;
        var messageId = press.MessageId;

        void Show(string html, InlineMarkup markup) => ctx.Show(html, markup);

        (AdminTrigger, AdminStep?) Stale()
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return (AdminTrigger.Navigated, null);
        }

        switch (action)
        {
            case "menu":
                Show(ctx.T("admin.menu"), MenuKeyboard(ctx));
                return (AdminTrigger.Navigated, null);
            case "cancel":
                Show(ctx.T("cancel.done"), MenuKeyboard(ctx));
                return (AdminTrigger.Cancelled, AdminStep.Idle);
            case "grids":
                Show(GridsText(ctx, directory), GridsKeyboard(ctx, directory));
                return (AdminTrigger.Navigated, null);
            case "g" when directory.Grid(Arg(1)) is { } grid:
                var gridRows = grid.Buildings.Select(b => new InlineButton("✏️ " + b.Name, $"{P}bren:{grid.Id}:{b.Id}")).Rows(3);
                gridRows.Add([Button(ctx, "admin.button.rename", "gren:" + grid.Id), Button(ctx, "admin.button.add_building", "bnew:" + grid.Id)]);
                gridRows.Add([Button(ctx, "admin.button.back", "grids")]);
                Show(GridText(ctx, grid), new InlineMarkup(gridRows));
                return (AdminTrigger.Navigated, null);
            case "bren" when directory.Grid(Arg(1)) is { } grid && grid.Buildings.FirstOrDefault(b => b.Id == Arg(2)) is { } building:
                data["kind"] = "building";
                data["grid"] = grid.Id;
                data["id"] = building.Id;
                Show(ctx.T("admin.ask.rename", Html.Escape(building.Name)), CancelKeyboard(ctx));
                return (AdminTrigger.InputRequested, AdminStep.AwaitingRename);
            case "who" when long.TryParse(Arg(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whoId)
                && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(whoId), cancellationToken).ConfigureAwait(false) is { } who:
                Show(PersonText(ctx, who, directory), PersonKeyboard(ctx, who));
                return (AdminTrigger.Navigated, null);
            case "mkadm" or "rmadm" when long.TryParse(Arg(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var targetId)
                && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(targetId), cancellationToken).ConfigureAwait(false) is { RegisteredAt: not null } target:
                if (action == "rmadm" && targetId == ctx.Event.UserId)
                {
                    ctx.AnswerButton(ctx.T("admin.admin.not_self"), alert: true);
                    return (AdminTrigger.Navigated, null);
                }

                var changed = action == "mkadm" ? target with { Roles = target.Roles | Roles.Admin } : target with { Roles = target.Roles & ~Roles.Admin };
                ctx.Effects.PutProfile(target, changed);
                if (action == "mkadm")
                {
                    ctx.Effects.Send(target.ChatId, ctx.Texts.Format(target.Language, "admin.notice.admin"), lane: Lane.Normal);
                }

                // The person's command menu follows the role (setMyCommands for their chat).
                ctx.Effects.Publish(new OutboxMessage(Lane.Normal, target.ChatId, new SetChatCommands(action == "mkadm")));

                Show(PersonText(ctx, changed, directory), PersonKeyboard(ctx, changed));
                return (AdminTrigger.Navigated, null);
            case "gnew":
                Show(ctx.T("admin.ask.grid_name"), CancelKeyboard(ctx));
                return (AdminTrigger.InputRequested, AdminStep.AwaitingGridName);
            case "bnew" when directory.Grid(Arg(1)) is { } grid:
                data["grid"] = grid.Id;
                Show(ctx.T("admin.ask.building_name", Html.Escape(grid.Name)), CancelKeyboard(ctx));
                return (AdminTrigger.InputRequested, AdminStep.AwaitingBuildingName);
            case "gren" when directory.Grid(Arg(1)) is { } grid:
                data["kind"] = "grid";
                data["id"] = grid.Id;
                Show(ctx.T("admin.ask.rename", Html.Escape(grid.Name)), CancelKeyboard(ctx));
                return (AdminTrigger.InputRequested, AdminStep.AwaitingRename);
            case "regions":
                Show(RegionsText(ctx, directory), RegionsKeyboard(ctx, directory));
                return (AdminTrigger.Navigated, null);
            case "r" when directory.Region(Arg(1)) is { } region:
                Show(await RegionTextAsync(ctx, region, cancellationToken).ConfigureAwait(false), RegionKeyboard(ctx, region));
                return (AdminTrigger.Navigated, null);
            case "rnew":
                Show(ctx.T("admin.ask.region_name"), CancelKeyboard(ctx));
                return (AdminTrigger.InputRequested, AdminStep.AwaitingRegionName);
            case "rren" when directory.Region(Arg(1)) is { } region:
                data["kind"] = "region";
                data["id"] = region.Id;
                Show(ctx.T("admin.ask.rename", Html.Escape(region.Name)), CancelKeyboard(ctx));
                return (AdminTrigger.InputRequested, AdminStep.AwaitingRename);
            case "conv" when directory.Region(Arg(2)) is { } region && Arg(1) is "c" or "b":
                var page = int.TryParse(Arg(3), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
                var (pickText, pickKeyboard) = await PickMemberAsync(ctx, Arg(1), region, page, cancellationToken).ConfigureAwait(false);
                Show(pickText, pickKeyboard);
                return (AdminTrigger.Navigated, null);
            case "pick" when directory.Region(Arg(2)) is { } region && Arg(1) is "c" or "b" && long.TryParse(Arg(3), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var userId):
                var person = await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(userId), cancellationToken).ConfigureAwait(false);
                if (person is null || !person.Roles.HasFlag(Roles.Member))
                {
                    return Stale();
                }

                var updated = Arg(1) == "c" ? region with { ConvenorId = userId } : region with { BackupConvenorId = userId };
                if (updated.ConvenorId == updated.BackupConvenorId)
                {
                    updated = Arg(1) == "c" ? updated with { BackupConvenorId = null } : updated with { ConvenorId = null };
                }

                await SaveRegionAsync(ctx, directory, region, updated, cancellationToken).ConfigureAwait(false);
                ctx.Effects.Send(person.ChatId, ctx.Texts.Format(person.Language, Arg(1) == "c" ? "admin.notice.convenor" : "admin.notice.backup", Html.Escape(region.Name)), lane: Lane.Normal);
                Show(await RegionTextAsync(ctx, updated, cancellationToken).ConfigureAwait(false), RegionKeyboard(ctx, updated));
                return (AdminTrigger.Navigated, null);
            case "unconv" when directory.Region(Arg(2)) is { } region && Arg(1) is "c" or "b":
                var cleared = Arg(1) == "c" ? region with { ConvenorId = null } : region with { BackupConvenorId = null };
                await SaveRegionAsync(ctx, directory, region, cleared, cancellationToken).ConfigureAwait(false);
                Show(await RegionTextAsync(ctx, cleared, cancellationToken).ConfigureAwait(false), RegionKeyboard(ctx, cleared));
                return (AdminTrigger.Navigated, null);
            case "invites":
                var (invitesText, invitesKeyboard) = await InvitesAsync(ctx, directory, cancellationToken).ConfigureAwait(false);
                Show(invitesText, invitesKeyboard);
                return (AdminTrigger.Navigated, null);
            case "ix":
                if (await ctx.Reader.GetAsync<Invite>(DocKeys.Invite(Arg(1)), cancellationToken).ConfigureAwait(false) is not { } revoked)
                {
                    return Stale();
                }

                ctx.Effects.Put(DocKeys.Invite(revoked.Code), revoked with { Revoked = true });
                ctx.Effects.RemoveFromSet(Sets.Invites, revoked.Code);
                Show(ctx.T("admin.invite.revoked", revoked.Code), new InlineMarkup([[Button(ctx, "admin.button.back", "invites")]]));
                return (AdminTrigger.Navigated, null);
            case "inew":
                data.Clear();
                Show(ctx.T("admin.ask.invite_role"), new InlineMarkup([
                    [Choice(ctx.T("role.member"), "member"), Choice(ctx.T("role.convenor"), "convenor")],
                    [Choice(ctx.T("role.handler"), "handler"), Choice(ctx.T("role.resident"), "resident")],
                    [Button(ctx, "reg.button.cancel", "cancel")]]));
                return (AdminTrigger.InputRequested, AdminStep.InviteRole);
            case "iv":
                return InviteWizard(ctx, step, data, directory, Arg(1), Show);
            case "people":
                Show(ctx.T("admin.people.filter"), new InlineMarkup([
                    [Button(ctx, "admin.people.by_grid", "pf:grid"), Button(ctx, "admin.people.by_region", "pf:region")],
                    [Button(ctx, "admin.people.by_skill", "pf:skill"), Button(ctx, "admin.people.by_role", "pf:role")],
                    [Button(ctx, "admin.button.back", "menu")]]));
                return (AdminTrigger.Navigated, null);
            case "pf":
                var values = FilterValues(ctx, Arg(1), directory);
                if (values is null)
                {
                    return Stale();
                }

                var rows = values.Select(v => new InlineButton(v.Label, P + "pl:" + Arg(1) + ":" + v.Value + ":0")).Rows(2);
                rows.Add([Button(ctx, "admin.button.back", "people")]);
                Show(ctx.T("admin.people.choose"), new InlineMarkup(rows));
                return (AdminTrigger.Navigated, null);
            case "pl":
                var set = FilterSet(Arg(1), Arg(2), directory);
                if (set is null)
                {
                    return Stale();
                }

                var listPage = int.TryParse(Arg(3), NumberStyles.None, CultureInfo.InvariantCulture, out var lp) ? lp : 0;
                var (listText, listKeyboard) = await PeoplePageAsync(ctx, set, $"pl:{Arg(1)}:{Arg(2)}", listPage, directory, cancellationToken).ConfigureAwait(false);
                Show(listText, listKeyboard);
                return (AdminTrigger.Navigated, null);
            case "roster":
                Show(ctx.T("admin.roster.ask"), CancelKeyboard(ctx));
                return (AdminTrigger.InputRequested, AdminStep.AwaitingRosterFile);
            case "rimp":
                await ImportRosterAsync(ctx, messageId, cancellationToken).ConfigureAwait(false);
                return (AdminTrigger.Navigated, null);
            case "rdrop":
                ctx.Effects.Delete(DocKeys.RosterImport(ctx.Event.UserId));
                Show(ctx.T("admin.roster.dropped"), MenuKeyboard(ctx));
                return (AdminTrigger.Navigated, null);
            default:
                return Stale();
        }
    }

    private static (AdminTrigger, AdminStep?) InviteWizard(FlowContext ctx, AdminStep step, Dictionary<string, string> data, DirectorySnapshot directory, string value, Action<string, InlineMarkup> show)
    {
        (AdminTrigger, AdminStep?) Stale()
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return (AdminTrigger.InputRejected, null);
        }

        var uses = new InlineMarkup([
            [Choice("1", "1"), Choice("10", "10"), Choice("50", "50"), Choice("500", "500")],
            [Button(ctx, "reg.button.cancel", "cancel")]]);
        switch (step)
        {
            case AdminStep.InviteRole when value is "member" or "convenor" or "handler" or "resident":
                data["role"] = value;
                var byRegion = value is "convenor" or "member";
                if (byRegion ? directory.Regions.Count == 0 && value == "convenor" : directory.Grids.Count == 0)
                {
                    show(ctx.T(byRegion ? "admin.invite.need_region" : "admin.invite.need_grid"), MenuKeyboard(ctx));
                    return (AdminTrigger.Cancelled, AdminStep.Idle);
                }

                // Members may be bound to a region (or none), convenors must be; grid workers to a grid, residents optionally.
                var scopes = byRegion
                    ? directory.Regions.Select(r => Choice(r.Name, "rg-" + r.Id)).Rows(2)
                    : directory.Grids.Select(g => Choice(g.Name, "g-" + g.Id)).Rows(2);
                if (value is "member" or "resident")
                {
                    scopes.Add([Choice(ctx.T(byRegion ? "admin.invite.any_region" : "admin.invite.any_grid"), "none")]);
                }

                scopes.Add([Button(ctx, "reg.button.cancel", "cancel")]);
                show(ctx.T(byRegion ? "admin.ask.invite_region" : "admin.ask.invite_grid"), new InlineMarkup(scopes));
                return (AdminTrigger.InputAccepted, AdminStep.InviteScope);
            case AdminStep.InviteScope:
                var role = data.GetValueOrDefault("role");
                if (value == "none" && role is "member" or "resident")
                {
                    show(ctx.T("admin.ask.invite_uses"), uses);
                    return (AdminTrigger.InputAccepted, AdminStep.InviteUses);
                }

                if (value.StartsWith("rg-", StringComparison.Ordinal) && role is "member" or "convenor" && directory.Region(value[3..]) is { } region)
                {
                    data["region"] = region.Id;
                }
                else if (value.StartsWith("g-", StringComparison.Ordinal) && role is "handler" or "resident" && directory.Grid(value[2..]) is { } grid)
                {
                    data["grid"] = grid.Id;
                }
                else
                {
                    return Stale();
                }

                show(ctx.T("admin.ask.invite_uses"), uses);
                return (AdminTrigger.InputAccepted, AdminStep.InviteUses);
            case AdminStep.InviteUses when value is "1" or "10" or "50" or "500":
                data["uses"] = value;
                show(ctx.T("admin.ask.invite_expiry"), new InlineMarkup([
                    [Choice(ctx.T("admin.invite.days", 1), "d1"), Choice(ctx.T("admin.invite.days", 7), "d7"), Choice(ctx.T("admin.invite.days", 30), "d30")],
                    [Button(ctx, "reg.button.cancel", "cancel")]]));
                return (AdminTrigger.InputAccepted, AdminStep.InviteExpiry);
            case AdminStep.InviteExpiry when value is "d1" or "d7" or "d30":
                var code = NewCode();
                var invite = new Invite(
                    code,
                    data["role"] switch { "convenor" => Roles.Convenor, "handler" => Roles.Handler, "resident" => Roles.Resident, _ => Roles.Member },
                    int.Parse(data["uses"], CultureInfo.InvariantCulture),
                    ctx.Now.AddDays(int.Parse(value[1..], CultureInfo.InvariantCulture)))
                {
                    GridId = data.GetValueOrDefault("grid"),
                    RegionId = data.GetValueOrDefault("region"),
                    CreatedBy = ctx.Event.UserId,
                    CreatedAt = ctx.Now,
                };
                ctx.Effects.Put(DocKeys.Invite(code), invite);
                ctx.Effects.AddToSet(Sets.Invites, code);
                show(ctx.T("admin.invite.created", InviteLine(ctx, invite, directory), ctx.Bot.InviteLink(code)), new InlineMarkup([[Button(ctx, "admin.button.back", "invites")]]));
                return (AdminTrigger.InputAccepted, AdminStep.Idle);
            default:
                return Stale();
        }
    }

    private static async ValueTask<(AdminTrigger, AdminStep?)> TextAsync(
        FlowContext ctx, string text, AdminStep step, Dictionary<string, string> data, DirectorySnapshot directory, CancellationToken cancellationToken)
    {
        if (step is not (AdminStep.AwaitingGridName or AdminStep.AwaitingBuildingName or AdminStep.AwaitingRegionName or AdminStep.AwaitingRename))
        {
            ctx.Reply(ctx.T(step == AdminStep.AwaitingRosterFile ? "admin.roster.ask" : "admin.hint.buttons"));
            return (AdminTrigger.InputRejected, null);
        }

        if (text.Length is 0 or > MaxNameLength || text.Contains('\n', StringComparison.Ordinal))
        {
            ctx.Reply(ctx.T("admin.hint.name", MaxNameLength), CancelKeyboard(ctx));
            return (AdminTrigger.InputRejected, null);
        }

        var counters = await ctx.Reader.GetAsync<CommunityCounters>(DocKeys.Counters, cancellationToken).ConfigureAwait(false) ?? new CommunityCounters();
        bool Taken(IEnumerable<string> names) => names.Any(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        switch (step)
        {
            case AdminStep.AwaitingGridName when !Taken(directory.Grids.Select(g => g.Name)):
                var gridId = "g" + (counters.Grids + 1).ToString(CultureInfo.InvariantCulture);
                ctx.Effects.Put(DocKeys.Counters, counters with { Grids = counters.Grids + 1 });
                ctx.Effects.Put(DocKeys.Grid(gridId), new Grid(gridId, text));
                ctx.Effects.AddToSet(Sets.Grids, gridId);
                ctx.Reply(ctx.T("admin.done.grid", Html.Escape(text)), new InlineMarkup([[Button(ctx, "admin.button.add_building", "bnew:" + gridId), Button(ctx, "admin.menu.grids", "grids")]]));
                return (AdminTrigger.InputAccepted, AdminStep.Idle);
            case AdminStep.AwaitingBuildingName when directory.Grid(data.GetValueOrDefault("grid")) is { } grid && !Taken(grid.Buildings.Select(b => b.Name)):
                var buildingId = "b" + (counters.Buildings + 1).ToString(CultureInfo.InvariantCulture);
                ctx.Effects.Put(DocKeys.Counters, counters with { Buildings = counters.Buildings + 1 });
                ctx.Effects.Put(DocKeys.Grid(grid.Id), grid with { Buildings = [.. grid.Buildings, new Building(buildingId, text)] });
                ctx.Reply(ctx.T("admin.done.building", Html.Escape(text), Html.Escape(grid.Name)), new InlineMarkup([[Button(ctx, "admin.button.add_building", "bnew:" + grid.Id), Button(ctx, "admin.button.back", "g:" + grid.Id)]]));
                return (AdminTrigger.InputAccepted, AdminStep.Idle);
            case AdminStep.AwaitingRegionName when !Taken(directory.Regions.Select(r => r.Name)):
                var regionId = "r" + (counters.Regions + 1).ToString(CultureInfo.InvariantCulture);
                ctx.Effects.Put(DocKeys.Counters, counters with { Regions = counters.Regions + 1 });
                ctx.Effects.Put(DocKeys.Region(regionId), new Region(regionId, text));
                ctx.Effects.AddToSet(Sets.Regions, regionId);
                ctx.Reply(ctx.T("admin.done.region", Html.Escape(text)), new InlineMarkup([[Button(ctx, "admin.button.open", "r:" + regionId), Button(ctx, "admin.menu.regions", "regions")]]));
                return (AdminTrigger.InputAccepted, AdminStep.Idle);
            case AdminStep.AwaitingRename when data.GetValueOrDefault("kind") == "grid" && directory.Grid(data.GetValueOrDefault("id")) is { } grid && !Taken(directory.Grids.Where(g => g.Id != grid.Id).Select(g => g.Name)):
                ctx.Effects.Put(DocKeys.Grid(grid.Id), grid with { Name = text });
                ctx.Reply(ctx.T("admin.done.renamed", Html.Escape(grid.Name), Html.Escape(text)), MenuKeyboard(ctx));
                return (AdminTrigger.InputAccepted, AdminStep.Idle);
            case AdminStep.AwaitingRename when data.GetValueOrDefault("kind") == "building" && directory.Grid(data.GetValueOrDefault("grid")) is { } bGrid
                && bGrid.Buildings.FirstOrDefault(b => b.Id == data.GetValueOrDefault("id")) is { } building && !Taken(bGrid.Buildings.Where(b => b.Id != building.Id).Select(b => b.Name)):
                ctx.Effects.Put(DocKeys.Grid(bGrid.Id), bGrid with { Buildings = bGrid.Buildings.Select(b => b.Id == building.Id ? b with { Name = text } : b).ToList() });
                ctx.Reply(ctx.T("admin.done.renamed", Html.Escape(building.Name), Html.Escape(text)), MenuKeyboard(ctx));
                return (AdminTrigger.InputAccepted, AdminStep.Idle);
            case AdminStep.AwaitingRename when data.GetValueOrDefault("kind") == "region" && directory.Region(data.GetValueOrDefault("id")) is { } region && !Taken(directory.Regions.Where(r => r.Id != region.Id).Select(r => r.Name)):
                ctx.Effects.Put(DocKeys.Region(region.Id), region with { Name = text });
                ctx.Reply(ctx.T("admin.done.renamed", Html.Escape(region.Name), Html.Escape(text)), MenuKeyboard(ctx));
                return (AdminTrigger.InputAccepted, AdminStep.Idle);
            default:
                ctx.Reply(ctx.T("admin.hint.name_taken", Html.Escape(text)), CancelKeyboard(ctx));
                return (AdminTrigger.InputRejected, null);
        }
    }

    private static async ValueTask RosterFileAsync(FlowContext ctx, DocumentReceived document, DirectorySnapshot directory)
    {
        if (document.Content is null && document.FileSize is not > DocumentReceived.MaxDownloadBytes)
        {
            ctx.Reply(ctx.T("admin.roster.unreadable"), MenuKeyboard(ctx));
            return;
        }

        // A file too large to download is reported by the parser's size check without reading it.
        var result = document.Content is null
            ? RosterParser.Parse(new byte[RosterParser.MaxBytes + 1], Lookup(directory))
            : RosterParser.Parse(document.Content, Lookup(directory));
        var report = RosterReport.Format(result, ctx.Language, ctx.Texts);
        if (result.FileProblem is not null || result.Valid.Count == 0)
        {
            ctx.Reply(report + "\n\n" + ctx.T("admin.roster.nothing"), MenuKeyboard(ctx));
            return;
        }

        ctx.Effects.Put(DocKeys.RosterImport(ctx.Event.UserId), new PendingRosterImport(result.Valid), PendingImportLifetime);
        var confirm = result.Problems.Count == 0
            ? ctx.T("admin.roster.import_all", result.Valid.Count)
            : ctx.T("admin.roster.import_valid", result.Valid.Count);
        ctx.Reply(report, new InlineMarkup([[new InlineButton(confirm, P + "rimp")], [Button(ctx, "reg.button.cancel", "rdrop")]]));
        await ValueTask.CompletedTask.ConfigureAwait(false);
    }

    private static async ValueTask ImportRosterAsync(FlowContext ctx, int? messageId, CancellationToken cancellationToken)
    {
        var pending = await ctx.Reader.GetAsync<PendingRosterImport>(DocKeys.RosterImport(ctx.Event.UserId), cancellationToken).ConfigureAwait(false);
        if (pending is null)
        {
            ctx.AnswerButton(ctx.T("admin.roster.expired"), alert: true);
            return;
        }

        var existing = new HashSet<string>(await ctx.Reader.MembersAsync(Sets.Roster, cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        var added = 0;
        var updatedProfiles = 0;
        foreach (var row in pending.Rows)
        {
            // Re-importing updates the entry of the same phone number; who already joined with it stays joined.
            RosterEntry? before = null;
            if (existing.Contains(row.Phone))
            {
                before = await ctx.Reader.GetAsync<RosterEntry>(DocKeys.Roster(row.Phone), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                added++;
                ctx.Effects.AddToSet(Sets.Roster, row.Phone);
            }

            // A member who already joined with this phone number gets the roster's new details on their profile.
            if (before?.JoinedUserId is { } joined
                && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(joined), cancellationToken).ConfigureAwait(false) is { } member)
            {
                var refreshed = member with { GridId = row.GridId ?? member.GridId, RegionId = row.RegionId ?? member.RegionId, WorkUnit = row.WorkUnit ?? member.WorkUnit, Skills = row.Skills.Count > 0 ? row.Skills : member.Skills };
                if (joined == ctx.Event.UserId)
                {
                    ctx.Profile = refreshed;
                }
                else
                {
                    ctx.Effects.PutProfile(member, refreshed);
                }

                updatedProfiles++;
            }

            ctx.Effects.Put(DocKeys.Roster(row.Phone), new RosterEntry(row.Phone, row.Name, row.Role)
            {
                GridId = row.GridId,
                RegionId = row.RegionId,
                WorkUnit = row.WorkUnit,
                Skills = row.Skills,
                ImportedAt = ctx.Now,
                JoinedUserId = before?.JoinedUserId,
            });
        }

        ctx.Effects.Delete(DocKeys.RosterImport(ctx.Event.UserId));
        ctx.AnswerButton();
        if (messageId is { } id)
        {
            ctx.Effects.EditMarkup(ctx.ChatId, id, null);
        }

        ctx.Reply(ctx.T("admin.roster.imported", pending.Rows.Count, added, pending.Rows.Count - added, updatedProfiles), MenuKeyboard(ctx));
    }

    private static RosterLookup Lookup(DirectorySnapshot directory) =>
        new(directory.Grids.Select(g => KeyValuePair.Create(g.Name, g.Id)), directory.Regions.Select(r => KeyValuePair.Create(r.Name, r.Id)));

    private static async ValueTask SaveRegionAsync(FlowContext ctx, DirectorySnapshot directory, Region before, Region after, CancellationToken cancellationToken)
    {
        ctx.Effects.Put(DocKeys.Region(after.Id), after);
        var regions = directory.Regions.Select(r => r.Id == after.Id ? after : r).ToList();

        // Convenor roles follow the appointments: a person is a convenor while they lead (or back up) some region.
        foreach (var userId in new[] { before.ConvenorId, before.BackupConvenorId, after.ConvenorId, after.BackupConvenorId }.OfType<long>().Distinct())
        {
            var person = await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(userId), cancellationToken).ConfigureAwait(false);
            if (person is null)
            {
                continue;
            }

            var leads = regions.Any(r => r.ConvenorId == userId || r.BackupConvenorId == userId);
            var roles = leads ? person.Roles | Roles.Convenor : person.Roles & ~Roles.Convenor;
            if (roles != person.Roles)
            {
                if (userId == ctx.Event.UserId)
                {
                    ctx.Profile = ctx.Profile with { Roles = roles };
                }
                else
                {
                    ctx.Effects.PutProfile(person, person with { Roles = roles });
                }
            }
        }
    }

    private static async ValueTask<(string, InlineMarkup)> PickMemberAsync(FlowContext ctx, string which, Region region, int page, CancellationToken cancellationToken)
    {
        var ids = (await ctx.Reader.MembersAsync(Sets.PeopleWithRole(Roles.Member), cancellationToken).ConfigureAwait(false)).ToList();
        var people = new List<UserProfile>();
        foreach (var id in ids.Skip(page * PageSize).Take(PageSize))
        {
            if (long.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var userId)
                && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(userId), cancellationToken).ConfigureAwait(false) is { } person)
            {
                people.Add(person);
            }
        }

        var rows = people.Select(p => (IReadOnlyList<InlineButton>)[new InlineButton(DisplayName(p), $"{P}pick:{which}:{region.Id}:{p.Id.ToString(CultureInfo.InvariantCulture)}")]).ToList();
        rows.Add(PagerRow(ctx, $"conv:{which}:{region.Id}", page, ids.Count));
        rows.Add([Button(ctx, "admin.button.back", "r:" + region.Id)]);
        var text = ids.Count == 0 ? ctx.T("admin.people.none") : ctx.T(which == "c" ? "admin.ask.pick_convenor" : "admin.ask.pick_backup", Html.Escape(region.Name));
        return (text, new InlineMarkup(rows));
    }

    private static async ValueTask<(string, InlineMarkup)> PeoplePageAsync(FlowContext ctx, string set, string pagerAction, int page, DirectorySnapshot directory, CancellationToken cancellationToken)
    {
        var ids = (await ctx.Reader.MembersAsync(set, cancellationToken).ConfigureAwait(false)).ToList();
        var sb = new StringBuilder(ctx.T("admin.people.count", ids.Count)).Append('\n');
        var personRows = new List<IReadOnlyList<InlineButton>>();
        foreach (var id in ids.Skip(page * PageSize).Take(PageSize))
        {
            if (long.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var userId)
                && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(userId), cancellationToken).ConfigureAwait(false) is { } p)
            {
                personRows.Add([new InlineButton(DisplayName(p), P + "who:" + id)]);
                sb.Append("• ").Append(Html.Escape(DisplayName(p)))
                    .Append(" — ").Append(CommandCatalog.RoleNames(p.Roles, ctx.Language, ctx.Texts))
                    .Append(", ").Append(Html.Escape(directory.GridName(p.GridId)))
                    .Append(", ").Append(p.Phone ?? "—").Append('\n');
            }
        }

        personRows.Add(PagerRow(ctx, pagerAction, page, ids.Count));
        personRows.Add([Button(ctx, "admin.button.back", "people")]);
        return (sb.ToString(), new InlineMarkup(personRows));
    }

    private static List<InlineButton> PagerRow(FlowContext ctx, string action, int page, int total)
    {
        var row = new List<InlineButton>();
        if (page > 0)
        {
            row.Add(new InlineButton("◀️", $"{P}{action}:{(page - 1).ToString(CultureInfo.InvariantCulture)}"));
        }

        var pages = Math.Max(1, (total + PageSize - 1) / PageSize);
        row.Add(new InlineButton(ctx.T("admin.page", page + 1, pages), $"{P}{action}:{page.ToString(CultureInfo.InvariantCulture)}"));
        if ((page + 1) * PageSize < total)
        {
            row.Add(new InlineButton("▶️", $"{P}{action}:{(page + 1).ToString(CultureInfo.InvariantCulture)}"));
        }

        return row;
    }

    private static List<(string Label, string Value)>? FilterValues(FlowContext ctx, string type, DirectorySnapshot directory) => type switch
    {
        "grid" => directory.Grids.Select(g => (g.Name, g.Id)).ToList(),
        "region" => directory.Regions.Select(r => (r.Name, r.Id)).ToList(),
        "skill" => Enum.GetValues<Skill>().Select(s => (ctx.T("skill." + s), s.ToString())).ToList(),
        "role" => Enum.GetValues<Roles>().Where(r => r != Roles.None).Select(r => (ctx.T("role." + r.ToString().ToLowerInvariant()), r.ToString())).ToList(),
        _ => null,
    };

    private static string? FilterSet(string type, string value, DirectorySnapshot directory) => type switch
    {
        "grid" when directory.Grid(value) is not null => Sets.PeopleInGrid(value),
        "region" when directory.Region(value) is not null => Sets.PeopleInRegion(value),
        "skill" when Enum.TryParse<Skill>(value, out var skill) && Enum.IsDefined(skill) => Sets.PeopleWithSkill(skill),
        "role" when Enum.TryParse<Roles>(value, out var role) && role != Roles.None && Enum.IsDefined(role) => Sets.PeopleWithRole(role),
        _ => null,
    };

    private static async ValueTask<(string, InlineMarkup)> InvitesAsync(FlowContext ctx, DirectorySnapshot directory, CancellationToken cancellationToken)
    {
        var sb = new StringBuilder(ctx.T("admin.invite.header")).Append('\n');
        var rows = new List<IReadOnlyList<InlineButton>>();
        foreach (var code in await ctx.Reader.MembersAsync(Sets.Invites, cancellationToken).ConfigureAwait(false))
        {
            if (await ctx.Reader.GetAsync<Invite>(DocKeys.Invite(code), cancellationToken).ConfigureAwait(false) is { } invite && invite.IsUsable(ctx.Now))
            {
                sb.Append("• ").Append(InviteLine(ctx, invite, directory)).Append('\n').Append(ctx.Bot.InviteLink(code)).Append('\n');
                rows.Add([new InlineButton(ctx.T("admin.invite.revoke", code), P + "ix:" + code)]);
            }
        }

        rows.Add([Button(ctx, "admin.invite.new", "inew")]);
        rows.Add([Button(ctx, "admin.button.back", "menu")]);
        return (sb.ToString(), new InlineMarkup(rows));
    }

    private static string InviteLine(FlowContext ctx, Invite invite, DirectorySnapshot directory)
    {
        var scope = invite.RegionId is not null ? directory.RegionName(invite.RegionId) : invite.GridId is not null ? directory.GridName(invite.GridId) : "—";
        return ctx.T("admin.invite.line", invite.Code, CommandCatalog.RoleNames(invite.Role, ctx.Language, ctx.Texts), Html.Escape(scope), invite.Uses, invite.MaxUses, invite.ExpiresAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
    }

    private static async ValueTask<string> RegionTextAsync(FlowContext ctx, Region region, CancellationToken cancellationToken)
    {
        async ValueTask<string> NameOf(long? id)
        {
            if (id is not { } userId)
            {
                return ctx.T("admin.none");
            }

            var person = await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(userId), cancellationToken).ConfigureAwait(false);
            return person is null ? ctx.T("admin.none") : Html.Escape(DisplayName(person)) + (person.Phone is { } phone ? " " + phone : string.Empty);
        }

        var members = (await ctx.Reader.MembersAsync(Sets.PeopleInRegion(region.Id), cancellationToken).ConfigureAwait(false)).Count;
        return ctx.T("admin.region.detail", Html.Escape(region.Name), await NameOf(region.ConvenorId).ConfigureAwait(false), await NameOf(region.BackupConvenorId).ConfigureAwait(false), members);
    }

    private static InlineMarkup RegionKeyboard(FlowContext ctx, Region region) => new([
        [Button(ctx, "admin.button.convenor", "conv:c:" + region.Id), Button(ctx, "admin.button.backup", "conv:b:" + region.Id)],
        [Button(ctx, "admin.button.remove_convenor", "unconv:c:" + region.Id), Button(ctx, "admin.button.remove_backup", "unconv:b:" + region.Id)],
        [Button(ctx, "admin.button.rename", "rren:" + region.Id), Button(ctx, "admin.button.back", "regions")]]);

    private static string GridsText(FlowContext ctx, DirectorySnapshot directory) =>
        directory.Grids.Count == 0 ? ctx.T("admin.grids.none") : ctx.T("admin.grids.header", directory.Grids.Count);

    private static InlineMarkup GridsKeyboard(FlowContext ctx, DirectorySnapshot directory)
    {
        var rows = directory.Grids.Select(g => new InlineButton(g.Name, P + "g:" + g.Id)).Rows(2);
        rows.Add([Button(ctx, "admin.button.new_grid", "gnew"), Button(ctx, "admin.button.back", "menu")]);
        return new InlineMarkup(rows);
    }

    private static string GridText(FlowContext ctx, Grid grid) =>
        ctx.T("admin.grid.detail", Html.Escape(grid.Name), grid.Buildings.Count == 0 ? ctx.T("admin.none") : string.Join(ctx.T("role.separator"), grid.Buildings.Select(b => Html.Escape(b.Name))));

    private static string RegionsText(FlowContext ctx, DirectorySnapshot directory) =>
        directory.Regions.Count == 0 ? ctx.T("admin.regions.none") : ctx.T("admin.regions.header", directory.Regions.Count);

    private static InlineMarkup RegionsKeyboard(FlowContext ctx, DirectorySnapshot directory)
    {
        var rows = directory.Regions.Select(r => new InlineButton(r.Name, P + "r:" + r.Id)).Rows(2);
        rows.Add([Button(ctx, "admin.button.new_region", "rnew"), Button(ctx, "admin.button.back", "menu")]);
        return new InlineMarkup(rows);
    }

    private static string PersonText(FlowContext ctx, UserProfile p, DirectorySnapshot directory) =>
        ctx.T("admin.person", Html.Escape(DisplayName(p)), CommandCatalog.RoleNames(p.Roles, ctx.Language, ctx.Texts), p.Phone ?? "—",
            Html.Escape(directory.GridName(p.GridId)), Html.Escape(directory.RegionName(p.RegionId)), Html.Escape(p.WorkUnit ?? "—"),
            p.Skills.Count == 0 ? "—" : string.Join(ctx.T("role.separator"), p.Skills.Select(s => ctx.T("skill." + s))));

    private static InlineMarkup PersonKeyboard(FlowContext ctx, UserProfile p) => new([
        [p.Roles.HasFlag(Roles.Admin)
            ? Button(ctx, "admin.button.remove_admin", "rmadm:" + p.Id.ToString(CultureInfo.InvariantCulture))
            : Button(ctx, "admin.button.make_admin", "mkadm:" + p.Id.ToString(CultureInfo.InvariantCulture))],
        [Button(ctx, "admin.button.back", "people")]]);

    private static InlineMarkup MenuKeyboard(FlowContext ctx) => new([
        [Button(ctx, "admin.menu.grids", "grids"), Button(ctx, "admin.menu.regions", "regions")],
        [Button(ctx, "admin.menu.invites", "invites"), Button(ctx, "admin.menu.people", "people")],
        [Button(ctx, "admin.menu.roster", "roster")]]);

    private static InlineMarkup CancelKeyboard(FlowContext ctx) => new([[Button(ctx, "reg.button.cancel", "cancel")]]);

    private static InlineButton Button(FlowContext ctx, string textKey, string action) => new(ctx.T(textKey), P + action);

    private static InlineButton Choice(string label, string value) => new(label, P + "iv:" + value);

    private static string DisplayName(UserProfile p) => string.IsNullOrEmpty(p.LastName) ? p.FirstName : p.FirstName + " " + p.LastName;

    /// <summary>A short random invitation code (10 characters of A-Z a-z 0-9).</summary>
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
