using MusterBot.Flows.Runtime;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Musters;

/// <summary>
/// How a muster is stored: a header document (plan, status, administrators' roll calls, reminder rounds, the list of
/// region ids) and one document per region (convenors, acknowledgement, relay, escalation, roll calls). Convenors of
/// different regions therefore never write the same document, and a check-in reads only the header.
/// </summary>
public static class MusterStore
{
    /// <summary>The header with every region (null if there is no such muster).</summary>
    public static async ValueTask<Muster?> LoadAsync(DocReader reader, int number, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var header = await reader.GetAsync<Muster>(DocKeys.Muster(number), cancellationToken).ConfigureAwait(false);
        if (header is null)
        {
            return null;
        }

        var regions = await reader.GetManyAsync<MusterRegion>(header.RegionIds.Select(id => DocKeys.MusterRegion(number, id)).ToList(), cancellationToken).ConfigureAwait(false);
        return header with { Regions = regions.OfType<MusterRegion>().ToList() };
    }

    /// <summary>The header alone (<see cref="Muster.Regions"/> empty): enough for a member's answer.</summary>
    public static async ValueTask<Muster?> LoadHeaderAsync(DocReader reader, int number, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return await reader.GetAsync<Muster>(DocKeys.Muster(number), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the header (never the regions).</summary>
    public static void PutHeader(Effects effects, Muster muster)
    {
        ArgumentNullException.ThrowIfNull(effects);
        ArgumentNullException.ThrowIfNull(muster);
        var ids = muster.Regions.Count > 0 ? muster.Regions.Select(r => r.RegionId).ToList() : muster.RegionIds;
        effects.Put(DocKeys.Muster(muster.Number), muster with { Regions = [], RegionIds = ids });
    }

    public static void PutRegion(Effects effects, int number, MusterRegion region)
    {
        ArgumentNullException.ThrowIfNull(effects);
        ArgumentNullException.ThrowIfNull(region);
        effects.Put(DocKeys.MusterRegion(number, region.RegionId), region);
    }
}
