using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Musters;

/// <summary>
/// The roll call (点名): counts and names of one region for its convenors, counts by region for administrators.
/// Loaded through the decision's reader; rendered as one message that fits Telegram's 4,096 characters.
/// </summary>
public static class RollCall
{
    private const int MaxNamesChars = 2800;

    /// <summary>One called member as the roll call sees them.</summary>
    public sealed record Entry(UserProfile? Profile, MusterAnswer Answer, DeliveryStatus? Delivery)
    {
        public bool Unreachable => Delivery == DeliveryStatus.Unreachable || Profile?.BlockedBot == true;

        public bool Delivered => Delivery == DeliveryStatus.Sent;
    }

    /// <summary>Counts of one region.</summary>
    public sealed record Counts(int Targeted, int Delivered, int Unreachable, IReadOnlyDictionary<CheckInStatus, int> ByStatus)
    {
        public int Of(CheckInStatus status) => ByStatus.GetValueOrDefault(status);

        public int Answered => Targeted - Of(CheckInStatus.NoAnswer);
    }

    public static string Tag(int number, long chatId, string? regionId) =>
        $"rc:{MusterView.Num(number)}:{MusterView.Num(chatId)}:{regionId ?? "all"}";

    public static string OrderTag(int number, string regionId) => $"mo:{MusterView.Num(number)}:{regionId}";

    /// <summary>Every called member of a region with their answer, profile and the delivery of their order.</summary>
    public static async ValueTask<IReadOnlyList<Entry>> LoadRegionAsync(DocReader reader, int number, string regionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var ids = (await reader.MembersAsync(Sets.MusterTargets(number, regionId), cancellationToken).ConfigureAwait(false))
            .Select(id => long.Parse(id, CultureInfo.InvariantCulture)).ToList();
        var answers = await reader.GetManyAsync<MusterAnswer>(ids.Select(id => DocKeys.MusterAnswer(number, id)).ToList(), cancellationToken).ConfigureAwait(false);
        var profiles = await reader.GetManyAsync<UserProfile>(ids.Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false);
        var deliveries = await reader.DeliveriesAsync(OrderTag(number, regionId), cancellationToken).ConfigureAwait(false);
        var byChat = new Dictionary<long, DeliveryStatus>();
        foreach (var record in deliveries.OrderBy(d => d.OutboxId))
        {
            // Sent wins over anything else (a member told twice counts as delivered once).
            if (!byChat.TryGetValue(record.ChatId, out var known) || known != DeliveryStatus.Sent)
            {
                byChat[record.ChatId] = record.Status;
            }
        }

        var entries = new List<Entry>(ids.Count);
        for (var i = 0; i < ids.Count; i++)
        {
            var answer = answers[i] ?? new MusterAnswer(number, ids[i], regionId);
            var profile = profiles[i];
            DeliveryStatus? delivery = profile is not null && byChat.TryGetValue(profile.ChatId, out var s) ? s : null;
            entries.Add(new Entry(profile, answer, delivery));
        }

        return entries;
    }

    public static Counts CountOf(IReadOnlyList<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var byStatus = entries.GroupBy(e => e.Answer.Status).ToDictionary(g => g.Key, g => g.Count());
        return new Counts(entries.Count, entries.Count(e => e.Delivered), entries.Count(e => e.Unreachable), byStatus);
    }

    /// <summary>
    /// Counts of a region from maintained counts only: the sizes of the answer index sets and the order tag's outcome
    /// counts (one per chat, sent over unreachable). Nothing per member is read, so a region of 10,000 costs what one of
    /// 10 does.
    /// </summary>
    public static async ValueTask<Counts> CountFromSetsAsync(DocReader reader, Muster muster, MusterRegion region, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(muster);
        ArgumentNullException.ThrowIfNull(region);
        var byStatus = new Dictionary<CheckInStatus, int>();
        var answered = 0;
        foreach (var status in new[] { CheckInStatus.Acknowledged, CheckInStatus.OnTheWay, CheckInStatus.Arrived, CheckInStatus.CantCome })
        {
            var count = (int)await reader.CountAsync(Sets.MusterAnswers(muster.Number, region.RegionId, status), cancellationToken).ConfigureAwait(false);
            byStatus[status] = count;
            answered += count;
        }

        byStatus[CheckInStatus.NoAnswer] = Math.Max(0, region.Targeted - answered);
        var outcomes = await reader.DeliveryCountsAsync(OrderTag(muster.Number, region.RegionId), cancellationToken).ConfigureAwait(false);
        return new Counts(region.Targeted, outcomes.GetValueOrDefault(DeliveryStatus.Sent), outcomes.GetValueOrDefault(DeliveryStatus.Unreachable), byStatus);
    }

    public static string CountsLine(TextCatalog texts, Language language, Counts counts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(counts);
        return texts.Format(language, "mu.rc.counts", counts.Targeted, counts.Delivered, counts.Unreachable) + "\n"
            + string.Join(" · ", new[] { CheckInStatus.Acknowledged, CheckInStatus.OnTheWay, CheckInStatus.Arrived, CheckInStatus.CantCome, CheckInStatus.NoAnswer }
                .Select(s => MusterView.StatusName(texts, language, s) + " " + counts.Of(s).ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>One group of a region's roll call: how many, and the first of them (as many as the message has room for).</summary>
    public sealed record Group(CheckInStatus Status, bool Unreachable, int Count, IReadOnlyList<Entry> First);

    /// <summary>What a region's roll call shows: its counts, arrived per needed skill, and its groups in order.</summary>
    public sealed record RegionView(Counts Counts, IReadOnlyDictionary<Skill, int> SkillsArrived, IReadOnlyList<Group> Groups)
    {
        /// <summary>Some called member's order has no outcome yet (queued, or not sent): another refresh will show it.</summary>
        public bool Pending { get; init; }
    }

    /// <summary>The groups in the order the roll call lists them (the unreachable apart from "no answer").</summary>
    private static readonly CheckInStatus[] GroupOrder = [CheckInStatus.Arrived, CheckInStatus.OnTheWay, CheckInStatus.Acknowledged, CheckInStatus.CantCome, CheckInStatus.NoAnswer];

    /// <summary>The view of every member read (<see cref="LoadRegionAsync"/>): the close report's and the chat's own.</summary>
    public static RegionView ViewOf(Muster muster, IReadOnlyList<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(muster);
        ArgumentNullException.ThrowIfNull(entries);
        var groups = GroupOrder
            .Select(status => (Status: status, List: entries.Where(e => e.Answer.Status == status && !(status == CheckInStatus.NoAnswer && e.Unreachable)).ToList()))
            .Select(g => new Group(g.Status, false, g.List.Count, g.List))
            .ToList();
        var unreachable = entries.Where(e => e.Answer.Status == CheckInStatus.NoAnswer && e.Unreachable).ToList();
        groups.Add(new Group(CheckInStatus.NoAnswer, true, unreachable.Count, unreachable));
        var skills = muster.Plan.Scope.SkillsNeeded.Keys.ToDictionary(
            skill => skill,
            skill => entries.Count(e => e.Answer.Status == CheckInStatus.Arrived && e.Answer.MatchedSkills.Contains(skill)));
        return new RegionView(CountOf(entries), skills, groups) { Pending = entries.Any(e => e.Profile is not null && e.Delivery is null or DeliveryStatus.Queued) };
    }

    /// <summary>How many members' documents are read at a time while filling a group's names.</summary>
    private const int ShownChunk = 64;

    /// <summary>
    /// What a region's live roll call shows, reading only that (issue #17): the counts from the answer sets and the
    /// order's outcomes, each group's members as ids (the answer sets; "unreachable" from each chat's outcome), the
    /// arrived-per-skill set sizes — and the answers and profiles of each group's first members only, as many as the
    /// names' space can hold (a line is at least a name and its separator, whatever the language). A region of 1,000
    /// reads about the 200 its message names, not 2,000 documents and 1,000 delivery records.
    /// </summary>
    public static async ValueTask<RegionView> LoadShownAsync(DocReader reader, Muster muster, MusterRegion region, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(muster);
        ArgumentNullException.ThrowIfNull(region);
        var number = muster.Number;
        var ids = (await reader.MembersAsync(Sets.MusterTargets(number, region.RegionId), cancellationToken).ConfigureAwait(false))
            .Select(id => long.Parse(id, CultureInfo.InvariantCulture)).ToList();
        var statusOf = new Dictionary<long, CheckInStatus>();
        var byStatus = new Dictionary<CheckInStatus, int>();
        var answered = 0;
        foreach (var status in new[] { CheckInStatus.Acknowledged, CheckInStatus.OnTheWay, CheckInStatus.Arrived, CheckInStatus.CantCome })
        {
            var answeredIds = await reader.MembersAsync(Sets.MusterAnswers(number, region.RegionId, status), cancellationToken).ConfigureAwait(false);
            foreach (var id in answeredIds)
            {
                statusOf[long.Parse(id, CultureInfo.InvariantCulture)] = status;
            }

            byStatus[status] = answeredIds.Count;
            answered += answeredIds.Count;
        }

        byStatus[CheckInStatus.NoAnswer] = Math.Max(0, region.Targeted - answered);
        var outcomes = await reader.DeliveryOutcomesAsync(OrderTag(number, region.RegionId), cancellationToken).ConfigureAwait(false);
        var counts = new Counts(
            region.Targeted,
            outcomes.Values.Count(s => s == DeliveryStatus.Sent),
            outcomes.Values.Count(s => s == DeliveryStatus.Unreachable),
            byStatus);

        // A member's chat is their user id (a private chat): the outcome of their order by id.
        bool UnreachableId(long id) => outcomes.TryGetValue(id, out var s) && s == DeliveryStatus.Unreachable;
        var members = GroupOrder
            .Select(status => (Status: status, Unreachable: false, Ids: ids.Where(id => statusOf.GetValueOrDefault(id, CheckInStatus.NoAnswer) == status && !(status == CheckInStatus.NoAnswer && UnreachableId(id))).ToList()))
            .Append((Status: CheckInStatus.NoAnswer, Unreachable: true, Ids: ids.Where(id => !statusOf.ContainsKey(id) && UnreachableId(id)).ToList()))
            .ToList();

        var budget = MaxNamesChars;
        var groups = new List<Group>(members.Count);
        foreach (var (status, unreachable, groupIds) in members)
        {
            var first = new List<Entry>();
            for (var at = 0; at < groupIds.Count && budget >= 0; at += ShownChunk)
            {
                var chunk = groupIds.Skip(at).Take(ShownChunk).ToList();
                var answers = await reader.GetManyAsync<MusterAnswer>(chunk.Select(id => DocKeys.MusterAnswer(number, id)).ToList(), cancellationToken).ConfigureAwait(false);
                var profiles = await reader.GetManyAsync<UserProfile>(chunk.Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < chunk.Count && budget >= 0; i++)
                {
                    var delivery = outcomes.TryGetValue(profiles[i]?.ChatId ?? chunk[i], out var outcome) ? outcome : (DeliveryStatus?)null;
                    var entry = new Entry(profiles[i], answers[i] ?? new MusterAnswer(number, chunk[i], region.RegionId), delivery);
                    first.Add(entry);
                    budget -= NameOf(entry).Length + 2;
                }
            }

            groups.Add(new Group(status, unreachable, groupIds.Count, first));
        }

        var skills = new Dictionary<Skill, int>();
        foreach (var skill in muster.Plan.Scope.SkillsNeeded.Keys)
        {
            skills[skill] = (int)await reader.CountAsync(Sets.MusterArrivedWithSkill(number, region.RegionId, skill), cancellationToken).ConfigureAwait(false);
        }

        return new RegionView(counts, skills, groups) { Pending = outcomes.Count < ids.Count };
    }

    /// <summary>A region's roll call for its convenor: counts, skills against need, then names per group.</summary>
    public static string RenderRegion(TextCatalog texts, Language language, Muster muster, MusterRegion region, string regionName, IReadOnlyList<Entry> entries, DateTimeOffset now, TimeSpan offset) =>
        RenderRegion(texts, language, muster, region, regionName, ViewOf(muster, entries), now, offset);

    /// <summary>A region's roll call for its convenor from what it shows (<see cref="LoadShownAsync"/> or <see cref="ViewOf"/>).</summary>
    public static string RenderRegion(TextCatalog texts, Language language, Muster muster, MusterRegion region, string regionName, RegionView view, DateTimeOffset now, TimeSpan offset)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(muster);
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(view);
        var sb = Head(texts, language, muster, regionName);
        sb.Append(ConvenorLine(texts, language, region, offset)).Append('\n');
        sb.Append(CountsLine(texts, language, view.Counts)).Append('\n');
        AppendSkills(sb, texts, language, muster, view.SkillsArrived);

        var budget = MaxNamesChars;
        foreach (var group in view.Groups)
        {
            budget = group.Unreachable
                ? AppendNames(sb, texts, language, "\U0001F4F5 " + texts.Get(language, "mu.status.Unreachable"), group, e => NameOf(e) + Phoned(e), budget)
                : AppendNames(sb, texts, language, MusterView.StatusName(texts, language, group.Status), group, e => NameOf(e) + MusterView.Detail(texts, language, e.Answer, offset) + Phoned(e), budget);
        }

        sb.Append(texts.Format(language, "mu.rc.updated", now.ToOffset(offset).ToString("HH:mm:ss", CultureInfo.InvariantCulture)));
        return sb.ToString();
    }

    /// <summary>
    /// A region's roll call as its linked group sees it (issue #20): who has answered, with nothing private — no phone,
    /// no reason for absence, no ETA, no delivery state. Those who answered "can't come" and those with no answer yet
    /// are counted, not named.
    /// </summary>
    public static string RenderGroup(TextCatalog texts, Language language, Muster muster, string regionName, RegionView view, DateTimeOffset now, TimeSpan offset)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(muster);
        ArgumentNullException.ThrowIfNull(view);
        var sb = Head(texts, language, muster, regionName);
        var budget = MaxGroupNamesChars;
        foreach (var group in view.Groups.Where(g => !g.Unreachable && g.Status is CheckInStatus.Arrived or CheckInStatus.OnTheWay or CheckInStatus.Acknowledged))
        {
            budget = AppendNames(sb, texts, language, MusterView.StatusName(texts, language, group.Status), group, NameOf, budget);
        }

        sb.Append('\n').Append(texts.Format(language, "mu.grp.rc.others", view.Counts.Of(CheckInStatus.NoAnswer), view.Counts.Of(CheckInStatus.CantCome))).Append('\n');
        sb.Append(texts.Format(language, "mu.rc.updated", now.ToOffset(offset).ToString("HH:mm:ss", CultureInfo.InvariantCulture)));
        return sb.ToString();
    }

    /// <summary>A roll call's first lines (a region's, or the community's with its scope as the title): drill, title, kind and rally point, "closed".</summary>
    private static StringBuilder Head(TextCatalog texts, Language language, Muster muster, string regionName)
    {
        var sb = new StringBuilder();
        sb.Append(MusterView.DrillLine(texts, language, muster.Plan));
        sb.Append(texts.Format(language, "mu.rc.head", muster.Code, Html.Escape(regionName))).Append('\n');
        sb.Append(MusterView.KindName(texts, language, muster.Plan)).Append(" · ").Append(Html.Escape(muster.Plan.RallyText)).Append('\n');
        if (!muster.IsOpen)
        {
            sb.Append(texts.Get(language, "mu.rc.closed")).Append('\n');
        }

        return sb;
    }

    /// <summary>Room for names in a group's roll call: shorter than a convenor's (texts in groups are short).</summary>
    private const int MaxGroupNamesChars = 1200;

    /// <summary>The community-wide roll call for administrators: totals, then one line per region.</summary>
    /// <param name="welfare">The welfare check's line (households checked, help), shown under the totals; null when the muster has none.</param>
    public static string RenderCommunity(TextCatalog texts, Language language, Muster muster, string scopeTitle, IReadOnlyList<(MusterRegion Region, string Name, Counts Counts)> regions, DateTimeOffset now, TimeSpan offset, string? welfare = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(muster);
        ArgumentNullException.ThrowIfNull(regions);
        var sb = Head(texts, language, muster, scopeTitle);
        var total = new Counts(
            regions.Sum(r => r.Counts.Targeted),
            regions.Sum(r => r.Counts.Delivered),
            regions.Sum(r => r.Counts.Unreachable),
            Enum.GetValues<CheckInStatus>().ToDictionary(s => s, s => regions.Sum(r => r.Counts.Of(s))));
        sb.Append(CountsLine(texts, language, total)).Append('\n');
        if (welfare is not null)
        {
            sb.Append(welfare).Append('\n');
        }

        sb.Append('\n');
        // The region lines carry marks only: a legend says what each mark counts.
        sb.Append(texts.Get(language, "mu.rc.legend")).Append('\n');
        foreach (var (region, name, counts) in regions)
        {
            sb.Append("<b>").Append(Html.Escape(name)).Append("</b> ").Append(ConvenorLine(texts, language, region, offset)).Append('\n');
            sb.Append(texts.Format(language, "mu.rc.region_line", counts.Targeted, counts.Of(CheckInStatus.Arrived), counts.Of(CheckInStatus.OnTheWay),
                counts.Of(CheckInStatus.Acknowledged), counts.Of(CheckInStatus.CantCome), counts.Of(CheckInStatus.NoAnswer), counts.Unreachable)).Append('\n');
            if (sb.Length > 3600)
            {
                sb.Append("…\n");
                break;
            }
        }

        sb.Append(texts.Format(language, "mu.rc.updated", now.ToOffset(offset).ToString("HH:mm:ss", CultureInfo.InvariantCulture)));
        return sb.ToString();
    }

    /// <param name="dashboard">The dashboard Mini App's address: when set, a "📊 Dashboard" row under the buttons.</param>
    public static InlineMarkup RegionPanelButtons(TextCatalog texts, Language language, Muster muster, string regionId, string? dashboard = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(muster);
        return muster.IsOpen
            ? WithWelfare(texts, language, muster, started: true, WithDashboard(texts, language, dashboard, [
                new InlineButton(texts.Get(language, "mu.btn.refresh"), new MusterButton.Refresh(muster.Number, regionId).Data),
                new InlineButton(texts.Get(language, "mu.btn.noanswer"), new MusterButton.AskNonResponders(muster.Number, regionId).Data)]))
            : new InlineMarkup([]);
    }

    /// <param name="dashboard">The dashboard Mini App's address: when set, a "📊 Dashboard" row under the buttons.</param>
    public static InlineMarkup CommunityPanelButtons(TextCatalog texts, Language language, Muster muster, string? dashboard = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(muster);
        return muster.IsOpen
            ? WithWelfare(texts, language, muster, started: false, WithDashboard(texts, language, dashboard, [
                new InlineButton(texts.Get(language, "mu.btn.refresh"), new MusterButton.Refresh(muster.Number, null).Data),
                new InlineButton(texts.Get(language, "mu.btn.close"), new MusterButton.Close(muster.Number).Data)]))
            : new InlineMarkup([]);
    }

    /// <summary>
    /// The last row: the welfare check's progress once started (before that, on the administrators' panel,
    /// <paramref name="started"/> false, the button that starts it), and the front-line posts.
    /// </summary>
    private static InlineMarkup WithWelfare(TextCatalog texts, Language language, Muster muster, bool started, InlineMarkup markup)
    {
        var row = new List<InlineButton>();
        if (muster.Welfare is not null || !started)
        {
            row.Add(muster.Welfare is null
                ? new InlineButton(texts.Get(language, "wf.btn.setup"), Households.WelfareButton.Codec.Encode(new Households.WelfareButton.OpenSetup(muster.Number)))
                : new InlineButton(texts.Get(language, "wf.btn.panel"), Households.WelfareButton.Codec.Encode(new Households.WelfareButton.OpenPanel(muster.Number))));
        }

        // The front-line posts (defined by the muster's administrators and convenors).
        row.Add(new InlineButton(texts.Get(language, "po.btn.posts"), Posts.PostButton.Codec.Encode(new Posts.PostButton.OpenList(muster.Number))));
        return new InlineMarkup([.. markup.Rows, row]);
    }

    private static InlineMarkup WithDashboard(TextCatalog texts, Language language, string? dashboard, IReadOnlyList<InlineButton> first) =>
        dashboard is null
            ? new InlineMarkup([first])
            : new InlineMarkup([first, [new InlineButton(texts.Get(language, "dash.button"), WebApp: dashboard)]]);

    public static string NameOf(Entry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Profile is not { } p)
        {
            return "#" + MusterView.Num(entry.Answer.UserId);
        }

        return Html.Escape(p.LastName is null ? p.FirstName : p.FirstName + " " + p.LastName);
    }

    private static string Phoned(Entry e) => e.Answer.PhonedBy is not null ? " \u260E\uFE0F" : string.Empty;

    private static string ConvenorLine(TextCatalog texts, Language language, MusterRegion region, TimeSpan offset)
    {
        if (region.Workplace is not null)
        {
            // A workplace region's group: its convenor relays at the street's or city's level.
            return region.MembersToldAt is { } told
                ? texts.Format(language, "mu.rc.wp_told", MusterView.Time(told, offset))
                : texts.Get(language, "mu.rc.wp_waiting");
        }

        if (region.RegionId == Muster.NoRegion || !region.HasConvenor)
        {
            return texts.Get(language, "mu.rc.direct");
        }

        if (region.AcknowledgedAt is { } at)
        {
            return texts.Format(language, "mu.rc.conv_ack", MusterView.Time(at, offset));
        }

        return region.EscalatedAt is { } escalated
            ? texts.Format(language, "mu.rc.conv_escalated", MusterView.Time(escalated, offset))
            : texts.Get(language, "mu.rc.conv_waiting");
    }

    private static void AppendSkills(StringBuilder sb, TextCatalog texts, Language language, Muster muster, IReadOnlyDictionary<Skill, int> arrivedBySkill)
    {
        if (muster.Plan.Scope.SkillsNeeded.Count == 0)
        {
            return;
        }

        var parts = muster.Plan.Scope.SkillsNeeded.OrderBy(kv => kv.Key).Select(kv =>
        {
            var arrived = arrivedBySkill.GetValueOrDefault(kv.Key);
            return texts.Get(language, "skill." + kv.Key) + " " + arrived.ToString(CultureInfo.InvariantCulture) + "/" + kv.Value.ToString(CultureInfo.InvariantCulture);
        });
        sb.Append(texts.Format(language, "mu.rc.skills", string.Join(" · ", parts))).Append('\n');
    }

    private static int AppendNames(StringBuilder sb, TextCatalog texts, Language language, string title, Group group, Func<Entry, string> line, int budget)
    {
        if (group.Count == 0)
        {
            return budget;
        }

        sb.Append('\n').Append("<b>").Append(texts.Format(language, "mu.rc.group", title, group.Count)).Append("</b>\n");
        var separator = texts.Get(language, "role.separator");
        var shown = 0;
        foreach (var entry in group.First)
        {
            var text = line(entry);
            if (budget - text.Length < 0)
            {
                break;
            }

            sb.Append(shown == 0 ? string.Empty : separator).Append(text);
            budget -= text.Length + 2;
            shown++;
        }

        if (shown < group.Count)
        {
            sb.Append(texts.Format(language, "mu.rc.more", group.Count - shown));
        }

        sb.Append('\n');
        return budget;
    }
}
