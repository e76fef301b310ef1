namespace MusterBot.Host;

/// <summary>A configuration the bot refuses to start with; the message says how to fix it.</summary>
public sealed class StartupException : Exception
{
    public StartupException()
    {
    }

    public StartupException(string message)
        : base(message)
    {
    }

    public StartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
