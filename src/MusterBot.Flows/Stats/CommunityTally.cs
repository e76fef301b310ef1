using System.Globalization;
using MusterBot.Flows.Runtime;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;
using MusterBot.State.Records.Stats;
using MusterBot.State.Records.Wishes;

namespace MusterBot.Flows.Stats;

/// <summary>
/// Keeps a community's figures (<see cref="CommunityStats"/>) in step with its complaints and wishes: each change adds
/// the difference between what the record counted before and after, in the same commit as the record. A community
/// without the document yet (records written before it existed) gets it computed from its records first, once.
/// </summary>
public static class CommunityTally
{
    /// <summary>What one complaint counts in the bucket of its filing date (the figures of <c>/stats</c>).</summary>
    public static StatsTally Of(Complaint complaint)
    {
        ArgumentNullException.ThrowIfNull(complaint);
        var resolved = complaint.Result is not null && (complaint.ResolvedAt is not null || complaint.Status == ComplaintStatus.Closed);
        var onTime = resolved && complaint.Reopens == 0 && complaint.FirstResponseAt is { } r && r <= complaint.RespondBy
            && complaint.ResolvedAt is { } done && done <= complaint.ResolveBy;
        return new StatsTally
        {
            Filed = 1,
            Responded = complaint.FirstResponseAt is null ? 0 : 1,
            Resolved = resolved ? 1 : 0,
            OnTime = onTime ? 1 : 0,
            Rated = complaint.Feedback is null ? 0 : 1,
            Satisfied = complaint.Feedback is Satisfaction.Satisfied or Satisfaction.BasicallySatisfied ? 1 : 0,
        };
    }

    /// <summary>True while a complaint is under supervision (督办) and not resolved again.</summary>
    public static bool UnderSupervision(Complaint complaint)
    {
        ArgumentNullException.ThrowIfNull(complaint);
        return complaint.IsOpen && complaint.SupervisedAt is not null && complaint.ResolvedAt is null;
    }

    /// <summary>The escalations of the current supervision (since it last went under supervision).</summary>
    public static IReadOnlyList<ComplaintEscalation> CurrentEscalations(Complaint complaint)
    {
        ArgumentNullException.ThrowIfNull(complaint);
        return complaint.SupervisedAt is { } since ? complaint.Escalations.Where(e => e.At >= since).ToList() : [];
    }

    /// <summary>What one complaint counts right now (open, supervised, escalated).</summary>
    public static StatsTally NowOf(Complaint complaint)
    {
        ArgumentNullException.ThrowIfNull(complaint);
        var supervised = UnderSupervision(complaint);
        return new StatsTally
        {
            OpenComplaints = complaint.IsOpen ? 1 : 0,
            Supervised = supervised ? 1 : 0,
            Escalated = supervised && CurrentEscalations(complaint).Count > 0 ? 1 : 0,
        };
    }

    public static StatsTally Of(Wish wish)
    {
        ArgumentNullException.ThrowIfNull(wish);
        return new StatsTally
        {
            Wishes = 1,
            WishesDone = wish.DoneAt is not null && wish.Status is WishStatus.Done or WishStatus.Closed ? 1 : 0,
            WishesRated = wish.Rating is null ? 0 : 1,
            WishStars = wish.Rating ?? 0,
        };
    }

    public static StatsTally NowOf(Wish wish)
    {
        ArgumentNullException.ThrowIfNull(wish);
        return new StatsTally { OpenWishes = wish.Status is WishStatus.Pending or WishStatus.Open or WishStatus.Claimed ? 1 : 0 };
    }

    /// <summary>A complaint of <paramref name="shard"/> (null = the decision's) changed (<paramref name="before"/> null: filed).</summary>
    public static ValueTask ComplaintChangedAsync(FlowContext ctx, Complaint? before, Complaint after, TimeSpan utcOffset, long? shard, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(after);
        var period = Of(after).Plus(before is null ? StatsTally.Zero : Of(before), -1);
        var now = NowOf(after).Plus(before is null ? StatsTally.Zero : NowOf(before), -1);
        return ApplyAsync(ctx, shard, after.FiledAt, period, now, utcOffset, cancellationToken);
    }

    /// <summary>A wish of <paramref name="shard"/> (null = the decision's) changed (<paramref name="before"/> null: filed).</summary>
    public static ValueTask WishChangedAsync(FlowContext ctx, Wish? before, Wish after, TimeSpan utcOffset, long? shard, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(after);
        var period = Of(after).Plus(before is null ? StatsTally.Zero : Of(before), -1);
        var now = NowOf(after).Plus(before is null ? StatsTally.Zero : NowOf(before), -1);
        return ApplyAsync(ctx, shard, after.FiledAt, period, now, utcOffset, cancellationToken);
    }

    public static string Month(DateTimeOffset at, TimeSpan utcOffset) => at.ToOffset(utcOffset).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static string Day(DateTimeOffset at, TimeSpan utcOffset) => at.ToOffset(utcOffset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The figures of a period: this month, the last 30 days (by day), or all time.</summary>
    public static StatsTally Period(CommunityStats stats, string period, DateTimeOffset now, TimeSpan utcOffset)
    {
        ArgumentNullException.ThrowIfNull(stats);
        return period switch
        {
            "month" => stats.Months.GetValueOrDefault(Month(now, utcOffset)) ?? StatsTally.Zero,
            "30" => Sum(stats.Days.Where(d => string.CompareOrdinal(d.Key, Day(now.AddDays(-30), utcOffset)) >= 0).Select(d => d.Value)),
            _ => Sum(stats.Months.Values),
        };
    }

    public static StatsTally Sum(IEnumerable<StatsTally> tallies) => tallies.Aggregate(StatsTally.Zero, (sum, t) => sum.Plus(t));

    private static async ValueTask ApplyAsync(FlowContext ctx, long? shard, DateTimeOffset filedAt, StatsTally period, StatsTally now, TimeSpan utcOffset, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (period.IsZero && now.IsZero)
        {
            return;
        }

        var key = DocKeys.CommunityStats.In(shard ?? ctx.Shard);
        var stats = ctx.Effects.Writes.TryGetValue(key, out var pending) && pending.Json is { } json
            ? RecordJson.Deserialize<CommunityStats>(json)
            : await ctx.Reader.GetAsync<CommunityStats>(key, cancellationToken).ConfigureAwait(false)
              ?? await ComputeAsync(ctx.Reader, key.Shard!.Value, utcOffset, cancellationToken).ConfigureAwait(false);
        var month = Month(filedAt, utcOffset);
        var day = Day(filedAt, utcOffset);
        var oldest = Day(ctx.Now.AddDays(-CommunityStats.DaysKept), utcOffset);
        var months = new Dictionary<string, StatsTally>(stats.Months, StringComparer.Ordinal);
        if (!period.IsZero)
        {
            months[month] = (months.GetValueOrDefault(month) ?? StatsTally.Zero).Plus(period);
        }

        var days = stats.Days.Where(d => string.CompareOrdinal(d.Key, oldest) >= 0).ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal);
        if (!period.IsZero && string.CompareOrdinal(day, oldest) >= 0)
        {
            days[day] = (days.GetValueOrDefault(day) ?? StatsTally.Zero).Plus(period);
        }

        ctx.Effects.Put(key, stats with { Months = months, Days = days, Now = stats.Now.Plus(now), UpdatedAt = ctx.Now });
    }

    /// <summary>The figures of a community computed from its records (for a community that has no document yet).</summary>
    public static async ValueTask<CommunityStats> ComputeAsync(DocReader reader, long shard, TimeSpan utcOffset, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var complaintNumbers = await reader.MembersAsync(Sets.Complaints, shard, cancellationToken).ConfigureAwait(false);
        var complaints = (await reader.GetManyAsync<Complaint>(complaintNumbers.Select(n => DocKeys.Complaint(int.Parse(n, CultureInfo.InvariantCulture)).In(shard)).ToList(), cancellationToken).ConfigureAwait(false)).OfType<Complaint>().ToList();
        var wishNumbers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var status in Enum.GetValues<WishStatus>())
        {
            wishNumbers.UnionWith(await reader.MembersAsync(Sets.WishesWithStatus(status), shard, cancellationToken).ConfigureAwait(false));
        }

        var wishes = (await reader.GetManyAsync<Wish>(wishNumbers.Select(n => DocKeys.Wish(int.Parse(n, CultureInfo.InvariantCulture)).In(shard)).ToList(), cancellationToken).ConfigureAwait(false)).OfType<Wish>().ToList();
        var months = new Dictionary<string, StatsTally>(StringComparer.Ordinal);
        var days = new Dictionary<string, StatsTally>(StringComparer.Ordinal);
        var now = StatsTally.Zero;
        void Add(DateTimeOffset filedAt, StatsTally period, StatsTally current)
        {
            var month = Month(filedAt, utcOffset);
            var day = Day(filedAt, utcOffset);
            months[month] = (months.GetValueOrDefault(month) ?? StatsTally.Zero).Plus(period);
            days[day] = (days.GetValueOrDefault(day) ?? StatsTally.Zero).Plus(period);
            now = now.Plus(current);
        }

        foreach (var c in complaints)
        {
            Add(c.FiledAt, Of(c), NowOf(c));
        }

        foreach (var w in wishes)
        {
            Add(w.FiledAt, Of(w), NowOf(w));
        }

        return new CommunityStats { Months = months, Days = days, Now = now };
    }
}
