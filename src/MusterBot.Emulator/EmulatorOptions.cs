namespace MusterBot.Emulator;

/// <summary>Settings of a <see cref="BotApiEmulator"/>.</summary>
public sealed class EmulatorOptions
{
    /// <summary>The bot token the emulator accepts; any other token is answered with 401.</summary>
    public string Token { get; init; } = "123456789:SANDBOX-emulator-token-not-a-secret";

    /// <summary>The TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>The bot's user id (the part of the token before the colon in real Telegram).</summary>
    public long BotId { get; init; } = 123456789;

    /// <summary>The bot's first name returned by getMe.</summary>
    public string BotFirstName { get; init; } = "Muster Test Bot";

    /// <summary>The bot's username returned by getMe.</summary>
    public string BotUsername { get; init; } = "muster_test_bot";

    /// <summary>The clock used for message dates, long-poll timeouts, latency and back-off.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The seed of the random generator behind <see cref="EmulatorState.Random429Fraction"/>.</summary>
    public int RandomSeed { get; init; } = 12345;

    /// <summary>The first delay between two webhook delivery attempts of the same update; it doubles up to <see cref="WebhookMaxRetryDelay"/>.</summary>
    public TimeSpan WebhookRetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between two webhook delivery attempts.</summary>
    public TimeSpan WebhookMaxRetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one webhook POST may take before it counts as failed.</summary>
    public TimeSpan WebhookTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The update id given to the first update.</summary>
    public long FirstUpdateId { get; init; } = 100_000_001;

    /// <summary>
    /// Telegram's limit of about 20 messages per minute in one group: when set, a send or edit to a group beyond this
    /// many within the last 60 seconds is answered 429 with retry_after. Null (the default) turns the check off.
    /// </summary>
    public int? GroupMessagesPerMinute { get; init; }

    /// <summary>
    /// Privacy mode in groups: a bot that is an administrator receives every message there, as in Telegram. False (the
    /// default) keeps privacy mode for administrators too: only commands and replies to the bot are delivered.
    /// </summary>
    public bool AdminBotsReceiveAllGroupMessages { get; init; }
}
