using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Musters;

public sealed partial class MusterFlow
{
    private const int MaxNoticeLength = 500;

    /// <summary>/mode: the current mode and the switch (administrators).</summary>
    private async ValueTask OnModeCommandAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        if (await TreeModeCommandAsync(ctx, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (!ctx.Has(Roles.Admin))
        {
            Refuse(ctx, "role.admin");
            return;
        }

        var mode = await ctx.Reader.GetAsync<CommunityMode>(DocKeys.Mode, cancellationToken).ConfigureAwait(false);
        if (mode is { Emergency: true })
        {
            ctx.Reply(ctx.T("mu.mode.is_emergency", MusterView.Time(mode.Since, Offset), ModeNoticeText(ctx.Language, mode)), new InlineMarkup([[new InlineButton(ctx.T("mu.btn.mode_normal"), new MusterButton.AskNormal().Data)]]));
        }
        else
        {
            ctx.Reply(ctx.T("mu.mode.is_normal"), new InlineMarkup([[new InlineButton(ctx.T("mu.btn.mode_emergency"), new MusterButton.AskEmergency().Data)]]));
        }
    }

    /// <summary>
    /// The mode buttons: the mode machine decides by the community's mode; the confirm of "emergency" also needs the
    /// administrator's own notice step (decided by the conversation machine).
    /// </summary>
    private async ValueTask OnModeButtonAsync(FlowContext ctx, MusterStep step, MusterButton.ModeChoice button, CancellationToken cancellationToken)
    {
        if (!ctx.Has(Roles.Admin))
        {
            Refuse(ctx, "role.admin");
            return;
        }

        var mode = await ctx.Reader.GetAsync<CommunityMode>(DocKeys.Mode, cancellationToken).ConfigureAwait(false);
        var emergency = mode is { Emergency: true };
        var people = (await ctx.Reader.MembersAsync(Sets.People, cancellationToken).ConfigureAwait(false)).Count;
        var trigger = button switch
        {
            MusterButton.AskEmergency => ModeTrigger.AskEmergency,
            MusterButton.ConfirmEmergency => ModeTrigger.ConfirmEmergency,
            MusterButton.AskNormal => ModeTrigger.AskNormal,
            _ => ModeTrigger.ConfirmNormal,
        };

        // The confirm of "emergency" needs this administrator's notice step with a previewed notice (the conversation machine).
        var conversation = new Conversation(step, ctx.Conversation.Data);
        var previewed = trigger == ModeTrigger.ConfirmEmergency && conversation.Fire(MusterTrigger.ConfirmEmergency);
        switch (ModeMachine.Decide(emergency, trigger, previewed))
        {
            case ModeOutcome.AlreadyThere:
                ctx.AnswerButton(ctx.T(emergency ? "mu.mode.already_emergency" : "mu.mode.already_normal"), alert: true);
                return;
            case ModeOutcome.NothingToConfirm:
                // A confirm from a preview that was cancelled or is not this administrator's: nothing to confirm.
                ctx.AnswerButton(ctx.T("button.expired_hint"));
                return;
        }

        switch (trigger)
        {
            case ModeTrigger.AskEmergency:
                var ask = new Conversation(step, new Dictionary<string, string>());
                ask.Fire(MusterTrigger.AskNotice);
                ctx.AnswerButton();
                ctx.Conversation = Persist(ctx, ask);
                ctx.Show(ctx.T("mu.mode.notice_ask", MaxNoticeLength), CancelKeyboard(ctx));
                return;
            case ModeTrigger.ConfirmEmergency:
                var notice = ctx.Conversation.Data["notice"];
                ctx.Conversation = Persist(ctx, conversation);
                await SwitchModeAsync(ctx, emergency: true, notice, null, cancellationToken).ConfigureAwait(false);
                ctx.AnswerButton(ctx.T("mu.mode.now_emergency", people));
                ctx.Show(ctx.T("mu.mode.now_emergency", people), null);
                return;
            case ModeTrigger.AskNormal:
                ctx.AnswerButton();
                var held = (await ctx.Reader.MembersAsync(Sets.HeldNotices, cancellationToken).ConfigureAwait(false)).Count;
                ctx.Show(ctx.T("mu.mode.normal_ask", people, held), new InlineMarkup([[
                    new InlineButton(ctx.T("mu.btn.mode_normal_yes"), new MusterButton.ConfirmNormal().Data),
                    new InlineButton(ctx.T("button.cancel"), new MusterButton.Cancel().Data)]]));
                return;
            default:
                await SwitchModeAsync(ctx, emergency: false, null, null, cancellationToken).ConfigureAwait(false);
                ctx.AnswerButton(ctx.T("mu.mode.now_normal"));
                ctx.Show(ctx.T("mu.mode.now_normal"), null);
                return;
        }
    }

    /// <summary>The emergency notice typed by an administrator (the machine checked its length): previewed, then confirmed with a button.</summary>
    private static async ValueTask ModeNoticeAsync(FlowContext ctx, string notice, CancellationToken cancellationToken)
    {
        var people = (await ctx.Reader.MembersAsync(Sets.People, cancellationToken).ConfigureAwait(false)).Count;
        ctx.Conversation = ctx.Conversation with { Data = new Dictionary<string, string> { ["notice"] = notice }, UpdatedAt = ctx.Now };
        ctx.Reply(ctx.T("mu.mode.preview", Html.Escape(notice), people), new InlineMarkup([[
            new InlineButton(ctx.T("mu.btn.mode_emergency_yes"), new MusterButton.ConfirmEmergency().Data),
            new InlineButton(ctx.T("button.cancel"), new MusterButton.Cancel().Data)]]));
    }

    /// <summary>The emergency notice: the administrator's text, or the standard one for the kind; the hotline if configured.</summary>
    private string ModeNoticeText(Language language, CommunityMode mode)
    {
        var body = mode.Notice is { Length: > 0 } notice
            ? Html.Escape(notice)
            : texts.Format(language, "mu.mode.default_notice", mode.Kind is { } kind ? texts.Get(language, "mu.kind." + kind) : texts.Get(language, "mu.mode.emergency_word"));
        if (_options.Hotline is { Length: > 0 } hotline)
        {
            body += "\n" + texts.Format(language, "mu.mode.hotline", Html.Escape(hotline));
        }

        return texts.Format(language, "mu.mode.notice", body, MusterView.Time(mode.Since, Offset));
    }

    /// <summary>
    /// Switches the community's mode and tells every registered person, each with the menu of the new mode; switching
    /// back also sends the normal-time notices held during the emergency.
    /// </summary>
    private async ValueTask SwitchModeAsync(FlowContext ctx, bool emergency, string? notice, int? musterNumber, CancellationToken cancellationToken, MusterKind? kind = null)
    {
        var mode = new CommunityMode(emergency) { Since = ctx.Now, ChangedBy = ctx.IsSystem ? null : ctx.Profile.Id, Notice = notice, MusterNumber = musterNumber, Kind = kind };
        ctx.Effects.Put(DocKeys.Mode, mode);
        ctx.Emergency = emergency;
        var ids = await ctx.Reader.MembersAsync(Sets.People, cancellationToken).ConfigureAwait(false);
        var profiles = await ctx.Reader.GetManyAsync<UserProfile>(ids.Select(id => DocKeys.User(long.Parse(id, System.Globalization.CultureInfo.InvariantCulture))).ToList(), cancellationToken).ConfigureAwait(false);
        foreach (var profile in profiles)
        {
            if (profile is null || profile.BlockedBot)
            {
                continue;
            }

            var roles = RolesOf(profile);
            var html = emergency ? ModeNoticeText(profile.Language, mode) : texts.Get(profile.Language, "mu.mode.back_to_normal");
            ctx.Effects.Send(profile.ChatId, html, CommandCatalog.Menu(roles, profile.Language, texts, emergency), emergency ? Lane.Emergency : Lane.Normal);
        }

        if (!emergency)
        {
            await Notices.ReleaseAsync(ctx, cancellationToken).ConfigureAwait(false);
        }
    }
}
