using System.Diagnostics;
using MusterBot.Host;
using MusterBot.Host.Delivery;
using MusterBot.Emulator;
using MusterBot.Host.BotApi;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Outbox;

namespace MusterBot.Bench;

/// <summary>
/// One run: the real host (MusterBotApp) against the Bot API emulator over HTTP, a fan-out of N emergency messages
/// committed at once as a muster launch does, and direct replies (/help) asked for while the fan-out drains.
/// </summary>
public sealed class FanOutBench(BenchOptions options)
{
    /// <summary>A token of BotFather's shape, accepted by both the emulator and the options validator.</summary>
    public const string Token = "123456789:BENCHtokenBENCHtokenBENCHtokenBENCH01";

    private const long FirstRecipient = 1_000_000_001;
    private const long FirstReplyUser = 2_000_000_001;
    private const long WarmUpUser = 3_000_000_001;
    private const string FanOutTag = "bench:fanout";
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(10);

    public async Task<BenchResult> RunAsync(CancellationToken cancellationToken)
    {
        using var redis = options.Store == StoreKind.Redis ? await RedisServer.StartAsync() : null;
        await using var ownEmulator = options.Store == StoreKind.Redis
            ? await BotApiEmulator.StartAsync(new EmulatorOptions { Token = Token }, cancellationToken)
            : null;
        using var logs = new CountingLoggerProvider();
        var recorder = new SendRecorder();

        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Telegram:Mode"] = "Polling",
            ["Sender:GlobalPerSecond"] = options.Rate.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sender:MaxInFlight"] = options.MaxInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (redis is not null && ownEmulator is not null)
        {
            settings["Telegram:BotToken"] = ownEmulator.Token;
            settings["Telegram:ApiBaseUrl"] = ownEmulator.BaseUrl;
            settings["Redis:Configuration"] = redis.ConnectionString;
            settings["Redis:KeyPrefix"] = "bench:";
        }

        // --store memory: no token and no Redis is the sandbox (the only way the host picks the in-memory store); it
        // starts its own emulator, which is then configured exactly like ours.
        var app = await MusterBotApp.CreateAsync([], b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            b.Logging.ClearProviders();
            b.Logging.AddProvider(logs);

            // Sees every sendMessage answer, 429s included (the emulator records only the messages it accepted).
            b.Services.AddHttpClient(BotApiClientRegistration.HttpClientName).AddHttpMessageHandler(recorder.CreateHandler);
        }, cancellationToken);
        await using var host = app;
        var emulator = ownEmulator ?? app.Services.GetRequiredService<BotApiEmulator>();
        var store = app.Services.GetRequiredService<IStateStore>();
        var signal = app.Services.GetRequiredService<OutboxSignal>();

        for (var i = 0; i < options.Messages; i++)
        {
            emulator.CreateUser(FirstRecipient + i, $"R{i}", "en");
        }

        for (var i = 0; i < options.Replies; i++)
        {
            emulator.CreateUser(FirstReplyUser + i, $"Q{i}", "en");
        }

        emulator.CreateUser(WarmUpUser, "Warm", "en");
        emulator.Latency = TimeSpan.FromMilliseconds(options.LatencyMs);
        await app.StartAsync(cancellationToken);

        // Warm-up: one /help through intake, flows, commit, sender (JIT, connections), before anything is measured.
        emulator.SendText(WarmUpUser, "/help");
        await emulator.WaitForMessageAsync(WarmUpUser, _ => true, TimeSpan.FromSeconds(30), cancellationToken);

        // Limits on only now: the emulator's bucket starts full, as for a bot that was idle before the launch.
        emulator.RateLimitPerSecond = options.Rate;
        emulator.Random429Fraction = options.Fraction429;
        var sentBefore = emulator.RequestCount("sendMessage");
        var tooManyBefore = emulator.TooManyRequestsGiven;
        var self = Process.GetCurrentProcess();
        self.Refresh();
        var cpuBefore = self.TotalProcessorTime;
        var redisCpuBefore = redis?.CpuTime ?? TimeSpan.Zero;
        GC.Collect();

        var outbox = new OutboxMessage[options.Messages];
        for (var i = 0; i < outbox.Length; i++)
        {
            outbox[i] = new OutboxMessage(Lane.Emergency, FirstRecipient + i, new SendText($"<b>MUSTER</b> bench order {i + 1}: report to your station."))
            {
                Tag = FanOutTag,
            };
        }

        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        // One commit (a single-community launch), or --fanout-shards commits of one shard each, one after the other (a
        // city launch's per-community commits; shards 2…K+1). On main the outbox itself is not sharded yet.
        var shards = Math.Clamp(options.FanOutShards, 1, outbox.Length);
        for (var s = 0; s < shards; s++)
        {
            var part = outbox[(int)((long)outbox.Length * s / shards)..(int)((long)outbox.Length * (s + 1) / shards)];
            var commit = await store.CommitAsync(new Commit { Shard = shards == 1 ? MusterBot.State.Documents.Shards.Root : s + 2, Outbox = part }, cancellationToken);
            if (commit.Status != CommitStatus.Committed)
            {
                throw new InvalidOperationException($"The fan-out commit was refused: {commit.Status}");
            }

            if (s == 0)
            {
                signal.Notify();
            }
        }

        var commitTime = clock.Elapsed;

        signal.Notify();

        var replies = new ReplyProbe(emulator, FirstReplyUser, options.Replies);
        var asking = replies.AskSpreadAsync(started, options.IdealDuration, cancellationToken);

        // Done when the outbox is empty (completed only after the emulator took the message) and every reply came.
        // The outbox is counted only every tenth round (six Redis calls) so the harness adds little to the figures.
        var timedOut = false;
        for (var round = 0; ; round++)
        {
            replies.Poll();
            if (round % 10 == 0 && asking.IsCompleted && replies.AllAnswered
                && (await store.CountOutboxAsync(cancellationToken)).Values.Sum() == 0)
            {
                break;
            }

            if (clock.Elapsed > options.Timeout)
            {
                timedOut = true;
                break;
            }

            await Task.Delay(PollEvery, cancellationToken);
        }

        await asking;
        var drained = clock.Elapsed;
        self.Refresh();
        var cpu = self.TotalProcessorTime - cpuBefore;
        var redisCpu = (redis?.CpuTime ?? TimeSpan.Zero) - redisCpuBefore;
        var requests = emulator.RequestCount("sendMessage") - sentBefore;
        var tooMany = emulator.TooManyRequestsGiven - tooManyBefore;

        // Late duplicates would show up after the outbox emptied: give them a moment.
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);

        long lost = 0, duplicates = 0, received = 0;
        var last = DateTimeOffset.MinValue;
        var accepted = new List<(long Chat, DateTimeOffset Date)>(options.Messages);
        for (var i = 0; i < options.Messages; i++)
        {
            var messages = emulator.Messages(FirstRecipient + i);
            received += messages.Count;
            if (messages.Count == 0)
            {
                lost++;
                continue;
            }

            duplicates += messages.Count - 1;
            foreach (var message in messages)
            {
                accepted.Add((message.ChatId, message.Date));
                if (message.Date > last)
                {
                    last = message.Date;
                }
            }
        }

        var records = await store.GetDeliveriesByTagAsync(FanOutTag, cancellationToken);
        var statuses = records.GroupBy(r => r.Status).ToDictionary(g => g.Key, g => g.Count());
        var retried = records.Count(r => r.Attempts > 1);
        self.Refresh();
        var peakWorkingSet = self.PeakWorkingSet64;
        var redisPeak = redis is null ? null : await redis.UsedMemoryPeakAsync();

        // After the peak was read, so the analysis does not count as the bot's memory.
        var steady = SteadyState.Compute(
            accepted,
            [.. recorder.Calls.Where(c => c.At >= started)],
            chat => chat >= FirstRecipient && chat < FirstRecipient + options.Messages);

        using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await app.StopAsync(stopping.Token);
        }

        return new BenchResult
        {
            Options = options,
            CommitTime = commitTime,
            FanOutTime = last == DateTimeOffset.MinValue ? drained : last - started,
            Steady = steady,
            LeadIn = steady is null ? null : steady.Start - started,
            DrainTime = drained,
            TimedOut = timedOut,
            Received = received,
            Lost = lost,
            Duplicates = duplicates,
            SendRequests = requests,
            TooManyRequests = tooMany,
            RecordsSent = statuses.GetValueOrDefault(DeliveryStatus.Sent),
            RecordsFailed = statuses.GetValueOrDefault(DeliveryStatus.Failed) + statuses.GetValueOrDefault(DeliveryStatus.Unreachable),
            RecordsRetried = retried,
            ReplyDelays = replies.Delays,
            RepliesMissing = options.Replies - replies.Delays.Count,
            RepliesAfterFanOut = replies.AnsweredAt.Count(at => at >= last),
            Cpu = cpu,
            RedisCpu = redis is null ? null : redisCpu,
            PeakWorkingSet = peakWorkingSet,
            RedisPeakMemory = redisPeak,
            Logs = new SortedDictionary<string, int>(logs.Counts.ToDictionary(), StringComparer.Ordinal),
        };
    }
}
