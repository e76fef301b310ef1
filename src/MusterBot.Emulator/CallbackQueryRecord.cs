namespace MusterBot.Emulator;

/// <summary>A callback query produced by a simulated button press.</summary>
internal sealed class CallbackQueryRecord(string id, long userId)
{
    public string Id { get; } = id;

    public long UserId { get; } = userId;

    public bool Answered { get; set; }
}
