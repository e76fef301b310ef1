using System.Globalization;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Registration;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using Stateless;
using Stateless.Graph;

namespace MusterBot.Flows.Profile;

/// <summary>
/// /me: one's own profile, with editing (registration again, pre-filled), availability for members (available, or away
/// for some days) and leaving (personal data deleted; only an anonymised count per role is kept).
/// </summary>
public sealed class ProfileFlow(IEnumerable<ILeaveSection> leaveSections) : IFlow
{
    /// <summary>What a person who leaves hands back (complaints, wishes, convenor seats), in the same commit.</summary>
    private readonly IReadOnlyList<ILeaveSection> _leaveSections = [.. leaveSections];

    public const string FlowName = "profile";

    /// <summary>The numbers of days a member can be away for (0: available again).</summary>
    private static readonly int[] OfferedDays = [0, 1, 3, 7, 30];

    public string Name => FlowName;

    public IReadOnlyCollection<string> Commands { get; } = ["me"];

    public bool OwnsButton(string data) => ProfileButton.Codec.Owns(data);

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var press = ctx.Event as ButtonPressed;
        var button = press is null ? new ProfileButton.ShowCard() : ProfileButton.Codec.Decode(press.Data);
        var trigger = button switch
        {
            ProfileButton.ShowCard => ProfileTrigger.Shown,
            ProfileButton.AskAvailability => ProfileTrigger.AvailabilityAsked,
            ProfileButton.SetAvailability => ProfileTrigger.AvailabilitySet,
            ProfileButton.Edit => ProfileTrigger.EditStarted,
            ProfileButton.AskLeave => ProfileTrigger.LeaveAsked,
            ProfileButton.ConfirmLeave => ProfileTrigger.LeaveConfirmed,
            ProfileButton.KeepProfile => ProfileTrigger.LeaveDeclined,
            _ => ProfileTrigger.StaleButton,
        };

        // An in-service member's two places (workplace region, reported-in community): InService/Workplace.
        var work = new WorkPlaces(
            await InService.Workplace.CardLinesAsync(ctx, cancellationToken).ConfigureAwait(false),
            await InService.Workplace.MayReportInAsync(ctx, cancellationToken).ConfigureAwait(false));
        var step = ProfileStep.Viewing;
        var machine = Build(() => step, s => step = s, ctx, directory, work, button, _leaveSections, cancellationToken);
        await machine.FireAsync(trigger).ConfigureAwait(false);
    }

    public string ToMermaid()
    {
        var step = ProfileStep.Viewing;
        return MermaidGraph.Format(Build(() => step, s => step = s, null, null, new WorkPlaces(null, false), null, [], CancellationToken.None).GetInfo()) + "\n";
    }

    /// <summary>The lines /me shows for an in-service member, and whether it offers to report in to a community.</summary>
    private sealed record WorkPlaces(IReadOnlyList<string>? Lines, bool MayReportIn);

    private static StateMachine<ProfileStep, ProfileTrigger> Build(
        Func<ProfileStep> read, Action<ProfileStep> write, FlowContext? context, DirectorySnapshot? directory, WorkPlaces work, ProfileButton? button, IReadOnlyList<ILeaveSection> leaveSections, CancellationToken cancellationToken)
    {
        // With no context the machine is built only to be drawn; the actions and guards are never run then.
        var ctx = context!;
        var machine = new StateMachine<ProfileStep, ProfileTrigger>(read, write);
        void Show(string html, InlineMarkup? markup) => ctx.Show(html, markup);
        bool Registered() => ctx.Profile.RegisteredAt is not null;
        bool Member() => ctx.Profile.Roles.HasFlag(Roles.Member);

        // A press of a button the person may not use (any more) — availability for a non-member, leaving twice, a
        // number of days never offered, or a button that does not decode — is answered as stale and changes nothing.
        machine.OnUnhandledTrigger((_, _) => ctx.AnswerButton(ctx.T("button.stale")));
        machine.Configure(ProfileStep.Viewing)
            .InternalTransition(ProfileTrigger.Shown, _ => Show(Card(ctx, directory!, work), CardKeyboard(ctx, work)))
            .InternalTransitionIf(ProfileTrigger.AvailabilityAsked, _ => Member(), _ => Show(ctx.T("me.avail.ask"), new InlineMarkup([
                [Button(ctx, "me.avail.available", new ProfileButton.SetAvailability(0))],
                [.. OfferedDays.Where(d => d > 0).Select(d => new InlineButton(ctx.T("me.avail.days", d), ProfileButton.Codec.Encode(new ProfileButton.SetAvailability(d))))],
                [Button(ctx, "admin.button.back", new ProfileButton.ShowCard())]])), "a member")
            .InternalTransitionIf(
                ProfileTrigger.AvailabilitySet,
                _ => Member() && button is ProfileButton.SetAvailability { Days: var d } && OfferedDays.Contains(d),
                _ =>
                {
                    var days = ((ProfileButton.SetAvailability)button!).Days;
                    ctx.Profile = ctx.Profile with { AwayUntil = days == 0 ? null : DateOnly.FromDateTime(ctx.Now.UtcDateTime).AddDays(days) };
                    Show(Card(ctx, directory!, work), CardKeyboard(ctx, work));
                },
                "a member, offered days")
            .InternalTransitionAsyncIf(ProfileTrigger.EditStarted, Registered, async _ =>
            {
                ctx.AnswerButton();
                await RegistrationFlow.BeginEditAsync(ctx, cancellationToken).ConfigureAwait(false);
            })
            .InternalTransitionIf(ProfileTrigger.LeaveAsked, _ => Registered(), _ => Show(ctx.T("me.leave.ask"), new InlineMarkup([
                [Button(ctx, "me.leave.confirm", new ProfileButton.ConfirmLeave())],
                [Button(ctx, "reg.button.cancel", new ProfileButton.KeepProfile())]])), "registered")
            .InternalTransition(ProfileTrigger.LeaveDeclined, _ => Show(Card(ctx, directory!, work), CardKeyboard(ctx, work)))
            .PermitIf(ProfileTrigger.LeaveConfirmed, ProfileStep.Left, Registered, "registered");
        machine.Configure(ProfileStep.Left).OnEntryAsync(async () =>
        {
            await LeaveAsync(ctx, directory!, ctx.Event as ButtonPressed, leaveSections, cancellationToken).ConfigureAwait(false);
            ctx.Reply(ctx.T("me.leave.done"), new RemoveKeyboard());
        }, "delete the personal data");
        return machine;
    }

    private static InlineButton Button(FlowContext ctx, string textKey, ProfileButton button) => new(ctx.T(textKey), ProfileButton.Codec.Encode(button));

    private static async ValueTask LeaveAsync(FlowContext ctx, DirectorySnapshot directory, ButtonPressed? press, IReadOnlyList<ILeaveSection> leaveSections, CancellationToken cancellationToken)
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

        // Open work goes back in the same commit: assigned complaints, claimed wishes, seats in open musters.
        foreach (var section in leaveSections)
        {
            await section.HandBackAsync(ctx, cancellationToken).ConfigureAwait(false);
        }

        ctx.DeleteProfile = true;
    }

    private static string Card(FlowContext ctx, DirectorySnapshot directory, WorkPlaces work)
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

        // Fields the community fixed (invitation, roster, verified contact) carry a lock: /me cannot change them.
        string Lock(ProfileFields field) => p.Fixed.HasFlag(field) ? " \U0001F512" : string.Empty;
        lines.Add(ctx.T("reg.summary.phone", p.Phone ?? "—") + Lock(ProfileFields.Phone));
        lines.Add(ctx.T("reg.summary.grid", Html.Escape(directory.GridName(p.GridId))) + Lock(ProfileFields.Grid));
        if (p.BuildingId is not null)
        {
            lines.Add(ctx.T("reg.summary.building", Html.Escape(directory.BuildingName(p.GridId, p.BuildingId))));
        }

        if (p.Roles.HasFlag(Roles.Member))
        {
            if (work.Lines is { } both)
            {
                // An in-service member: the workplace region (and its node) and the community they reported in to.
                lines.Add(both[0] + Lock(ProfileFields.Region));
                lines.AddRange(both.Skip(1));
            }
            else
            {
                lines.Add(ctx.T("reg.summary.region", Html.Escape(directory.RegionName(p.RegionId))) + Lock(ProfileFields.Region));
            }

            lines.Add(ctx.T("reg.summary.work_unit", Html.Escape(p.WorkUnit ?? "—")) + Lock(ProfileFields.WorkUnit));
            lines.Add(ctx.T("reg.summary.skills", p.Skills.Count == 0 ? "—" : string.Join(ctx.T("role.separator"), p.Skills.Select(s => ctx.T("skill." + s)))));
            var today = DateOnly.FromDateTime(ctx.Now.UtcDateTime);
            lines.Add(p.AwayUntil is { } until && until >= today
                ? ctx.T("me.avail.away_until", until.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
                : ctx.T("me.avail.is_available"));
        }

        if (p.Fixed != ProfileFields.None)
        {
            lines.Add(ctx.T("reg.summary.fixed_note"));
        }

        return string.Join('\n', lines);
    }

    private static InlineMarkup? CardKeyboard(FlowContext ctx, WorkPlaces work)
    {
        if (ctx.Profile.RegisteredAt is null)
        {
            return null;
        }

        var rows = new List<IReadOnlyList<InlineButton>> { new[] { Button(ctx, "me.button.edit", new ProfileButton.Edit()) } };
        if (ctx.Profile.Roles.HasFlag(Roles.Member))
        {
            rows.Add([Button(ctx, "me.button.availability", new ProfileButton.AskAvailability())]);
        }

        if (work.MayReportIn)
        {
            rows.Add([new InlineButton(ctx.T("is.button.report"), InService.InServiceButton.Codec.Encode(new InService.InServiceButton.ReportIn(0)))]);
        }

        rows.Add([Button(ctx, "me.button.leave", new ProfileButton.AskLeave())]);
        return new InlineMarkup(rows);
    }
}
