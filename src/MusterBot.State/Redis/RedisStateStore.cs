using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Timers;
using StackExchange.Redis;

namespace MusterBot.State.Redis;

/// <summary>
/// <see cref="IStateStore"/> on Redis. A claim, a completion and a retry are each one Lua script, and so is a commit (with
/// the other commits of its shard that go in the same batch, each applied on its own: see RedisStateStore.Commits.cs), so
/// every change is atomic. Times come from the injected <see cref="TimeProvider"/> and are passed to the scripts as Unix
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
    private readonly long _sweepIntervalMs;

    private RedisStateStore(ConnectionMultiplexer connection, RedisStoreOptions options, TimeProvider time, ILogger logger)
    {
        _connection = connection;
        _db = connection.GetDatabase();
        _logger = logger;
        _waitReplicas = options.WaitForReplicas;
        _waitTimeoutMs = (long)Math.Ceiling(options.WaitTimeout.TotalMilliseconds);
        _time = time;
        _prefix = options.KeyPrefix;
        _deliveryRetentionMs = Milliseconds(options.DeliveryRetention);
        _handledRetentionMs = Milliseconds(options.HandledUpdateRetention);
        _sweepIntervalMs = (long)options.IndexSweepInterval.TotalMilliseconds;
        _commits = new(options.CommitPipeline, options.MaxCommitBatch, SendCommitsAsync);
        _completions = new(options.CommitPipeline, options.MaxCommitBatch, SendCompletionsAsync);
        _retries = new(options.CommitPipeline, options.MaxCommitBatch, SendRetriesAsync);
        RootPrefix = ShardPrefix(Shards.Root);
        connection.ConnectionRestored += (_, _) => Volatile.Write(ref _oneNode, 0);
    }

    /// <summary>The root shard's key prefix (<c>mb:{1}:</c>): the directory and the work index live there.</summary>
    private string RootPrefix { get; }

    /// <summary>
    /// Connects to Redis. The connection is kept alive and re-established after a Redis restart; while Redis is
    /// unreachable, calls fail with an exception (infrastructure) and succeed again once it is back.
    /// </summary>
    public static Task<RedisStateStore> ConnectAsync(
        RedisStoreOptions options, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        ConnectAsync(options, timeProvider, null, cancellationToken);

    /// <summary>
    /// Connects to Redis, directly or through Redis Sentinel (<c>serviceName=…</c> in the configuration; the connection
    /// then follows each failover by itself). Returns while Redis is unreachable, and through Sentinel while no sentinel
    /// names a primary (logged to <paramref name="logger"/>: an unknown service or a wrong sentinelPassword shows so);
    /// the connection keeps trying.
    /// </summary>
    public static async Task<RedisStateStore> ConnectAsync(
        RedisStoreOptions options, TimeProvider timeProvider, ILogger? logger, CancellationToken cancellationToken)
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

        if (options.IndexSweepInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("RedisStoreOptions.IndexSweepInterval must be positive.", nameof(options));
        }

        if (options.KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            // The shard's {hash tag} must be the first braces of every key, or Redis Cluster would place keys by the prefix.
            throw new ArgumentException("RedisStoreOptions.KeyPrefix must not contain '{' or '}' (the shard's hash tag follows it).", nameof(options));
        }

        if (options.WaitForReplicas is < 0 or > 16 || (options.WaitForReplicas > 0 && options.WaitTimeout <= TimeSpan.Zero))
        {
            throw new ArgumentException("RedisStoreOptions.WaitForReplicas must be 0–16, and WaitTimeout positive when it is not 0.", nameof(options));
        }

        if (options.CommitPipeline is < 1 or > 64 || options.MaxCommitBatch is < 1 or > 1024)
        {
            throw new ArgumentException("RedisStoreOptions.CommitPipeline must be 1–64 and MaxCommitBatch 1–1024.", nameof(options));
        }

        logger ??= NullLogger.Instance;
        var configuration = RedisConnector.Parse(options.Configuration);
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        var connection = await RedisConnector.ConnectAsync(configuration, cancellationToken).ConfigureAwait(false);
        if (RedisConnector.IsSentinel(configuration) && !RedisConnector.HasPrimary(connection))
        {
            RedisLog.NoPrimaryYet(logger, configuration.ServiceName!);
        }

        RedisMemory? memory;
        try
        {
            (memory, var version) = await ReadServerAsync(connection, configuration, cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
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

        return new RedisStateStore(connection, options, timeProvider, logger) { Memory = memory };
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
    /// INFO memory and the version of every connected primary (one on a single node or behind Sentinel, each master of
    /// a cluster), read on a short-lived second connection in admin mode (the client lets INFO through only there; the store's own
    /// connection stays without admin commands). The result is the oldest version and the memory of a primary whose
    /// policy evicts (if any), else the sum over the primaries. Nulls while Redis is down (it is checked at the next
    /// start, and a script an old server cannot load fails with <see cref="RedisVersionException"/>) or when INFO is
    /// refused.
    /// </summary>
    private static async Task<(RedisMemory? Memory, string? Version)> ReadServerAsync(ConnectionMultiplexer connection, ConfigurationOptions configuration, CancellationToken cancellationToken)
    {
        if (!RedisConnector.HasPrimary(connection))
        {
            return (null, null);
        }

        var admin = configuration.Clone();
        admin.AllowAdmin = true;
        await using var probe = await RedisConnector.ConnectAsync(admin, cancellationToken).ConfigureAwait(false);
        var primaries = probe.GetServers().Where(s => s.IsConnected && !s.IsReplica && s.ServerType != ServerType.Sentinel).ToList();
        if (primaries.Count == 0)
        {
            return (null, null);
        }

        try
        {
            RedisMemory? memory = null;
            string? oldest = null;
            foreach (var server in primaries)
            {
                var info = (await server.InfoAsync().ConfigureAwait(false)).SelectMany(g => g).GroupBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
                if (info.TryGetValue("maxmemory_policy", out var policy))
                {
                    var one = new RedisMemory(policy, Number(info, "used_memory"), Number(info, "maxmemory"));
                    memory = memory switch
                    {
                        null => one,
                        { Policy: not "noeviction" } => memory,
                        _ when one.Policy != "noeviction" => one,
                        _ => memory with { UsedBytes = memory.UsedBytes + one.UsedBytes, MaxBytes = memory.MaxBytes + one.MaxBytes },
                    };
                }

                if (info.GetValueOrDefault("redis_version") is { } version
                    && (oldest is null || (Version.TryParse(version, out var v) && Version.TryParse(oldest, out var o) && v < o)))
                {
                    oldest = version;
                }
            }

            return (memory, oldest);
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
        // One batch: the reads go out in one write per server (not one socket write each, which cost the host more than
        // the reads cost Redis in the city check-in burst).
        var reads = new Task<RedisValue[]>[keys.Count];
        var batch = keys.Count > 1 ? _db.CreateBatch() : null;
        for (var i = 0; i < keys.Count; i++)
        {
            reads[i] = (batch ?? (IDatabaseAsync)_db).HashGetAsync(DocKeyName(keys[i]), DocFields);
        }

        batch?.Execute();

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
    private async Task<RedisResult> EvalAsync(RedisScript script, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken)
    {
        try
        {
            try
            {
                return await _db.ScriptEvaluateAsync(script.Sha1, keys, args).WaitAsync(cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                await LoadAsync(script, cancellationToken).ConfigureAwait(false);
                return await _db.ScriptEvaluateAsync(script.Sha1, keys, args).WaitAsync(cancellationToken)
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

    /// <summary>
    /// The root prefix when a script of <paramref name="shard"/> may update the work index itself, in the same run (the
    /// root shard's own scripts; any shard's on a single Redis, where every slot is on one node), else '' (Redis Cluster:
    /// the store runs <see cref="RedisScripts.Reindex"/> on the root shard after the shard's script). Asked once per
    /// operation, which then passes it to its script, declares the index keys when it is not '', and reindexes afterwards
    /// only when it is '': so an operation is consistent even if the answer changes under it.
    /// </summary>
    private string IndexPrefix(long shard) => shard == Shards.Root || OnOneNode() ? RootPrefix : "";

    /// <summary>1: the primary is a single Redis (standalone, also behind Sentinel); -1: Redis Cluster or a proxy; 0: not known yet.</summary>
    private int _oneNode;

    /// <summary>
    /// True once a connected primary has said it is a single Redis. Until one has (Redis unreachable at start), and on
    /// Redis Cluster or a proxy, false: the index is then updated after the shard's script, which works on any of them.
    /// Asked again after every reconnection.
    /// </summary>
    private bool OnOneNode()
    {
        var known = Volatile.Read(ref _oneNode);
        if (known != 0)
        {
            return known > 0;
        }

        foreach (var server in _connection.GetServers())
        {
            if (server.IsConnected && !server.IsReplica && server.ServerType != ServerType.Sentinel)
            {
                known = server.ServerType == ServerType.Standalone ? 1 : -1;
                Volatile.Write(ref _oneNode, known);
                return known > 0;
            }
        }

        return false;
    }

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

        // The bytes Redis sent, not a string: readers parse them as they are (StoredDoc).
        return new StoredDoc(key, (ReadOnlyMemory<byte>)fields[1], ParseLong(fields[0]!));
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

    /// <summary>
    /// The commit as <see cref="RedisScripts.CommitMany"/> takes it: the number of its parts, the commit as JSON (UTF-8;
    /// every number a string so Lua never rounds it), then its parts: the JSON of each document, outbox message and
    /// timer as an argument of its own, which the commit names by its place after the JSON (<c>"j":1</c> is the first).
    /// A document's JSON inside the commit's JSON had to be escaped here and unescaped by cjson in Redis, for every
    /// byte of it.
    /// </summary>
    private static RedisValue[] CommitArgs(Commit commit, DateTimeOffset now)
    {
        var parts = new List<RedisValue>(commit.Writes.Count + commit.Outbox.Count + commit.SetTimers.Count);
        var json = WriteJson(writer =>
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
                    parts.Add(write.Json);
                    writer.WriteNumber("j", parts.Count);
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
                WriteOutboxMessage(writer, message, now, parts);
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
                parts.Add(JsonSerializer.SerializeToUtf8Bytes(timer with { KeepExisting = false, Shard = commit.Shard }, StoreJson.Options));
                writer.WriteNumber("j", parts.Count);
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
        var args = new RedisValue[2 + parts.Count];
        args[0] = parts.Count;
        args[1] = json;
        parts.CopyTo(args, 2);
        return args;
    }

    /// <summary>
    /// The properties of one outbox message as the scripts' <c>enqueue</c> reads them. The message's own JSON goes into
    /// <paramref name="parts"/> and is named by its place (a commit's), or without parts is written as a string field
    /// <c>j</c> (the migration forward's one message).
    /// </summary>
    private static void WriteOutboxMessage(Utf8JsonWriter writer, OutboxMessage message, DateTimeOffset now, List<RedisValue>? parts = null)
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

        if (parts is not null)
        {
            parts.Add(JsonSerializer.SerializeToUtf8Bytes(stored, StoreJson.Options));
            writer.WriteNumber("j", parts.Count);
            return;
        }

        // The message's own JSON, kept as a string field: written into a second buffer kept per thread, not a new array
        // per message (the outer writer is the one of WriteJson).
        var inner = t_innerBuffer ??= new ArrayBufferWriter<byte>(2048);
        var innerWriter = t_innerWriter ??= new Utf8JsonWriter(inner, StoreJson.WriterOptions);
        inner.ResetWrittenCount();
        innerWriter.Reset(inner);
        try
        {
            JsonSerializer.Serialize(innerWriter, stored, StoreJson.Options);
            innerWriter.Flush();
            writer.WriteString("j", inner.WrittenSpan);
        }
        finally
        {
            if (inner.Capacity > KeptBufferBytes)
            {
                t_innerBuffer = null;
                t_innerWriter = null;
            }
        }
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_innerBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_innerWriter;

    /// <summary>
    /// One JSON object as UTF-8, the form Redis gets it in (a UTF-16 string would be encoded again on the way). Written
    /// into a buffer kept per thread (a commit's payload is several KB; a growing stream per call was a third of what
    /// a check-in allocated); a buffer that grew past <see cref="KeptBufferBytes"/> (a big fan-out) is not kept.
    /// </summary>
    private static byte[] WriteJson(Action<Utf8JsonWriter> writeProperties)
    {
        var buffer = t_jsonBuffer ??= new ArrayBufferWriter<byte>(8192);
        var writer = t_jsonWriter ??= new Utf8JsonWriter(buffer, StoreJson.WriterOptions);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        try
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            if (buffer.Capacity > KeptBufferBytes)
            {
                t_jsonBuffer = null;
                t_jsonWriter = null;
            }
        }
    }

    private const int KeptBufferBytes = 1 << 20;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_jsonBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_jsonWriter;

    private static string Milliseconds(TimeSpan span) =>
        Text(Math.Max(1, (long)Math.Ceiling(span.TotalMilliseconds)));

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseIso(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static long ParseLong(string value) => long.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);
}
