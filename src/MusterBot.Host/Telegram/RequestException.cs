using System.Net;

namespace MusterBot.Host.Telegram;

/// <summary>
/// A Bot API request failed in transport: no connection, a timeout, or an answer that is not a Bot API response
/// (e.g. an HTML 502 page, malformed JSON). Transient as a rule. The message never contains the token or the URL.
/// </summary>
public class RequestException : Exception
{
    public RequestException()
    {
    }

    public RequestException(string message)
        : base(message)
    {
    }

    public RequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RequestException(string message, HttpStatusCode? httpStatusCode, Exception? innerException = null)
        : base(message, innerException)
    {
        HttpStatusCode = httpStatusCode;
    }

    /// <summary>The HTTP status of the answer, when there was one.</summary>
    public HttpStatusCode? HttpStatusCode { get; }
}
