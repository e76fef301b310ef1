using System.Text.Json.Nodes;

namespace MusterBot.Emulator;

/// <summary>The current state of one message in an emulated chat (sent by the bot or by a simulated user).</summary>
public sealed record EmulatedMessage
{
    /// <summary>The chat the message belongs to.</summary>
    public required long ChatId { get; init; }

    /// <summary>The per-chat message id.</summary>
    public required int MessageId { get; init; }

    /// <summary>True when the bot sent it.</summary>
    public required bool FromBot { get; init; }

    /// <summary>The sender when a simulated user sent it.</summary>
    public long? FromUserId { get; init; }

    /// <summary>The text as the user sees it (tags removed, entities decoded); for documents and photos the caption.</summary>
    public string? Text { get; init; }

    /// <summary>The text exactly as the bot sent it (with HTML markup).</summary>
    public string? RawText { get; init; }

    /// <summary>The parse mode the bot used, if any.</summary>
    public string? ParseMode { get; init; }

    /// <summary>The inline keyboard attached to the message, as JSON (only inline keyboards stay on a message).</summary>
    public string? ReplyMarkupJson { get; init; }

    /// <summary>The reply_markup of any kind given when the message was sent (reply keyboards, remove, force reply).</summary>
    public string? SentReplyMarkupJson { get; init; }

    /// <summary>The id of the message this one replies to.</summary>
    public int? ReplyToMessageId { get; init; }

    /// <summary>Whether the bot asked for a silent message.</summary>
    public bool DisableNotification { get; init; }

    /// <summary>Whether the bot used a paid broadcast.</summary>
    public bool AllowPaidBroadcast { get; init; }

    /// <summary>The file id of an attached document.</summary>
    public string? DocumentFileId { get; init; }

    /// <summary>The file name of an attached document.</summary>
    public string? DocumentFileName { get; init; }

    /// <summary>The MIME type of an attached document.</summary>
    public string? DocumentMimeType { get; init; }

    /// <summary>The file id of a photo's largest size (the one to send it on with); the caption is in <see cref="Text"/>.</summary>
    public string? PhotoFileId { get; init; }

    /// <summary>Shared by the messages of one album.</summary>
    public string? MediaGroupId { get; init; }

    /// <summary>The latitude of a shared or sent location.</summary>
    public double? Latitude { get; init; }

    /// <summary>The longitude of a shared or sent location.</summary>
    public double? Longitude { get; init; }

    /// <summary>The phone number of a shared contact.</summary>
    public string? ContactPhoneNumber { get; init; }

    /// <summary>The user id of a shared contact.</summary>
    public long? ContactUserId { get; init; }

    /// <summary>In a group's service message: the supergroup the group was upgraded to.</summary>
    public long? MigrateToChatId { get; init; }

    /// <summary>In a supergroup's service message: the group it was upgraded from.</summary>
    public long? MigrateFromChatId { get; init; }

    /// <summary>True once the bot deleted it with deleteMessage; it stays in the log (and the transcript) for inspection.</summary>
    public bool Deleted { get; init; }

    /// <summary>When the message was sent.</summary>
    public required DateTimeOffset Date { get; init; }

    /// <summary>When the message was last edited.</summary>
    public DateTimeOffset? EditDate { get; init; }

    /// <summary>How many times the bot edited it.</summary>
    public int EditCount { get; init; }

    /// <summary>The earlier states, oldest first.</summary>
    public IReadOnlyList<EmulatedMessageRevision> History { get; init; } = [];

    /// <summary>The emulator's change counter when this message last changed (a cursor for readers).</summary>
    public long Version { get; init; }

    /// <summary>The inline keyboard buttons, row by row.</summary>
    public IReadOnlyList<EmulatedButton> Buttons => ParseButtons(ReplyMarkupJson);

    /// <summary>The callback data of the first inline button with the given text, or null.</summary>
    public string? FindCallbackData(string buttonText) =>
        Buttons.FirstOrDefault(b => string.Equals(b.Text, buttonText, StringComparison.Ordinal))?.CallbackData;

    internal static IReadOnlyList<EmulatedButton> ParseButtons(string? markupJson)
    {
        if (markupJson is null || JsonNode.Parse(markupJson) is not JsonObject markup
            || markup["inline_keyboard"] is not JsonArray rows)
        {
            return [];
        }

        var buttons = new List<EmulatedButton>();
        for (var r = 0; r < rows.Count; r++)
        {
            if (rows[r] is not JsonArray row)
            {
                continue;
            }

            for (var c = 0; c < row.Count; c++)
            {
                if (row[c] is JsonObject button)
                {
                    buttons.Add(new EmulatedButton(
                        button["text"]?.GetValue<string>() ?? string.Empty,
                        button["callback_data"]?.GetValue<string>(),
                        button["url"]?.GetValue<string>(),
                        r,
                        c,
                        button["web_app"]?["url"]?.GetValue<string>()));
                }
            }
        }

        return buttons;
    }
}
