using Stateless.Reflection;

namespace MusterBot.Flows.Runtime;

/// <summary>The steps a dynamic transition may lead to, with why: what a flow's diagram (docs/flows/) shows for it.</summary>
public static class Destinations
{
    public static DynamicStateInfos To<TStep>(params (TStep Step, string Reason)[] destinations)
        where TStep : notnull
    {
        ArgumentNullException.ThrowIfNull(destinations);
        var infos = new DynamicStateInfos();
        foreach (var (step, reason) in destinations)
        {
            infos.Add(step, reason);
        }

        return infos;
    }
}
