namespace MusterBot.State.Documents;

/// <summary>A document as stored: its JSON text and its version (1 after the first write, +1 per write).</summary>
public sealed record StoredDoc(DocKey Key, string Json, long Version);
