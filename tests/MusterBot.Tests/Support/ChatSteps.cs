using MusterBot.Emulator;

namespace MusterBot.Tests.Support;

/// <summary>
/// One step of a person in the emulator, waiting for the bot's answer: they type, they press a button by its text,
/// or a message with a text appears in a chat after a version.
/// </summary>
public static class ChatSteps
{
    /// <summary>How long a step waits for the bot.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public static Task<EmulatedMessage> SaysAsync(this BotApiEmulator emulator, long user, string text, string expected)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        var since = emulator.State.Version;
        emulator.SendText(user, text);
        return emulator.SeesAsync(user, since, expected);
    }

    /// <summary>Presses the button and waits for the expected text and for the press to be answered.</summary>
    public static async Task<EmulatedMessage> PressesAsync(this BotApiEmulator emulator, long user, EmulatedMessage message, string button, string expected)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        ArgumentNullException.ThrowIfNull(message);
        var since = emulator.State.Version;
        var query = emulator.PressButtonByText(user, message.MessageId, button);
        var seen = await emulator.SeesAsync(user, since, expected);
        await emulator.WaitForAsync(() => emulator.CallbackAnswers(query).Count >= 1, Wait);
        return seen;
    }

    /// <summary>A message of the chat (a person's or a group's) newer than <paramref name="since"/> that contains the text.</summary>
    public static Task<EmulatedMessage> SeesAsync(this BotApiEmulator emulator, long chat, long since, string expected)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        return emulator.WaitForMessageAsync(chat, m => m.Version > since && m.Text?.Contains(expected, StringComparison.Ordinal) == true, Wait);
    }
}
