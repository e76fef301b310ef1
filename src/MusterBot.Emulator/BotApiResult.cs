using System.Text.Json.Nodes;

namespace MusterBot.Emulator;

/// <summary>The answer to one Bot API call: Telegram's envelope plus the HTTP status.</summary>
internal sealed record BotApiResult(int StatusCode, JsonNode? Result, string? Description, int? RetryAfter)
{
    public bool IsOk => StatusCode == 200;

    /// <summary>For a group upgraded to a supergroup: the new chat id, answered in <c>parameters.migrate_to_chat_id</c>.</summary>
    public long? MigrateToChatId { get; init; }

    public static BotApiResult Ok(JsonNode? result) => new(200, result, null, null);

    public static BotApiResult True() => Ok(JsonValue.Create(true));

    public static BotApiResult Error(int code, string description, int? retryAfter = null) =>
        new(code, null, description, retryAfter);

    public static BotApiResult BadRequest(string detail) => Error(400, "Bad Request: " + detail);

    public JsonObject ToJson()
    {
        if (IsOk)
        {
            return new JsonObject { ["ok"] = true, ["result"] = Result };
        }

        var json = new JsonObject { ["ok"] = false, ["error_code"] = StatusCode, ["description"] = Description };
        if (RetryAfter is { } retryAfter)
        {
            json["parameters"] = new JsonObject { ["retry_after"] = retryAfter };
        }
        else if (MigrateToChatId is { } migrateTo)
        {
            json["parameters"] = new JsonObject { ["migrate_to_chat_id"] = migrateTo };
        }

        return json;
    }
}
