using System.Diagnostics;
using System.Globalization;
using MusterBot.Emulator;
using MusterBot.State;
using MusterBot.State.Commits;

namespace MusterBot.Bench.City;

/// <summary>
/// The seam to the city-level muster ("mustertree"): how the bench launches a city-wide muster and refreshes the city
/// roll call through the bot as a user would. Until that branch is merged nothing implements it on main (see
/// <see cref="NotWiredCityMuster"/>); the harness around it (<see cref="CityMusterHarness"/>) is ready.
/// </summary>
public interface ICityMuster
{
    /// <summary>What the launch needs beyond the seeded city (e.g. the administrator's profile with AdminOf = [1] and
    /// <c>OrgNode(1).Admins</c>), as commits; applied before the host starts.</summary>
    IReadOnlyList<Commit> Setup(CityModel city, long adminId);

    /// <summary>Drives the launch through the emulator as the city's administrator (e.g. /muster, the wizard's buttons,
    /// "launch"); returns once the launch button was pressed (the clock starts just before it is called).</summary>
    Task LaunchAsync(BotApiEmulator emulator, long adminId, CancellationToken cancellationToken);

    /// <summary>Every outgoing message the launch commits (orders to convenors, and to members without a convenor,
    /// panels), so the harness knows when all of them are in the outbox.</summary>
    int ExpectedMessages(CityModel city);

    /// <summary>True for a convenor's order (they must all be sent before any other message of the launch).</summary>
    bool IsConvenorOrder(EmulatedMessage message);

    /// <summary>Opens the city roll call in the administrator's chat and returns the message id the refreshes edit.</summary>
    Task<int> OpenRollCallAsync(BotApiEmulator emulator, long adminId, CancellationToken cancellationToken);

    /// <summary>When the launch button itself was pressed (the wizard before it is not the launch); null: when LaunchAsync was called.</summary>
    DateTimeOffset? LaunchPressedAt => null;
}

/// <summary>On main: the city-level launch does not exist yet. Says exactly what to wire.</summary>
public sealed class NotWiredCityMuster : ICityMuster
{
    public const string Todo =
        "the city-wide muster launch and the city roll call are not on main yet (branch \"mustertree\"): implement ICityMuster " +
        "(bench/MusterBot.Bench/City/CityMusterHarness.cs) — Setup: the admin's UserProfile with AdminOf=[1] in the root shard and " +
        "OrgNode(1).Admins=[admin]; LaunchAsync: /muster as that admin, pick the city node, kind, scope everyone, skip the pin, " +
        "report within 60, drill, launch (MusterButton payloads as in CheckInBench); ExpectedMessages: one order per (community, " +
        "workplace region) part with a convenor, plus parts without one × members, plus the admin's panel; IsConvenorOrder: the " +
        "convenor order text (\"M-1\" + relay button); OpenRollCallAsync: the city roll call command/button — then run " +
        "--phases launch,rollcall";

    public IReadOnlyList<Commit> Setup(CityModel city, long adminId) => throw new NotSupportedException(Todo);

    public Task LaunchAsync(BotApiEmulator emulator, long adminId, CancellationToken cancellationToken) => throw new NotSupportedException(Todo);

    public int ExpectedMessages(CityModel city) => throw new NotSupportedException(Todo);

    public bool IsConvenorOrder(EmulatedMessage message) => throw new NotSupportedException(Todo);

    public Task<int> OpenRollCallAsync(BotApiEmulator emulator, long adminId, CancellationToken cancellationToken) => throw new NotSupportedException(Todo);
}

/// <summary>What the launch and roll-call measurements found.</summary>
public sealed record CityMusterFigures(
    TimeSpan AllInOutbox,
    TimeSpan LastConvenorOrderSent,
    bool ConvenorOrdersFirst,
    IReadOnlyList<CityRollCallFigure> Refreshes)
{
    /// <summary>Convenor orders among the launch's messages (the convenors-first check is vacuous at 0).</summary>
    public int ConvenorOrders { get; init; }

    /// <summary>Messages of the launch the emulator received when the outbox held them all.</summary>
    public int Expected { get; init; }

    /// <summary>Launch → every message of the launch taken by the emulator (the outbox drained).</summary>
    public TimeSpan AllSent { get; init; }
}

/// <summary>
/// One share of answers: <paramref name="Auto"/> = the last press answered → the panel's next edit showing all the
/// answers (the throttled live refresh: community refresh timer + the city's panel timer, each RollCallInterval apart);
/// <paramref name="Press"/> = pressing "refresh" → the press answered (the render of the whole city roll call from the
/// communities' tallies and its commit); <paramref name="PressEdit"/> = pressing "refresh" → the panel edited (zero when
/// the text did not change, e.g. within the same second).
/// </summary>
public sealed record CityRollCallFigure(int Answers, TimeSpan? Auto, TimeSpan Press, TimeSpan PressEdit);

/// <summary>
/// Measures, against a host that runs on the seeded city: (1) launch → every message of the launch committed to the
/// outbox (enqueued = still in the outbox + already taken by the emulator; goal ≤ 60 s), and that every convenor's
/// order reached the emulator before any other message of the launch; (2) the city roll call's refresh time with
/// 0, 25 %, 50 %, 100 % of the members answered (goal ≤ 1 s per refresh, not growing with the answers), both as the live
/// refresh (throttled by MusterOptions.RollCallInterval, which the caller should set low) and as a press of "refresh".
/// </summary>
public sealed class CityMusterHarness(ICityMuster muster, CityModel city, BotApiEmulator emulator, IStateStore store, long adminId)
{
    private static readonly System.Text.RegularExpressions.Regex Arrived = new("📍 [^ ]+ (\\d+)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <param name="answerable">How many members can answer (the called ones: workplace convenors are ordered, not called).</param>
    /// <param name="diagnose">While a live refresh is awaited, printed every 2 s (e.g. the timers overdue); null: nothing.</param>
    public async Task<CityMusterFigures> RunAsync(Func<int, Task> pressAnswersAsync, int answerable, string refreshData, TimeSpan limit, CancellationToken cancellationToken, Func<Task<string>>? diagnose = null)
    {
        ArgumentNullException.ThrowIfNull(pressAnswersAsync);
        var expected = muster.ExpectedMessages(city);
        var sentBefore = emulator.RequestCount("sendMessage");
        var since = emulator.State.Version;
        var launchedAt = DateTimeOffset.UtcNow;
        await muster.LaunchAsync(emulator, adminId, cancellationToken);

        // The figures count from the launch press (the wizard before it, with its preview, is the administrator's time).
        if (muster.LaunchPressedAt is { } pressed)
        {
            var wizard = pressed - launchedAt;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    wizard up to the launch press: {wizard.TotalSeconds:0.0} s (not counted)"));
            launchedAt = pressed;
        }

        TimeSpan Elapsed() => DateTimeOffset.UtcNow - launchedAt;
        var allIn = TimeSpan.Zero;
        var lastReport = TimeSpan.Zero;
        while (allIn == TimeSpan.Zero)
        {
            // Orders wait in the emergency lane (button answers and edits of the relays' presses are not the launch's).
            var waiting = (await store.CountOutboxAsync(cancellationToken)).GetValueOrDefault(MusterBot.State.Outbox.Lane.Emergency);
            var enqueued = waiting + emulator.RequestCount("sendMessage") - sentBefore;
            if (enqueued >= expected)
            {
                allIn = Elapsed();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    all {expected:N0} in the outbox {allIn.TotalSeconds:0.0} s after the launch press ({CityBench.Uptime()})"));
            }
            else if (Elapsed() > limit)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"the launch's {expected:N0} messages were not in the outbox within {limit} ({enqueued:N0} were)"));
            }
            else
            {
                if (Elapsed() - lastReport > TimeSpan.FromSeconds(10))
                {
                    lastReport = Elapsed();
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {Elapsed().TotalSeconds:0} s: {enqueued:N0}/{expected:N0} enqueued ({CityBench.Uptime()})"));
                }

                await Task.Delay(50, cancellationToken);
            }
        }

        // Everything sent (the roll call is measured on a quiet outbox, not behind 120,000 orders in the same lane).
        while ((await store.CountOutboxAsync(cancellationToken)).Values.Sum() > 0)
        {
            if (Elapsed() > limit * 4)
            {
                throw new InvalidOperationException("the launch's messages were not all sent within " + (limit * 4));
            }

            await Task.Delay(50, cancellationToken);
        }

        var allSent = Elapsed();

        // Convenors first: by the time each message was sent (its Date; an edit later, e.g. of a relayed order, keeps it),
        // no other launch message before the last convenor's order.
        var launched = city.Members.Select(m => m.Id).SelectMany(id => emulator.Transcript(id, since)).Where(m => m.Version > since && m.Date >= launchedAt).ToList();
        var orders = launched.Where(muster.IsConvenorOrder).ToList();
        var others = launched.Where(m => !muster.IsConvenorOrder(m)).ToList();
        var lastOrder = orders.Count == 0 ? DateTimeOffset.MinValue : orders.Max(m => m.Date);
        var firstOther = others.Count == 0 ? DateTimeOffset.MaxValue : others.Min(m => m.Date);
        var lastOrderAt = orders.Count == 0 ? TimeSpan.Zero : lastOrder - launchedAt;
        if (lastOrder >= firstOther)
        {
            var early = others.Where(m => m.Date <= lastOrder).OrderBy(m => m.Date).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {early.Count:N0} other messages were sent before the last convenor order ({lastOrderAt.TotalSeconds:0.000} s); the first to {early[0].ChatId} at {(early[0].Date - launchedAt).TotalSeconds:0.000} s"));
        }
        else
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {orders.Count:N0} convenor orders sent by {lastOrderAt.TotalSeconds:0.000} s; the first other launch message at {(firstOther - launchedAt).TotalSeconds:0.000} s"));
        }

        var panel = await muster.OpenRollCallAsync(emulator, adminId, cancellationToken);
        var refreshes = new List<CityRollCallFigure>();
        var answered = 0;
        foreach (var share in new[] { 0.0, 0.25, 0.5, 1.0 })
        {
            var target = (int)(answerable * share);
            TimeSpan? auto = null;
            if (target > answered)
            {
                var before = emulator.State.Version;
                await pressAnswersAsync(target - answered);
                answered = target;
                var started = Stopwatch.StartNew();
                var shown = answered;
                using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var watcher = diagnose is null ? Task.CompletedTask : Task.Run(
                    async () =>
                    {
                        while (!watching.IsCancellationRequested)
                        {
                            await Task.Delay(2000, watching.Token);
                            var latest = emulator.Transcript(adminId, before).Where(m => m.MessageId == panel).Select(m => ArrivedOf(m.Text)).DefaultIfEmpty(-1).Max();
                            var backlog = await diagnose();
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"      +{started.Elapsed.TotalSeconds:0} s: panel shows {latest:N0} arrived; {backlog}"));
                        }
                    },
                    watching.Token);
                await emulator.WaitForAsync(
                    () => emulator.Transcript(adminId, before).Any(m => m.MessageId == panel && m.Version > before && ArrivedOf(m.Text) >= shown),
                    limit,
                    cancellationToken);
                auto = started.Elapsed;
                await watching.CancelAsync();
                try
                {
                    await watcher;
                }
                catch (OperationCanceledException)
                {
                }
            }

            // Then "refresh" pressed on the panel: the render of the whole city's roll call and its commit.
            // On a drained outbox (the members' orders edited by their presses go first), in a new second (the edited
            // text differs by its clock).
            while ((await store.CountOutboxAsync(cancellationToken)).Values.Sum() > 0)
            {
                await Task.Delay(50, cancellationToken);
            }

            await Task.Delay(1100, cancellationToken);
            var version = emulator.State.Version;
            var press = Stopwatch.StartNew();
            var query = emulator.PressButton(adminId, adminId, panel, refreshData);
            await emulator.WaitForAsync(() => emulator.CallbackAnswers(query).Count > 0, limit, cancellationToken);
            var answeredIn = press.Elapsed;
            var edited = TimeSpan.Zero;
            try
            {
                await emulator.WaitForAsync(() => emulator.Transcript(adminId, version).Any(m => m.MessageId == panel && m.Version > version), TimeSpan.FromSeconds(10), cancellationToken);
                edited = press.Elapsed;
            }
            catch (TimeoutException)
            {
            }

            refreshes.Add(new CityRollCallFigure(answered, auto, answeredIn, edited));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    roll call with {answered:N0} answered: live refresh {(auto is { } a ? a.TotalSeconds.ToString("0.00 s", CultureInfo.InvariantCulture) : "—")}, refresh press answered {answeredIn.TotalSeconds:0.000} s, edited {edited.TotalSeconds:0.000} s ({CityBench.Uptime()})"));
        }

        return new CityMusterFigures(allIn, lastOrderAt, lastOrder < firstOther, refreshes)
        {
            ConvenorOrders = orders.Count,
            Expected = expected,
            AllSent = allSent,
        };
    }

    private static int ArrivedOf(string? text) =>
        text is not null && Arrived.Match(text) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
}
