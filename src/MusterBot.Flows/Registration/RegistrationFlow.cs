using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Directory.Roster;
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

namespace MusterBot.Flows.Registration;

/// <summary>
/// Registration as a resident (grid, building, optional phone), a member (by invitation, or found on the roster by a
/// shared contact: phone, grid, region, work unit, skills), a convenor (by invitation for a region) or a grid worker
/// (by invitation for a grid). Every step validates and asks again with a hint; "back" and /cancel work everywhere;
/// the answers live in the conversation state, so a restart continues where the person was.
/// </summary>
public sealed class RegistrationFlow : IFlow
{
    public const string FlowName = "register";
    private const string Edited = "edited";

    public string Name => FlowName;

    /// <summary>
    /// False: registration's buttons ("r:…") go to the person's current flow, so a press of one after registration
    /// ended is answered as stale by that flow.
    /// </summary>
    public bool OwnsButton(string data) => false;

    public IReadOnlyCollection<string> Commands { get; } = [];

    /// <summary>Starts registration (from /start, a main-menu button or an invitation).</summary>
    public static async ValueTask BeginAsync(FlowContext ctx, RegKind kind, Invite? invite, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (invite is null && kind != RegKind.Roster && ctx.Shard == Shards.Root)
        {
            // Someone who lives in no community yet joins one first: the only one there is, or the one they choose.
            // (A roster member is placed by the roster that lists them; see the contact step.)
            var communities = await Communities.ListAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
            if (communities.Count == 1)
            {
                ctx.MoveFirst(communities[0].Community.Id);
                return;
            }

            if (communities.Count > 1)
            {
                ctx.Conversation = new(FlowName, nameof(RegStep.ChoosingCommunity)) { Data = new Dictionary<string, string> { ["kind"] = kind.ToString() }, UpdatedAt = ctx.Now };
                AskCommunity(ctx, communities, null, 0, edit: false);
                return;
            }
        }

        var data = new Dictionary<string, string> { ["kind"] = kind.ToString() };
        if (invite is not null)
        {
            data["invite"] = invite.Code;
            if (invite.GridId is { } grid)
            {
                data["grid"] = grid;
                data["gridLocked"] = "1";
            }

            if (invite.RegionId is { } region)
            {
                data["region"] = region;
                data["regionLocked"] = "1";
            }
        }

        // An invitation never moves a staff member: a grid worker keeps their grid, a convenor their region.
        if (StaffGrid(ctx.Profile) is { } staffGrid)
        {
            data["grid"] = staffGrid;
            data["gridLocked"] = "1";
        }

        if (StaffRegion(ctx.Profile) is { } staffRegion)
        {
            data["region"] = staffRegion;
            data["regionLocked"] = "1";
        }

        // An invitation to a workplace region (of a street, a district or the city) is joined there (InService/Workplace).
        if (invite is not null)
        {
            await InService.Workplace.PrepareAsync(ctx, invite, data, cancellationToken).ConfigureAwait(false);
        }

        var directory = await LoadDirectoryAsync(ctx, data, cancellationToken).ConfigureAwait(false);
        var first = kind == RegKind.Roster ? RegStep.SharingContact : Next(kind, RegStep.ChoosingKind, data, directory);
        ctx.Conversation = new(FlowName, first.ToString()) { Data = data, UpdatedAt = ctx.Now };
        Ask(ctx, first, data, directory);
    }

    /// <summary>The home community's grids and regions, with the workplace region of the answers (if any).</summary>
    private static async ValueTask<DirectorySnapshot> LoadDirectoryAsync(FlowContext ctx, Dictionary<string, string> data, CancellationToken cancellationToken) =>
        await InService.Workplace.WithWorkRegionAsync(ctx.Reader, await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false), data, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Places an administrator from configuration who lives in no community, when there are several: they choose one,
    /// and their panel then acts on it.
    /// </summary>
    public static async ValueTask BeginPlacementAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var communities = await Communities.ListAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        ctx.Conversation = new(FlowName, nameof(RegStep.ChoosingCommunity))
        {
            Data = new Dictionary<string, string> { ["kind"] = nameof(RegKind.Resident), ["place"] = "1" },
            UpdatedAt = ctx.Now,
        };
        // Someone who administers the organisation tree (the city, from configuration) may go to it without choosing.
        IReadOnlyList<InlineButton>? org = Org.OrgAccess.MayOpen(ctx)
            ? [new InlineButton(ctx.T("admin.menu.org"), Org.OrgButton.Codec.Encode(new Org.OrgButton.Home()))]
            : null;
        AskCommunity(ctx, communities, null, 0, edit: false, org);
    }

    private const int CommunitiesPerPage = 8;

    /// <summary>The community picker: the streets (when more than one), then a street's communities, paged.</summary>
    private static void AskCommunity(FlowContext ctx, IReadOnlyList<(OrgNode Street, OrgNode Community)> communities, long? streetId, int page, bool edit, IReadOnlyList<InlineButton>? extra = null)
    {
        var streets = communities.Select(c => c.Street).DistinctBy(s => s.Id).ToList();
        if (streetId is null && streets.Count == 1)
        {
            streetId = streets[0].Id;
        }

        string text;
        List<IReadOnlyList<InlineButton>> rows;
        int pages;
        if (streetId is null)
        {
            pages = Math.Max(1, (streets.Count + CommunitiesPerPage - 1) / CommunitiesPerPage);
            page = Math.Clamp(page, 0, pages - 1);
            rows = streets.Skip(page * CommunitiesPerPage).Take(CommunitiesPerPage)
                .Select(s => Button(s.Name, new RegistrationButton.Street(s.Id, 0))).Rows(2);
            text = ctx.T("reg.ask.street");
            AddPaging(rows, page, pages, p => new RegistrationButton.Streets(p));
        }
        else
        {
            var street = streets.FirstOrDefault(s => s.Id == streetId);
            var here = communities.Where(c => c.Street.Id == streetId).Select(c => c.Community).ToList();
            pages = Math.Max(1, (here.Count + CommunitiesPerPage - 1) / CommunitiesPerPage);
            page = Math.Clamp(page, 0, pages - 1);
            rows = here.Skip(page * CommunitiesPerPage).Take(CommunitiesPerPage)
                .Select(c => Button(c.Name, new RegistrationButton.PickCommunity(c.Id))).Rows(2);
            text = ctx.T("reg.ask.community", Html.Escape(street?.Name));
            var id = streetId.Value;
            AddPaging(rows, page, pages, p => new RegistrationButton.Street(id, p));
            if (streets.Count > 1)
            {
                rows.Add([Button(ctx.T("reg.community.other_streets"), new RegistrationButton.Streets(0))]);
            }
        }

        if (extra is not null)
        {
            rows.Add(extra);
        }

        rows.Add([Button(ctx.T("reg.button.cancel"), new RegistrationButton.Cancel())]);
        if (edit)
        {
            ctx.Show(text, new InlineMarkup(rows));
        }
        else
        {
            ctx.Reply(text, new InlineMarkup(rows));
        }

        void AddPaging(List<IReadOnlyList<InlineButton>> into, int current, int count, Func<int, RegistrationButton> to)
        {
            var paging = new List<InlineButton>();
            if (current > 0)
            {
                paging.Add(Button(ctx.T("reg.community.previous"), to(current - 1)));
            }

            if (current < count - 1)
            {
                paging.Add(Button(ctx.T("reg.community.next"), to(current + 1)));
            }

            if (paging.Count > 0)
            {
                into.Add(paging);
            }
        }
    }

    /// <summary>The community whose roster lists a phone number (the root-shard index the import writes; else the only community).</summary>
    private static async ValueTask<long?> RosterCommunityAsync(FlowContext ctx, string phone, CancellationToken cancellationToken) =>
        (await ctx.Reader.GetAsync<PersonHome>(DocKeys.RosterHome(phone), cancellationToken).ConfigureAwait(false))?.Shard
        ?? (ctx.Shard == Shards.Root ? await Communities.SoleAsync(ctx.Reader, cancellationToken).ConfigureAwait(false) : null);

    /// <summary>Edits a registered person's profile: the same questions, pre-filled with what is stored.</summary>
    public static async ValueTask BeginEditAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var p = ctx.Profile;
        var kind = p.Roles.HasFlag(Roles.Member) ? RegKind.Member : p.Roles.HasFlag(Roles.Handler) ? RegKind.Handler : RegKind.Resident;
        var data = new Dictionary<string, string> { ["kind"] = kind.ToString(), ["edit"] = "1", ["skills"] = string.Join(',', p.Skills) };
        foreach (var (key, value) in new[] { ("phone", p.Phone), ("grid", p.GridId), ("building", p.BuildingId), ("region", p.RegionId), ("work", p.WorkUnit) })
        {
            if (value is not null)
            {
                data[key] = value;
            }
        }

        // What an invitation or an appointment fixed stays fixed: a grid worker's grid, a convenor's region.
        if (p.Roles.HasFlag(Roles.Handler) && p.GridId is not null)
        {
            data["gridLocked"] = "1";
        }

        if (p.Roles.HasFlag(Roles.Convenor) && p.RegionId is not null)
        {
            data["regionLocked"] = "1";
        }

        // What an invitation or the roster set, and a phone verified by a shared contact, cannot be edited here either.
        foreach (var (field, lockKey) in LockKeys)
        {
            if (p.Fixed.HasFlag(field))
            {
                data[lockKey] = "1";
            }
        }

        InService.Workplace.PrepareEdit(p, data);
        var directory = await LoadDirectoryAsync(ctx, data, cancellationToken).ConfigureAwait(false);
        var first = Sequence(kind).First(step => !Skipped(step, data, directory));
        ctx.Conversation = new(FlowName, first.ToString()) { Data = data, UpdatedAt = ctx.Now };
        Ask(ctx, first, data, directory);
    }

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var data = new Dictionary<string, string>(ctx.Conversation.Data);
        var directory = await LoadDirectoryAsync(ctx, data, cancellationToken).ConfigureAwait(false);
        var button = ctx.Event is ButtonPressed press ? RegistrationButton.Codec.Decode(press.Data) : null;

        // The step lives in the conversation; the machine works on a copy, written back with the answers unless an
        // action ended registration (it replaces the conversation then).
        var step = Enum.TryParse<RegStep>(ctx.Conversation.Step, out var stored) ? stored : RegStep.Confirming;
        var touched = false;
        var machine = Build(() => step, s => (step, touched) = (s, true), ctx, data, directory, button, () => touched = true, cancellationToken);
        await machine.FireAsync(InputOf(ctx, button)).ConfigureAwait(false);
        if (ctx.Conversation.Flow == FlowName)
        {
            ctx.Conversation = touched
                ? ctx.Conversation with { Step = step.ToString(), Data = data, UpdatedAt = ctx.Now }
                : ctx.Conversation with { Data = data };
        }
    }

    public string ToMermaid()
    {
        var step = RegStep.ChoosingKind;
        var machine = Build(() => step, s => step = s, null, [], new DirectorySnapshot([], []), null, () => { }, CancellationToken.None);
        return MermaidGraph.Format(machine.GetInfo()) + "\n";
    }

    /// <summary>The input an event is. "Back", "Cancel" and "Skip" may also be typed (the labels of the reply keyboard).</summary>
    private static RegTrigger InputOf(FlowContext ctx, RegistrationButton? button)
    {
        var text = (ctx.Event as TextReceived)?.Text.Trim();
        return ctx.Event switch
        {
            TextReceived when IsLabel(ctx, text!, "reg.button.cancel") => RegTrigger.Cancelled,
            TextReceived when IsLabel(ctx, text!, "reg.button.back") => RegTrigger.Back,
            TextReceived => RegTrigger.TextTyped,
            ContactShared => RegTrigger.ContactShared,
            ButtonPressed => button switch
            {
                RegistrationButton.Cancel => RegTrigger.Cancelled,
                RegistrationButton.Back => RegTrigger.Back,
                RegistrationButton.Skip => RegTrigger.Skipped,
                RegistrationButton.PickGrid => RegTrigger.GridPicked,
                RegistrationButton.PickBuilding => RegTrigger.BuildingPicked,
                RegistrationButton.PickRegion => RegTrigger.RegionPicked,
                RegistrationButton.ToggleSkill => RegTrigger.SkillToggled,
                RegistrationButton.SkillsDone => RegTrigger.SkillsDone,
                RegistrationButton.Confirm => RegTrigger.Confirmed,
                RegistrationButton.Streets or RegistrationButton.Street => RegTrigger.CommunitiesBrowsed,
                RegistrationButton.PickCommunity => RegTrigger.CommunityPicked,
                _ => RegTrigger.StaleButton,
            },
            _ => RegTrigger.OtherMessage,
        };
    }

    private static RegKind KindOf(Dictionary<string, string> data) =>
        Enum.TryParse<RegKind>(data.GetValueOrDefault("kind"), out var kind) ? kind : RegKind.Resident;

    /// <summary>The steps each kind goes through, in order (a step is skipped when its answer is already known).</summary>
    public static IReadOnlyList<RegStep> Sequence(RegKind kind) => kind switch
    {
        RegKind.Resident => [RegStep.ChoosingGrid, RegStep.ChoosingBuilding, RegStep.AskingPhone, RegStep.Confirming],
        RegKind.Handler => [RegStep.AskingPhone, RegStep.ChoosingGrid, RegStep.Confirming],
        RegKind.Roster => [RegStep.SharingContact, RegStep.ChoosingGrid, RegStep.ChoosingRegion, RegStep.AskingWorkUnit, RegStep.ChoosingSkills, RegStep.Confirming],
        _ => [RegStep.AskingPhone, RegStep.ChoosingGrid, RegStep.ChoosingRegion, RegStep.AskingWorkUnit, RegStep.ChoosingSkills, RegStep.Confirming],
    };

    private static RegStep Next(RegKind kind, RegStep current, Dictionary<string, string> data, DirectorySnapshot? directory)
    {
        var sequence = Sequence(kind);
        var index = sequence.ToList().IndexOf(current);
        foreach (var step in sequence.Skip(index + 1))
        {
            if (!Skipped(step, data, directory))
            {
                return step;
            }
        }

        return RegStep.Confirming;
    }

    private static bool Skipped(RegStep step, Dictionary<string, string> data, DirectorySnapshot? directory) => step switch
    {
        RegStep.AskingPhone => data.ContainsKey("phoneLocked"),
        // A member joining a workplace region may live in no community yet: no grid to choose (they report in later).
        RegStep.ChoosingGrid => data.ContainsKey("gridLocked") || (data.ContainsKey(InService.Workplace.WorkNodeKey) && directory is { Grids.Count: 0 }),
        RegStep.ChoosingRegion => data.ContainsKey("regionLocked") || directory is { Regions.Count: 0 },
        RegStep.AskingWorkUnit => data.ContainsKey("workLocked"),
        RegStep.ChoosingBuilding => directory is not null && directory.Grid(data.GetValueOrDefault("grid")) is not { Buildings.Count: > 0 },
        _ => false,
    };

    private static StateMachine<RegStep, RegTrigger> Build(
        Func<RegStep> read, Action<RegStep> write, FlowContext? context, Dictionary<string, string> data, DirectorySnapshot directory,
        RegistrationButton? button, Action touch, CancellationToken cancellationToken)
    {
        // With no context the machine is built only to be drawn; the actions are never run then.
        var ctx = context!;
        var machine = new StateMachine<RegStep, RegTrigger>(read, write);
        static DynamicStateInfos Steps(string reason, IEnumerable<RegStep> steps)
        {
            var infos = new DynamicStateInfos();
            foreach (var step in steps)
            {
                infos.Add(step, reason);
            }

            return infos;
        }

        // The person's kind can change while answering (a roster entry says the role), so it is read when needed.
        RegStep Forward() => Next(KindOf(data), machine.State, data, directory);
        RegStep Backward()
        {
            var path = Path(data);
            if (path.Count == 0)
            {
                return machine.State;
            }

            var previous = path[^1];
            path.RemoveAt(path.Count - 1);
            data["path"] = string.Join(',', path);
            return previous;
        }

        // An input the step takes: its content is checked, then the person goes on, is asked again or told why not.
        async Task AnswerAsync()
        {
            var (outcome, hint) = await InterpretAsync(ctx, KindOf(data), data, directory, button, cancellationToken).ConfigureAwait(false);
            switch (outcome)
            {
                case RegTrigger.Answered:
                    await machine.FireAsync(RegTrigger.Answered).ConfigureAwait(false);
                    break;
                case RegTrigger.Invalid:
                    ctx.AnswerButton();
                    var ended = ctx.Conversation.Flow != FlowName;
                    ctx.Reply(ctx.T(hint ?? "reg.hint.buttons"), ended ? CommandCatalog.Menu(ctx.Roles, ctx.Language, ctx.Texts, ctx.Emergency) : null);
                    break;
                case RegTrigger.Adjusted when hint == Edited:
                    touch();
                    break;
                case RegTrigger.Adjusted:
                    Ask(ctx, machine.State, data, directory);
                    break;
                default:
                    ctx.AnswerButton(ctx.T("button.stale"));
                    break;
            }
        }

        // Anything a step does not take: a button of an earlier question (or forged) is stale, a message gets the hint.
        machine.OnUnhandledTrigger((step, _) =>
        {
            if (ctx.Event is ButtonPressed)
            {
                ctx.AnswerButton(ctx.T("button.stale"));
                return;
            }

            ctx.Reply(ctx.T(step switch
            {
                RegStep.AskingWorkUnit => "reg.hint.work_unit",
                RegStep.SharingContact => "reg.hint.contact",
                RegStep.AskingPhone => "reg.hint.phone",
                _ => "reg.hint.buttons",
            }));
        });

        var steps = new[] { RegStep.SharingContact, RegStep.AskingPhone, RegStep.ChoosingGrid, RegStep.ChoosingBuilding, RegStep.ChoosingRegion, RegStep.AskingWorkUnit, RegStep.ChoosingSkills, RegStep.Confirming };
        foreach (var step in steps)
        {
            var configuration = machine.Configure(step)
                .OnEntry(
                    t =>
                    {
                        if (t.Trigger == RegTrigger.Answered && t.Source != RegStep.ChoosingCommunity)
                        {
                            var path = Path(data);
                            path.Add(t.Source);
                            data["path"] = string.Join(',', path);
                        }
                        else if (t.Trigger == RegTrigger.Back)
                        {
                            Acknowledge(ctx, ctx.Event as ButtonPressed, ctx.T("reg.button.back"));
                        }

                        Ask(ctx, t.Destination, data, directory);
                    },
                    "ask the question")
                .PermitDynamic(RegTrigger.Back, Backward, "the previous question", Steps("the previous question", steps.Where(s => s != step)))
                .Permit(RegTrigger.Cancelled, RegStep.Done);
            if (step != RegStep.Confirming)
            {
                configuration.PermitDynamic(RegTrigger.Answered, Forward, "the next question not answered yet", Steps("the next question", steps.Where(s => s != step && s != RegStep.SharingContact)));
            }
        }

        // Which input each question takes; anything else goes to the unhandled-trigger hook above.
        machine.Configure(RegStep.SharingContact).InternalTransitionAsync(RegTrigger.ContactShared, _ => AnswerAsync());
        machine.Configure(RegStep.AskingPhone)
            .InternalTransitionAsync(RegTrigger.ContactShared, _ => AnswerAsync())
            .InternalTransitionAsync(RegTrigger.TextTyped, _ => AnswerAsync())
            .InternalTransitionAsync(RegTrigger.OtherMessage, _ => AnswerAsync())
            .InternalTransitionAsyncIf(RegTrigger.Skipped, () => KindOf(data) == RegKind.Resident, _ => AnswerAsync());
        machine.Configure(RegStep.ChoosingGrid).InternalTransitionAsync(RegTrigger.GridPicked, _ => AnswerAsync());
        machine.Configure(RegStep.ChoosingBuilding)
            .InternalTransitionAsync(RegTrigger.BuildingPicked, _ => AnswerAsync())
            .InternalTransitionAsync(RegTrigger.Skipped, _ => AnswerAsync());
        machine.Configure(RegStep.ChoosingRegion)
            .InternalTransitionAsync(RegTrigger.RegionPicked, _ => AnswerAsync())
            .InternalTransitionAsync(RegTrigger.Skipped, _ => AnswerAsync());
        machine.Configure(RegStep.AskingWorkUnit)
            .InternalTransitionAsync(RegTrigger.TextTyped, _ => AnswerAsync())
            .InternalTransitionAsync(RegTrigger.Skipped, _ => AnswerAsync());
        machine.Configure(RegStep.ChoosingSkills)
            .InternalTransitionAsync(RegTrigger.SkillToggled, _ => AnswerAsync())
            .InternalTransitionAsync(RegTrigger.SkillsDone, _ => AnswerAsync());

        // Which community: browsing edits the picker; a choice moves the person there first (decided again there), then
        // the first question is asked with that community's grids and regions.
        async Task BrowseAsync()
        {
            var communities = await Communities.ListAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
            switch (button)
            {
                case RegistrationButton.Streets streets:
                    AskCommunity(ctx, communities, null, streets.Page, edit: true);
                    break;
                case RegistrationButton.Street street when communities.Any(c => c.Street.Id == street.StreetId):
                    AskCommunity(ctx, communities, street.StreetId, street.Page, edit: true);
                    break;
                default:
                    ctx.AnswerButton(ctx.T("button.stale"));
                    break;
            }
        }

        async Task PickCommunityAsync()
        {
            var pick = (RegistrationButton.PickCommunity)button!;
            if (await Communities.GetAsync(ctx.Reader, pick.CommunityId, cancellationToken).ConfigureAwait(false) is not { } community)
            {
                ctx.AnswerButton(ctx.T("button.stale"));
                return;
            }

            if (community.Id != ctx.Shard)
            {
                if (Communities.Settled(ctx))
                {
                    ctx.AnswerButton(ctx.T("button.stale"));
                    return;
                }

                ctx.MoveFirst(community.Id);
                return;
            }

            Acknowledge(ctx, ctx.Event as ButtonPressed, community.Name);
            if (data.ContainsKey("place"))
            {
                ctx.Conversation = MainFlow.Idle(ctx.Now);
                ctx.Reply(ctx.T("reg.community.placed", Html.Escape(community.Name)), CommandCatalog.Menu(ctx.Roles, ctx.Language, ctx.Texts, ctx.Emergency));
                return;
            }

            await machine.FireAsync(RegTrigger.Answered).ConfigureAwait(false);
        }

        machine.Configure(RegStep.ChoosingCommunity)
            .Permit(RegTrigger.Cancelled, RegStep.Done)
            .InternalTransitionAsync(RegTrigger.CommunitiesBrowsed, _ => BrowseAsync())
            .InternalTransitionAsync(RegTrigger.CommunityPicked, _ => PickCommunityAsync())
            .PermitDynamic(RegTrigger.Answered, Forward, "the first question", Steps("the first question", [RegStep.SharingContact, RegStep.ChoosingGrid, RegStep.AskingPhone]));

        machine.Configure(RegStep.ChoosingKind).PermitDynamic(RegTrigger.Answered, Forward, "the first question", Steps("the first question", [RegStep.SharingContact, RegStep.ChoosingGrid, RegStep.AskingPhone]));
        machine.Configure(RegStep.Confirming).Permit(RegTrigger.Confirmed, RegStep.Done);
        machine.Configure(RegStep.Done)
            .OnEntryFrom(
                RegTrigger.Cancelled,
                _ =>
                {
                    RemoveButtons(ctx);
                    ctx.Conversation = MainFlow.Idle(ctx.Now);
                    ctx.Reply(ctx.T("cancel.done"), CommandCatalog.Menu(ctx.Roles, ctx.Language, ctx.Texts, ctx.Emergency));
                },
                "say cancelled")
            .OnEntryFromAsync(
                RegTrigger.Confirmed,
                async () =>
                {
                    RemoveButtons(ctx);
                    await FinishAsync(ctx, KindOf(data), data, directory, cancellationToken).ConfigureAwait(false);
                },
                "register");
        return machine;
    }

    /// <summary>Answers the press and removes the pressed message's buttons (confirm, cancel).</summary>
    private static void RemoveButtons(FlowContext ctx)
    {
        if (ctx.Event is ButtonPressed { MessageId: { } messageId })
        {
            ctx.Effects.EditMarkup(ctx.ChatId, messageId, null);
        }

        ctx.AnswerButton();
    }

    private static List<RegStep> Path(Dictionary<string, string> data) =>
        (data.GetValueOrDefault("path") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(Enum.Parse<RegStep>).ToList();

    /// <summary>Reads the event against the current step: records a valid answer in <paramref name="data"/>.</summary>
    /// <summary>Reads an input the step takes: records a valid answer in <paramref name="data"/>.</summary>
    private static async ValueTask<(RegTrigger Trigger, string? Hint)> InterpretAsync(
        FlowContext ctx, RegKind kind, Dictionary<string, string> data, DirectorySnapshot directory, RegistrationButton? button, CancellationToken cancellationToken)
    {
        var step = Enum.TryParse<RegStep>(ctx.Conversation.Step, out var s) ? s : RegStep.Confirming;
        var press = ctx.Event as ButtonPressed;
        var text = (ctx.Event as TextReceived)?.Text.Trim();

        // A press must belong to the step the person is on now (a button of an earlier question is stale).
        switch (step)
        {
            case RegStep.SharingContact:
                if (ctx.Event is not ContactShared contact)
                {
                    return press is not null ? (RegTrigger.StaleButton, null) : (RegTrigger.Invalid, "reg.hint.contact");
                }

                if (contact.ContactUserId != ctx.Event.UserId)
                {
                    return (RegTrigger.Invalid, "reg.hint.contact_not_yours");
                }

                var phone = PhoneNumber.FromTelegramContact(contact.PhoneNumber);
                if (phone is not null && !Communities.Settled(ctx)
                    && await RosterCommunityAsync(ctx, phone, cancellationToken).ConfigureAwait(false) is { } listing && listing != ctx.Shard
                    && await ctx.Reader.GetAsync<RosterEntry>(DocKeys.Roster(phone).In(listing), cancellationToken).ConfigureAwait(false) is not null)
                {
                    // Listed on another community's roster: the person joins that community first and is decided again there.
                    ctx.MoveFirst(listing);
                    return (RegTrigger.Adjusted, Edited);
                }

                var entry = phone is null ? null : await ctx.Reader.GetAsync<RosterEntry>(DocKeys.Roster(phone), cancellationToken).ConfigureAwait(false);
                if (entry is null)
                {
                    ctx.Conversation = MainFlow.Idle(ctx.Now);
                    return (RegTrigger.Invalid, "reg.roster.not_found");
                }

                if (entry.JoinedUserId is { } joined && joined != ctx.Event.UserId)
                {
                    ctx.Conversation = MainFlow.Idle(ctx.Now);
                    return (RegTrigger.Invalid, "reg.roster.taken");
                }

                // A convenor leads the region the roster names and a grid worker serves the grid it names; a row without
                // one (imported before the roster refused such rows) joins as a member, so nobody picks what they will
                // lead or handle.
                data["kind"] = (entry.Role.HasFlag(Roles.Convenor) && entry.RegionId is not null ? RegKind.Convenor : entry.Role.HasFlag(Roles.Handler) && entry.GridId is not null ? RegKind.Handler : entry.Role.HasFlag(Roles.Resident) ? RegKind.Resident : RegKind.Member).ToString();
                data["roster"] = entry.Phone;
                data["phone"] = entry.Phone;
                data["phoneLocked"] = "1";
                data["name"] = entry.Name;
                SetIf(data, "grid", entry.GridId, "gridLocked");
                SetIf(data, "region", entry.RegionId, "regionLocked");
                SetIf(data, "work", entry.WorkUnit, "workLocked");

                data["skills"] = string.Join(',', entry.Skills);
                ctx.Reply(ctx.T("reg.roster.found", Html.Escape(entry.Name)), new RemoveKeyboard());
                return (RegTrigger.Answered, null);

            case RegStep.AskingPhone:
                if (button is RegistrationButton.Skip && kind == RegKind.Resident)
                {
                    data.Remove("phone");
                    Acknowledge(ctx, press, ctx.T("reg.button.skip"));
                    return (RegTrigger.Answered, null);
                }

                string? given = ctx.Event switch
                {
                    ContactShared c when c.ContactUserId == ctx.Event.UserId => PhoneNumber.FromTelegramContact(c.PhoneNumber),
                    ContactShared => null,
                    TextReceived t when IsLabel(ctx, t.Text.Trim(), "reg.button.skip") && kind == RegKind.Resident => string.Empty,
                    TextReceived t => t.Text,
                    _ => null,
                };
                if (given == string.Empty)
                {
                    data.Remove("phone");
                    return (RegTrigger.Answered, null);
                }

                if (ctx.Event is ContactShared { ContactUserId: var owner } && owner != ctx.Event.UserId)
                {
                    return (RegTrigger.Invalid, "reg.hint.contact_not_yours");
                }

                if (PhoneNumber.Normalize(given) is not { } normalised)
                {
                    return press is not null ? (RegTrigger.StaleButton, null) : (RegTrigger.Invalid, "reg.hint.phone");
                }

                data["phone"] = normalised;
                if (ctx.Event is ContactShared)
                {
                    // Verified by Telegram (the person's own contact): fixed from now on.
                    data["phoneVerified"] = "1";
                }
                else
                {
                    data.Remove("phoneVerified");
                }

                ctx.Reply(ctx.T("reg.phone.saved", normalised), new RemoveKeyboard());
                return (RegTrigger.Answered, null);

            case RegStep.ChoosingGrid when button is RegistrationButton.PickGrid pickGrid:
                if (directory.Grid(pickGrid.GridId) is not { } grid)
                {
                    return (RegTrigger.StaleButton, null);
                }

                data["grid"] = grid.Id;
                data.Remove("building");
                Acknowledge(ctx, press, grid.Name);
                return (RegTrigger.Answered, null);

            case RegStep.ChoosingBuilding when button is RegistrationButton.Skip:
                data.Remove("building");
                Acknowledge(ctx, press, ctx.T("reg.button.skip"));
                return (RegTrigger.Answered, null);

            case RegStep.ChoosingBuilding when button is RegistrationButton.PickBuilding pickBuilding:
                if (directory.Grid(data.GetValueOrDefault("grid"))?.Buildings.FirstOrDefault(b => b.Id == pickBuilding.BuildingId) is not { } building)
                {
                    return (RegTrigger.StaleButton, null);
                }

                data["building"] = building.Id;
                Acknowledge(ctx, press, building.Name);
                return (RegTrigger.Answered, null);

            case RegStep.ChoosingRegion when button is RegistrationButton.Skip:
                data.Remove("region");
                Acknowledge(ctx, press, ctx.T("reg.region.none"));
                return (RegTrigger.Answered, null);

            case RegStep.ChoosingRegion when button is RegistrationButton.PickRegion pickRegion:
                if (directory.Region(pickRegion.RegionId) is not { } region)
                {
                    return (RegTrigger.StaleButton, null);
                }

                data["region"] = region.Id;
                Acknowledge(ctx, press, region.Name);
                return (RegTrigger.Answered, null);

            case RegStep.AskingWorkUnit when button is RegistrationButton.Skip:
                data.Remove("work");
                Acknowledge(ctx, press, ctx.T("reg.button.skip"));
                return (RegTrigger.Answered, null);

            case RegStep.AskingWorkUnit when text is not null:
                if (text.Length is 0 or > 100)
                {
                    return (RegTrigger.Invalid, "reg.hint.work_unit");
                }

                data["work"] = text;
                return (RegTrigger.Answered, null);

            case RegStep.ChoosingSkills when button is RegistrationButton.ToggleSkill { Skill: var skill }:
                var skills = Skills(data);
                if (!skills.Remove(skill))
                {
                    skills.Add(skill);
                }

                data["skills"] = string.Join(',', skills.Order());
                ctx.AnswerButton();
                if (press?.MessageId is { } keyboardMessage)
                {
                    // Edit the keyboard in place: the marks show what is chosen.
                    ctx.Effects.EditMarkup(ctx.ChatId, keyboardMessage, SkillKeyboard(ctx, data));
                    return (RegTrigger.Adjusted, Edited);
                }

                return (RegTrigger.Adjusted, null);

            case RegStep.ChoosingSkills when button is RegistrationButton.SkillsDone:
                var chosen = Skills(data);
                Acknowledge(ctx, press, chosen.Count == 0 ? "—" : string.Join(ctx.T("role.separator"), chosen.Select(x => ctx.T("skill." + x))));
                return (RegTrigger.Answered, null);

        }

        if (press is not null)
        {
            return (RegTrigger.StaleButton, null);
        }

        return (RegTrigger.Invalid, step switch
        {
            RegStep.AskingWorkUnit => "reg.hint.work_unit",
            RegStep.SharingContact => "reg.hint.contact",
            _ => "reg.hint.buttons",
        });
    }

    private static void SetIf(Dictionary<string, string> data, string key, string? value, string lockKey)
    {
        if (value is not null)
        {
            data[key] = value;
            data[lockKey] = "1";
        }
    }

    private static bool IsLabel(FlowContext ctx, string text, string key) =>
        text == ctx.Texts.Get(Language.Zh, key) || text == ctx.Texts.Get(Language.En, key);

    /// <summary>Answers the press and replaces the pressed question's buttons by the choice made.</summary>
    private static void Acknowledge(FlowContext ctx, ButtonPressed? press, string choice)
    {
        if (press is null)
        {
            return;
        }

        ctx.AnswerButton();
        if (press.MessageId is { } messageId)
        {
            ctx.Effects.EditMarkup(ctx.ChatId, messageId, new InlineMarkup([[Button("✔ " + choice, new RegistrationButton.Chosen())]]));
        }
    }

    private static List<Skill> Skills(Dictionary<string, string> data) =>
        (data.GetValueOrDefault("skills") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(x => Enum.TryParse<Skill>(x, out var s) ? (Skill?)s : null).OfType<Skill>().ToList();

    private static InlineMarkup SkillKeyboard(FlowContext ctx, Dictionary<string, string> data)
    {
        var chosen = Skills(data);
        var rows = Enum.GetValues<Skill>()
            .Select(s => Button((chosen.Contains(s) ? "☑️ " : "⬜ ") + ctx.T("skill." + s), new RegistrationButton.ToggleSkill(s)))
            .Rows(3);
        rows.Add([Button(ctx.T("reg.button.done"), new RegistrationButton.SkillsDone())]);
        rows.Add(NavigationRow(ctx));
        return new InlineMarkup(rows);
    }

    private static List<InlineButton> NavigationRow(FlowContext ctx) =>
        [Button(ctx.T("reg.button.back"), new RegistrationButton.Back()), Button(ctx.T("reg.button.cancel"), new RegistrationButton.Cancel())];

    private static InlineButton Button(string label, RegistrationButton button) => new(label, RegistrationButton.Codec.Encode(button));

    /// <summary>Asks the question of <paramref name="step"/>.</summary>
    private static void Ask(FlowContext ctx, RegStep step, Dictionary<string, string> data, DirectorySnapshot directory)
    {
        var kind = Enum.TryParse<RegKind>(data.GetValueOrDefault("kind"), out var k) ? k : RegKind.Resident;
        List<IReadOnlyList<InlineButton>> rows;
        switch (step)
        {
            case RegStep.SharingContact:
                ctx.Reply(ctx.T("reg.ask.contact"), new ReplyKeyboard([[new ReplyButton(ctx.T("reg.button.share_phone"), RequestContact: true)], [new ReplyButton(ctx.T("reg.button.cancel"))]]) { OneTime = true });
                return;
            case RegStep.AskingPhone:
                var phoneRows = new List<IReadOnlyList<ReplyButton>> { new[] { new ReplyButton(ctx.T("reg.button.share_phone"), RequestContact: true) } };
                phoneRows.Add(kind == RegKind.Resident
                    ? [new ReplyButton(ctx.T("reg.button.skip")), new ReplyButton(ctx.T("reg.button.back")), new ReplyButton(ctx.T("reg.button.cancel"))]
                    : [new ReplyButton(ctx.T("reg.button.back")), new ReplyButton(ctx.T("reg.button.cancel"))]);
                ctx.Reply(ctx.T(kind == RegKind.Resident ? "reg.ask.phone_optional" : "reg.ask.phone"), new ReplyKeyboard(phoneRows) { OneTime = true });
                return;
            case RegStep.ChoosingGrid:
                if (directory.Grids.Count == 0)
                {
                    ctx.Reply(ctx.T("reg.no_grids"));
                    ctx.Conversation = MainFlow.Idle(ctx.Now);
                    return;
                }

                rows = directory.Grids.Select(g => Button(g.Name, new RegistrationButton.PickGrid(g.Id))).Rows(2);
                rows.Add(NavigationRow(ctx));
                ctx.Reply(ctx.T("reg.ask.grid"), new InlineMarkup(rows));
                return;
            case RegStep.ChoosingBuilding:
                var grid = directory.Grid(data.GetValueOrDefault("grid"));
                rows = (grid?.Buildings ?? []).Select(b => Button(b.Name, new RegistrationButton.PickBuilding(b.Id))).Rows(3);
                rows.Add([Button(ctx.T("reg.button.skip"), new RegistrationButton.Skip())]);
                rows.Add(NavigationRow(ctx));
                ctx.Reply(ctx.T("reg.ask.building", Html.Escape(grid?.Name)), new InlineMarkup(rows));
                return;
            case RegStep.ChoosingRegion:
                rows = directory.Regions.Select(r => Button(r.Name, new RegistrationButton.PickRegion(r.Id))).Rows(2);
                rows.Add([Button(ctx.T("reg.region.none"), new RegistrationButton.Skip())]);
                rows.Add(NavigationRow(ctx));
                ctx.Reply(ctx.T("reg.ask.region"), new InlineMarkup(rows));
                return;
            case RegStep.AskingWorkUnit:
                ctx.Reply(ctx.T("reg.ask.work_unit"), new InlineMarkup([[Button(ctx.T("reg.button.skip"), new RegistrationButton.Skip())], NavigationRow(ctx)]));
                return;
            case RegStep.ChoosingSkills:
                ctx.Reply(ctx.T("reg.ask.skills"), SkillKeyboard(ctx, data));
                return;
            case RegStep.Confirming:
                ctx.Reply(Summary(ctx, kind, data, directory), new InlineMarkup([[Button(ctx.T("reg.button.confirm"), new RegistrationButton.Confirm())], NavigationRow(ctx)]));
                return;
            default:
                return;
        }
    }

    private static string Summary(FlowContext ctx, RegKind kind, Dictionary<string, string> data, DirectorySnapshot directory)
    {
        var sb = new StringBuilder(ctx.T("reg.summary.header")).Append('\n');
        sb.Append(ctx.T("reg.summary.name", Html.Escape(data.GetValueOrDefault("name") ?? ctx.Profile.FirstName))).Append('\n');
        sb.Append(ctx.T("reg.summary.role", CommandCatalog.RoleNames(RolesOf(kind), ctx.Language, ctx.Texts))).Append('\n');
        sb.Append(ctx.T("reg.summary.phone", data.GetValueOrDefault("phone") ?? "—")).Append(Lock(data, "phoneLocked")).Append('\n');
        sb.Append(ctx.T("reg.summary.grid", Html.Escape(directory.GridName(data.GetValueOrDefault("grid"))))).Append(Lock(data, "gridLocked")).Append('\n');
        if (kind == RegKind.Resident)
        {
            sb.Append(ctx.T("reg.summary.building", Html.Escape(directory.BuildingName(data.GetValueOrDefault("grid"), data.GetValueOrDefault("building"))))).Append('\n');
        }
        else if (kind != RegKind.Handler)
        {
            sb.Append(ctx.T("reg.summary.region", Html.Escape(directory.RegionName(data.GetValueOrDefault("region"))))).Append(Lock(data, "regionLocked")).Append('\n');
            sb.Append(ctx.T("reg.summary.work_unit", Html.Escape(data.GetValueOrDefault("work") ?? "—"))).Append(Lock(data, "workLocked")).Append('\n');
            var skills = Skills(data);
            sb.Append(ctx.T("reg.summary.skills", skills.Count == 0 ? "—" : string.Join(ctx.T("role.separator"), skills.Select(s => ctx.T("skill." + s))))).Append('\n');
        }

        if (data.ContainsKey("edit") && LockKeys.Any(l => data.ContainsKey(l.LockKey)))
        {
            sb.Append(ctx.T("reg.summary.fixed_note")).Append('\n');
        }

        return sb.Append('\n').Append(ctx.T("reg.summary.check")).ToString();
    }

    public static Roles RolesOf(RegKind kind) => kind switch
    {
        RegKind.Resident => Roles.Resident,
        RegKind.Convenor => Roles.Member | Roles.Convenor,
        RegKind.Handler => Roles.Handler,
        _ => Roles.Member,
    };

    private static async ValueTask FinishAsync(FlowContext ctx, RegKind kind, Dictionary<string, string> data, DirectorySnapshot directory, CancellationToken cancellationToken)
    {
        ctx.Conversation = MainFlow.Idle(ctx.Now);
        var invited = Roles.None;
        if (data.GetValueOrDefault("invite") is { } code)
        {
            // The invitation is checked again at the end: it may have been revoked, used up or expired meanwhile. It is
            // the community's where the person now lives, or a workplace region's (of the node noted when it was opened).
            var invite = await ctx.Reader.GetAsync<Invite>(DocKeys.Invite(code), cancellationToken).ConfigureAwait(false);
            if (invite is null || !invite.IsUsable(ctx.Now)
                || !(Communities.IsOwn(ctx, invite) || (InService.Workplace.WorkNode(data) is { } workNode && invite.NodeId == workNode)))
            {
                ctx.Reply(ctx.T("start.invite_invalid"), CommandCatalog.Menu(ctx.Roles, ctx.Language, ctx.Texts, ctx.Emergency));
                return;
            }

            ctx.Effects.Put(DocKeys.Invite(code), invite with { Uses = invite.Uses + 1 });

            // A community administrator's invitation (not an appointment to a node of the tree, OrgAdmins): the person
            // registers in the community as a member and administers its panel.
            invited = invite.Role == Roles.Admin && !invite.AppointsNodeAdmin ? Roles.Admin : Roles.None;
        }

        if (data.GetValueOrDefault("roster") is { } rosterPhone)
        {
            // The roster entry is checked again: someone may have joined with this number meanwhile.
            var entry = await ctx.Reader.GetAsync<RosterEntry>(DocKeys.Roster(rosterPhone), cancellationToken).ConfigureAwait(false);
            if (entry is null || (entry.JoinedUserId is { } joined && joined != ctx.Event.UserId))
            {
                ctx.Reply(ctx.T(entry is null ? "reg.roster.not_found" : "reg.roster.taken"), CommandCatalog.Menu(ctx.Roles, ctx.Language, ctx.Texts, ctx.Emergency));
                return;
            }

            ctx.Effects.Put(DocKeys.Roster(rosterPhone), entry with { JoinedUserId = ctx.Event.UserId });
        }

        var region = directory.Region(data.GetValueOrDefault("region"));
        string? appointed = null;
        if (kind == RegKind.Convenor && !data.ContainsKey("regionLocked"))
        {
            // Nobody chooses the region they will lead: only an invitation, the roster or an appointment fixes it.
            kind = RegKind.Member;
        }
        else if (kind == RegKind.Convenor && region is not null)
        {
            if (region.ConvenorId is null or 0 || region.ConvenorId == ctx.Event.UserId)
            {
                ctx.Effects.Put(InService.Workplace.RegionKeyFor(data, region.Id), region with { ConvenorId = ctx.Event.UserId });
                appointed = ctx.T("reg.done.convenor", Html.Escape(region.Name));
            }
            else if (region.BackupConvenorId is null or 0 || region.BackupConvenorId == ctx.Event.UserId)
            {
                ctx.Effects.Put(InService.Workplace.RegionKeyFor(data, region.Id), region with { BackupConvenorId = ctx.Event.UserId });
                appointed = ctx.T("reg.done.backup", Html.Escape(region.Name));
            }
        }

        if (kind == RegKind.Convenor && appointed is null)
        {
            // A person is a convenor only while leading or backing up a region: both places are taken, so they join as
            // a member and an administrator can appoint them later.
            kind = RegKind.Member;
            appointed = ctx.T("reg.done.region_full", Html.Escape(region?.Name));
        }

        // Editing never changes a fixed field, whatever the answers say (defence in depth: its question is skipped).
        var before = ctx.Profile;
        var editing = data.ContainsKey("edit");
        bool Keeps(ProfileFields field) => editing && before.Fixed.HasFlag(field);
        var fixedNow = LockKeys.Where(l => data.ContainsKey(l.LockKey)).Aggregate(ProfileFields.None, (all, l) => all | l.Field)
            | (data.ContainsKey("phoneVerified") && data.ContainsKey("phone") ? ProfileFields.Phone : ProfileFields.None);
        ctx.Profile = ctx.Profile with
        {
            RegisteredAt = ctx.Profile.RegisteredAt ?? ctx.Now,
            Roles = ctx.Profile.Roles | RolesOf(kind) | invited,
            Phone = data.GetValueOrDefault("phone") ?? ctx.Profile.Phone,
            GridId = StaffGrid(ctx.Profile) ?? data.GetValueOrDefault("grid"),
            BuildingId = kind == RegKind.Resident ? data.GetValueOrDefault("building") : data.GetValueOrDefault("building") ?? ctx.Profile.BuildingId,
            RegionId = StaffRegion(ctx.Profile) ?? (kind is RegKind.Resident or RegKind.Handler ? ctx.Profile.RegionId : data.GetValueOrDefault("region")),
            WorkUnit = kind is RegKind.Resident or RegKind.Handler ? ctx.Profile.WorkUnit : data.GetValueOrDefault("work"),
            Skills = kind is RegKind.Resident or RegKind.Handler ? ctx.Profile.Skills : Skills(data),
        };
        ctx.Profile = ctx.Profile with
        {
            Phone = Keeps(ProfileFields.Phone) ? before.Phone : ctx.Profile.Phone,
            GridId = Keeps(ProfileFields.Grid) ? before.GridId : ctx.Profile.GridId,
            RegionId = Keeps(ProfileFields.Region) ? before.RegionId : ctx.Profile.RegionId,
            WorkNodeId = Keeps(ProfileFields.Region) || kind is RegKind.Resident or RegKind.Handler || StaffRegion(before) is not null
                ? before.WorkNodeId
                : ctx.Profile.RegionId is null ? null : InService.Workplace.WorkNode(data),
            WorkUnit = Keeps(ProfileFields.WorkUnit) ? before.WorkUnit : ctx.Profile.WorkUnit,
            Fixed = before.Fixed | (fixedNow & Present(ctx.Profile)),
        };

        var roles = ctx.Profile.Roles | (ctx.Roles & Roles.Admin);
        var done = ctx.T("reg.done", CommandCatalog.RoleNames(RolesOf(kind), ctx.Language, ctx.Texts));
        ctx.Reply(appointed is null ? done : done + "\n" + appointed, CommandCatalog.Menu(roles, ctx.Language, ctx.Texts, ctx.Emergency));
        await InService.Workplace.AfterRegisteredAsync(ctx, cancellationToken).ConfigureAwait(false);
    }

    internal static string Format(int number) => number.ToString(CultureInfo.InvariantCulture);

    /// <summary>Each fixable field and the conversation key that locks its question.</summary>
    private static readonly (ProfileFields Field, string LockKey)[] LockKeys =
        [(ProfileFields.Phone, "phoneLocked"), (ProfileFields.Grid, "gridLocked"), (ProfileFields.Region, "regionLocked"), (ProfileFields.WorkUnit, "workLocked")];

    /// <summary>The fields that hold a value (only those can be fixed).</summary>
    private static ProfileFields Present(UserProfile p) =>
        (p.Phone is null ? ProfileFields.None : ProfileFields.Phone) | (p.GridId is null ? ProfileFields.None : ProfileFields.Grid)
        | (p.RegionId is null ? ProfileFields.None : ProfileFields.Region) | (p.WorkUnit is null ? ProfileFields.None : ProfileFields.WorkUnit);

    /// <summary>" 🔒" after a summary line whose field is fixed (while editing).</summary>
    private static string Lock(Dictionary<string, string> data, string lockKey) =>
        data.ContainsKey("edit") && data.ContainsKey(lockKey) ? " 🔒" : string.Empty;

    /// <summary>The grid a grid worker is bound to (null for anyone else).</summary>
    private static string? StaffGrid(UserProfile profile) => profile.Roles.HasFlag(Roles.Handler) ? profile.GridId : null;

    /// <summary>The region a convenor leads or backs up (null for anyone else).</summary>
    private static string? StaffRegion(UserProfile profile) => profile.Roles.HasFlag(Roles.Convenor) ? profile.RegionId : null;
}
