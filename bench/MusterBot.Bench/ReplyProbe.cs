using MusterBot.Emulator;

namespace MusterBot.Bench;

/// <summary>
/// Users who each send /help at spread-out times during the fan-out. The queue delay of a direct reply is the time
/// from the user's message to the bot's first message in that chat, both stamped by the emulator's clock.
/// Answers are found by polling only the chats still waiting (every few ms): the emulator's WaitForMessageAsync
/// re-checks on every change, and 50 waiters × 1,000 changes/s would load the very process being measured.
/// </summary>
public sealed class ReplyProbe(BotApiEmulator emulator, long firstUser, int count)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, DateTimeOffset> _waiting = [];
    private readonly List<TimeSpan> _delays = [];
    private readonly List<DateTimeOffset> _answeredAt = [];
    private int _asked;

    public IReadOnlyList<TimeSpan> Delays
    {
        get { lock (_gate) { return [.. _delays]; } }
    }

    public IReadOnlyList<DateTimeOffset> AnsweredAt
    {
        get { lock (_gate) { return [.. _answeredAt]; } }
    }

    public bool AllAnswered
    {
        get { lock (_gate) { return _asked == count && _waiting.Count == 0; } }
    }

    /// <summary>Sends /help from user i at <paramref name="from"/> + (i + ½) × span / count.</summary>
    public async Task AskSpreadAsync(DateTimeOffset from, TimeSpan span, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            var due = from + (span * ((i + 0.5) / count));
            var wait = due - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            var user = firstUser + i;
            var asked = emulator.SendText(user, "/help");
            lock (_gate)
            {
                _waiting[user] = asked.Date;
                _asked++;
            }
        }
    }

    /// <summary>Looks for the bot's answer in every chat still waiting.</summary>
    public void Poll()
    {
        KeyValuePair<long, DateTimeOffset>[] waiting;
        lock (_gate)
        {
            waiting = [.. _waiting];
        }

        foreach (var (user, asked) in waiting)
        {
            var answers = emulator.Messages(user);
            if (answers.Count == 0)
            {
                continue;
            }

            var answer = answers[0];

            lock (_gate)
            {
                _waiting.Remove(user);
                _delays.Add(answer.Date - asked);
                _answeredAt.Add(answer.Date);
            }
        }
    }
}
