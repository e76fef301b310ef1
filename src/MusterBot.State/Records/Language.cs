namespace MusterBot.State.Records;

/// <summary>The language a person reads: Simplified Chinese by default, English on request or by Telegram setting.</summary>
public enum Language
{
    Zh,
    En,
}
