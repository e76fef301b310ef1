using Telegram.Bot.Requests;
using Telegram.Bot.Types.Enums;

namespace MusterBot.Host.BotApi;

/// <summary>
/// <c>getUpdates</c> through Telegram.Bot, read one update at a time (<see cref="UpdateBatchConverter"/>), so one update
/// that Telegram.Bot's types cannot read does not fail its whole batch.
/// </summary>
public sealed class GetRawUpdatesRequest() : RequestBase<UpdateBatch>("getUpdates")
{
    /// <summary>Confirms every update with a smaller id.</summary>
    public int? Offset { get; set; }

    /// <summary>1–100.</summary>
    public int? Limit { get; set; }

    /// <summary>Seconds the server may hold the request open.</summary>
    public int? Timeout { get; set; }

    /// <summary>The update kinds to receive.</summary>
    public IEnumerable<UpdateType>? AllowedUpdates { get; set; }
}
