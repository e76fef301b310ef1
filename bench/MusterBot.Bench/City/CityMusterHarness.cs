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
    IReadOnlyList<(int Answers, TimeSpan Refresh)> Refreshes);

/// <summary>
/// Measures, against a host that runs on the seeded city: (1) launch → every message of the launch committed to the
/// outbox (enqueued = still in the outbox + already taken by the emulator; goal ≤ 60 s), and that every convenor's
/// order reached the emulator before any other message of the launch; (2) the city roll call's refresh time with
/// 0, 25 %, 50 %, 100 % of the members answered (goal ≤ 1 s per refresh, not growing with the answers): answers are
/// pressed, then the roll-call message's next edit in the emulator is timed from the moment the last press was
/// answered (the refresh is throttled by MusterOptions.RollCallInterval, which the caller should set low).
/// </summary>
public sealed class CityMusterHarness(ICityMuster muster, CityModel city, BotApiEmulator emulator, IStateStore store, long adminId)
{
    public async Task<CityMusterFigures> RunAsync(Func<int, Task> pressAnswersAsync, TimeSpan limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pressAnswersAsync);
        var expected = muster.ExpectedMessages(city);
        var sentBefore = emulator.RequestCount("sendMessage");
        var since = emulator.State.Version;
        var launchedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        await muster.LaunchAsync(emulator, adminId, cancellationToken);
        var allIn = TimeSpan.Zero;
        while (allIn == TimeSpan.Zero)
        {
            var waiting = (await store.CountOutboxAsync(cancellationToken)).Values.Sum();
            if (waiting + emulator.RequestCount("sendMessage") - sentBefore >= expected)
            {
                allIn = clock.Elapsed;
            }
            else if (clock.Elapsed > limit)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"the launch's {expected:N0} messages were not in the outbox within {limit}"));
            }
            else
            {
                await Task.Delay(50, cancellationToken);
            }
        }

        // Convenors first: by the emulator's order of arrival (Version), no other launch message before the last order.
        var launched = city.Members.Select(m => m.Id).SelectMany(id => emulator.Transcript(id, since)).Where(m => m.Version > since).ToList();
        var orders = launched.Where(muster.IsConvenorOrder).ToList();
        var others = launched.Where(m => !muster.IsConvenorOrder(m)).ToList();
        var lastOrder = orders.Count == 0 ? 0 : orders.Max(m => m.Version);
        var firstOther = others.Count == 0 ? long.MaxValue : others.Min(m => m.Version);
        var lastOrderAt = orders.Count == 0 ? TimeSpan.Zero : orders.Max(m => m.Date) - launchedAt;

        var panel = await muster.OpenRollCallAsync(emulator, adminId, cancellationToken);
        var refreshes = new List<(int, TimeSpan)>();
        var answered = 0;
        foreach (var share in new[] { 0.0, 0.25, 0.5, 1.0 })
        {
            var target = (int)(city.Members.Count * share);
            if (target > answered)
            {
                await pressAnswersAsync(target - answered);
                answered = target;
            }

            var version = emulator.State.Version;
            var started = Stopwatch.StartNew();
            await emulator.WaitForAsync(
                () => emulator.Transcript(adminId, version).Any(m => m.MessageId == panel && m.Version > version),
                limit,
                cancellationToken);
            refreshes.Add((answered, started.Elapsed));
        }

        return new CityMusterFigures(allIn, lastOrderAt, lastOrder < firstOther, refreshes);
    }
}
