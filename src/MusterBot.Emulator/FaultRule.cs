namespace MusterBot.Emulator;

/// <summary>An injected failure waiting for the next matching call.</summary>
internal sealed class FaultRule(string method, int statusCode, string description, int? retryAfter, long? chatId, int count)
{
    public string Method { get; } = method;

    public int StatusCode { get; } = statusCode;

    public string Description { get; } = description;

    public int? RetryAfter { get; } = retryAfter;

    public long? ChatId { get; } = chatId;

    public int Remaining { get; set; } = count;
}
