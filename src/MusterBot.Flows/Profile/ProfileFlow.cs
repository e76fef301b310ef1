using System.Globalization;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Engine;
using MusterBot.Flows.Events;
using MusterBot.Flows.Registration;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;

namespace MusterBot.Flows.Profile;

/// <summary>
/// /me: one's own profile, with editing (registration again, pre-filled), availability for members (available, or away
/// for some days) and leaving (personal data deleted; only an anonymised count per role is kept).
/// </summary>
public sealed class ProfileFlow : IFlow
{
    public const string FlowName = "profile";
    private const string P = "p:";

    public string Name => FlowName;

    public IReadOnlyCollection<string> Commands { get; } = ["me"];

    public bool OwnsButton(string data) => data.StartsWith(P, StringComparison.Ordinal);

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var press = ctx.Event as ButtonPressed;
        var action = press?.Data[P.Length..] ?? "show";
        var registered = ctx.Profile.RegisteredAt is not null;
        var trigger = action switch
        {
            "show" => ProfileTrigger.Shown,
            "avail" when ctx.Profile.Roles.HasFlag(Roles.Member) => ProfileTrigger.AvailabilityAsked,
            _ when action.StartsWith("av:", StringComparison.Ordinal) && ctx.Profile.Roles.HasFlag(Roles.Member) && Days(action[3..]) is not null => ProfileTrigger.AvailabilitySet,
            "edit" when registered => ProfileTrigger.EditStarted,
            "leave" when registered => ProfileTrigger.LeaveAsked,
            "leave:yes" when registered => ProfileTrigger.LeaveConfirmed,
            "leave:no" => ProfileTrigger.LeaveDeclined,
            _ => ProfileTrigger.StaleButton,
        };

        var step = ProfileStep.Viewing;
        var machine = new StateMachine<ProfileStep, ProfileTrigger>(() => step, s => step = s);
        Configure(machine, ctx, directory, press, action);
        if (trigger == ProfileTrigger.EditStarted)
        {
            ctx.AnswerButton();
            await RegistrationFlow.BeginEditAsync(ctx, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (trigger == ProfileTrigger.LeaveConfirmed)
        {
            await LeaveAsync(ctx, directory, press, cancellationToken).ConfigureAwait(false);
        }

        machine.Fire(trigger);
    }

    public string ToMermaid()
    {
        var step = ProfileStep.Viewing;
        var machine = new StateMachine<ProfileStep, ProfileTrigger>(() => step, s => step = s);
        Configure(machine, null, null, null, string.Empty);
        return machine.ToMermaidGraph(ProfileStep.Viewing);
    }

    private static void Configure(StateMachine<ProfileStep, ProfileTrigger> machine, FlowContext? context, DirectorySnapshot? directory, ButtonPressed? press, string action)
    {
        var ctx = context!;
        void Show(string html, InlineMarkup? markup) => ctx.Show(html, markup);

        machine.Configure(ProfileStep.Viewing)
            .InternalTransition(ProfileTrigger.Shown, _ => Show(Card(ctx, directory!), CardKeyboard(ctx)))
            .InternalTransition(ProfileTrigger.AvailabilityAsked, _ => Show(ctx.T("me.avail.ask"), new InlineMarkup([
                [new InlineButton(ctx.T("me.avail.available"), P + "av:0")],
                [new InlineButton(ctx.T("me.avail.days", 1), P + "av:1"), new InlineButton(ctx.T("me.avail.days", 3), P + "av:3"), new InlineButton(ctx.T("me.avail.days", 7), P + "av:7"), new InlineButton(ctx.T("me.avail.days", 30), P + "av:30")],
                [new InlineButton(ctx.T("admin.button.back"), P + "show")]])))
            .InternalTransition(ProfileTrigger.AvailabilitySet, _ =>
            {
                var days = Days(action[3..])!.Value;
                ctx.Profile = ctx.Profile with { AwayUntil = days == 0 ? null : DateOnly.FromDateTime(ctx.Now.UtcDateTime).AddDays(days) };
                Show(Card(ctx, directory!), CardKeyboard(ctx));
            })
            .InternalTransition(ProfileTrigger.LeaveAsked, _ => Show(ctx.T("me.leave.ask"), new InlineMarkup([
                [new InlineButton(ctx.T("me.leave.confirm"), P + "leave:yes")],
                [new InlineButton(ctx.T("reg.button.cancel"), P + "leave:no")]])))
            .InternalTransition(ProfileTrigger.LeaveDeclined, _ => Show(Card(ctx, directory!), CardKeyboard(ctx)))
            .InternalTransition(ProfileTrigger.StaleButton, _ => ctx.AnswerButton(ctx.T("button.stale")))
            .Permit(ProfileTrigger.LeaveConfirmed, ProfileStep.Left)
            .Ignore(ProfileTrigger.EditStarted);
        machine.Configure(ProfileStep.Left).OnEntry(() => ctx.Reply(ctx.T("me.leave.done"), new RemoveKeyboard()));
    }

    private static int? Days(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is 0 or 1 or 3 or 7 or 30 ? days : null;

    private static async ValueTask LeaveAsync(FlowContext ctx, DirectorySnapshot directory, ButtonPressed? press, CancellationToken cancellationToken)
    {
        ctx.AnswerButton();
        if (press?.MessageId is { } id)
        {
            ctx.Effects.EditMarkup(ctx.ChatId, id, null);
        }

        // Personal data goes; an anonymised count per role stays (for the community's figures).
        var counters = await ctx.Reader.GetAsync<CommunityCounters>(DocKeys.Counters, cancellationToken).ConfigureAwait(false) ?? new CommunityCounters();
        var left = new Dictionary<string, int>(counters.Left);
        foreach (var role in Enum.GetValues<Roles>().Where(r => r != Roles.None && ctx.Profile.Roles.HasFlag(r)))
        {
            left[role.ToString()] = left.GetValueOrDefault(role.ToString()) + 1;
        }

        ctx.Effects.Put(DocKeys.Counters, counters with { Left = left });
        foreach (var region in directory.Regions.Where(r => r.ConvenorId == ctx.Profile.Id || r.BackupConvenorId == ctx.Profile.Id))
        {
            ctx.Effects.Put(DocKeys.Region(region.Id), region with
            {
                ConvenorId = region.ConvenorId == ctx.Profile.Id ? null : region.ConvenorId,
                BackupConvenorId = region.BackupConvenorId == ctx.Profile.Id ? null : region.BackupConvenorId,
            });
        }

        if (ctx.Profile.Phone is { } phone && await ctx.Reader.GetAsync<RosterEntry>(DocKeys.Roster(phone), cancellationToken).ConfigureAwait(false) is { JoinedUserId: { } joined } entry && joined == ctx.Profile.Id)
        {
            ctx.Effects.Put(DocKeys.Roster(phone), entry with { JoinedUserId = null });
        }

        ctx.DeleteProfile = true;
    }

    private static string Card(FlowContext ctx, DirectorySnapshot directory)
    {
        var p = ctx.Profile;
        var fullName = string.IsNullOrEmpty(p.LastName) ? p.FirstName : p.FirstName + " " + p.LastName;
        var lines = new List<string>
        {
            ctx.T("me.card", Html.Escape(fullName), CommandCatalog.RoleNames(ctx.Roles, ctx.Language, ctx.Texts), ctx.T("lang.name"), p.Id.ToString(CultureInfo.InvariantCulture)),
        };
        if (p.RegisteredAt is null)
        {
            lines.Add(ctx.T("me.unregistered"));
            return string.Join('\n', lines);
        }

        lines.Add(ctx.T("reg.summary.phone", p.Phone ?? "—"));
        lines.Add(ctx.T("reg.summary.grid", Html.Escape(directory.GridName(p.GridId))));
        if (p.BuildingId is not null)
        {
            lines.Add(ctx.T("reg.summary.building", Html.Escape(directory.BuildingName(p.GridId, p.BuildingId))));
        }

        if (p.Roles.HasFlag(Roles.Member))
        {
            lines.Add(ctx.T("reg.summary.region", Html.Escape(directory.RegionName(p.RegionId))));
            lines.Add(ctx.T("reg.summary.work_unit", Html.Escape(p.WorkUnit ?? "—")));
            lines.Add(ctx.T("reg.summary.skills", p.Skills.Count == 0 ? "—" : string.Join(ctx.T("role.separator"), p.Skills.Select(s => ctx.T("skill." + s)))));
            var today = DateOnly.FromDateTime(ctx.Now.UtcDateTime);
            lines.Add(p.AwayUntil is { } until && until >= today
                ? ctx.T("me.avail.away_until", until.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
                : ctx.T("me.avail.is_available"));
        }

        return string.Join('\n', lines);
    }

    private static InlineMarkup? CardKeyboard(FlowContext ctx)
    {
        if (ctx.Profile.RegisteredAt is null)
        {
            return null;
        }

        var rows = new List<IReadOnlyList<InlineButton>> { new[] { new InlineButton(ctx.T("me.button.edit"), P + "edit") } };
        if (ctx.Profile.Roles.HasFlag(Roles.Member))
        {
            rows.Add([new InlineButton(ctx.T("me.button.availability"), P + "avail")]);
        }

        rows.Add([new InlineButton(ctx.T("me.button.leave"), P + "leave")]);
        return new InlineMarkup(rows);
    }
}
