using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MusterBot.Host.BotApi;
using MusterBot.Host.Configuration;

namespace MusterBot.Host.Intake;

/// <summary>
/// <c>POST /telegram/webhook</c>: checks the secret header in constant time (401 otherwise), handles the update and
/// answers 200 only once it is committed; a failure answers 500 so Telegram delivers it again.
/// </summary>
public static partial class WebhookEndpoint
{
    /// <summary>
    /// The body is read as a document (iteratively, so any depth is safe within the 1 MB limit): an update nested
    /// deeper than Telegram.Bot reads is valid JSON and is logged and acknowledged as unreadable, not answered 400
    /// (Telegram would send it again and again).
    /// </summary>
    private static readonly JsonSerializerOptions BodyReading = new() { MaxDepth = 1 << 20 };

    public const string Path = "/telegram/webhook";
    public const string SecretHeader = "X-Telegram-Bot-Api-Secret-Token";

    /// <summary>The largest body accepted: an update is a few kilobytes (Kestrel's default would be 30 MB).</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapTelegramWebhook(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, HandleAsync).WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxBodyBytes));
        return endpoints;
    }

    /// <summary>Constant-time comparison of the received secret with the configured one.</summary>
    public static bool SecretMatches(string? received, string? expected)
    {
        if (string.IsNullOrEmpty(received) || string.IsNullOrEmpty(expected))
        {
            return false;
        }

        var a = SHA256.HashData(Encoding.UTF8.GetBytes(received));
        var b = SHA256.HashData(Encoding.UTF8.GetBytes(expected));
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    private static async Task<IResult> HandleAsync(
        HttpContext http,
        IOptions<TelegramOptions> options,
        UpdateDispatcher dispatcher,
        Observability.BotMetrics metrics,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(WebhookEndpoint).FullName!);
        var received = http.Request.Headers[SecretHeader].ToString();
        if (!SecretMatches(received, options.Value.WebhookSecret))
        {
            LogRejected(logger, http.Connection.RemoteIpAddress?.ToString());
            return Results.Unauthorized();
        }

        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body, BodyReading, http.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            LogMalformed(logger, ex);
            return Results.BadRequest();
        }

        if (!UpdateParser.TryParse(body, out var parsed, out var problem))
        {
            // Valid JSON that Telegram.Bot's types cannot read: Telegram would send it again and again on an error
            // status, so it is acknowledged and skipped, with its id in the log.
            metrics.UpdateReceived();
            metrics.UpdateDropped("unreadable");
            LogUnreadable(logger, UpdateParser.IdOf(body), problem);
            return Results.Ok();
        }

        var update = parsed!;

        try
        {
            await dispatcher.DispatchAsync(update, http.RequestAborted).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Any failure: answer 500 so Telegram retries the update later.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogFailed(logger, ex, update.Id);
            return Results.StatusCode(StatusCodes.Status500InternalServerError);
        }

        return Results.Ok();
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Webhook call rejected: missing or wrong secret token (from {Remote})")]
    private static partial void LogRejected(ILogger logger, string? remote);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Webhook body is not a valid update")]
    private static partial void LogMalformed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Webhook update {UpdateId} cannot be read ({Problem}); acknowledged and skipped")]
    private static partial void LogUnreadable(ILogger logger, int? updateId, string? problem);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Error, Message = "Webhook update {UpdateId} could not be handled; answering 500 so Telegram retries")]
    private static partial void LogFailed(ILogger logger, Exception exception, long updateId);
}
