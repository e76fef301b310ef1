using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using MusterBot.Emulator;
using MusterBot.Flows.Musters;
using MusterBot.State.Commits;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Musters;
using MusterBot.State.Redis;

namespace MusterBot.Bench.Chaos;

/// <summary>
/// The chaos suite (issue #13). The emulator runs here over HTTP; the host is a child process (<c>dotnet MusterBot.Host.dll</c>)
/// on a redis-server with an append-only file.
/// Phase 1: a real muster of N members launched through the flows (the administrator runs the /muster wizard by pressing
/// its buttons, every convenor acknowledges and relays, every member presses "arrived" on their order) while the host is
/// SIGKILLed and restarted K times and redis-server SIGKILLed and restarted R times at random moments.
/// Phase 2: F odd and malformed updates (<see cref="FuzzUpdates"/>) while a normal user sends /help every 0.5 s.
/// Prints messages lost, check-ins lost, duplicate sends, the normal user's reply latency, crashes and the run time.
/// </summary>
public sealed class ChaosBench(ChaosOptions options)
{
    private const long AdminId = 5_000_000_001;
    private const long FirstConvenor = 5_100_000_001;
    private const long FirstMember = 6_000_000_001;
    private const long NormalUser = 7_000_000_001;
    private const long FirstFuzzUser = 8_000_000_001;
    private const int FuzzUsers = 200;
    private const string Prefix = "chaos:";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(180);

    private readonly Random _random = new(options.Seed);
    private readonly ConcurrentQueue<string> _events = new();
    private readonly Stopwatch _clock = new();
    private volatile bool _workDone;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        _clock.Start();
        var n = options.Members;
        var regions = options.Regions;
        using var redis = await DurableRedis.StartAsync(options.Fsync);
        await using var emulator = await BotApiEmulator.StartAsync(new EmulatorOptions { Token = FanOutBench.Token }, cancellationToken);
        await using var store = await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = Prefix }, TimeProvider.System, cancellationToken);
        Log($"redis-server on {redis.ConnectionString} (appendonly yes, appendfsync {options.Fsync}), emulator on {emulator.BaseUrl}, host {ChildHost.Dll}");

        await SeedAsync(emulator, store, cancellationToken);
        emulator.CreateUser(NormalUser, "Normal", "en");
        emulator.CreateUser(NormalUser + 1, "Normal2", "en");
        for (var i = 0; i < FuzzUsers; i++)
        {
            emulator.CreateUser(FirstFuzzUser + i, "Fuzz" + i.ToString(Inv), "en");
        }

        using var host = new ChildHost(new Dictionary<string, string>
        {
            ["Telegram__BotToken"] = emulator.Token,
            ["Telegram__ApiBaseUrl"] = emulator.BaseUrl,
            ["Redis__Configuration"] = redis.ConnectionString,
            ["Redis__KeyPrefix"] = Prefix,
            ["MusterBot__Admins__0"] = AdminId.ToString(Inv),
            ["Sender__GlobalPerSecond"] = options.Rate.ToString(Inv),
            ["Sender__MaxInFlight"] = options.MaxInFlight.ToString(Inv),
            // A killed host's claimed messages are claimed again after the lease: 5 s instead of a minute keeps the run short.
            ["Sender__Lease"] = "00:00:05",
            ["Intake__FloodLimit"] = "100000",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__Console__FormatterName"] = "simple",
            ["DOTNET_gcServer"] = "0",
        });
        host.Start();
        var phase1 = Stopwatch.StartNew();

        // Phase 1: the muster, with kills.
        using var stopChaos = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var hostKills = new List<TimeSpan>();
        var redisKills = new List<(TimeSpan At, TimeSpan Down)>();
        var presses = new ConcurrentDictionary<long, string>();
        var hostChaos = Task.Run(() => KillHostAsync(emulator, host, presses, hostKills, stopChaos.Token), cancellationToken);
        var redisChaos = Task.Run(() => KillRedisAsync(redis, redisKills, stopChaos.Token), cancellationToken);

        var orderIds = new ConcurrentDictionary<long, int>();
        string? failure = null;
        try
        {
            await RunMusterAsync(emulator, presses, orderIds, cancellationToken).WaitAsync(options.Timeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            failure = ex.Message;
            Log("MUSTER PHASE FAILED: " + ex.Message + "\n" + host.Tail());
        }

        var workTime = phase1.Elapsed;
        _workDone = true;
        Log($"muster work done after {workTime.TotalSeconds:0} s ({hostKills.Count} host kills, {redisKills.Count} redis kills so far); finishing the kills");
        await Task.WhenAll(hostChaos, redisChaos).WaitAsync(options.Timeout, cancellationToken);

        // Settle: the host and Redis are up; every press answered, the outbox empty.
        if (!redis.IsRunning)
        {
            await redis.StartAgainAsync();
        }

        var settle = Stopwatch.StartNew();
        while (settle.Elapsed < TimeSpan.FromSeconds(180))
        {
            var outbox = await TryCountOutboxAsync(store, cancellationToken);
            var unanswered = presses.Values.Count(q => emulator.CallbackAnswers(q).Count == 0);
            if (outbox == 0 && unanswered == 0 && emulator.PendingUpdateCount == 0)
            {
                break;
            }

            await Task.Delay(500, cancellationToken);
        }

        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken); // a late duplicate would show now
        var phase1Time = phase1.Elapsed;
        var musterFigures = await MeasureMusterAsync(emulator, store, presses, cancellationToken);

        // Phase 2: fuzz while a normal user talks.
        var fuzz = await FuzzAsync(emulator, orderIds, cancellationToken);
        var crashes = host.Crashes;

        Report(n, regions, musterFigures, fuzz, hostKills, redisKills, host, workTime, phase1Time, failure);
        return failure is null && musterFigures.OrdersLost == 0 && musterFigures.CheckInsLost == 0 && crashes == 0
               && musterFigures.Duplicates <= options.MaxInFlight * Math.Max(1, hostKills.Count) && fuzz.Unanswered == 0
            ? 0
            : 1;
    }

    private void Log(string line)
    {
        var text = string.Format(Inv, "[{0,6:0.0} s] {1}", _clock.Elapsed.TotalSeconds, line);
        _events.Enqueue(text);
        Console.WriteLine(text);
    }

    // ---------------------------------------------------------------- set-up

    private async Task SeedAsync(BotApiEmulator emulator, RedisStateStore store, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        emulator.CreateUser(AdminId, "Admin", "en");
        var writes = new List<DocWrite> { Put(DocKeys.Grid("g1"), new Grid("g1", "Chaos grid")) };
        var sets = new List<SetChange> { new(Sets.Grids, "g1", true) };
        var people = new List<long>();
        for (var r = 0; r < options.Regions; r++)
        {
            var id = RegionId(r);
            writes.Add(Put(DocKeys.Region(id), new Region(id, "Region " + (r + 1).ToString(Inv)) { ConvenorId = FirstConvenor + r }));
            sets.Add(new SetChange(Sets.Regions, id, true));
            AddPerson(FirstConvenor + r, "C" + (r + 1).ToString(Inv), id, Roles.Member | Roles.Convenor);
        }

        for (var i = 0; i < options.Members; i++)
        {
            AddPerson(FirstMember + i, "M" + i.ToString(Inv), RegionId(i % options.Regions), Roles.Member);
        }

        // Into the default community's shard, the people's homes in the root shard (seeded in the root shard, as before
        // the organisation tree, the muster called no one).
        foreach (var commit in BenchSeed.CommunityCommits(writes, sets, people, now))
        {
            await CommitAsync(commit);
        }

        Log($"seeded {options.Members:N0} members in {options.Regions} regions with a convenor each, and an administrator");

        async Task CommitAsync(Commit commit)
        {
            var result = await store.CommitAsync(commit, cancellationToken);
            if (result.Status != CommitStatus.Committed)
            {
                throw new InvalidOperationException("seeding was refused: " + result.Status);
            }
        }

        void AddPerson(long id, string name, string regionId, Roles roles)
        {
            BenchSeed.AddPerson(emulator, writes, sets, now, id, name, regionId, roles);
            people.Add(id);
        }
    }

    private static string RegionId(int r) => BenchSeed.RegionId(r);

    private static DocWrite Put<T>(MusterBot.State.Documents.DocKey key, T value) => BenchSeed.Put(key, value);

    // ---------------------------------------------------------------- chaos

    /// <summary>
    /// Kills the host at a random moment: a fifth of the kills 0–1.5 s after a start (mid start-up), the others 0.3–6 s
    /// after it polls. The first half falls in the launch, the convenors' relays and the fan-out; the second half waits
    /// for the first check-in press, so it falls among the check-ins.
    /// </summary>
    private async Task KillHostAsync(BotApiEmulator emulator, ChildHost host, ConcurrentDictionary<long, string> presses, List<TimeSpan> kills, CancellationToken ct)
    {
        for (var k = 0; k < options.Kills && !ct.IsCancellationRequested; k++)
        {
            if (k == options.Kills / 2)
            {
                while (presses.IsEmpty && !_workDone)
                {
                    await Task.Delay(50, ct);
                }
            }

            var polls = emulator.RequestCount("getUpdates");
            TimeSpan wait;
            lock (_random)
            {
                wait = k % 5 == 4 ? TimeSpan.FromMilliseconds(_random.Next(0, 1500)) : TimeSpan.FromMilliseconds(_random.Next(300, 6000));
            }

            if (k % 5 != 4)
            {
                // A host that is up: it has polled since its start.
                var up = Stopwatch.StartNew();
                while (emulator.RequestCount("getUpdates") == polls && up.Elapsed < TimeSpan.FromSeconds(60))
                {
                    await Task.Delay(20, ct);
                }
            }

            await Task.Delay(wait, ct);
            await host.KillAsync();
            kills.Add(_clock.Elapsed);
            Log($"host kill {k + 1}/{options.Kills} ({(k % 5 == 4 ? "during start-up" : "while running")}){(_workDone ? " — after the muster work" : string.Empty)}");
            await Task.Delay(_random.Next(0, 500), ct);
            host.Start();
        }
    }

    /// <summary>Kills redis-server every 10–25 s and starts it again 0.5–3 s later (on its AOF).</summary>
    private async Task KillRedisAsync(DurableRedis redis, List<(TimeSpan, TimeSpan)> kills, CancellationToken ct)
    {
        for (var k = 0; k < options.RedisKills && !ct.IsCancellationRequested; k++)
        {
            int wait, down;
            lock (_random)
            {
                wait = _random.Next(k == 0 ? 5000 : 10_000, 25_000);
                down = _random.Next(500, 3000);
            }

            await Task.Delay(wait, ct);
            var at = _clock.Elapsed;
            await redis.KillAsync();
            await Task.Delay(down, ct);
            var loaded = await redis.StartAgainAsync();
            kills.Add((at, TimeSpan.FromMilliseconds(down) + loaded));
            Log($"redis kill {k + 1}/{options.RedisKills}: down {down + loaded.TotalMilliseconds:0} ms (AOF loaded in {loaded.TotalMilliseconds:0} ms){(_workDone ? " — after the muster work" : string.Empty)}");
        }
    }

    // ---------------------------------------------------------------- phase 1: the muster

    private async Task RunMusterAsync(BotApiEmulator emulator, ConcurrentDictionary<long, string> presses, ConcurrentDictionary<long, int> orderIds, CancellationToken ct)
    {
        // The administrator, through the wizard, pressing the buttons of the wizard's message.
        await SayAsync(emulator, AdminId, "/muster", "Launch a muster", ct);
        await PressWizardAsync(emulator, new MusterButton.PickKind(MusterKind.Flood), ct);
        await PressWizardAsync(emulator, new MusterButton.PickScope(MusterScopeKind.Everyone), ct);
        await SayAsync(emulator, AdminId, "Chaos square", "Step 4", ct);
        await PressWizardAsync(emulator, new MusterButton.Skip(), ct);
        await PressWizardAsync(emulator, new MusterButton.ReportWithin(60), ct);
        await PressWizardAsync(emulator, new MusterButton.DrillOrReal(false), ct);
        await PressWizardAsync(emulator, new MusterButton.Skip(), ct);
        await PressWizardAsync(emulator, new MusterButton.Launch(), ct);
        await emulator.WaitForMessageAsync(AdminId, m => m.Text?.Contains("M-1</b> sent", StringComparison.Ordinal) == true || m.Text?.Contains("M-1 sent", StringComparison.Ordinal) == true, Step, ct);
        Log("the administrator launched M-1 (real) through the wizard");

        // Convenors acknowledge, then relay, each as soon as their order arrives.
        var convenors = Enumerable.Range(0, options.Regions).Select(r => ConvenorAsync(emulator, FirstConvenor + r, RegionId(r), ct)).ToList();

        // Members press "arrived" on their order 0–20 s after it arrives (people take their time).
        var pending = new HashSet<long>(Enumerable.Range(0, options.Members).Select(i => FirstMember + i));
        var checkIn = new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data;
        var lastProgress = Stopwatch.StartNew();
        var reported = 0;
        while (pending.Count > 0)
        {
            var due = new List<(long Member, int MessageId)>();
            foreach (var member in pending)
            {
                var order = emulator.Messages(member).FirstOrDefault(m => m.Buttons.Any(b => b.CallbackData == checkIn));
                if (order is not null)
                {
                    due.Add((member, order.MessageId));
                }
            }

            foreach (var (member, messageId) in due)
            {
                pending.Remove(member);
                orderIds[member] = messageId;
                int delay;
                lock (_random)
                {
                    delay = _random.Next(0, 20_000);
                }

                _ = Task.Run(
                    async () =>
                    {
                        await Task.Delay(delay, ct);
                        presses[member] = emulator.PressButton(member, member, messageId, checkIn);
                    },
                    ct);
            }

            if (due.Count > 0)
            {
                lastProgress.Restart();
            }

            if (options.Members - pending.Count >= reported + Math.Max(1, options.Members / 5))
            {
                reported = options.Members - pending.Count;
                Log($"{reported:N0} of {options.Members:N0} members have their order");
            }

            if (lastProgress.Elapsed > Step)
            {
                throw new TimeoutException($"{pending.Count} members got no order for {Step.TotalSeconds:0} s");
            }

            await Task.Delay(250, ct);
        }

        await Task.WhenAll(convenors);
        await Task.Delay(20_100, ct);
        Log($"every member pressed 'arrived' ({presses.Count:N0} presses)");

        // Every press answered (a press delivered before a kill is delivered again and answered by the next host).
        var waiting = Stopwatch.StartNew();
        while (presses.Values.Any(q => emulator.CallbackAnswers(q).Count == 0))
        {
            if (waiting.Elapsed > Step)
            {
                throw new TimeoutException($"{presses.Values.Count(q => emulator.CallbackAnswers(q).Count == 0)} presses not answered within {Step.TotalSeconds:0} s");
            }

            await Task.Delay(250, ct);
        }

        Log("every press was answered");
    }

    private static async Task ConvenorAsync(BotApiEmulator emulator, long convenor, string regionId, CancellationToken ct)
    {
        var ack = new MusterButton.Acknowledge(1, regionId).Data;
        var relay = new MusterButton.Relay(1, regionId).Data;
        var order = await emulator.WaitForMessageAsync(convenor, m => m.Buttons.Any(b => b.CallbackData == ack), Step, ct);
        await PressAndWaitAsync(emulator, convenor, order.MessageId, ack, ct);
        order = await emulator.WaitForMessageAsync(convenor, m => m.Buttons.Any(b => b.CallbackData == relay), Step, ct);
        await PressAndWaitAsync(emulator, convenor, order.MessageId, relay, ct);
    }

    private static async Task SayAsync(BotApiEmulator emulator, long user, string text, string expected, CancellationToken ct)
    {
        var since = emulator.State.Version;
        emulator.SendText(user, text);
        await emulator.WaitForMessageAsync(user, m => m.Version > since && m.Text?.Contains(expected, StringComparison.Ordinal) == true, Step, ct);
    }

    /// <summary>Presses the wizard's button that carries the payload, once the administrator's chat shows it.</summary>
    private static async Task PressWizardAsync(BotApiEmulator emulator, MusterButton button, CancellationToken ct)
    {
        var data = button.Data;
        var message = await emulator.WaitForMessageAsync(AdminId, m => m.Buttons.Any(b => b.CallbackData == data), Step, ct);
        var since = emulator.State.Version;
        await PressAndWaitAsync(emulator, AdminId, message.MessageId, data, ct);

        // The wizard's next step is shown (an edit or a new message) after the press is answered.
        await emulator.WaitForAsync(() => emulator.Transcript(AdminId, since).Any(m => m.FromBot), Step, ct);
    }

    private static async Task PressAndWaitAsync(BotApiEmulator emulator, long user, int messageId, string data, CancellationToken ct)
    {
        var query = emulator.PressButton(user, user, messageId, data);
        await emulator.WaitForAsync(() => emulator.CallbackAnswers(query).Count > 0, Step, ct);
    }

    private static async Task<long> TryCountOutboxAsync(RedisStateStore store, CancellationToken ct)
    {
        try
        {
            return (await store.CountOutboxAsync(ct)).Values.Sum();
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            return -1;
        }
    }

    // ---------------------------------------------------------------- measures

    private sealed record MusterFigures(
        int OrdersLost, int ConvenorOrdersLost, int NoticesLost, int Presses, int PressesAnswered, int CheckInsLost, int InStore,
        int Duplicates, int ChatsWithDuplicates, string DuplicateExamples, long Outbox, long Sent);

    private async Task<MusterFigures> MeasureMusterAsync(BotApiEmulator emulator, RedisStateStore store, ConcurrentDictionary<long, string> presses, CancellationToken ct)
    {
        var members = Enumerable.Range(0, options.Members).Select(i => FirstMember + i).ToList();
        var convenors = Enumerable.Range(0, options.Regions).Select(r => FirstConvenor + r).ToList();
        var checkIn = new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data;

        // The order: the message that carried the check-in buttons (edited after the press, so its first revision counts).
        var ordersLost = members.Count(m => !emulator.Messages(m).Any(x => OriginalButtons(x).Contains(checkIn)));
        var convenorOrdersLost = Enumerable.Range(0, options.Regions)
            .Count(r => !emulator.Messages(FirstConvenor + r).Any(x => OriginalButtons(x).Contains(new MusterButton.Acknowledge(1, RegionId(r)).Data)));

        // The emergency-mode notice every registered person gets with a real muster.
        var noticesLost = members.Count(m => emulator.Messages(m).Count < 2);

        // Check-ins: every press the bot answered must be in the region's "arrived" set.
        var arrived = new HashSet<string>(StringComparer.Ordinal);
        for (var r = 0; r < options.Regions; r++)
        {
            foreach (var id in await store.GetSetMembersAsync(Sets.MusterAnswers(1, RegionId(r), CheckInStatus.Arrived), MusterBot.State.Records.Org.DefaultTree.CommunityId, ct))
            {
                arrived.Add(id);
            }
        }

        var answered = presses.Where(p => emulator.CallbackAnswers(p.Value).Count > 0).ToList();
        var checkInsLost = answered.Count(p => !arrived.Contains(p.Key.ToString(Inv)));

        // Duplicates: identical messages (first revision's text and buttons) to the same chat, members and convenors.
        var duplicates = 0;
        var chats = 0;
        var examples = new List<string>();
        foreach (var chat in members.Concat(convenors))
        {
            var extra = emulator.Messages(chat).GroupBy(m => Original(m)).Sum(g => g.Count() - 1);
            if (extra > 0)
            {
                duplicates += extra;
                chats++;
                if (examples.Count < 3)
                {
                    var text = emulator.Messages(chat).GroupBy(m => Original(m)).First(g => g.Count() > 1).Key.ReplaceLineEndings(" ");
                    examples.Add(chat.ToString(Inv) + ": " + text[..Math.Min(40, text.Length)]);
                }
            }
        }

        return new MusterFigures(
            ordersLost, convenorOrdersLost, noticesLost, presses.Count, answered.Count, checkInsLost, arrived.Count, duplicates, chats,
            string.Join("; ", examples), await TryCountOutboxAsync(store, ct), emulator.AllSentCount);

        static string Original(EmulatedMessage m) => m.History.Count > 0 ? (m.History[0].Text ?? string.Empty) + m.History[0].ReplyMarkupJson : (m.Text ?? string.Empty) + m.ReplyMarkupJson;

        static string OriginalButtons(EmulatedMessage m) => (m.History.Count > 0 ? m.History[0].ReplyMarkupJson : m.ReplyMarkupJson) ?? string.Empty;
    }

    // ---------------------------------------------------------------- phase 2: fuzz

    private sealed record FuzzFigures(int Injected, TimeSpan InjectTime, List<double> Latencies, int Asked, int Unanswered, long PendingAtEnd, string Kinds, TimeSpan DrainTime, long FuzzReplies);

    private async Task<FuzzFigures> FuzzAsync(BotApiEmulator emulator, IReadOnlyDictionary<long, int> orderIds, CancellationToken ct)
    {
        var members = Enumerable.Range(0, options.Members).Select(i => FirstMember + i).ToList();
        var users = Enumerable.Range(0, FuzzUsers).Select(i => FirstFuzzUser + i).ToList();
        var fuzz = new FuzzUpdates(options.Seed, options.MaxDepth, users, members, orderIds);
        const string helpStart = "What I can do";
        long[] talkers = [NormalUser, NormalUser + 1];
        var helpBefore = talkers.Select(t => emulator.Messages(t).Count(m => m.Text?.StartsWith(helpStart, StringComparison.Ordinal) == true)).ToArray();
        var asked = talkers.Select(_ => new List<DateTimeOffset>()).ToArray();
        var sentBefore = emulator.AllSentCount;
        Log($"fuzz: {options.Fuzz:N0} odd updates at {options.FuzzRate:0}/s while normal users send /help every 0.5 s (taking turns)");

        var clock = Stopwatch.StartNew();
        using var stopTalking = new CancellationTokenSource();
        var talking = Task.Run(
            async () =>
            {
                // Two people taking turns, each asking once a second: the bot gets a normal /help every 0.5 s, and no
                // chat asks faster than Telegram's one message per second per chat, which the sender honours.
                for (var turn = 0; !stopTalking.IsCancellationRequested; turn++)
                {
                    asked[turn % 2].Add(emulator.SendText(talkers[turn % 2], "/help").Date);
                    try
                    {
                        await Task.Delay(500, stopTalking.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            },
            ct);

        for (var i = 0; i < options.Fuzz; i++)
        {
            var due = TimeSpan.FromSeconds(i / options.FuzzRate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, ct);
            }

            emulator.InjectRawUpdate(fuzz.Next());
        }

        var injectTime = clock.Elapsed;
        var drain = Stopwatch.StartNew();
        while (emulator.PendingUpdateCount > 0 && drain.Elapsed < TimeSpan.FromSeconds(120))
        {
            await Task.Delay(100, ct);
        }

        var drainTime = drain.Elapsed;
        await stopTalking.CancelAsync();
        await talking;

        List<DateTimeOffset> Replies(int t) =>
            emulator.Messages(talkers[t]).Where(m => m.Text?.StartsWith(helpStart, StringComparison.Ordinal) == true).Skip(helpBefore[t]).Select(m => m.Date).ToList();
        var waitReplies = Stopwatch.StartNew();
        while (Enumerable.Range(0, 2).Any(t => Replies(t).Count < asked[t].Count) && waitReplies.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100, ct);
        }

        var latencies = new List<double>();
        var answeredCount = 0;
        for (var t = 0; t < 2; t++)
        {
            var replies = Replies(t);
            answeredCount += Math.Min(replies.Count, asked[t].Count);
            for (var i = 0; i < Math.Min(asked[t].Count, replies.Count); i++)
            {
                latencies.Add((replies[i] - asked[t][i]).TotalMilliseconds);
            }
        }

        var askedCount = asked.Sum(a => a.Count);
        var fuzzReplies = emulator.AllSentCount - sentBefore - answeredCount;
        latencies.Sort();
        Log($"fuzz done: injected in {injectTime.TotalSeconds:0.0} s, queue drained {drainTime.TotalSeconds:0.0} s later; /help asked {askedCount}, answered {answeredCount}");
        return new FuzzFigures(options.Fuzz, injectTime, latencies, askedCount, askedCount - answeredCount, emulator.PendingUpdateCount,
            string.Join(", ", fuzz.Counts.Select(kv => $"{kv.Key} {kv.Value:N0}")), drainTime, fuzzReplies);
    }

    // ---------------------------------------------------------------- report

    private void Report(
        int n, int regions, MusterFigures m, FuzzFigures f, List<TimeSpan> hostKills, List<(TimeSpan At, TimeSpan Down)> redisKills, ChildHost host,
        TimeSpan workTime, TimeSpan phase1Time, string? failure)
    {
        var bound = options.MaxInFlight * hostKills.Count;
        var b = new StringBuilder();
        void Row(string name, string value, string goal = "") => b.AppendLine(string.Format(Inv, "  {0,-46} {1}{2}", name, value, goal.Length > 0 ? "   (goal " + goal + ")" : string.Empty));
        b.AppendLine();
        b.AppendLine(string.Format(Inv, "MusterBot chaos suite: {0:N0} members in {1} regions, {2} host kills, {3} redis kills (appendfsync {4}), {5:N0} fuzz updates, Sender:GlobalPerSecond {6}, Sender:MaxInFlight {7}, seed {8}",
            n, regions, hostKills.Count, redisKills.Count, options.Fsync, f.Injected, options.Rate, options.MaxInFlight, options.Seed));
        if (failure is not null)
        {
            Row("MUSTER PHASE FAILED", failure);
        }

        Row("orders lost (members without the order)", m.OrdersLost.ToString(Inv), "0");
        Row("convenor orders lost", m.ConvenorOrdersLost.ToString(Inv), "0");
        Row("members without the emergency-mode notice", m.NoticesLost.ToString(Inv), "0");
        Row("check-in presses / answered", $"{m.Presses:N0} / {m.PressesAnswered:N0}");
        Row("check-ins lost (answered, not in the store)", m.CheckInsLost.ToString(Inv), "0");
        Row("members in the 'arrived' sets", m.InStore.ToString("N0", Inv));
        Row("duplicate sends (identical message, same chat)", $"{m.Duplicates} in {m.ChatsWithDuplicates} chats{(m.DuplicateExamples.Length > 0 ? " — e.g. " + m.DuplicateExamples : string.Empty)}", $"≤ {bound} = {options.MaxInFlight} × {hostKills.Count} kills");
        Row("messages sent (all chats) / left in the outbox", $"{m.Sent:N0} / {m.Outbox}");
        Row("host kills (SIGKILL) at", string.Join(" ", hostKills.Select(t => t.TotalSeconds.ToString("0", Inv))) + " s");
        Row("redis kills (SIGKILL) at / down for", string.Join(" ", redisKills.Select(r => $"{r.At.TotalSeconds:0} s/{r.Down.TotalSeconds:0.0} s")));
        Row("host processes started", host.Starts.ToString(Inv));
        Row("crashes (host exits not caused by us)", host.Crashes.ToString(Inv), "0");
        Row("muster phase: work done / settled", $"{workTime.TotalSeconds:0} s / {phase1Time.TotalSeconds:0} s");
        Row("fuzz: updates injected in", $"{f.InjectTime.TotalSeconds:0.0} s ({f.Kinds})");
        Row("fuzz: queue drained after injection", $"{f.DrainTime.TotalSeconds:0.0} s; pending at the end {f.PendingAtEnd}", "0 pending");
        Row("fuzz: bot messages to the fuzzing users", f.FuzzReplies.ToString("N0", Inv));
        Row("normal users' /help reply p50 / p99 / max", f.Latencies.Count == 0 ? "no replies" : $"{Pct(f.Latencies, 0.5):0} / {Pct(f.Latencies, 0.99):0} / {f.Latencies[^1]:0} ms ({f.Latencies.Count} of {f.Asked} answered)");
        Row("run time", $"{_clock.Elapsed.TotalSeconds:0} s");
        foreach (var (key, count) in new SortedDictionary<string, int>(host.LogCounts.ToDictionary(), StringComparer.Ordinal))
        {
            Row("host log " + key, count.ToString(Inv));
        }

        foreach (var tail in host.CrashTails)
        {
            b.AppendLine("  CRASH " + tail);
        }

        Console.WriteLine(b.ToString());
    }

    private static double Pct(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
