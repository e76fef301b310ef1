using MusterBot.State.Documents;

namespace MusterBot.State.Commits;

/// <summary>
/// One document write inside a <see cref="Commit"/>.
/// <paramref name="Json"/> null deletes the document.
/// <paramref name="ExpectedVersion"/>: null writes unconditionally; 0 requires that the document does not exist;
/// N requires the stored version to be exactly N. Any mismatch refuses the whole commit.
/// <paramref name="TimeToLive"/>: the document expires after this long (null = kept).
/// </summary>
public sealed record DocWrite(DocKey Key, string? Json, long? ExpectedVersion, TimeSpan? TimeToLive = null);
