namespace MusterBot.State.Documents;

/// <summary>
/// Address of one stored document: a kind (a short lowercase word such as <c>user</c> or <c>conv</c>), an id inside
/// that kind, and the shard (tenant) it lives in. Telegram ids are 64-bit: format them with <see cref="ForLong"/>.
/// </summary>
/// <remarks>
/// A shard is one organisation node (a community, a street, …; see <see cref="Shards"/>): every key of a shard carries
/// the shard's hash tag, and one commit writes one shard only. <see cref="Shard"/> null means "the shard in context":
/// the flows' runtime binds it to the shard of the decision (the person's home community); the store reads it as
/// <see cref="Shards.Root"/> and writes it into the commit's shard.
/// </remarks>
public readonly record struct DocKey(string Kind, string Id)
{
    /// <summary>The shard this document lives in; null = the shard in context (see remarks).</summary>
    public long? Shard { get; init; }

    public static DocKey ForLong(string kind, long id) =>
        new(kind, id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>This key in <paramref name="shard"/> when it has no shard of its own; else unchanged.</summary>
    public DocKey Bind(long shard) => Shard is null ? this with { Shard = shard } : this;

    /// <summary>This key in <paramref name="shard"/>, whatever it had.</summary>
    public DocKey In(long shard) => this with { Shard = shard };

    public override string ToString() => Shard is { } shard ? $"{{{shard}}}{Kind}:{Id}" : $"{Kind}:{Id}";
}
