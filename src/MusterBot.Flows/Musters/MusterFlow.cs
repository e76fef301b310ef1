using System.Globalization;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.State.Timers;

namespace MusterBot.Flows.Musters;

/// <summary>
/// Emergency musters (集结): the launch wizard (/muster), the fan-out through convenors with escalation, members'
/// check-ins, live roll calls (/rollcall), reminders, the close with its report and points, and the community mode
/// (/mode, 平时 ↔ 急时). Every button names its muster; every press re-reads the muster and re-checks the presser's rights.
/// Timers of a muster belong to the community (user id <see cref="SystemUser"/>), not to a person.
/// </summary>
public sealed partial class MusterFlow(TextCatalog texts, IOptions<MusterOptions> options, IOptions<FlowOptions> flowOptions) : IFlow, IMySection
{
    public const string FlowName = "muster";

    /// <summary>The owner of community timers (escalation, reminders, roll-call refreshes, the automatic close).</summary>
    public const long SystemUser = 0;

    private const string P = MusterView.Prefix;
    private const int PageSize = 10;
    private const int MaxReasonLength = 200;
    private static readonly int[] EtaChoices = [10, 20, 30, 60];

    private readonly MusterOptions _options = options.Value;

    public string Name => FlowName;

    public IReadOnlyCollection<string> Commands { get; } = ["muster", "rollcall", "mode"];

    /// <summary>Open musters come first in /my.</summary>
    public int Order => 0;

    public bool OwnsButton(string data) => data.StartsWith(P, StringComparison.Ordinal);

    private TimeSpan Offset => _options.UtcOffset;

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var step = ctx.Conversation.Flow == FlowName && Enum.TryParse<MusterStep>(ctx.Conversation.Step, out var s) ? s : MusterStep.Idle;
        switch (ctx.Event)
        {
            case TimerFired timer:
                await OnTimerAsync(ctx, timer.Payload, cancellationToken).ConfigureAwait(false);
                return;
            case CommandReceived { Command: "muster" } command:
                await OnMusterCommandAsync(ctx, command.Argument, cancellationToken).ConfigureAwait(false);
                return;
            case CommandReceived { Command: "rollcall" }:
                await OnRollCallCommandAsync(ctx, cancellationToken).ConfigureAwait(false);
                return;
            case CommandReceived { Command: "mode" }:
                await OnModeCommandAsync(ctx, cancellationToken).ConfigureAwait(false);
                return;
            case ButtonPressed press:
                await OnButtonAsync(ctx, step, press, cancellationToken).ConfigureAwait(false);
                return;
            default:
                await OnInputAsync(ctx, step, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    private async ValueTask OnButtonAsync(FlowContext ctx, MusterStep step, ButtonPressed press, CancellationToken cancellationToken)
    {
        var parts = press.Data.Split(':');
        var action = parts.Length > 1 ? parts[1] : string.Empty;
        if (action == "w")
        {
            await OnWizardButtonAsync(ctx, step, parts, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (action == "md")
        {
            await OnModeButtonAsync(ctx, step, parts, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (parts.Length < 3 || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        if (action is "ci" or "eta" or "rs")
        {
            // A member's answer needs the muster and their own answer: one round trip for both.
            await ctx.Reader.PrefetchAsync([DocKeys.Muster(number), DocKeys.MusterAnswer(number, ctx.Profile.Id)], cancellationToken).ConfigureAwait(false);
        }

        // A member's answer needs only the header; convenors' and administrators' actions need the regions too.
        var muster = action is "ci" or "eta" or "rs"
            ? await MusterStore.LoadHeaderAsync(ctx.Reader, number, cancellationToken).ConfigureAwait(false)
            : await MusterStore.LoadAsync(ctx.Reader, number, cancellationToken).ConfigureAwait(false);
        if (muster is null)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        if (!muster.IsOpen && action is not ("rc" or "rco"))
        {
            ctx.AnswerButton(ctx.T("mu.closed", muster.Code), alert: true);
            if (press.MessageId is { } messageId)
            {
                ctx.Effects.EditMarkup(ctx.ChatId, messageId, null);
            }

            return;
        }

        switch (action)
        {
            case "ci" when parts.Length == 4:
                await CheckInAsync(ctx, muster, parts[3], cancellationToken).ConfigureAwait(false);
                return;
            case "eta" when parts.Length == 4:
                await SetEtaAsync(ctx, muster, parts[3], cancellationToken).ConfigureAwait(false);
                return;
            case "rs" when parts.Length == 4:
                await SetReasonAsync(ctx, muster, parts[3], cancellationToken).ConfigureAwait(false);
                return;
            case "ack" when parts.Length == 4:
                await AcknowledgeAsync(ctx, muster, parts[3], relay: false, cancellationToken).ConfigureAwait(false);
                return;
            case "rel" when parts.Length == 4:
                await AcknowledgeAsync(ctx, muster, parts[3], relay: true, cancellationToken).ConfigureAwait(false);
                return;
            case "rc" when parts.Length == 4:
                await RefreshPressedAsync(ctx, muster, parts[3], newMessage: false, cancellationToken).ConfigureAwait(false);
                return;
            case "rco" when parts.Length == 4:
                await RefreshPressedAsync(ctx, muster, parts[3], newMessage: true, cancellationToken).ConfigureAwait(false);
                return;
            case "nr" when parts.Length == 5:
                await NonRespondersAsync(ctx, muster, parts[3], parts[4], newMessage: false, cancellationToken).ConfigureAwait(false);
                return;
            case "nrn" when parts.Length == 4:
                await NonRespondersAsync(ctx, muster, parts[3], "0", newMessage: true, cancellationToken).ConfigureAwait(false);
                return;
            case "pm" when parts.Length == 4:
                await MemberCardAsync(ctx, muster, parts[3], cancellationToken).ConfigureAwait(false);
                return;
            case "ph" when parts.Length == 4:
                await ProxyAsync(ctx, muster, parts[3], null, cancellationToken).ConfigureAwait(false);
                return;
            case "pb" when parts.Length == 5:
                await ProxyAsync(ctx, muster, parts[3], parts[4], cancellationToken).ConfigureAwait(false);
                return;
            case "cl" when parts.Length == 3:
                AskClose(ctx, muster);
                return;
            case "cl0" when parts.Length == 3:
                ctx.AnswerButton();
                ctx.Show(ctx.T("mu.close.kept", muster.Code), null);
                return;
            case "cly" when parts.Length == 3:
                await CloseAsync(ctx, muster, cancellationToken).ConfigureAwait(false);
                return;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                return;
        }
    }

    private async ValueTask OnInputAsync(FlowContext ctx, MusterStep step, CancellationToken cancellationToken)
    {
        switch (step)
        {
            case MusterStep.ReasonText:
                await ReasonTextAsync(ctx, cancellationToken).ConfigureAwait(false);
                return;
            case MusterStep.ArrivedLocation:
                await ArrivedLocationAsync(ctx, cancellationToken).ConfigureAwait(false);
                return;
            case MusterStep.ModeNotice:
                await ModeNoticeAsync(ctx, cancellationToken).ConfigureAwait(false);
                return;
            case MusterStep.Idle:
                if (ctx.Event is LocationShared)
                {
                    await ArrivedLocationAsync(ctx, cancellationToken).ConfigureAwait(false);
                    return;
                }

                ctx.Conversation = MainFlow.Idle(ctx.Now);
                ctx.Reply(ctx.T("unknown.text"), Menu(ctx));
                return;
            default:
                await OnWizardInputAsync(ctx, step, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    // ---- members ----

    /// <summary>/my: in emergency mode the notice, then every open muster the person was called to, with their answer.</summary>
    public async ValueTask<bool> ShowAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var mode = await ctx.Reader.GetAsync<CommunityMode>(DocKeys.Mode, cancellationToken).ConfigureAwait(false);
        var shown = false;
        if (mode is { Emergency: true })
        {
            ctx.Reply(ModeNoticeText(ctx.Language, mode), Menu(ctx));
            shown = true;
        }

        foreach (var number in await OpenMusterNumbersAsync(ctx, cancellationToken).ConfigureAwait(false))
        {
            var muster = await MusterStore.LoadHeaderAsync(ctx.Reader, number, cancellationToken).ConfigureAwait(false);
            var answer = await ctx.Reader.GetAsync<MusterAnswer>(DocKeys.MusterAnswer(number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false);
            if (muster is null || answer is null)
            {
                continue;
            }

            ctx.Reply(MemberOrderText(ctx.Language, muster, answer), MusterView.CheckInButtons(texts, ctx.Language, number));
            shown = true;
        }

        return shown;
    }

    private string MemberOrderText(Language language, Muster muster, MusterAnswer answer)
    {
        var text = MusterView.Order(texts, language, muster, Offset, answer.MatchedSkills);
        var line = MusterView.AnswerLine(texts, language, answer, Offset);
        return line.Length == 0 ? text : text + "\n\n" + line;
    }

    private static async ValueTask<MusterAnswer?> OwnAnswerAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken)
    {
        var answer = await ctx.Reader.GetAsync<MusterAnswer>(DocKeys.MusterAnswer(muster.Number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false);
        if (answer is null)
        {
            ctx.AnswerButton(ctx.T("mu.not_called", muster.Code), alert: true);
        }

        return answer;
    }

    private async ValueTask CheckInAsync(FlowContext ctx, Muster muster, string code, CancellationToken cancellationToken)
    {
        if (MusterView.StatusOf(code) is not { } status)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        if (await OwnAnswerAsync(ctx, muster, cancellationToken).ConfigureAwait(false) is not { } answer)
        {
            return;
        }

        if (answer.Status == status)
        {
            ctx.AnswerButton(ctx.T("mu.ci.same", MusterView.StatusName(texts, ctx.Language, status)));
            return;
        }

        var updated = Answer(ctx, muster, answer, status, ctx.Profile.Id, null);
        EndReasonQuestion(ctx, muster);
        ctx.AnswerButton(ctx.T("mu.ci.saved", MusterView.StatusName(texts, ctx.Language, status)));
        var followUp = status switch
        {
            CheckInStatus.OnTheWay => EtaButtons(ctx.Language, muster.Number),
            CheckInStatus.CantCome => ReasonButtons(ctx.Language, muster.Number),
            _ => MusterView.CheckInButtons(texts, ctx.Language, muster.Number),
        };
        // Arrived: the location is optional and needs no extra message; the hint rides on the edited order, and the
        // emergency menu has a "send my location" button (a location sent outside any step is attached here).
        var text = MemberOrderText(ctx.Language, muster, updated);
        ctx.Show(status == CheckInStatus.Arrived ? text + "\n" + ctx.T("mu.ci.location_hint") : text, followUp);
    }

    private InlineMarkup EtaButtons(Language language, int number)
    {
        var n = MusterView.Num(number);
        var buttons = EtaChoices.Select(m => new InlineButton(texts.Format(language, "mu.eta", m), $"{P}eta:{n}:{m.ToString(CultureInfo.InvariantCulture)}")).ToList();
        var rows = buttons.Rows(4);
        rows.AddRange(MusterView.CheckInButtons(texts, language, number).Rows);
        return new InlineMarkup(rows);
    }

    private InlineMarkup ReasonButtons(Language language, int number)
    {
        var n = MusterView.Num(number);
        var rows = Enum.GetValues<CantComeReason>()
            .Select(r => new InlineButton(texts.Get(language, "mu.reason." + r), $"{P}rs:{n}:{r.ToString().ToLowerInvariant()}")).Rows(2);
        rows.AddRange(MusterView.CheckInButtons(texts, language, number).Rows);
        return new InlineMarkup(rows);
    }

    private async ValueTask SetEtaAsync(FlowContext ctx, Muster muster, string minutesText, CancellationToken cancellationToken)
    {
        if (!int.TryParse(minutesText, NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) || minutes is < 1 or > 600)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        if (await OwnAnswerAsync(ctx, muster, cancellationToken).ConfigureAwait(false) is not { } answer)
        {
            return;
        }

        if (answer.Status != CheckInStatus.OnTheWay)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        if (answer.EtaMinutes == minutes)
        {
            ctx.AnswerButton(ctx.T("mu.ci.same", ctx.T("mu.eta", minutes)));
            return;
        }

        var updated = answer with { EtaMinutes = minutes, History = [.. answer.History, new AnswerChange(CheckInStatus.OnTheWay, ctx.Now, ctx.Profile.Id) { Detail = "eta " + minutesText }] };
        Store(ctx, muster, answer, updated);
        ctx.AnswerButton(ctx.T("mu.ci.saved", ctx.T("mu.eta", minutes)));
        ctx.Show(MemberOrderText(ctx.Language, muster, updated), MusterView.CheckInButtons(texts, ctx.Language, muster.Number));
    }

    private async ValueTask SetReasonAsync(FlowContext ctx, Muster muster, string code, CancellationToken cancellationToken)
    {
        var reason = Enum.GetValues<CantComeReason>().Cast<CantComeReason?>().FirstOrDefault(r => r.ToString()!.Equals(code, StringComparison.OrdinalIgnoreCase));
        if (reason is null)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        if (await OwnAnswerAsync(ctx, muster, cancellationToken).ConfigureAwait(false) is not { } answer)
        {
            return;
        }

        if (answer.Status != CheckInStatus.CantCome)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        if (reason == CantComeReason.Other)
        {
            ctx.AnswerButton();
            ctx.Conversation = new ConversationState(FlowName, nameof(MusterStep.ReasonText))
            {
                Data = new Dictionary<string, string> { ["n"] = MusterView.Num(muster.Number) },
                UpdatedAt = ctx.Now,
            };
            ctx.Reply(ctx.T("mu.ci.reason_ask"), CancelKeyboard(ctx));
            return;
        }

        if (answer.Reason == reason)
        {
            ctx.AnswerButton(ctx.T("mu.ci.same", ctx.T("mu.reason." + reason)));
            return;
        }

        var updated = answer with { Reason = reason, ReasonText = null, History = [.. answer.History, new AnswerChange(CheckInStatus.CantCome, ctx.Now, ctx.Profile.Id) { Detail = reason.ToString() }] };
        Store(ctx, muster, answer, updated);
        EndReasonQuestion(ctx, muster);
        ctx.AnswerButton(ctx.T("mu.ci.saved", ctx.T("mu.reason." + reason)));
        ctx.Show(MemberOrderText(ctx.Language, muster, updated), MusterView.CheckInButtons(texts, ctx.Language, muster.Number));
    }

    /// <summary>
    /// A new answer by button ends a pending "write the reason" question of the same muster: otherwise the next thing
    /// the member types would turn the answer back into "can't come".
    /// </summary>
    private static void EndReasonQuestion(FlowContext ctx, Muster muster)
    {
        if (ctx.Conversation.Flow == FlowName && ctx.Conversation.Step == nameof(MusterStep.ReasonText)
            && ctx.Conversation.Data.TryGetValue("n", out var n) && n == MusterView.Num(muster.Number))
        {
            ctx.Conversation = MainFlow.Idle(ctx.Now);
        }
    }

    private async ValueTask ReasonTextAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        if (ctx.Event is not TextReceived text)
        {
            ctx.Reply(ctx.T("mu.ci.reason_ask"), CancelKeyboard(ctx));
            return;
        }

        var reasonText = text.Text.Trim();
        if (reasonText.Length == 0 || reasonText.Length > MaxReasonLength)
        {
            ctx.Reply(ctx.T("mu.ci.reason_length", MaxReasonLength), CancelKeyboard(ctx));
            return;
        }

        // The muster is named by the conversation: read it before the conversation is reset.
        var muster = await MusterOfConversationAsync(ctx, cancellationToken).ConfigureAwait(false);
        ctx.Conversation = MainFlow.Idle(ctx.Now);
        var answer = muster is null ? null : await ctx.Reader.GetAsync<MusterAnswer>(DocKeys.MusterAnswer(muster.Number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false);
        if (muster is null || !muster.IsOpen || answer is null)
        {
            ctx.Reply(muster is null ? ctx.T("mu.none_open") : ctx.T("mu.closed", muster.Code), Menu(ctx));
            return;
        }

        Answer(ctx, muster, answer, CheckInStatus.CantCome, ctx.Profile.Id, reasonText, a => a with { Reason = CantComeReason.Other, ReasonText = reasonText });
        ctx.Reply(ctx.T("mu.ci.saved", MusterView.StatusName(texts, ctx.Language, CheckInStatus.CantCome) + " · " + Html.Escape(reasonText)), Menu(ctx));
    }

    private async ValueTask ArrivedLocationAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        var inStep = ctx.Conversation.Flow == FlowName && ctx.Conversation.Step == nameof(MusterStep.ArrivedLocation);
        var muster = inStep ? await MusterOfConversationAsync(ctx, cancellationToken).ConfigureAwait(false) : null;
        if (ctx.Event is not LocationShared location)
        {
            // "Skip", or anything else: the answer stands without a location.
            ctx.Conversation = MainFlow.Idle(ctx.Now);
            ctx.Reply(ctx.T("mu.ci.location_skipped"), Menu(ctx));
            return;
        }

        ctx.Conversation = MainFlow.Idle(ctx.Now);
        if (muster is null)
        {
            // A location outside a check-in: attach it to the newest open muster the person arrived at, if any.
            foreach (var number in (await OpenMusterNumbersAsync(ctx, cancellationToken).ConfigureAwait(false)).OrderDescending())
            {
                var candidate = await ctx.Reader.GetAsync<MusterAnswer>(DocKeys.MusterAnswer(number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false);
                if (candidate is { Status: CheckInStatus.Arrived or CheckInStatus.OnTheWay })
                {
                    muster = await MusterStore.LoadHeaderAsync(ctx.Reader, number, cancellationToken).ConfigureAwait(false);
                    break;
                }
            }
        }

        var answer = muster is null ? null : await ctx.Reader.GetAsync<MusterAnswer>(DocKeys.MusterAnswer(muster.Number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false);
        if (muster is null || !muster.IsOpen || answer is null)
        {
            ctx.Reply(ctx.T("mu.location_no_muster"), Menu(ctx));
            return;
        }

        var updated = answer with
        {
            Latitude = location.Latitude,
            Longitude = location.Longitude,
            History = [.. answer.History, new AnswerChange(answer.Status, ctx.Now, ctx.Profile.Id) { Detail = "location" }],
        };
        Store(ctx, muster, answer, updated);
        ctx.Reply(ctx.T("mu.ci.location_saved", muster.Code), Menu(ctx));
    }

    private static async ValueTask<Muster?> MusterOfConversationAsync(FlowContext ctx, CancellationToken cancellationToken) =>
        ctx.Conversation.Data.TryGetValue("n", out var n) && int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? await MusterStore.LoadHeaderAsync(ctx.Reader, number, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>
    /// Records a new answer: the answer document (version-checked), the status index sets, the region's change marker
    /// and a throttled refresh of every live roll call that shows the region.
    /// </summary>
    private MusterAnswer Answer(FlowContext ctx, Muster muster, MusterAnswer answer, CheckInStatus status, long by, string? detail, Func<MusterAnswer, MusterAnswer>? refine = null)
    {
        var updated = answer with
        {
            Status = status,
            AnsweredAt = ctx.Now,
            FirstAnsweredAt = answer.FirstAnsweredAt ?? ctx.Now,
            EtaMinutes = null,
            Reason = null,
            ReasonText = null,
            History = [.. answer.History, new AnswerChange(status, ctx.Now, by) { Detail = detail }],
        };
        if (refine is not null)
        {
            updated = refine(updated);
        }

        Store(ctx, muster, answer, updated);
        return updated;
    }

    private void Store(FlowContext ctx, Muster muster, MusterAnswer before, MusterAnswer after)
    {
        ctx.Effects.Put(DocKeys.MusterAnswer(muster.Number, after.UserId), after);
        var member = Sets.Member(after.UserId);
        if (before.Status != after.Status)
        {
            if (before.Status != CheckInStatus.NoAnswer)
            {
                ctx.Effects.RemoveFromSet(Sets.MusterAnswers(muster.Number, after.RegionId, before.Status), member);
            }

            if (after.Status != CheckInStatus.NoAnswer)
            {
                ctx.Effects.AddToSet(Sets.MusterAnswers(muster.Number, after.RegionId, after.Status), member);
            }
        }

        if (after.PhonedBy is not null && before.PhonedBy is null)
        {
            ctx.Effects.AddToSet(Sets.MusterPhoned(muster.Number, after.RegionId), member);
        }

        Touch(ctx, muster, after.RegionId);
    }

    /// <summary>Marks a region changed and asks for a refresh of the muster's live roll calls (at most once an interval).</summary>
    private void Touch(FlowContext ctx, Muster muster, string regionId)
    {
        ctx.Effects.Put(DocKeys.ChangeMarker(muster.Number, regionId), new ChangeMarker(ctx.Now));
        ArmRefresh(ctx, muster.Number, keepExisting: true);
    }

    private void ArmRefresh(FlowContext ctx, int number, bool keepExisting)
    {
        var id = $"{P}rf:{MusterView.Num(number)}";
        ctx.Effects.SetTimer(new TimerEntry(id, ctx.Now + _options.RollCallInterval, SystemUser, id) { KeepExisting = keepExisting });
    }


    private static async ValueTask<IReadOnlyList<int>> OpenMusterNumbersAsync(FlowContext ctx, CancellationToken cancellationToken) =>
        (await ctx.Reader.MembersAsync(Sets.OpenMusters, cancellationToken).ConfigureAwait(false))
            .Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order().ToList();

    private ReplyKeyboard Menu(FlowContext ctx) => CommandCatalog.Menu(ctx.Roles, ctx.Language, texts, ctx.Emergency);

    private static InlineMarkup CancelKeyboard(FlowContext ctx) => new([[new InlineButton(ctx.T("button.cancel"), P + "w:x")]]);

    private Roles RolesOf(UserProfile profile) =>
        profile.Roles | (flowOptions.Value.Admins.Contains(profile.Id) ? Roles.Admin : Roles.None);

    private static bool IsConvenorOf(FlowContext ctx, MusterRegion? region) =>
        region is not null && (region.ConvenorId == ctx.Profile.Id || region.BackupConvenorId == ctx.Profile.Id);

    private void Refuse(FlowContext ctx, string roleKey)
    {
        var refusal = ctx.T("not_allowed", ctx.T(roleKey));
        if (ctx.Event is ButtonPressed)
        {
            ctx.AnswerButton(refusal, alert: true);
        }
        else
        {
            ctx.Reply(refusal, Menu(ctx));
        }
    }
}
