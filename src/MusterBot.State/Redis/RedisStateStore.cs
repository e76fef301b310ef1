using System.Globalization;
using System.Text;
using System.Text.Json;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Timers;
using StackExchange.Redis;

namespace MusterBot.State.Redis;

/// <summary>
/// <see cref="IStateStore"/> on Redis. A commit, a claim, a completion and a retry are each one Lua script, so every
/// change is atomic. Times come from the injected <see cref="TimeProvider"/> and are passed to the scripts as Unix
/// milliseconds; document expiry is recorded in the document and judged against that clock (Redis's own PEXPIRE only
/// reclaims the memory). The key layout is described in docs/redis-keys.md.
/// </summary>
public sealed partial class RedisStateStore : IStateStore, IAsyncDisposable, IDisposable
{
    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _db;
    private readonly TimeProvider _time;
    private readonly string _prefix;
    private readonly string _deliveryRetentionMs;
    private readonly string _handledRetentionMs;

    private RedisStateStore(ConnectionMultiplexer connection, RedisStoreOptions options, TimeProvider time)
    {
        _connection = connection;
        _db = connection.GetDatabase();
        _time = time;
        _prefix = options.KeyPrefix;
        _deliveryRetentionMs = Milliseconds(options.DeliveryRetention);
        _handledRetentionMs = Milliseconds(options.HandledUpdateRetention);
    }

    /// <summary>
    /// Connects to Redis. The connection is kept alive and re-established after a Redis restart; while Redis is
    /// unreachable, calls fail with an exception (infrastructure) and succeed again once it is back.
    /// </summary>
    public static async Task<RedisStateStore> ConnectAsync(
        RedisStoreOptions options, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (string.IsNullOrWhiteSpace(options.Configuration))
        {
            throw new ArgumentException("RedisStoreOptions.Configuration is required.", nameof(options));
        }

        if (options.DeliveryRetention <= TimeSpan.Zero || options.HandledUpdateRetention <= TimeSpan.Zero)
        {
            throw new ArgumentException("Retention periods must be positive.", nameof(options));
        }

        var configuration = ConfigurationOptions.Parse(options.Configuration);
        configuration.AbortOnConnectFail = false;
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        var connection = await ConnectionMultiplexer.ConnectAsync(configuration).WaitAsync(cancellationToken)
            .ConfigureAwait(false);
        RedisMemory? memory;
        try
        {
            (memory, var version) = await ReadServerAsync(connection, configuration).WaitAsync(cancellationToken).ConfigureAwait(false);
            EnsureSupportedVersion(version);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (memory is { Policy: not "noeviction" } && !options.AllowEviction)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new RedisEvictionPolicyException(
                $"Redis maxmemory-policy is '{memory.Policy}': when memory runs short Redis would silently delete MusterBot's state " +
                "and outgoing messages. Set 'maxmemory-policy noeviction' (redis.conf, or CONFIG SET maxmemory-policy noeviction), " +
                "or Redis:AllowEviction=true for a throwaway test server.");
        }

        return new RedisStateStore(connection, options, timeProvider) { Memory = memory };
    }

    /// <summary>What INFO memory said at connect (null when Redis was not reachable then or hides INFO).</summary>
    public RedisMemory? Memory { get; private init; }

    /// <summary>
    /// Refuses a server older than 7.0 with a message naming its version: the scripts carry a <c>#!lua</c> shebang with
    /// flags (refused whole over maxmemory), which Redis reads only from 7.0 on. Null (unknown) passes.
    /// </summary>
    internal static void EnsureSupportedVersion(string? version)
    {
        if (version is null)
        {
            return;
        }

        var numeric = new string([.. version.TakeWhile(c => char.IsAsciiDigit(c) || c == '.')]);
        if (Version.TryParse(numeric.Contains('.', StringComparison.Ordinal) ? numeric : numeric + ".0", out var parsed) && parsed.Major < 7)
        {
            throw new RedisVersionException(
                $"Redis {version} is too old: MusterBot needs Redis 7.0 or newer (its Lua scripts declare flags in a '#!lua' " +
                "shebang, so a write is refused whole when Redis is over maxmemory). Upgrade the Redis server.");
        }
    }

    /// <summary>
    /// INFO memory and the version of the first connected primary, read on a short-lived second connection in admin
    /// mode (the client lets INFO through only there; the store's own connection stays without admin commands). Nulls
    /// while Redis is down (it is checked at the next start, and a script an old server cannot load fails with
    /// <see cref="RedisVersionException"/>) or when INFO is refused.
    /// </summary>
    private static async Task<(RedisMemory? Memory, string? Version)> ReadServerAsync(ConnectionMultiplexer connection, ConfigurationOptions configuration)
    {
        if (!connection.GetServers().Any(s => s.IsConnected && !s.IsReplica))
        {
            return (null, null);
        }

        var admin = configuration.Clone();
        admin.AllowAdmin = true;
        await using var probe = await ConnectionMultiplexer.ConnectAsync(admin).ConfigureAwait(false);
        var server = probe.GetServers().FirstOrDefault(s => s.IsConnected && !s.IsReplica);
        if (server is null)
        {
            return (null, null);
        }

        try
        {
            var info = (await server.InfoAsync().ConfigureAwait(false)).SelectMany(g => g).GroupBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
            var memory = info.TryGetValue("maxmemory_policy", out var policy)
                ? new RedisMemory(policy, Number(info, "used_memory"), Number(info, "maxmemory"))
                : null;
            return (memory, info.GetValueOrDefault("redis_version"));
        }
        catch (RedisException)
        {
            // INFO may be renamed or refused on a managed server: nothing to check then.
            return (null, null);
        }

        static long Number(Dictionary<string, string> info, string key) =>
            info.TryGetValue(key, out var text) && long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : 0;
    }

    public async Task<StoredDoc?> GetAsync(DocKey key, CancellationToken cancellationToken)
    {
        var fields = await _db.HashGetAsync(DocKeyName(key), DocFields).WaitAsync(cancellationToken)
            .ConfigureAwait(false);
        return ToDoc(key, fields, NowMs());
    }

    public async Task<IReadOnlyList<StoredDoc?>> GetManyAsync(IReadOnlyList<DocKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var reads = new Task<RedisValue[]>[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            reads[i] = _db.HashGetAsync(DocKeyName(keys[i]), DocFields);
        }

        var values = await Task.WhenAll(reads).WaitAsync(cancellationToken).ConfigureAwait(false);
        var now = NowMs();
        var result = new StoredDoc?[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            result[i] = ToDoc(keys[i], values[i], now);
        }

        return result;
    }

    public async Task<IReadOnlyList<string>> GetSetMembersAsync(string setName, long shard, CancellationToken cancellationToken)
    {
        var members = await _db.SetMembersAsync(ShardPrefix(shard) + "set:" + setName).WaitAsync(cancellationToken)
            .ConfigureAwait(false);
        var result = new string[members.Length];
        for (var i = 0; i < members.Length; i++)
        {
            result[i] = members[i]!;
        }

        Array.Sort(result, StringComparer.Ordinal);
        return result;
    }

    public async Task<bool> IsUpdateHandledAsync(long updateId, long shard, CancellationToken cancellationToken)
    {
        var mark = await _db.StringGetAsync(ShardPrefix(shard) + "upd:" + Text(updateId)).WaitAsync(cancellationToken)
            .ConfigureAwait(false);
        return mark.HasValue && ParseLong(mark!) > NowMs();
    }

    public async Task<CommitResult> CommitAsync(Commit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        commit = ShardChecks.Bound(commit);
        var now = _time.GetUtcNow();
        var payload = CommitPayload(commit, now);
        var result = await EvalAsync(
            RedisScripts.Commit,
            [_prefix, Text(now.ToUnixTimeMilliseconds()), Iso(now), payload, _handledRetentionMs, _deliveryRetentionMs, ShardPrefix(commit.Shard)],
            cancellationToken).ConfigureAwait(false);
        var items = (RedisResult[])result!;
        var status = (int)items[0];
        if (status == 1)
        {
            return CommitResult.Conflict;
        }

        if (status == 2)
        {
            return CommitResult.Duplicate;
        }

        var ids = new long[items.Length - 1];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = ParseLong((string)items[i + 1]!);
        }

        return new CommitResult(CommitStatus.Committed, ids);
    }

    public Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, TimeSpan lease, CancellationToken cancellationToken) =>
        ClaimOutboxAsync(max, 0, lease, cancellationToken);

    public async Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, int reservedForReplies, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (max <= 0)
        {
            return [];
        }

        var now = NowMs();
        var result = await EvalAsync(
            RedisScripts.ClaimOutbox,
            [_prefix, Text(now), Text(max), Text(now + (long)lease.TotalMilliseconds), Text(Math.Max(0, reservedForReplies))],
            cancellationToken).ConfigureAwait(false);
        var items = (RedisResult[])result!;
        var messages = new List<OutboxMessage>(items.Length / 4);
        for (var i = 0; i + 3 < items.Length; i += 4)
        {
            var message = JsonSerializer.Deserialize<OutboxMessage>((string)items[i + 1]!, StoreJson.Options)!;
            var notBefore = (string)items[i + 3]!;
            messages.Add(message with
            {
                Id = ParseLong((string)items[i]!),
                Attempts = (int)ParseLong((string)items[i + 2]!),
                NotBefore = notBefore.Length == 0 ? message.NotBefore : ParseIso(notBefore),
            });
        }

        return messages;
    }

    public async Task CompleteOutboxAsync(long outboxId, DeliveryRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await EvalAsync(RedisScripts.Complete, [_prefix, Text(outboxId), DeliveryJson(record), _deliveryRetentionMs], cancellationToken)
            .ConfigureAwait(false);
    }

    private static string DeliveryJson(DeliveryRecord record) =>
        WriteJson(writer =>
        {
            writer.WriteString("c", Text(record.ChatId));
            writer.WriteString("s", record.Status.ToString());
            writer.WriteString("at", Iso(record.At));
            writer.WriteString("a", Text(record.Attempts));
            if (record.TelegramMessageId is { } messageId)
            {
                writer.WriteString("m", Text(messageId));
            }

            if (record.Error is { } error)
            {
                writer.WriteString("e", error);
            }

            if (record.Tag is { } tag)
            {
                writer.WriteString("t", tag);
            }
        });

    public async Task<long?> ForwardOutboxAsync(long outboxId, DeliveryRecord record, OutboxMessage forward, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(forward);
        var now = _time.GetUtcNow();
        var message = WriteJson(writer => WriteOutboxMessage(writer, forward, now));
        var result = await EvalAsync(
            RedisScripts.Forward,
            [_prefix, Text(outboxId), DeliveryJson(record), _deliveryRetentionMs, message, Iso(now)],
            cancellationToken).ConfigureAwait(false);
        var id = (string?)result;
        return string.IsNullOrEmpty(id) ? null : ParseLong(id);
    }

    public async Task RetryOutboxAsync(long outboxId, DateTimeOffset notBefore, int attempts, CancellationToken cancellationToken)
    {
        await EvalAsync(
            RedisScripts.Retry,
            [_prefix, Text(outboxId), Text(notBefore.ToUnixTimeMilliseconds()), Iso(notBefore), Text(attempts)],
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<DeliveryRecord?> GetDeliveryAsync(long outboxId, CancellationToken cancellationToken)
    {
        var fields = await _db.HashGetAllAsync(_prefix + "dlv:" + Text(outboxId)).WaitAsync(cancellationToken)
            .ConfigureAwait(false);
        if (fields.Length == 0)
        {
            return null;
        }

        var map = new Dictionary<string, string>(fields.Length, StringComparer.Ordinal);
        foreach (var field in fields)
        {
            map[field.Name!] = field.Value!;
        }

        return ToDelivery(outboxId, map);
    }

    public async Task<IReadOnlyList<DeliveryRecord>> GetDeliveriesByTagAsync(string tag, CancellationToken cancellationToken)
    {
        var result = await EvalAsync(RedisScripts.DeliveriesByTag, [_prefix, tag], cancellationToken)
            .ConfigureAwait(false);
        var items = (RedisResult[])result!;
        var records = new List<DeliveryRecord>(items.Length);
        foreach (var item in items)
        {
            var pair = (RedisResult[])item!;
            var flat = (RedisResult[])pair[1]!;
            var map = new Dictionary<string, string>(flat.Length / 2, StringComparer.Ordinal);
            for (var i = 0; i + 1 < flat.Length; i += 2)
            {
                map[(string)flat[i]!] = (string)flat[i + 1]!;
            }

            records.Add(ToDelivery(ParseLong((string)pair[0]!), map));
        }

        return records;
    }

    public async Task<IReadOnlyDictionary<Lane, long>> CountOutboxAsync(CancellationToken cancellationToken)
    {
        Lane[] lanes = [Lane.Emergency, Lane.Reply, Lane.Normal, Lane.Answer];
        string[] sets = ["lane:", "retry:", "inflight:"];
        var counts = new Task<long>[lanes.Length * sets.Length];
        for (var i = 0; i < lanes.Length; i++)
        {
            var lane = Text((int)lanes[i]);
            for (var j = 0; j < sets.Length; j++)
            {
                counts[(sets.Length * i) + j] = _db.SortedSetLengthAsync(_prefix + sets[j] + lane);
            }
        }

        var values = await Task.WhenAll(counts).WaitAsync(cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<Lane, long>(lanes.Length);
        for (var i = 0; i < lanes.Length; i++)
        {
            result[lanes[i]] = values.Skip(sets.Length * i).Take(sets.Length).Sum();
        }

        return result;
    }

    public async Task<IReadOnlyList<TimerEntry>> ClaimDueTimersAsync(int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (max <= 0)
        {
            return [];
        }

        var now = NowMs();
        var result = await EvalAsync(
            RedisScripts.ClaimTimers,
            [_prefix, Text(now), Text(max), Text(now + (long)lease.TotalMilliseconds)],
            cancellationToken).ConfigureAwait(false);
        var items = (RedisResult[])result!;
        var timers = new List<TimerEntry>(items.Length);
        foreach (var item in items)
        {
            timers.Add(JsonSerializer.Deserialize<TimerEntry>((string)item!, StoreJson.Options)!);
        }

        return timers;
    }

    public async Task<TimerEntry?> GetTimerAsync(string timerId, CancellationToken cancellationToken)
    {
        var json = await _db.HashGetAsync(_prefix + "tmr:" + timerId, "j").WaitAsync(cancellationToken)
            .ConfigureAwait(false);
        return json.HasValue ? JsonSerializer.Deserialize<TimerEntry>((string)json!, StoreJson.Options) : null;
    }

    public async Task PingAsync(CancellationToken cancellationToken) =>
        await _db.PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);

    public void Dispose() => _connection.Dispose();

    public async ValueTask DisposeAsync()
    {
        await _connection.CloseAsync().ConfigureAwait(false);
        _connection.Dispose();
    }

    private static readonly RedisValue[] DocFields = ["v", "j", "exp"];

    /// <summary>
    /// Runs a script by its SHA1 (EVALSHA), so the body never travels with a call. A server that does not know the
    /// script (a new or restarted server, or after SCRIPT FLUSH) answers NOSCRIPT without running anything; then the
    /// script is loaded (SCRIPT LOAD on every connected primary) and the call is sent once more, so a retry never
    /// applies a commit twice.
    /// A script a server already has (loaded by an earlier process) is never sent again.
    /// </summary>
    /// <remarks>
    /// Not <c>ScriptEvaluateAsync(string)</c>: StackExchange.Redis 3.4 sends SCRIPT LOAD and then EVAL with the whole
    /// body on a script's first call on a connection and again after each NOSCRIPT; this sends the body only in
    /// SCRIPT LOAD. RedisScriptCacheTests checks it against a real server.
    /// </remarks>
    private async Task<RedisResult> EvalAsync(RedisScript script, RedisValue[] args, CancellationToken cancellationToken)
    {
        try
        {
            try
            {
                return await _db.ScriptEvaluateAsync(script.Sha1, keys: null, values: args).WaitAsync(cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                await LoadAsync(script, cancellationToken).ConfigureAwait(false);
                return await _db.ScriptEvaluateAsync(script.Sha1, keys: null, values: args).WaitAsync(cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("OOM", StringComparison.Ordinal))
        {
            // Only scripts without allow-oom are refused, and always before they run (the shebang's flags): nothing written.
            throw new RedisOutOfMemoryException(
                $"Redis is over its maxmemory and refused the {script.Name} script whole; nothing of it was written. " +
                "Free memory or raise maxmemory (sending, and recording what was sent, go on meanwhile).",
                ex);
        }
    }

    /// <summary>SCRIPT LOAD on each connected primary (a replica promoted later answers NOSCRIPT and is loaded then).</summary>
    private async Task LoadAsync(RedisScript script, CancellationToken cancellationToken)
    {
        foreach (var server in _connection.GetServers())
        {
            if (server.IsConnected && !server.IsReplica)
            {
                try
                {
                    await server.ScriptLoadAsync(script.Body).WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (RedisServerException ex) when (ex.Message.Contains("compiling", StringComparison.OrdinalIgnoreCase))
                {
                    // A server before 7.0 reads the '#!lua' shebang as Lua and cannot compile it.
                    EnsureSupportedVersion(server.Version.ToString());
                    throw;
                }
            }
        }
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private string DocKeyName(DocKey key) => ShardPrefix(key.Shard ?? Shards.Root) + "doc:" + key.Kind + ":" + key.Id;

    /// <summary>The prefix of every key of a shard: the store's prefix and the shard's hash tag (<c>mb:{4}:</c>).</summary>
    private string ShardPrefix(long shard) => _prefix + "{" + Text(shard) + "}:";

    private static StoredDoc? ToDoc(DocKey key, RedisValue[] fields, long nowMs)
    {
        if (fields[0].IsNull || fields[1].IsNull)
        {
            return null;
        }

        if (!fields[2].IsNull && ParseLong(fields[2]!) <= nowMs)
        {
            return null;
        }

        return new StoredDoc(key, fields[1]!, ParseLong(fields[0]!));
    }

    private static DeliveryRecord ToDelivery(long outboxId, Dictionary<string, string> map) =>
        new(
            outboxId,
            ParseLong(map.GetValueOrDefault("c", "0")),
            Enum.Parse<DeliveryStatus>(map.GetValueOrDefault("s", nameof(DeliveryStatus.Queued))),
            ParseIso(map.GetValueOrDefault("at", "0001-01-01T00:00:00Z")))
        {
            TelegramMessageId = map.TryGetValue("m", out var messageId) ? (int)ParseLong(messageId) : null,
            Error = map.GetValueOrDefault("e"),
            Tag = map.GetValueOrDefault("t"),
            Attempts = map.TryGetValue("a", out var attempts) ? (int)ParseLong(attempts) : 0,
        };

    /// <summary>The commit as one JSON argument; every number is a string so Lua never rounds it.</summary>
    private static string CommitPayload(Commit commit, DateTimeOffset now)
    {
        return WriteJson(writer =>
        {
            if (commit.UpdateId is { } updateId)
            {
                writer.WriteString("u", Text(updateId));
            }

            if (commit.ConsumesTimerId is { } consumed)
            {
                writer.WriteString("ct", consumed);
            }

            writer.WriteStartArray("w");
            foreach (var write in commit.Writes)
            {
                writer.WriteStartObject();
                writer.WriteString("k", write.Key.Kind + ":" + write.Key.Id);
                if (write.Json is not null)
                {
                    writer.WriteString("j", write.Json);
                }

                if (write.ExpectedVersion is { } expected)
                {
                    writer.WriteString("ev", Text(expected));
                }

                if (write.TimeToLive is { } ttl)
                {
                    writer.WriteString("ttl", Milliseconds(ttl));
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();

            writer.WriteStartArray("s");
            foreach (var change in commit.SetChanges)
            {
                writer.WriteStartObject();
                writer.WriteString("n", change.Set);
                writer.WriteString("m", change.Member);
                writer.WriteString("a", change.Add ? "1" : "0");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();

            writer.WriteStartArray("o");
            foreach (var message in commit.Outbox)
            {
                writer.WriteStartObject();
                WriteOutboxMessage(writer, message, now);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();

            writer.WriteStartArray("ts");
            foreach (var timer in commit.SetTimers)
            {
                writer.WriteStartObject();
                writer.WriteString("id", timer.Id);
                writer.WriteString("d", Text(timer.DueAt.ToUnixTimeMilliseconds()));
                if (timer.KeepExisting)
                {
                    writer.WriteString("k", "1");
                }

                // KeepExisting is an instruction to this commit, not part of the stored timer.
                writer.WriteString("j", JsonSerializer.Serialize(timer with { KeepExisting = false }, StoreJson.Options));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();

            writer.WriteStartArray("tc");
            foreach (var timerId in commit.CancelTimers)
            {
                writer.WriteStringValue(timerId);
            }

            writer.WriteEndArray();
        });
    }

    /// <summary>The properties of one outbox message as the scripts' <c>enqueue</c> reads them.</summary>
    private static void WriteOutboxMessage(Utf8JsonWriter writer, OutboxMessage message, DateTimeOffset now)
    {
        var stored = message with
        {
            Id = 0,
            EnqueuedAt = message.EnqueuedAt == default ? now : message.EnqueuedAt,
        };
        writer.WriteString("l", Text((int)stored.Lane));
        writer.WriteString("c", Text(stored.ChatId));
        writer.WriteString("r", Text(stored.NotBefore?.ToUnixTimeMilliseconds() ?? now.ToUnixTimeMilliseconds()));
        writer.WriteString("a", Text(stored.Attempts));
        if (stored.Tag is { } tag)
        {
            writer.WriteString("t", tag);
        }

        writer.WriteString("j", JsonSerializer.Serialize(stored, StoreJson.Options));
    }

    private static string WriteJson(Action<Utf8JsonWriter> writeProperties)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, StoreJson.WriterOptions))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Milliseconds(TimeSpan span) =>
        Text(Math.Max(1, (long)Math.Ceiling(span.TotalMilliseconds)));

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseIso(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static long ParseLong(string value) => long.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);
}
