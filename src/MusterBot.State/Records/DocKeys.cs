using MusterBot.State.Documents;

namespace MusterBot.State.Records;

/// <summary>Where each kind of record is stored (see docs/redis-keys.md).</summary>
public static class DocKeys
{
    public static DocKey User(long userId) => DocKey.ForLong("user", userId);

    public static DocKey Conversation(long userId) => DocKey.ForLong("conv", userId);

    public static DocKey Invite(string code) => new("invite", code);
}
