namespace MusterBot.Bench;

/// <summary>
/// Splits a fan-out into its steady state and its retry tail.
/// <para>
/// A recipient's <b>first attempt</b> is the first sendMessage call to its chat. The <b>steady window</b> runs from the
/// first answered first attempt to the last one (accepted or refused with 429): while it lasts the sender still has
/// fan-out messages that were never tried, so nothing but its rate limit holds it back. After it, only messages refused
/// with a 429 are left, and they may not be sent before retry_after has passed: that is the <b>retry tail</b>, from the
/// end of the window to the last fan-out message the emulator accepted.
/// </para>
/// <para>
/// <b>Steady-state rate</b> = fan-out messages accepted by the emulator with <c>Date</c> in (start + 1 s, end] ÷
/// (end − start − 1 s): first attempts and retries alike, stamped by the emulator (<c>EmulatedMessage.Date</c>). The
/// first second of the window is left out because it holds the sender's start-up burst (Sender:GlobalPerSecond / 10
/// calls back to back, which the emulator's one-second token bucket allows); <see cref="FullRate"/> keeps it. A window
/// of 2 s or less is taken whole. The half-open interval counts n − 1 gaps for n evenly spaced sends.
/// The emulator keeps no record of the 429s it gives, so the start and end of the window, when they are refusals, and
/// the count of all calls come from <see cref="SendRecorder"/> (the bot's side, same clock, a few milliseconds after the
/// emulator's decision under load: <see cref="StampLagP50"/>, <see cref="StampLagP99"/>).
/// </para>
/// </summary>
public sealed record SteadyState
{
    /// <summary>The first first attempt answered (emulator time for an accepted one).</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>The last first attempt answered: from here on only retry-paused fan-out messages were left.</summary>
    public required DateTimeOffset End { get; init; }

    /// <summary>The last fan-out message the emulator accepted.</summary>
    public required DateTimeOffset LastAccepted { get; init; }

    /// <summary>The part of the window that is measured: the first second is left out (see the class summary).</summary>
    public required TimeSpan Skipped { get; init; }

    /// <summary>Fan-out messages accepted with emulator Date in (Start + Skipped, End].</summary>
    public required int FanOutAccepted { get; init; }

    /// <summary>Fan-out messages accepted with emulator Date in (Start, End], the first second included.</summary>
    public required int FanOutAcceptedFull { get; init; }

    /// <summary>All sendMessage calls answered in (Start + Skipped, End]: fan-out and replies, accepted and refused.</summary>
    public required int Calls { get; init; }

    /// <summary>Of <see cref="Calls"/>: accepted fan-out calls (bot's stamps; compare <see cref="FanOutAccepted"/>).</summary>
    public required int FanOutCallsAccepted { get; init; }

    /// <summary>Of <see cref="Calls"/>: 429s.</summary>
    public required int TooManyRequests { get; init; }

    /// <summary>Of <see cref="Calls"/>: accepted calls to chats other than the recipients (the /help replies).</summary>
    public required int OtherAccepted { get; init; }

    /// <summary>Calls answered in each whole second of the window, counted from <see cref="Start"/>.</summary>
    public required IReadOnlyList<int> CallsPerSecond { get; init; }

    /// <summary>Recipients whose first attempt was refused (429).</summary>
    public required int FirstAttemptsRefused { get; init; }

    /// <summary>All 429s of the run to fan-out chats that were not first attempts (a retry refused again).</summary>
    public required int RetriesRefused { get; init; }

    /// <summary>All 429s of the run to other chats (the /help replies).</summary>
    public required int OthersRefused { get; init; }

    /// <summary>Fan-out messages accepted after <see cref="End"/> (all of them retries).</summary>
    public required int AcceptedInTail { get; init; }

    /// <summary>How much later the bot saw an accepted first attempt than the emulator stamped it (median).</summary>
    public required TimeSpan StampLagP50 { get; init; }

    public required TimeSpan StampLagP99 { get; init; }

    /// <summary>Refused first attempt → the emulator accepting that message (median and largest): retry_after, the
    /// wait in the outbox (a retry is ready at retry_after and so sorts behind every fresh message of its lane, which
    /// became ready at the commit) and one round trip.</summary>
    public required TimeSpan RetryDelayP50 { get; init; }

    public required TimeSpan RetryDelayMax { get; init; }

    public TimeSpan Window => End - Start;

    /// <summary>The measured part of the window: <see cref="Window"/> less <see cref="Skipped"/>.</summary>
    public TimeSpan Measured => Window - Skipped;

    public TimeSpan Tail => LastAccepted > End ? LastAccepted - End : TimeSpan.Zero;

    public double Rate => Measured > TimeSpan.Zero ? FanOutAccepted / Measured.TotalSeconds : double.NaN;

    public double FullRate => Window > TimeSpan.Zero ? FanOutAcceptedFull / Window.TotalSeconds : double.NaN;

    /// <summary>Accepted calls of any chat (fan-out and replies) per second of the measured window, bot's stamps.</summary>
    public double AcceptedCallRate => Measured > TimeSpan.Zero ? (FanOutCallsAccepted + OtherAccepted) / Measured.TotalSeconds : double.NaN;

    public double CallRate => Measured > TimeSpan.Zero ? Calls / Measured.TotalSeconds : double.NaN;

    /// <param name="accepted">Every fan-out message in the recipients' chats: chat and emulator Date.</param>
    /// <param name="calls">The sendMessage calls of the run (any chat), as recorded on the bot's side.</param>
    /// <param name="isRecipient">Tells fan-out chats from the others.</param>
    public static SteadyState? Compute(
        IReadOnlyList<(long Chat, DateTimeOffset Date)> accepted,
        IReadOnlyList<SendCall> calls,
        Func<long, bool> isRecipient)
    {
        if (accepted.Count == 0)
        {
            return null;
        }

        var firstAccepted = accepted.GroupBy(m => m.Chat).ToDictionary(g => g.Key, g => g.Min(m => m.Date));
        var firstCall = calls
            .Where(c => c.ChatId is { } chat && isRecipient(chat))
            .GroupBy(c => c.ChatId!.Value)
            .ToDictionary(g => g.Key, g => g.MinBy(c => c.At));

        // A recipient's first attempt: when accepted, the emulator's stamp of the message; when refused, the bot's stamp.
        var firstAttempts = new List<DateTimeOffset>(firstAccepted.Count + 16);
        var refused = 0;
        var lags = new List<TimeSpan>(firstAccepted.Count);
        var retryDelays = new List<TimeSpan>();
        foreach (var chat in firstAccepted.Keys.Union(firstCall.Keys))
        {
            var called = firstCall.TryGetValue(chat, out var call);
            if (called && call.Status != 200)
            {
                refused++;
                firstAttempts.Add(call.At);
                if (firstAccepted.TryGetValue(chat, out var acceptedAt))
                {
                    retryDelays.Add(acceptedAt - call.At);
                }
            }
            else if (firstAccepted.TryGetValue(chat, out var date))
            {
                firstAttempts.Add(date);
                if (called)
                {
                    lags.Add(call.At - date);
                }
            }
        }

        var start = firstAttempts.Min();
        var end = firstAttempts.Max();
        var skipped = end - start > TimeSpan.FromSeconds(2) ? TimeSpan.FromSeconds(1) : TimeSpan.Zero;
        bool InWindow(DateTimeOffset t) => t > start && t <= end;
        bool Measured(DateTimeOffset t) => t > start + skipped && t <= end;

        var inWindow = calls.Where(c => InWindow(c.At)).ToList();
        var measured = inWindow.Where(c => Measured(c.At)).ToList();
        var perSecond = new int[Math.Max(0, (int)Math.Floor((end - start).TotalSeconds))];
        foreach (var call in inWindow)
        {
            var bucket = (int)Math.Ceiling((call.At - start).TotalSeconds) - 1;
            if (bucket >= 0 && bucket < perSecond.Length)
            {
                perSecond[bucket]++;
            }
        }

        lags.Sort();
        retryDelays.Sort();
        static TimeSpan Rank(List<TimeSpan> sorted, double p) =>
            sorted.Count == 0 ? TimeSpan.Zero : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

        return new SteadyState
        {
            StampLagP50 = Rank(lags, 0.50),
            StampLagP99 = Rank(lags, 0.99),
            RetryDelayP50 = Rank(retryDelays, 0.50),
            RetryDelayMax = Rank(retryDelays, 1),
            Start = start,
            End = end,
            LastAccepted = accepted.Max(m => m.Date),
            Skipped = skipped,
            FanOutAccepted = accepted.Count(m => Measured(m.Date)),
            FanOutAcceptedFull = accepted.Count(m => InWindow(m.Date)),
            Calls = measured.Count,
            FanOutCallsAccepted = measured.Count(c => c.Status == 200 && c.ChatId is { } chat && isRecipient(chat)),
            TooManyRequests = measured.Count(c => c.Status == SendRecorder.TooManyRequests),
            OtherAccepted = measured.Count(c => c.Status == 200 && !(c.ChatId is { } chat && isRecipient(chat))),
            CallsPerSecond = perSecond,
            FirstAttemptsRefused = refused,
            RetriesRefused = calls.Count(c => c.Status == SendRecorder.TooManyRequests && c.ChatId is { } chat && isRecipient(chat)) - refused,
            OthersRefused = calls.Count(c => c.Status == SendRecorder.TooManyRequests && !(c.ChatId is { } chat && isRecipient(chat))),
            AcceptedInTail = accepted.Count(m => m.Date > end),
        };
    }
}
