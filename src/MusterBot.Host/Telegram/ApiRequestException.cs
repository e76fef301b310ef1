using System.Net;
using MusterBot.Host.Telegram.Types;

namespace MusterBot.Host.Telegram;

/// <summary>
/// The Bot API answered <c>"ok": false</c>. Match <see cref="ErrorCode"/> first (429 flood control, 403 blocked,
/// 400 bad request); <see cref="Description"/> is documented as subject to change.
/// </summary>
public class ApiRequestException : RequestException
{
    public ApiRequestException()
    {
    }

    public ApiRequestException(string message)
        : base(message)
    {
    }

    public ApiRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ApiRequestException(string message, int errorCode, ResponseParameters? parameters = null, HttpStatusCode? httpStatusCode = null)
        : base(message, httpStatusCode)
    {
        ErrorCode = errorCode;
        Parameters = parameters;
    }

    /// <summary>The Bot API's error_code (usually equal to the HTTP status).</summary>
    public int ErrorCode { get; }

    /// <summary>The Bot API's description, e.g. "Forbidden: bot was blocked by the user".</summary>
    public string Description => Message;

    public ResponseParameters? Parameters { get; }

    /// <summary>How long to pause before retrying (flood control, 429), if Telegram said.</summary>
    public TimeSpan? RetryAfter => Parameters?.RetryAfter is int seconds ? TimeSpan.FromSeconds(seconds) : null;

    /// <summary>The new supergroup id when a group was migrated.</summary>
    public long? MigrateToChatId => Parameters?.MigrateToChatId;
}
