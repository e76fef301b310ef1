using System.Globalization;
using MusterBot.Flows.Runtime;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.State.Records.Stats;

namespace MusterBot.Flows.Points;

/// <summary>
/// The append-only points ledger (积分): one line per source (a muster, a wish, a five-star bonus), stored under a key
/// derived from the source, so the same source never awards twice; lines are never changed or deleted. A line lives in
/// the community where it was earned; the root shard keeps which communities hold a person's lines
/// (<see cref="Sets.PointsShardsOf"/>), and each community its per-person totals (<see cref="PointsTotals"/>) for the
/// rankings of streets, districts and the city — all in the commit of the line.
/// </summary>
public static class PointsLedger
{
    /// <summary>Local days of <see cref="PointsTotals.Days"/> (China Standard Time unless the deployment says otherwise).</summary>
    public static readonly TimeSpan DefaultUtcOffset = TimeSpan.FromHours(8);

    /// <summary>Reads the ledger lines a decision is about to award in one round trip (a muster's close awards many).</summary>
    public static ValueTask PrefetchAsync(FlowContext ctx, IEnumerable<(long UserId, string Source)> lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(lines);
        return ctx.Reader.PrefetchAsync([.. lines.Select(l => DocKeys.Points(l.UserId, l.Source).In(ctx.Shard)), DocKeys.PointsTotals.In(ctx.Shard)], cancellationToken);
    }

    public static async ValueTask AwardAsync(FlowContext ctx, long userId, int points, string reason, string source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (points <= 0)
        {
            return;
        }

        var line = DocKeys.Points(userId, source).In(ctx.Shard);
        var awarded = ctx.Effects.Writes.ContainsKey(line)
            || await ctx.Reader.GetAsync<PointsEntry>(line, cancellationToken).ConfigureAwait(false) is not null;
        ctx.Effects.Put(line, new PointsEntry(userId, points, reason, source, ctx.Now));
        ctx.Effects.AddToSet(Sets.PointsOf(userId), source);
        ctx.Effects.AddToSet(Sets.PointsShardsOf(userId), ctx.Shard.ToString(CultureInfo.InvariantCulture), Shards.Root);
        if (awarded)
        {
            // The source awarded before: its line is rewritten as it was, the totals already count it.
            return;
        }

        var key = DocKeys.PointsTotals.In(ctx.Shard);
        var totals = ctx.Effects.Writes.TryGetValue(key, out var pending) && pending.Json is { } json
            ? RecordJson.Deserialize<PointsTotals>(json)
            : await ctx.Reader.GetAsync<PointsTotals>(key, cancellationToken).ConfigureAwait(false) ?? new PointsTotals();
        var day = Day(ctx.Now, DefaultUtcOffset);
        var oldest = Day(ctx.Now.AddDays(-PointsTotals.DaysKept), DefaultUtcOffset);
        var all = new Dictionary<long, int>(totals.All) { [userId] = totals.All.GetValueOrDefault(userId) + points };
        var days = totals.Days.Where(d => string.CompareOrdinal(d.Key, oldest) >= 0).ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal);
        var today = new Dictionary<long, int>(days.GetValueOrDefault(day) ?? new Dictionary<long, int>());
        today[userId] = today.GetValueOrDefault(userId) + points;
        days[day] = today;
        ctx.Effects.Put(key, totals with { All = all, Days = days });
    }

    /// <summary>Every ledger line of a person in the reader's shard, newest first.</summary>
    public static ValueTask<IReadOnlyList<PointsEntry>> EntriesAsync(DocReader reader, long userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return EntriesAsync(reader, userId, reader.Shard, cancellationToken);
    }

    /// <summary>Every ledger line of a person in one shard (community), newest first.</summary>
    public static async ValueTask<IReadOnlyList<PointsEntry>> EntriesAsync(DocReader reader, long userId, long shard, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var sources = await reader.MembersAsync(Sets.PointsOf(userId), shard, cancellationToken).ConfigureAwait(false);
        var entries = await reader.GetManyAsync<PointsEntry>(sources.Select(s => DocKeys.Points(userId, s).In(shard)).ToList(), cancellationToken).ConfigureAwait(false);
        return entries.OfType<PointsEntry>().OrderByDescending(e => e.At).ThenBy(e => e.Source, StringComparer.Ordinal).ToList();
    }

    /// <summary>A person's points earned in <paramref name="totals"/>'s community in a period ("month", "30", "all").</summary>
    public static int InPeriod(PointsTotals totals, long userId, string period, DateTimeOffset now, TimeSpan utcOffset)
    {
        ArgumentNullException.ThrowIfNull(totals);
        if (period == "all")
        {
            return totals.All.GetValueOrDefault(userId);
        }

        var from = period == "month" ? now.ToOffset(utcOffset).ToString("yyyy-MM", CultureInfo.InvariantCulture) + "-01" : Day(now.AddDays(-30), utcOffset);
        return totals.Days.Where(d => string.CompareOrdinal(d.Key, from) >= 0).Sum(d => d.Value.GetValueOrDefault(userId));
    }

    public static string Day(DateTimeOffset at, TimeSpan utcOffset) => at.ToOffset(utcOffset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string WithSign(int points) => (points >= 0 ? "+" : string.Empty) + points.ToString(CultureInfo.InvariantCulture);
}
