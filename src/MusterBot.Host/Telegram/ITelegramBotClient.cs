using MusterBot.Host.Telegram.Types;

namespace MusterBot.Host.Telegram;

/// <summary>
/// The Bot API, shaped like Telegram.Bot v22 (no Async suffix, CancellationToken last). Non-ok answers throw
/// <see cref="ApiRequestException"/>; transport failures throw <see cref="RequestException"/>; cancellation by the
/// caller throws <see cref="OperationCanceledException"/>.
/// </summary>
public interface ITelegramBotClient
{
    Task<User> GetMe(CancellationToken cancellationToken = default);

    /// <summary>Long polling. <paramref name="timeout"/> is the poll's wait in seconds; the HTTP request may run longer.</summary>
    /// <param name="offset">Confirms every update with a smaller id.</param>
    /// <param name="limit">1-100, default 100.</param>
    /// <param name="timeout">Seconds the server may wait for an update; 0 is short polling.</param>
    /// <param name="allowedUpdates">Update kinds to receive; null keeps the previous setting.</param>
    /// <param name="cancellationToken">Stops the poll.</param>
    Task<Update[]> GetUpdates(
        int? offset = null,
        int? limit = null,
        int? timeout = null,
        IEnumerable<UpdateType>? allowedUpdates = null,
        CancellationToken cancellationToken = default);

    Task SetWebhook(
        string url,
        string? secretToken = null,
        int? maxConnections = null,
        IEnumerable<UpdateType>? allowedUpdates = null,
        bool dropPendingUpdates = false,
        CancellationToken cancellationToken = default);

    Task DeleteWebhook(bool dropPendingUpdates = false, CancellationToken cancellationToken = default);

    Task<WebhookInfo> GetWebhookInfo(CancellationToken cancellationToken = default);

    Task<Message> SendMessage(
        long chatId,
        string text,
        ParseMode parseMode = ParseMode.Html,
        ReplyParameters? replyParameters = null,
        ReplyMarkup? replyMarkup = null,
        bool disableNotification = false,
        bool allowPaidBroadcast = false,
        CancellationToken cancellationToken = default);

    Task<Message> EditMessageText(
        long chatId,
        int messageId,
        string text,
        ParseMode parseMode = ParseMode.Html,
        InlineKeyboardMarkup? replyMarkup = null,
        CancellationToken cancellationToken = default);

    Task<Message> EditMessageReplyMarkup(
        long chatId,
        int messageId,
        InlineKeyboardMarkup? replyMarkup = null,
        CancellationToken cancellationToken = default);

    Task AnswerCallbackQuery(
        string callbackQueryId,
        string? text = null,
        bool showAlert = false,
        CancellationToken cancellationToken = default);

    Task SetMyCommands(
        IEnumerable<BotCommand> commands,
        BotCommandScope? scope = null,
        string? languageCode = null,
        CancellationToken cancellationToken = default);

    Task DeleteMyCommands(
        BotCommandScope? scope = null,
        string? languageCode = null,
        CancellationToken cancellationToken = default);

    Task<Message> SendDocument(
        long chatId,
        InputFile document,
        string? caption = null,
        ParseMode parseMode = ParseMode.Html,
        ReplyMarkup? replyMarkup = null,
        CancellationToken cancellationToken = default);

    /// <summary>sendPhoto: by the file_id of a photo Telegram already has (JSON) or as an upload (multipart).</summary>
    /// <param name="chatId">The chat.</param>
    /// <param name="photo">The photo; <see cref="InputFile.FromFileId"/> resends a photo without uploading it.</param>
    /// <param name="caption">At most 1,024 characters after entity parsing.</param>
    /// <param name="parseMode">The caption's parse mode (sent only with a caption).</param>
    /// <param name="replyMarkup">A keyboard.</param>
    /// <param name="disableNotification">Sends silently.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    Task<Message> SendPhoto(
        long chatId,
        InputFile photo,
        string? caption = null,
        ParseMode parseMode = ParseMode.Html,
        ReplyMarkup? replyMarkup = null,
        bool disableNotification = false,
        CancellationToken cancellationToken = default);

    Task<TGFile> GetFile(string fileId, CancellationToken cancellationToken = default);

    /// <summary>Downloads a file by the <see cref="TGFile.FilePath"/> that <see cref="GetFile"/> returned.</summary>
    Task DownloadFile(string filePath, Stream destination, CancellationToken cancellationToken = default);

    Task<Message> SendLocation(
        long chatId,
        double latitude,
        double longitude,
        ReplyMarkup? replyMarkup = null,
        CancellationToken cancellationToken = default);
}
