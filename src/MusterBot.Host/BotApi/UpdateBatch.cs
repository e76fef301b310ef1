using System.Text.Json.Serialization;
using Telegram.Bot.Types;

namespace MusterBot.Host.BotApi;

/// <summary>
/// The answer of <c>getUpdates</c>, read one update at a time (<see cref="UpdateBatchConverter"/>): the updates that
/// Telegram.Bot's types can read, those that it cannot (with their id when they have one), and the greatest
/// <c>update_id</c> seen, readable or not, to confirm the whole batch with.
/// </summary>
[JsonConverter(typeof(UpdateBatchConverter))]
public sealed class UpdateBatch
{
    public List<Update> Updates { get; } = [];

    public List<UnreadableUpdate> Unreadable { get; } = [];

    public int? LastId { get; set; }

    public int Count => Updates.Count + Unreadable.Count;
}
