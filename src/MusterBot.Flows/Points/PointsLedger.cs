using System.Globalization;
using MusterBot.Flows.Runtime;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Points;

/// <summary>
/// The append-only points ledger (积分): one line per source (a muster, a wish, a five-star bonus), stored under a key
/// derived from the source, so the same source never awards twice; lines are never changed or deleted.
/// </summary>
public static class PointsLedger
{
    public static void Award(FlowContext ctx, long userId, int points, string reason, string source)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (points <= 0)
        {
            return;
        }

        ctx.Effects.Put(DocKeys.Points(userId, source), new PointsEntry(userId, points, reason, source, ctx.Now));
        ctx.Effects.AddToSet(Sets.PointsOf(userId), source);
    }

    /// <summary>Every ledger line of a person, newest first.</summary>
    public static async ValueTask<IReadOnlyList<PointsEntry>> EntriesAsync(DocReader reader, long userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var sources = await reader.MembersAsync(Sets.PointsOf(userId), cancellationToken).ConfigureAwait(false);
        var entries = await reader.GetManyAsync<PointsEntry>(sources.Select(s => DocKeys.Points(userId, s)).ToList(), cancellationToken).ConfigureAwait(false);
        return entries.OfType<PointsEntry>().OrderByDescending(e => e.At).ThenBy(e => e.Source, StringComparer.Ordinal).ToList();
    }

    public static string WithSign(int points) => (points >= 0 ? "+" : string.Empty) + points.ToString(CultureInfo.InvariantCulture);
}
