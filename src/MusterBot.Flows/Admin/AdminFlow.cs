using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Directory.Roster;
using MusterBot.Flows.Events;
using MusterBot.Flows.Registration;
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

namespace MusterBot.Flows.Admin;

/// <summary>
/// The administrators' panel (/admin): grids and buildings, regions and their convenors, invitations, people lists and
/// roster import. Every press re-checks that the presser is an administrator; callback data carries only short ids that
/// are looked up again. Typed input (names, the roster file) is asked for in a step that /cancel leaves.
/// </summary>
public sealed class AdminFlow : IFlow
{
    public const string FlowName = "admin";
    private const int PageSize = 10;
    private const int MaxNameLength = 30;
    private static readonly TimeSpan PendingImportLifetime = TimeSpan.FromHours(1);
    private static readonly int[] OfferedUses = [1, 10, 50, 500];
    private static readonly int[] OfferedDays = [1, 7, 30];

    public string Name => FlowName;

    public IReadOnlyCollection<string> Commands { get; } = ["admin"];

    public bool OwnsButton(string data) => AdminButton.Codec.Owns(data);

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        if (!ctx.Has(Roles.Admin))
        {
            if (ctx.Event is CommandReceived && Org.OrgAccess.MayOpen(ctx))
            {
                // An administrator of nodes of the tree (a street, a district) without a community panel: the
                // organisation section is their /admin.
                await Org.OrgFlow.OpenAsync(ctx, cancellationToken).ConfigureAwait(false);
                return;
            }

            // Every press and command is refused to anyone but an administrator, whatever it names.
            var refusal = ctx.T("not_allowed", ctx.T("role.admin"));
            if (ctx.Event is ButtonPressed)
            {
                ctx.AnswerButton(refusal, alert: true);
            }
            else
            {
                ctx.Reply(refusal, CommandCatalog.Menu(ctx.Roles, ctx.Language, ctx.Texts, ctx.Emergency));
            }

            return;
        }

        if (ctx.Shard == Shards.Root && (await Communities.ListAsync(ctx.Reader, cancellationToken).ConfigureAwait(false)).Count > 1)
        {
            // An administrator from configuration who lives in no community chooses one first (the panel acts on it).
            ctx.AnswerButton();
            await RegistrationFlow.BeginPlacementAsync(ctx, cancellationToken).ConfigureAwait(false);
            return;
        }

        var inFlow = ctx.Conversation.Flow == FlowName && Enum.TryParse<AdminStep>(ctx.Conversation.Step, out _);
        var data = inFlow ? new Dictionary<string, string>(ctx.Conversation.Data) : [];
        var step = inFlow ? Enum.Parse<AdminStep>(ctx.Conversation.Step) : AdminStep.Idle;
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var button = ctx.Event is ButtonPressed press ? AdminButton.Codec.Decode(press.Data) : null;

        // The machine decides whether the input is allowed in the step; only then is it acted on (reads and effects),
        // and the action says where the person goes (the same step when what a button names no longer exists).
        var machine = Build(() => step, s => step = s, () => DecideAsync(ctx, button, step, data, directory, cancellationToken));
        machine.OnUnhandledTrigger((current, trigger) => Refuse(ctx, current, trigger));
        await machine.FireAsync(TriggerFor(ctx.Event, button)).ConfigureAwait(false);

        ctx.Conversation = step == AdminStep.Idle
            ? (ctx.Conversation.Flow == FlowName ? MainFlow.Idle(ctx.Now) : ctx.Conversation)
            : new ConversationState(FlowName, step.ToString()) { Data = data, UpdatedAt = ctx.Now };
    }

    public string ToMermaid()
    {
        var step = AdminStep.Idle;
        return MermaidGraph.Format(Build(() => step, s => step = s, () => Task.FromResult(AdminStep.Idle)).GetInfo()) + "\n";
    }

    /// <summary>The input an event is: a command, a typed text, a file, or one of the panel's buttons.</summary>
    private static AdminTrigger TriggerFor(BotEvent @event, AdminButton? button) => @event switch
    {
        CommandReceived => AdminTrigger.Opened,
        TextReceived => AdminTrigger.NameTyped,
        DocumentReceived => AdminTrigger.FileSent,
        ButtonPressed => button switch
        {
            null => AdminTrigger.StaleButton,
            AdminButton.Cancel => AdminTrigger.Cancelled,
            AdminButton.NewGrid => AdminTrigger.GridNameAsked,
            AdminButton.NewBuilding => AdminTrigger.BuildingNameAsked,
            AdminButton.NewRegion => AdminTrigger.RegionNameAsked,
            AdminButton.RenameGrid or AdminButton.RenameBuilding or AdminButton.RenameRegion => AdminTrigger.RenameAsked,
            AdminButton.NewInvite => AdminTrigger.InviteStarted,
            AdminButton.InviteRole => AdminTrigger.InviteRolePicked,
            AdminButton.InviteRegion or AdminButton.InviteGrid or AdminButton.InviteAnywhere => AdminTrigger.InviteScopePicked,
            AdminButton.InviteUses => AdminTrigger.InviteUsesPicked,
            AdminButton.InviteDays => AdminTrigger.InviteExpiryPicked,
            AdminButton.Roster => AdminTrigger.RosterFileAsked,
            _ => AdminTrigger.Navigated,
        },
        _ => AdminTrigger.OtherMessage,
    };

    private static readonly AdminStep[] NameSteps = [AdminStep.AwaitingGridName, AdminStep.AwaitingBuildingName, AdminStep.AwaitingRegionName, AdminStep.AwaitingRename];

    private static StateMachine<AdminStep, AdminTrigger> Build(Func<AdminStep> read, Action<AdminStep> write, Func<Task<AdminStep>> act)
    {
        var machine = new StateMachine<AdminStep, AdminTrigger>(read, write);
        async Task Act() => await act().ConfigureAwait(false);

        // The panel's views work from every step and leave it as it is; a button that asks for input moves there,
        // unless what it names is gone (then the person stays where they were).
        machine.Configure(AdminStep.Panel)
            .InternalTransitionAsync(AdminTrigger.Navigated, _ => Act())
            .PermitDynamicAsync(AdminTrigger.GridNameAsked, act, "ask the name", Destinations.To((AdminStep.AwaitingGridName, "asked")))
            .PermitDynamicAsync(AdminTrigger.BuildingNameAsked, act, "the grid exists", Destinations.To((AdminStep.AwaitingBuildingName, "the grid exists")))
            .PermitDynamicAsync(AdminTrigger.RegionNameAsked, act, "ask the name", Destinations.To((AdminStep.AwaitingRegionName, "asked")))
            .PermitDynamicAsync(AdminTrigger.RenameAsked, act, "it exists", Destinations.To((AdminStep.AwaitingRename, "it exists")))
            .PermitDynamicAsync(AdminTrigger.InviteStarted, act, "ask the role", Destinations.To((AdminStep.InviteRole, "asked")))
            .PermitDynamicAsync(AdminTrigger.RosterFileAsked, act, "ask the file", Destinations.To((AdminStep.AwaitingRosterFile, "asked")));
        // /admin and "cancel" show the menu and leave any input in progress.
        machine.Configure(AdminStep.Idle)
            .SubstateOf(AdminStep.Panel)
            .InternalTransitionAsync(AdminTrigger.Opened, _ => Act())
            .InternalTransitionAsync(AdminTrigger.Cancelled, _ => Act())
            .OnEntryFromAsync(AdminTrigger.Opened, Act, "show the menu")
            .OnEntryFromAsync(AdminTrigger.Cancelled, Act, "show the menu");
        foreach (var step in NameSteps)
        {
            machine.Configure(step).SubstateOf(AdminStep.Panel)
                .PermitDynamicAsync(AdminTrigger.NameTyped, act, "a new name", Destinations.To((AdminStep.Idle, "a new name"), (step, "taken or too long")));
        }

        machine.Configure(AdminStep.AwaitingRosterFile).SubstateOf(AdminStep.Panel).PermitDynamicAsync(AdminTrigger.FileSent, act, "checked", Destinations.To((AdminStep.Idle, "checked")));
        machine.Configure(AdminStep.InviteRole).SubstateOf(AdminStep.Panel)
            .PermitDynamicAsync(AdminTrigger.InviteRolePicked, act, "a role offered", Destinations.To((AdminStep.InviteScope, "a role offered"), (AdminStep.Idle, "no region or grid yet"), (AdminStep.InviteRole, "not offered")));
        machine.Configure(AdminStep.InviteScope).SubstateOf(AdminStep.Panel)
            .PermitDynamicAsync(AdminTrigger.InviteScopePicked, act, "a scope for the role", Destinations.To((AdminStep.InviteUses, "a scope for the role"), (AdminStep.InviteScope, "gone or not for the role")));
        machine.Configure(AdminStep.InviteUses).SubstateOf(AdminStep.Panel)
            .PermitDynamicAsync(AdminTrigger.InviteUsesPicked, act, "a number offered", Destinations.To((AdminStep.InviteExpiry, "a number offered"), (AdminStep.InviteUses, "not offered")));
        machine.Configure(AdminStep.InviteExpiry).SubstateOf(AdminStep.Panel)
            .PermitDynamicAsync(AdminTrigger.InviteExpiryPicked, act, "a period offered", Destinations.To((AdminStep.Idle, "a period offered"), (AdminStep.InviteExpiry, "not offered")));
        foreach (var step in InputSteps)
        {
            machine.Configure(step).Permit(AdminTrigger.Cancelled, AdminStep.Idle).Permit(AdminTrigger.Opened, AdminStep.Idle);
        }

        return machine;
    }

    private static readonly AdminStep[] InputSteps =
    [
        AdminStep.AwaitingGridName, AdminStep.AwaitingBuildingName, AdminStep.AwaitingRegionName, AdminStep.AwaitingRename,
        AdminStep.InviteRole, AdminStep.InviteScope, AdminStep.InviteUses, AdminStep.InviteExpiry, AdminStep.AwaitingRosterFile,
    ];

    /// <summary>An input the step does not take: a button of an earlier message, a text where a button is expected, a file where a name is.</summary>
    private static void Refuse(FlowContext ctx, AdminStep step, AdminTrigger trigger)
    {
        switch (trigger)
        {
            case AdminTrigger.NameTyped:
                ctx.Reply(ctx.T(step == AdminStep.AwaitingRosterFile ? "admin.roster.ask" : "admin.hint.buttons"));
                break;
            case AdminTrigger.FileSent or AdminTrigger.OtherMessage:
                ctx.Reply(ctx.T(step == AdminStep.AwaitingRosterFile ? "admin.roster.ask" : "admin.hint.text"));
                break;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                break;
        }
    }

    /// <summary>Acts on an input the machine allowed; returns the step the person goes to.</summary>
    private static async Task<AdminStep> DecideAsync(
        FlowContext ctx, AdminButton? button, AdminStep step, Dictionary<string, string> data, DirectorySnapshot directory, CancellationToken cancellationToken)
    {
        switch (ctx.Event)
        {
            case CommandReceived:
                ctx.Reply(ctx.T("admin.menu"), MenuKeyboard(ctx));
                return AdminStep.Idle;
            case TextReceived text:
                return await TextAsync(ctx, text.Text.Trim(), step, data, directory, cancellationToken).ConfigureAwait(false);
            case DocumentReceived document:
                await RosterFileAsync(ctx, document, directory).ConfigureAwait(false);
                return AdminStep.Idle;
            default:
                return await PressAsync(ctx, button!, step, data, directory, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async ValueTask<AdminStep> PressAsync(
        FlowContext ctx, AdminButton button, AdminStep step, Dictionary<string, string> data, DirectorySnapshot directory, CancellationToken cancellationToken)
    {
        var messageId = (ctx.Event as ButtonPressed)?.MessageId;
        void Show(string html, InlineMarkup markup) => ctx.Show(html, markup);

        AdminStep Stale()
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return step;
        }

        switch (button)
        {
            case AdminButton.Menu:
                Show(ctx.T("admin.menu"), MenuKeyboard(ctx));
                return step;
            case AdminButton.Cancel:
                Show(ctx.T("cancel.done"), MenuKeyboard(ctx));
                return AdminStep.Idle;
            case AdminButton.Grids:
                Show(GridsText(ctx, directory), GridsKeyboard(ctx, directory));
                return step;
            case AdminButton.OpenGrid open when directory.Grid(open.GridId) is { } grid:
                var gridRows = grid.Buildings.Select(b => new InlineButton("✏️ " + b.Name, AdminButton.Codec.Encode(new AdminButton.RenameBuilding(grid.Id, b.Id)))).Rows(3);
                gridRows.Add([Button(ctx, "admin.button.rename", new AdminButton.RenameGrid(grid.Id)), Button(ctx, "admin.button.add_building", new AdminButton.NewBuilding(grid.Id))]);
                gridRows.Add([Button(ctx, "admin.button.back", new AdminButton.Grids())]);
                Show(GridText(ctx, grid), new InlineMarkup(gridRows));
                return step;
            case AdminButton.RenameBuilding rename when directory.Grid(rename.GridId) is { } grid && grid.Buildings.FirstOrDefault(b => b.Id == rename.BuildingId) is { } building:
                data["kind"] = "building";
                data["grid"] = grid.Id;
                data["id"] = building.Id;
                Show(ctx.T("admin.ask.rename", Html.Escape(building.Name)), CancelKeyboard(ctx));
                return AdminStep.AwaitingRename;
            case AdminButton.Person shown when await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(shown.UserId), cancellationToken).ConfigureAwait(false) is { } who:
                Show(PersonText(ctx, who, directory), PersonKeyboard(ctx, who));
                return step;
            case AdminButton.MakeAdmin or AdminButton.RemoveAdmin:
                var make = button is AdminButton.MakeAdmin;
                var targetId = button is AdminButton.MakeAdmin m ? m.UserId : ((AdminButton.RemoveAdmin)button).UserId;
                if (await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(targetId), cancellationToken).ConfigureAwait(false) is not { RegisteredAt: not null } target)
                {
                    return Stale();
                }

                if (!make && targetId == ctx.Event.UserId)
                {
                    ctx.AnswerButton(ctx.T("admin.admin.not_self"), alert: true);
                    return step;
                }

                var changed = make ? target with { Roles = target.Roles | Roles.Admin } : target with { Roles = target.Roles & ~Roles.Admin };
                ctx.Effects.PutProfile(target, changed);
                if (make)
                {
                    ctx.Effects.Send(target.ChatId, ctx.Texts.Format(target.Language, "admin.notice.admin"), lane: Lane.Normal);
                }

                // The person's command menu follows the role (setMyCommands for their chat).
                ctx.Effects.Publish(new OutboxMessage(Lane.Normal, target.ChatId, new SetChatCommands(make) { Language = target.Language }));

                Show(PersonText(ctx, changed, directory), PersonKeyboard(ctx, changed));
                return step;
            case AdminButton.NewGrid:
                Show(ctx.T("admin.ask.grid_name"), CancelKeyboard(ctx));
                return AdminStep.AwaitingGridName;
            case AdminButton.NewBuilding add when directory.Grid(add.GridId) is { } grid:
                data["grid"] = grid.Id;
                Show(ctx.T("admin.ask.building_name", Html.Escape(grid.Name)), CancelKeyboard(ctx));
                return AdminStep.AwaitingBuildingName;
            case AdminButton.RenameGrid rename when directory.Grid(rename.GridId) is { } grid:
                data["kind"] = "grid";
                data["id"] = grid.Id;
                Show(ctx.T("admin.ask.rename", Html.Escape(grid.Name)), CancelKeyboard(ctx));
                return AdminStep.AwaitingRename;
            case AdminButton.Regions:
                Show(RegionsText(ctx, directory), RegionsKeyboard(ctx, directory));
                return step;
            case AdminButton.OpenRegion open when directory.Region(open.RegionId) is { } region:
                Show(await RegionTextAsync(ctx, region, cancellationToken).ConfigureAwait(false), RegionKeyboard(ctx, region));
                return step;
            case AdminButton.NewRegion:
                Show(ctx.T("admin.ask.region_name"), CancelKeyboard(ctx));
                return AdminStep.AwaitingRegionName;
            case AdminButton.RenameRegion rename when directory.Region(rename.RegionId) is { } region:
                data["kind"] = "region";
                data["id"] = region.Id;
                Show(ctx.T("admin.ask.rename", Html.Escape(region.Name)), CancelKeyboard(ctx));
                return AdminStep.AwaitingRename;
            case AdminButton.ChooseConvenor choose when directory.Region(choose.RegionId) is { } region && choose.Page >= 0:
                var (pickText, pickKeyboard) = await PickMemberAsync(ctx, choose.Seat, region, choose.Page, cancellationToken).ConfigureAwait(false);
                Show(pickText, pickKeyboard);
                return step;
            case AdminButton.PickConvenor pick when directory.Region(pick.RegionId) is { } region:
                var person = await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(pick.UserId), cancellationToken).ConfigureAwait(false);
                if (person is null || !person.Roles.HasFlag(Roles.Member))
                {
                    return Stale();
                }

                var main = pick.Seat == ConvenorSeat.Convenor;
                var updated = main ? region with { ConvenorId = pick.UserId } : region with { BackupConvenorId = pick.UserId };
                if (updated.ConvenorId == updated.BackupConvenorId)
                {
                    updated = main ? updated with { BackupConvenorId = null } : updated with { ConvenorId = null };
                }

                await SaveRegionAsync(ctx, directory, region, updated, cancellationToken).ConfigureAwait(false);
                ctx.Effects.Send(person.ChatId, ctx.Texts.Format(person.Language, main ? "admin.notice.convenor" : "admin.notice.backup", Html.Escape(region.Name)), lane: Lane.Normal);
                Show(await RegionTextAsync(ctx, updated, cancellationToken).ConfigureAwait(false), RegionKeyboard(ctx, updated));
                return step;
            case AdminButton.RemoveConvenor remove when directory.Region(remove.RegionId) is { } region:
                var cleared = remove.Seat == ConvenorSeat.Convenor ? region with { ConvenorId = null } : region with { BackupConvenorId = null };
                await SaveRegionAsync(ctx, directory, region, cleared, cancellationToken).ConfigureAwait(false);
                Show(await RegionTextAsync(ctx, cleared, cancellationToken).ConfigureAwait(false), RegionKeyboard(ctx, cleared));
                return step;
            case AdminButton.Invites:
                var (invitesText, invitesKeyboard) = await InvitesAsync(ctx, directory, cancellationToken).ConfigureAwait(false);
                Show(invitesText, invitesKeyboard);
                return step;
            case AdminButton.RevokeInvite revoke:
                // An invitation of another community is not this panel's to revoke (nor to show).
                if (await ctx.Reader.GetAsync<Invite>(DocKeys.Invite(revoke.Code), cancellationToken).ConfigureAwait(false) is not { } revoked
                    || !Communities.IsOwn(ctx, revoked))
                {
                    return Stale();
                }

                ctx.Effects.Put(DocKeys.Invite(revoked.Code), revoked with { Revoked = true });
                ctx.Effects.RemoveFromSet(Sets.InvitesOf(ctx.Shard), revoked.Code, Shards.Root);
                Show(ctx.T("admin.invite.revoked", revoked.Code), new InlineMarkup([[Button(ctx, "admin.button.back", new AdminButton.Invites())]]));
                return step;
            case AdminButton.NewInvite:
                data.Clear();
                Show(ctx.T("admin.ask.invite_role"), new InlineMarkup([
                    [Choice(ctx.T("role.member"), new AdminButton.InviteRole(Roles.Member)), Choice(ctx.T("role.convenor"), new AdminButton.InviteRole(Roles.Convenor))],
                    [Choice(ctx.T("role.handler"), new AdminButton.InviteRole(Roles.Handler)), Choice(ctx.T("role.resident"), new AdminButton.InviteRole(Roles.Resident))],
                    [Button(ctx, "reg.button.cancel", new AdminButton.Cancel())]]));
                return AdminStep.InviteRole;
            case AdminButton.InviteRole or AdminButton.InviteRegion or AdminButton.InviteGrid or AdminButton.InviteAnywhere or AdminButton.InviteUses or AdminButton.InviteDays:
                return InviteWizard(ctx, button, step, data, directory, Show);
            case AdminButton.People:
                Show(ctx.T("admin.people.filter"), new InlineMarkup([
                    [Button(ctx, "admin.people.by_grid", new AdminButton.PeopleFilter(PeopleFilterKind.Grid)), Button(ctx, "admin.people.by_region", new AdminButton.PeopleFilter(PeopleFilterKind.Region))],
                    [Button(ctx, "admin.people.by_skill", new AdminButton.PeopleFilter(PeopleFilterKind.Skill)), Button(ctx, "admin.people.by_role", new AdminButton.PeopleFilter(PeopleFilterKind.Role))],
                    [Button(ctx, "admin.button.back", new AdminButton.Menu())]]));
                return step;
            case AdminButton.PeopleFilter filter:
                var rows = FilterValues(ctx, filter.Kind, directory)
                    .Select(v => new InlineButton(v.Label, AdminButton.Codec.Encode(new AdminButton.PeopleList(filter.Kind, v.Value, 0)))).Rows(2);
                rows.Add([Button(ctx, "admin.button.back", new AdminButton.People())]);
                Show(ctx.T("admin.people.choose"), new InlineMarkup(rows));
                return step;
            case AdminButton.PeopleList list when list.Page >= 0 && FilterSet(list.Kind, list.Value, directory) is { } set:
                var (listText, listKeyboard) = await PeoplePageAsync(ctx, set, page => new AdminButton.PeopleList(list.Kind, list.Value, page), list.Page, directory, cancellationToken).ConfigureAwait(false);
                Show(listText, listKeyboard);
                return step;
            case AdminButton.Roster:
                Show(ctx.T("admin.roster.ask"), CancelKeyboard(ctx));
                return AdminStep.AwaitingRosterFile;
            case AdminButton.ImportRoster:
                await ImportRosterAsync(ctx, messageId, cancellationToken).ConfigureAwait(false);
                return step;
            case AdminButton.DropRoster:
                ctx.Effects.Delete(DocKeys.RosterImport(ctx.Event.UserId));
                Show(ctx.T("admin.roster.dropped"), MenuKeyboard(ctx));
                return step;
            default:
                // What the button names is gone (a grid, region, person or invitation), or a value out of range.
                return Stale();
        }
    }

    private static AdminStep InviteWizard(FlowContext ctx, AdminButton button, AdminStep step, Dictionary<string, string> data, DirectorySnapshot directory, Action<string, InlineMarkup> show)
    {
        AdminStep Stale()
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return step;
        }

        var uses = new InlineMarkup([
            [.. OfferedUses.Select(n => Choice(n.ToString(CultureInfo.InvariantCulture), new AdminButton.InviteUses(n)))],
            [Button(ctx, "reg.button.cancel", new AdminButton.Cancel())]]);
        var role = data.GetValueOrDefault("role");
        switch (button)
        {
            case AdminButton.InviteRole { Role: Roles.Member or Roles.Convenor or Roles.Handler or Roles.Resident } picked:
                var value = picked.Role.ToString().ToLowerInvariant();
                data["role"] = value;
                var byRegion = picked.Role is Roles.Convenor or Roles.Member;
                if (byRegion ? directory.Regions.Count == 0 && picked.Role == Roles.Convenor : directory.Grids.Count == 0)
                {
                    show(ctx.T(byRegion ? "admin.invite.need_region" : "admin.invite.need_grid"), MenuKeyboard(ctx));
                    return AdminStep.Idle;
                }

                // Members may be bound to a region (or none), convenors must be; grid workers to a grid, residents optionally.
                var scopes = byRegion
                    ? directory.Regions.Select(r => Choice(r.Name, new AdminButton.InviteRegion(r.Id))).Rows(2)
                    : directory.Grids.Select(g => Choice(g.Name, new AdminButton.InviteGrid(g.Id))).Rows(2);
                if (picked.Role is Roles.Member or Roles.Resident)
                {
                    scopes.Add([Choice(ctx.T(byRegion ? "admin.invite.any_region" : "admin.invite.any_grid"), new AdminButton.InviteAnywhere())]);
                }

                scopes.Add([Button(ctx, "reg.button.cancel", new AdminButton.Cancel())]);
                show(ctx.T(byRegion ? "admin.ask.invite_region" : "admin.ask.invite_grid"), new InlineMarkup(scopes));
                return AdminStep.InviteScope;
            case AdminButton.InviteAnywhere when role is "member" or "resident":
                show(ctx.T("admin.ask.invite_uses"), uses);
                return AdminStep.InviteUses;
            case AdminButton.InviteRegion scope when role is "member" or "convenor" && directory.Region(scope.RegionId) is { } region:
                data["region"] = region.Id;
                show(ctx.T("admin.ask.invite_uses"), uses);
                return AdminStep.InviteUses;
            case AdminButton.InviteGrid scope when role is "handler" or "resident" && directory.Grid(scope.GridId) is { } grid:
                data["grid"] = grid.Id;
                show(ctx.T("admin.ask.invite_uses"), uses);
                return AdminStep.InviteUses;
            case AdminButton.InviteUses picked when OfferedUses.Contains(picked.Uses):
                data["uses"] = picked.Uses.ToString(CultureInfo.InvariantCulture);
                show(ctx.T("admin.ask.invite_expiry"), new InlineMarkup([
                    [.. OfferedDays.Select(d => Choice(ctx.T("admin.invite.days", d), new AdminButton.InviteDays(d)))],
                    [Button(ctx, "reg.button.cancel", new AdminButton.Cancel())]]));
                return AdminStep.InviteExpiry;
            case AdminButton.InviteDays picked when OfferedDays.Contains(picked.Days):
                var code = NewCode();
                var invite = new Invite(
                    code,
                    data["role"] switch { "convenor" => Roles.Convenor, "handler" => Roles.Handler, "resident" => Roles.Resident, _ => Roles.Member },
                    int.Parse(data["uses"], CultureInfo.InvariantCulture),
                    ctx.Now.AddDays(picked.Days))
                {
                    GridId = data.GetValueOrDefault("grid"),
                    RegionId = data.GetValueOrDefault("region"),
                    CreatedBy = ctx.Event.UserId,
                    CreatedAt = ctx.Now,
                    NodeId = ctx.Shard == Shards.Root ? null : ctx.Shard,
                };

                // Invitations live in the root shard (a link is found whatever community made it), listed per community.
                ctx.Effects.Put(DocKeys.Invite(code), invite);
                ctx.Effects.AddToSet(Sets.InvitesOf(ctx.Shard), code, Shards.Root);
                show(ctx.T("admin.invite.created", InviteLine(ctx, invite, directory), ctx.Bot.InviteLink(code)), new InlineMarkup([[Button(ctx, "admin.button.back", new AdminButton.Invites())]]));
                return AdminStep.Idle;
            default:
                return Stale();
        }
    }

    private static async ValueTask<AdminStep> TextAsync(
        FlowContext ctx, string text, AdminStep step, Dictionary<string, string> data, DirectorySnapshot directory, CancellationToken cancellationToken)
    {
        if (text.Length is 0 or > MaxNameLength || text.Contains('\n', StringComparison.Ordinal))
        {
            ctx.Reply(ctx.T("admin.hint.name", MaxNameLength), CancelKeyboard(ctx));
            return step;
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
                ctx.Reply(ctx.T("admin.done.grid", Html.Escape(text)), new InlineMarkup([[Button(ctx, "admin.button.add_building", new AdminButton.NewBuilding(gridId)), Button(ctx, "admin.menu.grids", new AdminButton.Grids())]]));
                return AdminStep.Idle;
            case AdminStep.AwaitingBuildingName when directory.Grid(data.GetValueOrDefault("grid")) is { } grid && !Taken(grid.Buildings.Select(b => b.Name)):
                var buildingId = "b" + (counters.Buildings + 1).ToString(CultureInfo.InvariantCulture);
                ctx.Effects.Put(DocKeys.Counters, counters with { Buildings = counters.Buildings + 1 });
                ctx.Effects.Put(DocKeys.Grid(grid.Id), grid with { Buildings = [.. grid.Buildings, new Building(buildingId, text)] });
                ctx.Reply(ctx.T("admin.done.building", Html.Escape(text), Html.Escape(grid.Name)), new InlineMarkup([[Button(ctx, "admin.button.add_building", new AdminButton.NewBuilding(grid.Id)), Button(ctx, "admin.button.back", new AdminButton.OpenGrid(grid.Id))]]));
                return AdminStep.Idle;
            case AdminStep.AwaitingRegionName when !Taken(directory.Regions.Select(r => r.Name)):
                var regionId = "r" + (counters.Regions + 1).ToString(CultureInfo.InvariantCulture);
                ctx.Effects.Put(DocKeys.Counters, counters with { Regions = counters.Regions + 1 });
                ctx.Effects.Put(DocKeys.Region(regionId), new Region(regionId, text));
                ctx.Effects.AddToSet(Sets.Regions, regionId);
                ctx.Reply(ctx.T("admin.done.region", Html.Escape(text)), new InlineMarkup([[Button(ctx, "admin.button.open", new AdminButton.OpenRegion(regionId)), Button(ctx, "admin.menu.regions", new AdminButton.Regions())]]));
                return AdminStep.Idle;
            case AdminStep.AwaitingRename when data.GetValueOrDefault("kind") == "grid" && directory.Grid(data.GetValueOrDefault("id")) is { } grid && !Taken(directory.Grids.Where(g => g.Id != grid.Id).Select(g => g.Name)):
                ctx.Effects.Put(DocKeys.Grid(grid.Id), grid with { Name = text });
                ctx.Reply(ctx.T("admin.done.renamed", Html.Escape(grid.Name), Html.Escape(text)), MenuKeyboard(ctx));
                return AdminStep.Idle;
            case AdminStep.AwaitingRename when data.GetValueOrDefault("kind") == "building" && directory.Grid(data.GetValueOrDefault("grid")) is { } bGrid
                && bGrid.Buildings.FirstOrDefault(b => b.Id == data.GetValueOrDefault("id")) is { } building && !Taken(bGrid.Buildings.Where(b => b.Id != building.Id).Select(b => b.Name)):
                ctx.Effects.Put(DocKeys.Grid(bGrid.Id), bGrid with { Buildings = bGrid.Buildings.Select(b => b.Id == building.Id ? b with { Name = text } : b).ToList() });
                ctx.Reply(ctx.T("admin.done.renamed", Html.Escape(building.Name), Html.Escape(text)), MenuKeyboard(ctx));
                return AdminStep.Idle;
            case AdminStep.AwaitingRename when data.GetValueOrDefault("kind") == "region" && directory.Region(data.GetValueOrDefault("id")) is { } region && !Taken(directory.Regions.Where(r => r.Id != region.Id).Select(r => r.Name)):
                ctx.Effects.Put(DocKeys.Region(region.Id), region with { Name = text });
                ctx.Reply(ctx.T("admin.done.renamed", Html.Escape(region.Name), Html.Escape(text)), MenuKeyboard(ctx));
                return AdminStep.Idle;
            default:
                ctx.Reply(ctx.T("admin.hint.name_taken", Html.Escape(text)), CancelKeyboard(ctx));
                return step;
        }
    }

    private static async ValueTask RosterFileAsync(FlowContext ctx, DocumentReceived document, DirectorySnapshot directory)
    {
        // Only here — an administrator in the roster step — is a document downloaded: the host fetches it and asks again.
        if (ctx.RequestDocumentContent())
        {
            return;
        }

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
        ctx.Reply(report, new InlineMarkup([[new InlineButton(confirm, AdminButton.Codec.Encode(new AdminButton.ImportRoster()))], [Button(ctx, "reg.button.cancel", new AdminButton.DropRoster())]]));
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
                // What the roster sets is fixed: the member cannot change it in /me.
                refreshed = refreshed with
                {
                    Fixed = refreshed.Fixed | ProfileFields.Phone
                        | (row.GridId is null ? ProfileFields.None : ProfileFields.Grid)
                        | (row.RegionId is null ? ProfileFields.None : ProfileFields.Region)
                        | (row.WorkUnit is null ? ProfileFields.None : ProfileFields.WorkUnit),
                };
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
            if (ctx.Shard != Shards.Root)
            {
                // The directory's index: someone sharing this number is found on this community's roster.
                ctx.Effects.Put(DocKeys.RosterHome(row.Phone), new PersonHome(ctx.Shard));
            }
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

    private static async ValueTask<(string, InlineMarkup)> PickMemberAsync(FlowContext ctx, ConvenorSeat seat, Region region, int page, CancellationToken cancellationToken)
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

        var rows = people.Select(p => (IReadOnlyList<InlineButton>)[new InlineButton(DisplayName(p), AdminButton.Codec.Encode(new AdminButton.PickConvenor(seat, region.Id, p.Id)))]).ToList();
        rows.Add(PagerRow(ctx, p => new AdminButton.ChooseConvenor(seat, region.Id, p), page, ids.Count));
        rows.Add([Button(ctx, "admin.button.back", new AdminButton.OpenRegion(region.Id))]);
        var text = ids.Count == 0 ? ctx.T("admin.people.none") : ctx.T(seat == ConvenorSeat.Convenor ? "admin.ask.pick_convenor" : "admin.ask.pick_backup", Html.Escape(region.Name));
        return (text, new InlineMarkup(rows));
    }

    private static async ValueTask<(string, InlineMarkup)> PeoplePageAsync(FlowContext ctx, string set, Func<int, AdminButton> pageButton, int page, DirectorySnapshot directory, CancellationToken cancellationToken)
    {
        var ids = (await ctx.Reader.MembersAsync(set, cancellationToken).ConfigureAwait(false)).ToList();
        var sb = new StringBuilder(ctx.T("admin.people.count", ids.Count)).Append('\n');
        var personRows = new List<IReadOnlyList<InlineButton>>();
        foreach (var id in ids.Skip(page * PageSize).Take(PageSize))
        {
            if (long.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var userId)
                && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(userId), cancellationToken).ConfigureAwait(false) is { } p)
            {
                personRows.Add([new InlineButton(DisplayName(p), AdminButton.Codec.Encode(new AdminButton.Person(userId)))]);
                sb.Append("• ").Append(Html.Escape(DisplayName(p)))
                    .Append(" — ").Append(CommandCatalog.RoleNames(p.Roles, ctx.Language, ctx.Texts))
                    .Append(", ").Append(Html.Escape(directory.GridName(p.GridId)))
                    .Append(", ").Append(p.Phone ?? "—").Append('\n');
            }
        }

        personRows.Add(PagerRow(ctx, pageButton, page, ids.Count));
        personRows.Add([Button(ctx, "admin.button.back", new AdminButton.People())]);
        return (sb.ToString(), new InlineMarkup(personRows));
    }

    private static List<InlineButton> PagerRow(FlowContext ctx, Func<int, AdminButton> pageButton, int page, int total)
    {
        var row = new List<InlineButton>();
        if (page > 0)
        {
            row.Add(new InlineButton("◀️", AdminButton.Codec.Encode(pageButton(page - 1))));
        }

        var pages = Math.Max(1, (total + PageSize - 1) / PageSize);
        row.Add(new InlineButton(ctx.T("admin.page", page + 1, pages), AdminButton.Codec.Encode(pageButton(page))));
        if ((page + 1) * PageSize < total)
        {
            row.Add(new InlineButton("▶️", AdminButton.Codec.Encode(pageButton(page + 1))));
        }

        return row;
    }

    private static List<(string Label, string Value)> FilterValues(FlowContext ctx, PeopleFilterKind kind, DirectorySnapshot directory) => kind switch
    {
        PeopleFilterKind.Grid => directory.Grids.Select(g => (g.Name, g.Id)).ToList(),
        PeopleFilterKind.Region => directory.Regions.Select(r => (r.Name, r.Id)).ToList(),
        PeopleFilterKind.Skill => Enum.GetValues<Skill>().Select(s => (ctx.T("skill." + s), s.ToString())).ToList(),
        _ => Enum.GetValues<Roles>().Where(r => r != Roles.None).Select(r => (ctx.T("role." + r.ToString().ToLowerInvariant()), r.ToString())).ToList(),
    };

    private static string? FilterSet(PeopleFilterKind kind, string value, DirectorySnapshot directory) => kind switch
    {
        PeopleFilterKind.Grid when directory.Grid(value) is not null => Sets.PeopleInGrid(value),
        PeopleFilterKind.Region when directory.Region(value) is not null => Sets.PeopleInRegion(value),
        PeopleFilterKind.Skill when Enum.TryParse<Skill>(value, out var skill) && Enum.IsDefined(skill) => Sets.PeopleWithSkill(skill),
        PeopleFilterKind.Role when Enum.TryParse<Roles>(value, out var role) && role != Roles.None && Enum.IsDefined(role) => Sets.PeopleWithRole(role),
        _ => null,
    };

    private static async ValueTask<(string, InlineMarkup)> InvitesAsync(FlowContext ctx, DirectorySnapshot directory, CancellationToken cancellationToken)
    {
        var sb = new StringBuilder(ctx.T("admin.invite.header")).Append('\n');
        var rows = new List<IReadOnlyList<InlineButton>>();
        foreach (var code in await ctx.Reader.MembersAsync(Sets.InvitesOf(ctx.Shard), Shards.Root, cancellationToken).ConfigureAwait(false))
        {
            if (await ctx.Reader.GetAsync<Invite>(DocKeys.Invite(code), cancellationToken).ConfigureAwait(false) is { } invite && invite.IsUsable(ctx.Now) && Communities.IsOwn(ctx, invite))
            {
                sb.Append("• ").Append(InviteLine(ctx, invite, directory)).Append('\n').Append(ctx.Bot.InviteLink(code)).Append('\n');
                rows.Add([new InlineButton(ctx.T("admin.invite.revoke", code), AdminButton.Codec.Encode(new AdminButton.RevokeInvite(code)))]);
            }
        }

        rows.Add([Button(ctx, "admin.invite.new", new AdminButton.NewInvite())]);
        rows.Add([Button(ctx, "admin.button.back", new AdminButton.Menu())]);
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
        [Button(ctx, "admin.button.convenor", new AdminButton.ChooseConvenor(ConvenorSeat.Convenor, region.Id, 0)), Button(ctx, "admin.button.backup", new AdminButton.ChooseConvenor(ConvenorSeat.Backup, region.Id, 0))],
        [Button(ctx, "admin.button.remove_convenor", new AdminButton.RemoveConvenor(ConvenorSeat.Convenor, region.Id)), Button(ctx, "admin.button.remove_backup", new AdminButton.RemoveConvenor(ConvenorSeat.Backup, region.Id))],
        [Button(ctx, "admin.button.rename", new AdminButton.RenameRegion(region.Id)), Button(ctx, "admin.button.back", new AdminButton.Regions())]]);

    private static string GridsText(FlowContext ctx, DirectorySnapshot directory) =>
        directory.Grids.Count == 0 ? ctx.T("admin.grids.none") : ctx.T("admin.grids.header", directory.Grids.Count);

    private static InlineMarkup GridsKeyboard(FlowContext ctx, DirectorySnapshot directory)
    {
        var rows = directory.Grids.Select(g => new InlineButton(g.Name, AdminButton.Codec.Encode(new AdminButton.OpenGrid(g.Id)))).Rows(2);
        rows.Add([Button(ctx, "admin.button.new_grid", new AdminButton.NewGrid()), Button(ctx, "admin.button.back", new AdminButton.Menu())]);
        return new InlineMarkup(rows);
    }

    private static string GridText(FlowContext ctx, Grid grid) =>
        ctx.T("admin.grid.detail", Html.Escape(grid.Name), grid.Buildings.Count == 0 ? ctx.T("admin.none") : string.Join(ctx.T("role.separator"), grid.Buildings.Select(b => Html.Escape(b.Name))));

    private static string RegionsText(FlowContext ctx, DirectorySnapshot directory) =>
        directory.Regions.Count == 0 ? ctx.T("admin.regions.none") : ctx.T("admin.regions.header", directory.Regions.Count);

    private static InlineMarkup RegionsKeyboard(FlowContext ctx, DirectorySnapshot directory)
    {
        var rows = directory.Regions.Select(r => new InlineButton(r.Name, AdminButton.Codec.Encode(new AdminButton.OpenRegion(r.Id)))).Rows(2);
        rows.Add([Button(ctx, "admin.button.new_region", new AdminButton.NewRegion()), Button(ctx, "admin.button.back", new AdminButton.Menu())]);
        return new InlineMarkup(rows);
    }

    private static string PersonText(FlowContext ctx, UserProfile p, DirectorySnapshot directory) =>
        ctx.T("admin.person", Html.Escape(DisplayName(p)), CommandCatalog.RoleNames(p.Roles, ctx.Language, ctx.Texts), p.Phone ?? "—",
            Html.Escape(directory.GridName(p.GridId)), Html.Escape(directory.RegionName(p.RegionId)), Html.Escape(p.WorkUnit ?? "—"),
            p.Skills.Count == 0 ? "—" : string.Join(ctx.T("role.separator"), p.Skills.Select(s => ctx.T("skill." + s))));

    private static InlineMarkup PersonKeyboard(FlowContext ctx, UserProfile p) => new([
        [p.Roles.HasFlag(Roles.Admin)
            ? Button(ctx, "admin.button.remove_admin", new AdminButton.RemoveAdmin(p.Id))
            : Button(ctx, "admin.button.make_admin", new AdminButton.MakeAdmin(p.Id))],
        [Button(ctx, "admin.button.back", new AdminButton.People())]]);

    private static InlineMarkup MenuKeyboard(FlowContext ctx)
    {
        List<IReadOnlyList<InlineButton>> rows =
        [
            [Button(ctx, "admin.menu.grids", new AdminButton.Grids()), Button(ctx, "admin.menu.regions", new AdminButton.Regions())],
            [Button(ctx, "admin.menu.invites", new AdminButton.Invites()), Button(ctx, "admin.menu.people", new AdminButton.People())],
            [Button(ctx, "admin.menu.roster", new AdminButton.Roster())],
            InService.InServiceFlow.AdminMenuRow(ctx),
        ];
        if (Org.OrgAccess.MayOpen(ctx))
        {
            // The organisation tree, for administrators of its nodes (and those from configuration, who hold the root).
            rows.Add([new InlineButton(ctx.T("admin.menu.org"), Org.OrgButton.Codec.Encode(new Org.OrgButton.Home()))]);
        }

        return new InlineMarkup(rows);
    }

    private static InlineMarkup CancelKeyboard(FlowContext ctx) => new([[Button(ctx, "reg.button.cancel", new AdminButton.Cancel())]]);

    private static InlineButton Button(FlowContext ctx, string textKey, AdminButton button) => new(ctx.T(textKey), AdminButton.Codec.Encode(button));

    private static InlineButton Choice(string label, AdminButton button) => new(label, AdminButton.Codec.Encode(button));

    private static string DisplayName(UserProfile p) => string.IsNullOrEmpty(p.LastName) ? p.FirstName : p.FirstName + " " + p.LastName;

    /// <summary>A short random invitation code (10 characters of A-Z a-z 0-9).</summary>
    internal static string NewCode()
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
