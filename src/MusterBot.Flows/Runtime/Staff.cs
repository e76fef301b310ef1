using System.Globalization;
using MusterBot.State.Records;

namespace MusterBot.Flows.Runtime;

/// <summary>Who the community's staff are: administrators from configuration and those appointed in /admin.</summary>
public static class Staff
{
    /// <summary>Every administrator's profile (configured ids without a profile are left out), ordered by id.</summary>
    public static async ValueTask<IReadOnlyList<UserProfile>> AdministratorsAsync(DocReader reader, FlowOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(options);
        var ids = new HashSet<long>(options.Admins);
        foreach (var id in await reader.MembersAsync(Sets.PeopleWithRole(Roles.Admin), cancellationToken).ConfigureAwait(false))
        {
            ids.Add(long.Parse(id, CultureInfo.InvariantCulture));
        }

        return (await reader.GetManyAsync<UserProfile>(ids.Order().Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false)).OfType<UserProfile>().ToList();
    }
}
