namespace MusterBot.Emulator;

/// <summary>Thrown inside the emulator when a request is malformed; turned into an error envelope by the endpoint.</summary>
internal sealed class BotApiRequestException : Exception
{
    public BotApiRequestException()
    {
    }

    public BotApiRequestException(string message)
        : base(message)
    {
    }

    public BotApiRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BotApiResult ToResult() => BotApiResult.BadRequest(Message);
}
