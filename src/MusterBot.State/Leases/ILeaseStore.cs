namespace MusterBot.State.Leases;

/// <summary>
/// Named leases shared by every instance on one store: who polls Telegram, whose turn it is to handle a person's
/// update. A lease ends by itself after its time to live unless its owner extends it, so an instance that dies
/// (SIGKILL) holds nothing for longer than that. Expiry is judged by the store (Redis's own clock), never by the
/// instances' clocks, so clock skew between instances does not move it.
/// </summary>
public interface ILeaseStore
{
    /// <summary>
    /// Takes the lease for <paramref name="owner"/> for <paramref name="timeToLive"/>, or extends it when the owner holds it
    /// already. False: another owner holds it.
    /// </summary>
    Task<bool> TryAcquireLeaseAsync(string name, string owner, TimeSpan timeToLive, CancellationToken cancellationToken);

    /// <summary>Ends the lease if <paramref name="owner"/> holds it (true); otherwise changes nothing (false).</summary>
    Task<bool> ReleaseLeaseAsync(string name, string owner, CancellationToken cancellationToken);

    /// <summary>Who holds the lease now; null when nobody does.</summary>
    Task<string?> LeaseHolderAsync(string name, CancellationToken cancellationToken);
}

/// <summary>
/// The instances on one store tell each other their settings (only non-secret ones), so one started with other rates
/// or administrators than the rest is noticed. An entry ends by itself unless announced again.
/// </summary>
public interface IInstanceRegistry
{
    /// <summary>Records this instance's settings for <paramref name="timeToLive"/> and returns every live instance's (its own included).</summary>
    Task<IReadOnlyDictionary<string, string>> AnnounceAsync(string instance, string settings, TimeSpan timeToLive, CancellationToken cancellationToken);
}
