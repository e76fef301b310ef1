using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using MusterBot.Host.Telegram.Types;

namespace MusterBot.Host.Telegram;

/// <summary>
/// A thin Bot API client over <see cref="HttpClient"/>. Requests are JSON POSTs to
/// <c>{BaseUrl}/bot{Token}/{method}</c>; every request gets its own timeout (<see cref="TelegramBotClientOptions.RequestTimeout"/>,
/// or poll timeout + <see cref="TelegramBotClientOptions.LongPollMargin"/> for a long poll), so the HttpClient's own
/// timeout should be infinite. Exceptions never carry the token or the URL.
/// </summary>
public sealed class TelegramBotClient : ITelegramBotClient
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };

    private readonly TelegramBotClientOptions _options;
    private readonly HttpClient _httpClient;
    private readonly string _apiUrl;
    private readonly string _fileUrl;

    public TelegramBotClient(TelegramBotClientOptions options, HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(httpClient);
        if (string.IsNullOrWhiteSpace(options.Token))
        {
            throw new ArgumentException("The bot token is empty.", nameof(options));
        }

        var baseUrl = string.IsNullOrWhiteSpace(options.BaseUrl) ? TelegramBotClientOptions.DefaultBaseUrl : options.BaseUrl.TrimEnd('/');
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var baseUri) || (baseUri.Scheme != Uri.UriSchemeHttps && baseUri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("The Bot API base URL must be an absolute http(s) URL.", nameof(options));
        }

        if (options.RequestTimeout <= TimeSpan.Zero && options.RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException("The request timeout must be positive.", nameof(options));
        }

        _options = options;
        _httpClient = httpClient;
        _apiUrl = $"{baseUrl}/bot{options.Token}/";
        _fileUrl = $"{baseUrl}/file/bot{options.Token}/";
    }

    public Task<User> GetMe(CancellationToken cancellationToken = default) =>
        Post<User>("getMe", new { }, cancellationToken);

    public Task<Update[]> GetUpdates(
        int? offset = null,
        int? limit = null,
        int? timeout = null,
        IEnumerable<UpdateType>? allowedUpdates = null,
        CancellationToken cancellationToken = default)
    {
        if (timeout < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The poll timeout cannot be negative.");
        }

        var parameters = new
        {
            Offset = offset,
            Limit = limit,
            Timeout = timeout,
            AllowedUpdates = CheckUpdateTypes(allowedUpdates, nameof(allowedUpdates)),
        };

        // The server holds a long poll open for up to `timeout` seconds: the HTTP request must outlive it.
        var requestTimeout = timeout is > 0
            ? TimeSpan.FromSeconds(timeout.Value) + _options.LongPollMargin
            : _options.RequestTimeout;
        return Post<Update[]>("getUpdates", parameters, requestTimeout, cancellationToken);
    }

    public Task SetWebhook(
        string url,
        string? secretToken = null,
        int? maxConnections = null,
        IEnumerable<UpdateType>? allowedUpdates = null,
        bool dropPendingUpdates = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        var parameters = new
        {
            Url = url,
            MaxConnections = maxConnections,
            AllowedUpdates = CheckUpdateTypes(allowedUpdates, nameof(allowedUpdates)),
            DropPendingUpdates = TrueOrNull(dropPendingUpdates),
            SecretToken = secretToken,
        };
        return Post<bool>("setWebhook", parameters, cancellationToken);
    }

    public Task DeleteWebhook(bool dropPendingUpdates = false, CancellationToken cancellationToken = default) =>
        Post<bool>("deleteWebhook", new { DropPendingUpdates = TrueOrNull(dropPendingUpdates) }, cancellationToken);

    public Task<WebhookInfo> GetWebhookInfo(CancellationToken cancellationToken = default) =>
        Post<WebhookInfo>("getWebhookInfo", new { }, cancellationToken);

    public Task<Message> SendMessage(
        long chatId,
        string text,
        ParseMode parseMode = ParseMode.Html,
        ReplyParameters? replyParameters = null,
        ReplyMarkup? replyMarkup = null,
        bool disableNotification = false,
        bool allowPaidBroadcast = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parameters = new
        {
            ChatId = chatId,
            Text = text,
            ParseMode = ParseModeOrNull(parseMode),
            DisableNotification = TrueOrNull(disableNotification),
            AllowPaidBroadcast = TrueOrNull(allowPaidBroadcast),
            ReplyParameters = replyParameters,
            ReplyMarkup = replyMarkup,
        };
        return Post<Message>("sendMessage", parameters, cancellationToken);
    }

    public Task<Message> EditMessageText(
        long chatId,
        int messageId,
        string text,
        ParseMode parseMode = ParseMode.Html,
        InlineKeyboardMarkup? replyMarkup = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parameters = new
        {
            ChatId = chatId,
            MessageId = messageId,
            Text = text,
            ParseMode = ParseModeOrNull(parseMode),
            ReplyMarkup = replyMarkup,
        };
        return Post<Message>("editMessageText", parameters, cancellationToken);
    }

    public Task<Message> EditMessageReplyMarkup(
        long chatId,
        int messageId,
        InlineKeyboardMarkup? replyMarkup = null,
        CancellationToken cancellationToken = default)
    {
        var parameters = new { ChatId = chatId, MessageId = messageId, ReplyMarkup = replyMarkup };
        return Post<Message>("editMessageReplyMarkup", parameters, cancellationToken);
    }

    public Task AnswerCallbackQuery(
        string callbackQueryId,
        string? text = null,
        bool showAlert = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callbackQueryId);
        var parameters = new { CallbackQueryId = callbackQueryId, Text = text, ShowAlert = TrueOrNull(showAlert) };
        return Post<bool>("answerCallbackQuery", parameters, cancellationToken);
    }

    public Task SetMyCommands(
        IEnumerable<BotCommand> commands,
        BotCommandScope? scope = null,
        string? languageCode = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var parameters = new { Commands = commands.ToArray(), Scope = scope, LanguageCode = languageCode };
        return Post<bool>("setMyCommands", parameters, cancellationToken);
    }

    public Task DeleteMyCommands(
        BotCommandScope? scope = null,
        string? languageCode = null,
        CancellationToken cancellationToken = default) =>
        Post<bool>("deleteMyCommands", new { Scope = scope, LanguageCode = languageCode }, cancellationToken);

    public Task<Message> SendDocument(
        long chatId,
        InputFile document,
        string? caption = null,
        ParseMode parseMode = ParseMode.Html,
        ReplyMarkup? replyMarkup = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var parameters = new
        {
            ChatId = chatId,
            Document = document.FileId,
            Caption = caption,
            ParseMode = caption is null ? null : ParseModeOrNull(parseMode),
            ReplyMarkup = replyMarkup,
        };
        return document.IsUpload
            ? PostMultipart<Message>("sendDocument", parameters, "document", document, cancellationToken)
            : Post<Message>("sendDocument", parameters, cancellationToken);
    }

    public Task<Message> SendPhoto(
        long chatId,
        InputFile photo,
        string? caption = null,
        ParseMode parseMode = ParseMode.Html,
        ReplyMarkup? replyMarkup = null,
        bool disableNotification = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(photo);
        var parameters = new
        {
            ChatId = chatId,
            Photo = photo.FileId,
            Caption = caption,
            ParseMode = caption is null ? null : ParseModeOrNull(parseMode),
            DisableNotification = TrueOrNull(disableNotification),
            ReplyMarkup = replyMarkup,
        };
        return photo.IsUpload
            ? PostMultipart<Message>("sendPhoto", parameters, "photo", photo, cancellationToken)
            : Post<Message>("sendPhoto", parameters, cancellationToken);
    }

    public Task<TGFile> GetFile(string fileId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileId);
        return Post<TGFile>("getFile", new { FileId = fileId }, cancellationToken);
    }

    public async Task DownloadFile(string filePath, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        ArgumentNullException.ThrowIfNull(destination);
        const string operation = "file download";

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_fileUrl + filePath.TrimStart('/')));
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(_options.RequestTimeout);
        try
        {
            using var response = await SendCore(request, operation, cancellationToken, timeoutSource.Token);
            if (!response.IsSuccessStatusCode)
            {
                var body = await ReadBody(response, operation, cancellationToken, timeoutSource.Token);
                throw ParseError(response.StatusCode, body) ?? new RequestException($"Bot API {operation} failed with HTTP {Describe(response.StatusCode)}.", response.StatusCode);
            }

            await response.Content.CopyToAsync(destination, timeoutSource.Token);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(operation, _options.RequestTimeout, exception);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            throw new RequestException($"Bot API {operation} failed while reading the file.", exception);
        }
    }

    public Task<Message> SendLocation(
        long chatId,
        double latitude,
        double longitude,
        ReplyMarkup? replyMarkup = null,
        CancellationToken cancellationToken = default)
    {
        var parameters = new { ChatId = chatId, Latitude = latitude, Longitude = longitude, ReplyMarkup = replyMarkup };
        return Post<Message>("sendLocation", parameters, cancellationToken);
    }

    private static bool? TrueOrNull(bool value) => value ? true : null;

    private static ParseMode? ParseModeOrNull(ParseMode parseMode) => parseMode == ParseMode.None ? null : parseMode;

    private static UpdateType[]? CheckUpdateTypes(IEnumerable<UpdateType>? updateTypes, string parameterName)
    {
        var array = updateTypes?.ToArray();
        if (array is not null && array.Contains(UpdateType.Unknown))
        {
            throw new ArgumentException("UpdateType.Unknown cannot be requested.", parameterName);
        }

        return array;
    }

    private Task<TResult> Post<TResult>(string method, object parameters, CancellationToken cancellationToken) =>
        Post<TResult>(method, parameters, _options.RequestTimeout, cancellationToken);

    private async Task<TResult> Post<TResult>(string method, object parameters, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(parameters, parameters.GetType(), TelegramJson.Options);
        using var content = new ByteArrayContent(json);
        content.Headers.ContentType = JsonMediaType;
        return await Send<TResult>(method, content, timeout, cancellationToken);
    }

    private async Task<TResult> PostMultipart<TResult>(string method, object parameters, string fileField, InputFile file, CancellationToken cancellationToken)
    {
        using var form = new MultipartFormDataContent();

        // Every other parameter is a form field: strings as they are, anything else (numbers, markups) as JSON text.
        using var fields = JsonSerializer.SerializeToDocument(parameters, parameters.GetType(), TelegramJson.Options);
        foreach (var field in fields.RootElement.EnumerateObject())
        {
            var value = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString()! : field.Value.GetRawText();
            form.Add(new StringContent(value), field.Name);
        }

        form.Add(file.CreateContent(), fileField, file.FileName!);
        return await Send<TResult>(method, form, _options.RequestTimeout, cancellationToken);
    }

    private async Task<TResult> Send<TResult>(string method, HttpContent content, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_apiUrl + method)) { Content = content };
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            using var response = await SendCore(request, method, cancellationToken, timeoutSource.Token);
            var body = await ReadBody(response, method, cancellationToken, timeoutSource.Token);
            return ParseResult<TResult>(method, response.StatusCode, body);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(method, timeout, exception);
        }
    }

    private async Task<HttpResponseMessage> SendCore(HttpRequestMessage request, string method, CancellationToken cancellationToken, CancellationToken timeoutToken)
    {
        try
        {
            return await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutToken);
        }
        catch (HttpRequestException exception) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpRequestException messages name at most the host, never the path that holds the token.
            throw new RequestException($"Bot API request {method} failed: {exception.HttpRequestError}.", exception.StatusCode, exception);
        }
    }

    private static async Task<byte[]> ReadBody(HttpResponseMessage response, string method, CancellationToken cancellationToken, CancellationToken timeoutToken)
    {
        try
        {
            return await response.Content.ReadAsByteArrayAsync(timeoutToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw new RequestException($"Bot API request {method} failed while reading the answer (HTTP {Describe(response.StatusCode)}).", response.StatusCode, exception);
        }
    }

    private static TResult ParseResult<TResult>(string method, HttpStatusCode status, byte[] body)
    {
        ApiResponse<TResult>? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<ApiResponse<TResult>>(body, TelegramJson.Options);
        }
        catch (JsonException exception)
        {
            throw new RequestException($"Bot API request {method} got an answer that is not a valid Bot API response (HTTP {Describe(status)}).", status, exception);
        }

        if (envelope?.Ok == true)
        {
            return envelope.Result is { } result
                ? result
                : throw new RequestException($"Bot API request {method} got an ok answer without a result (HTTP {Describe(status)}).", status);
        }

        throw AsApiError(envelope, status)
            ?? new RequestException($"Bot API request {method} got an answer that is not a Bot API response (HTTP {Describe(status)}).", status);
    }

    /// <summary>The <see cref="ApiRequestException"/> an error body describes, or null if it is no Bot API error.</summary>
    private static ApiRequestException? ParseError(HttpStatusCode status, byte[] body)
    {
        try
        {
            return AsApiError(JsonSerializer.Deserialize<ApiResponse<JsonElement>>(body, TelegramJson.Options), status);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ApiRequestException? AsApiError<TResult>(ApiResponse<TResult>? envelope, HttpStatusCode status)
    {
        if (envelope?.Ok != false)
        {
            return null;
        }

        var errorCode = envelope.ErrorCode ?? (int)status;
        var description = string.IsNullOrWhiteSpace(envelope.Description) ? $"Bot API error {errorCode}" : envelope.Description;
        return new ApiRequestException(description, errorCode, envelope.Parameters, status);
    }

    private static RequestException TimedOut(string method, TimeSpan timeout, OperationCanceledException exception) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Bot API request {method} timed out after {timeout.TotalSeconds:0.###} s."), null, exception);

    private static string Describe(HttpStatusCode status) => $"{(int)status} {status}";
}
