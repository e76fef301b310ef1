using System.Globalization;
using System.Text;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Musters;

/// <summary>
/// How musters read: the order (kind and place first, drills marked at the very top), a member's answer, and the
/// check-in buttons. Pure functions of the records and the language.
/// </summary>
public static partial class MusterView
{
    public static string Mark(CheckInStatus status) => status switch
    {
        CheckInStatus.Acknowledged => "\u2705",
        CheckInStatus.OnTheWay => "\U0001F3C3",
        CheckInStatus.Arrived => "\U0001F4CD",
        CheckInStatus.CantCome => "\u274C",
        _ => "\u23F3",
    };

    public static string StatusName(TextCatalog texts, Language language, CheckInStatus status) =>
        Mark(status) + " " + texts.Get(language, "mu.status." + status);

    public static string KindName(TextCatalog texts, Language language, MusterPlan plan) =>
        plan.Kind == MusterKind.Other && !string.IsNullOrWhiteSpace(plan.Title)
            ? Html.Escape(plan.Title)
            : texts.Get(language, "mu.kind." + plan.Kind);

    public static string Time(DateTimeOffset at, TimeSpan offset) => at.ToOffset(offset).ToString("HH:mm", CultureInfo.InvariantCulture);

    public static string DrillLine(TextCatalog texts, Language language, MusterPlan plan) =>
        plan.Drill ? texts.Get(language, "mu.drill_banner") + "\n" : string.Empty;

    /// <summary>The order as a member reads it.</summary>
    public static string Order(TextCatalog texts, Language language, Muster muster, TimeSpan offset, IReadOnlyList<Skill> matchedSkills, bool askToAnswer = true)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(muster);
        var sb = new StringBuilder();
        sb.Append(DrillLine(texts, language, muster.Plan));
        sb.Append(texts.Format(language, "mu.order.head", KindName(texts, language, muster.Plan), Html.Escape(muster.Plan.RallyText), muster.Code)).Append('\n');
        sb.Append(FollowUpLine(texts, language, muster));
        sb.Append(texts.Format(language, "mu.order.by", Time(muster.ReportBy, offset)));
        if (matchedSkills.Count > 0)
        {
            sb.Append('\n').Append(texts.Format(language, "mu.order.skills", SkillList(texts, language, matchedSkills)));
        }

        if (askToAnswer)
        {
            sb.Append('\n').Append(texts.Get(language, "mu.order.answer"));
        }

        return sb.ToString();
    }

    /// <summary>"📣 Follow-up of M-1: post P-2 needs 3 more people.\n" for a post leader's call (empty otherwise).</summary>
    public static string FollowUpLine(TextCatalog texts, Language language, Muster muster)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(muster);
        return muster.ForPost is { } call
            ? texts.Format(language, "po.more.order", "M-" + Num(call.Muster), "P-" + Num(call.Post), call.Wanted) + "\n"
            : string.Empty;
    }

    /// <summary>The order as a convenor reads it: the same, plus how many of their region it calls.</summary>
    public static string ConvenorOrder(TextCatalog texts, Language language, Muster muster, MusterRegion region, string regionName, TimeSpan offset, bool asBackup, bool convenorLeft = false)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(muster);
        ArgumentNullException.ThrowIfNull(region);
        var sb = new StringBuilder();
        sb.Append(DrillLine(texts, language, muster.Plan));
        sb.Append(texts.Format(language, "mu.order.head", KindName(texts, language, muster.Plan), Html.Escape(muster.Plan.RallyText), muster.Code)).Append('\n');
        sb.Append(FollowUpLine(texts, language, muster));
        sb.Append(texts.Format(language, "mu.order.by", Time(muster.ReportBy, offset))).Append('\n');
        if (asBackup)
        {
            sb.Append(texts.Get(language, convenorLeft ? "mu.conv.backup_note_left" : "mu.conv.backup_note")).Append('\n');
        }

        sb.Append(texts.Format(language, "mu.conv.region", Html.Escape(regionName), region.Targeted)).Append('\n');
        // What to tap: only the buttons the order offers now (a backup told after the members were sends no relay).
        sb.Append(texts.Get(language, (region.AcknowledgedAt is null, region.MembersToldAt is null) switch
        {
            (true, true) => "mu.conv.do_ack_relay",
            (true, false) => "mu.conv.do_ack_rollcall",
            (false, true) => "mu.conv.do_relay",
            _ => "mu.conv.do_rollcall",
        }));
        return sb.ToString();
    }

    public static InlineMarkup ConvenorButtons(TextCatalog texts, Language language, Muster muster, MusterRegion region)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(muster);
        ArgumentNullException.ThrowIfNull(region);
        var n = muster.Number;
        var rows = new List<IReadOnlyList<InlineButton>>();
        var first = new List<InlineButton>();
        if (region.AcknowledgedAt is null)
        {
            first.Add(new InlineButton(texts.Get(language, "mu.btn.ack"), new MusterButton.Acknowledge(n, region.RegionId).Data));
        }

        if (region.MembersToldAt is null)
        {
            first.Add(new InlineButton(texts.Get(language, "mu.btn.relay"), new MusterButton.Relay(n, region.RegionId).Data));
        }

        if (first.Count > 0)
        {
            rows.Add(first);
        }

        rows.Add([new InlineButton(texts.Get(language, "mu.btn.rollcall"), new MusterButton.OpenRollCall(n, region.RegionId).Data)]);
        return new InlineMarkup(rows);
    }

    public static InlineMarkup CheckInButtons(TextCatalog texts, Language language, int number)
    {
        ArgumentNullException.ThrowIfNull(texts);
        // Every order and every check-in shows these four: their callback data is encoded once per muster.
        var data = CheckInData.GetOrAdd(number, n => [.. Answers.Select(s => new MusterButton.CheckIn(n, s).Data)]);
        return new InlineMarkup([
            [Button(0), Button(1)],
            [Button(2), Button(3)]]);

        InlineButton Button(int i) => new(StatusName(texts, language, Answers[i]), data[i]);
    }

    private static readonly CheckInStatus[] Answers = [CheckInStatus.Acknowledged, CheckInStatus.OnTheWay, CheckInStatus.Arrived, CheckInStatus.CantCome];
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string[]> CheckInData = new();

    /// <summary>The member's current answer, one line (empty before any answer).</summary>
    public static string AnswerLine(TextCatalog texts, Language language, MusterAnswer answer, TimeSpan offset)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(answer);
        if (answer.Status == CheckInStatus.NoAnswer || answer.AnsweredAt is not { } at)
        {
            return string.Empty;
        }

        var detail = Detail(texts, language, answer, offset);
        return texts.Format(language, "mu.ci.current", StatusName(texts, language, answer.Status) + detail, Time(at, offset));
    }

    /// <summary>The expected arrival (a clock time, "约 15:20 到") or reason of an answer, with a leading separator (empty when there is none).</summary>
    public static string Detail(TextCatalog texts, Language language, MusterAnswer answer, TimeSpan offset)
    {
        var plain = PlainDetail(texts, language, answer, offset);
        return plain.Length == 0 ? plain : " · " + (answer.Reason == CantComeReason.Other && answer.Status == CheckInStatus.CantCome ? Html.Escape(plain) : plain);
    }

    /// <summary>The same detail as plain text (no separator, not escaped): the CSV's "detail" column.</summary>
    public static string PlainDetail(TextCatalog texts, Language language, MusterAnswer answer, TimeSpan offset)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(answer);
        return answer.Status switch
        {
            CheckInStatus.OnTheWay when ExpectedAt(answer) is { } at => texts.Format(language, "mu.eta_at", Time(at, offset)),
            CheckInStatus.CantCome when answer.Reason is { } reason => reason == CantComeReason.Other && answer.ReasonText is { } text
                ? text
                : texts.Get(language, "mu.reason." + reason),
            _ => string.Empty,
        };
    }

    public static string SkillList(TextCatalog texts, Language language, IEnumerable<Skill> skills) =>
        string.Join(texts.Get(language, "role.separator"), skills.Select(s => texts.Get(language, "skill." + s)));

    /// <summary>
    /// A duration as people say it: "不到 1 分钟" under a second, seconds under a minute ("45 秒"), minutes and seconds
    /// under an hour ("1 分 42 秒"), hours and minutes above ("3 小时 5 分").
    /// </summary>
    public static string Duration(TextCatalog texts, Language language, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var seconds = (long)Math.Round(Math.Max(0, duration.TotalSeconds));
        if (seconds < 1)
        {
            return texts.Get(language, "mu.dur.under_minute");
        }

        if (seconds < 60)
        {
            return texts.Format(language, "mu.dur.s", seconds);
        }

        if (seconds < 3600)
        {
            var (m, s) = (seconds / 60, seconds % 60);
            return s == 0 ? texts.Format(language, "mu.dur.m", m) : texts.Format(language, "mu.dur.ms", m, s);
        }

        var minutes = (long)Math.Round(seconds / 60.0);
        var (h, rest) = (minutes / 60, minutes % 60);
        return rest == 0 ? texts.Format(language, "mu.dur.h", h) : texts.Format(language, "mu.dur.hm", h, rest);
    }

    /// <summary>
    /// Chinese text after a duration was put in: no space between two Chinese characters ("中位 不到 1 分钟" →
    /// "中位不到 1 分钟"); the spaces around numbers stay. Other languages unchanged. For texts without names only.
    /// </summary>
    public static string Tidy(Language language, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return language == Language.Zh ? CjkSpace().Replace(text, string.Empty) : text;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<=\p{IsCJKUnifiedIdeographs}) (?=\p{IsCJKUnifiedIdeographs})")]
    private static partial System.Text.RegularExpressions.Regex CjkSpace();

    /// <summary>A duration in minutes (a report's figures); "—" when there is none.</summary>
    public static string Duration(TextCatalog texts, Language language, double? minutes) =>
        minutes is { } m ? Duration(texts, language, TimeSpan.FromMinutes(m)) : "—";

    /// <summary>When a member on their way expects to arrive: the time the ETA was given plus the minutes (null without an ETA).</summary>
    public static DateTimeOffset? ExpectedAt(MusterAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (answer.Status != CheckInStatus.OnTheWay || answer.EtaMinutes is not { } eta)
        {
            return null;
        }

        var given = answer.History.LastOrDefault(c => c.Detail?.StartsWith("eta ", StringComparison.Ordinal) == true)?.At ?? answer.AnsweredAt;
        return given?.AddMinutes(eta);
    }

    public static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);
}
