namespace MusterBot.Host;

/// <summary>
/// This process among the instances on one store: the owner named in the leases it holds (machine, process id and a
/// random part, so a restarted process with a reused id is still another owner).
/// </summary>
public sealed record InstanceIdentity(string Id)
{
    public static InstanceIdentity ForThisProcess() =>
        new($"{Environment.MachineName}:{Environment.ProcessId}:{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}");
}
