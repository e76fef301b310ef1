using System.Globalization;
using MusterBot.Emulator;
using MusterBot.Flows.Musters;
using MusterBot.State.Records.Musters;

namespace MusterBot.Bench;

/// <summary>
/// Bad input mixed into the check-in burst (issue #17, "Bad input"): after member i's press, every 10th member presses
/// "arrived" a second time, every 20th press is followed by a forged button (half unknown data, half a check-in of a muster
/// that does not exist), every 25th by an update of a kind the bot does not handle, and one person (not a member) sends
/// 100 messages spread over the burst, /help and /me by turns. The report says whether every extra press was answered
/// and whether that person's 100 replies came in the order of the messages.
/// </summary>
public sealed class BadInputMix(BotApiEmulator emulator, long firstMember, int[] orderIds)
{
    public const long BusyPerson = 7_000_000_001;
    private const int BusyMessages = 100;
    private static readonly string NoSuchMuster = new MusterButton.CheckIn(999_999, CheckInStatus.Arrived).Data;
    private readonly List<string> _extraPresses = [];
    private int _odd;
    private int _busySent;

    /// <summary>
    /// Parts of the mix left out, to see what each costs: <c>BENCH_BAD_INPUT_SKIP</c>, a comma-separated list of
    /// <c>second</c>, <c>forged</c>, <c>odd</c>, <c>busy</c> (the report then counts only what was sent).
    /// </summary>
    private static readonly HashSet<string> Skip = [.. (Environment.GetEnvironmentVariable("BENCH_BAD_INPUT_SKIP") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>Injects what follows member <paramref name="i"/>'s press (of <paramref name="n"/>).</summary>
    public void After(int i, int n)
    {
        if (i == 0)
        {
            emulator.CreateUser(BusyPerson, "Busy", "en");
        }

        var member = firstMember + i;
        if (i % 10 == 9 && !Skip.Contains("second"))
        {
            _extraPresses.Add(emulator.PressButton(member, member, orderIds[i], CheckInMuster.ArrivedData));
        }

        if (i % 20 == 19 && !Skip.Contains("forged"))
        {
            var data = i % 40 == 39 ? NoSuchMuster : "zz:forged:" + i.ToString(CultureInfo.InvariantCulture);
            _extraPresses.Add(emulator.PressButton(member, member, orderIds[i], data));
        }

        if (i % 25 == 24 && !Skip.Contains("odd"))
        {
            emulator.InjectRawUpdate("""{"some_future_kind":{"weird":[1,2,{"x":null}]}}""");
            _odd++;
        }

        if (_busySent < BusyMessages && i % Math.Max(1, n / BusyMessages) == 0 && !Skip.Contains("busy"))
        {
            emulator.SendText(BusyPerson, _busySent % 2 == 0 ? "/help" : "/me");
            _busySent++;
        }
    }

    /// <summary>Waits (up to <paramref name="limit"/>) for the extra presses' answers and the busy person's replies.</summary>
    public async Task<string> ReportAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + limit;
        int answered;
        IReadOnlyList<EmulatedMessage> replies;
        while (true)
        {
            var all = emulator.CallbackAnswers().Select(a => a.CallbackQueryId).ToHashSet(StringComparer.Ordinal);
            answered = _extraPresses.Count(all.Contains);
            replies = emulator.Messages(BusyPerson);
            if ((answered == _extraPresses.Count && replies.Count >= _busySent) || DateTimeOffset.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(50, cancellationToken);
        }

        var firstOutOfOrder = -1;
        for (var k = 0; k < replies.Count; k++)
        {
            var isHelp = replies[k].Text?.StartsWith("What I can do", StringComparison.Ordinal) == true;
            if (isHelp != (k % 2 == 0))
            {
                firstOutOfOrder = k;
                break;
            }
        }

        Ordered = firstOutOfOrder < 0 && replies.Count == _busySent;
        AllAnswered = answered == _extraPresses.Count;
        return string.Format(
            CultureInfo.InvariantCulture,
            "{0:N0} second or forged presses ({1:N0} answered), {2:N0} odd updates, one person's {3} messages: {4} replies, {5}",
            _extraPresses.Count,
            answered,
            _odd,
            _busySent,
            replies.Count,
            firstOutOfOrder < 0 ? "in order" : "OUT OF ORDER from reply " + firstOutOfOrder.ToString(CultureInfo.InvariantCulture));
    }

    public bool Ordered { get; private set; }

    public bool AllAnswered { get; private set; }
}
