using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace MusterBot.Emulator;

/// <summary>
/// Everything the Bot API emulator knows: users, chats, pending updates, files, commands, webhook, faults
/// and counters. Separate from the Kestrel host so another app can mount it with
/// <see cref="EmulatorEndpoints.MapBotApi"/>. One short lock guards the state; it is never held while waiting.
/// </summary>
public sealed partial class EmulatorState : IAsyncDisposable
{
    /// <summary>
    /// While true, getUpdates offsets confirm nothing: every pending update is delivered again, as Telegram does for a
    /// bot that crashed before confirming. Tests use it to prove that a re-delivered update is not applied twice.
    /// </summary>
    public bool IgnoreConfirmations { get; set; }

    private readonly Lock _gate = new();
    private readonly EmulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly CancellationTokenSource _disposed = new();
    private readonly ChangeSignal _changed = new();
    private readonly ChangeSignal _queueChanged = new();

    private readonly Dictionary<long, EmulatedUser> _users = [];
    private readonly Dictionary<long, ChatLog> _chats = [];
    private readonly Dictionary<long, GroupChat> _groups = [];
    private readonly LinkedList<PendingUpdate> _updates = new();
    private readonly Dictionary<string, CallbackQueryRecord> _callbackQueries = new(StringComparer.Ordinal);
    private readonly List<EmulatedCallbackAnswer> _callbackAnswers = [];
    private readonly Dictionary<(string Scope, string Language), List<EmulatedCommand>> _commands = [];
    private readonly Dictionary<long, EmulatedMenuButton> _menuButtons = [];
    private EmulatedMenuButton _defaultMenuButton = new("default", null, null);
    private readonly Dictionary<string, StoredFile> _filesById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StoredFile> _filesByPath = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StoredPhoto> _photosByFileId = new(StringComparer.Ordinal);
    private readonly List<FaultRule> _faults = [];
    private readonly ConcurrentDictionary<string, long> _requestCounts = new(StringComparer.OrdinalIgnoreCase);

    private long _nextUpdateId;
    private long _nextCallbackQueryId = 4_000_000_001;
    private long _nextFileNumber = 1;
    private long _nextMediaGroupId = 13_600_000_000_000_001;
    private long _version;
    private long _allSentCount;
    private long _tooManyRequestsGiven;
    private long _updatesServed;
    private long _forbiddenGiven;
    private long _pollConflictsGiven;
    private HashSet<string>? _allowedUpdates;
    private bool _pollerActive;
    private int _stopped;
    private int _released;

    // Ticks, read without the lock by every call (Volatile): the one lock of the emulator is its busiest point in a burst.
    private long _latencyTicks;

    // How many fault rules there are, written under the lock and read without it: no call takes the lock to find none.
    private int _faultCount;
    private double? _rateLimitPerSecond;
    private double _rateTokens;
    private long _rateLastRefill;
    private double _random429Fraction;

    /// <summary>Creates an empty emulator state.</summary>
    public EmulatorState(EmulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = options.TimeProvider;
        _random = new Random(options.RandomSeed);
        _nextUpdateId = options.FirstUpdateId;
        _webhookDeliveries = [];
    }

    /// <summary>The settings this state was created with.</summary>
    public EmulatorOptions Options => _options;

    /// <summary>The token the Bot API endpoints accept.</summary>
    public string Token => _options.Token;

    /// <summary>Cancelled when the state is disposed; ends waiting long polls.</summary>
    internal CancellationToken StoppingToken => _disposed.Token;

    internal bool IsValidToken(string token) => string.Equals(token, _options.Token, StringComparison.Ordinal);

    /// <summary>Artificial latency added (asynchronously) to every Bot API call.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _latencyTicks));
        set => Volatile.Write(ref _latencyTicks, value.Ticks);
    }

    /// <summary>Global limit on sending calls per second (token bucket, burst of one second); null turns it off.</summary>
    public double? RateLimitPerSecond
    {
        get { lock (_gate) { return _rateLimitPerSecond; } }
        set
        {
            if (value is <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), "The rate must be positive.");
            }

            lock (_gate)
            {
                _rateLimitPerSecond = value;
                _rateTokens = value ?? 0;
                _rateLastRefill = _time.GetTimestamp();
            }
        }
    }

    /// <summary>The fraction (0..1) of sending calls answered with a random 429 (seeded generator).</summary>
    public double Random429Fraction
    {
        get { lock (_gate) { return _random429Fraction; } }
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 0);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1);
            lock (_gate) { _random429Fraction = value; }
        }
    }

    /// <summary>The retry_after (seconds) of 429s given by the rate limit and the random fraction.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>The emulator's change counter; it grows on every observable change.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>How many messages the bot sent successfully (all chats).</summary>
    public long AllSentCount => Interlocked.Read(ref _allSentCount);

    /// <summary>How many updates getUpdates answers carried in all (an update not yet confirmed comes again).</summary>
    public long UpdatesServed => Interlocked.Read(ref _updatesServed);

    /// <summary>How many 429 answers were given.</summary>
    public long TooManyRequestsGiven => Interlocked.Read(ref _tooManyRequestsGiven);

    /// <summary>How many 403 answers were given.</summary>
    public long ForbiddenGiven => Interlocked.Read(ref _forbiddenGiven);

    /// <summary>How many getUpdates calls were refused because another was in progress (two pollers).</summary>
    public long PollConflictsGiven => Interlocked.Read(ref _pollConflictsGiven);

    /// <summary>Requests received per Bot API method (case-insensitive keys).</summary>
    public IReadOnlyDictionary<string, long> RequestCounts =>
        new Dictionary<string, long>(_requestCounts, StringComparer.OrdinalIgnoreCase);

    /// <summary>How many requests a method received.</summary>
    public long RequestCount(string method) => _requestCounts.GetValueOrDefault(method);

    /// <summary>How many updates wait for getUpdates or webhook delivery.</summary>
    public int PendingUpdateCount
    {
        get { lock (_gate) { return _updates.Count; } }
    }

    /// <summary>True while a getUpdates call is in progress (waiting in a long poll).</summary>
    public bool IsPolling
    {
        get { lock (_gate) { return _pollerActive; } }
    }

    /// <summary>The simulated users.</summary>
    public IReadOnlyList<EmulatedUser> Users
    {
        get { lock (_gate) { return [.. _users.Values]; } }
    }

    /// <summary>The commands published with setMyCommands, all scopes and languages.</summary>
    public IReadOnlyList<EmulatedCommand> Commands
    {
        get { lock (_gate) { return [.. _commands.Values.SelectMany(c => c)]; } }
    }

    /// <summary>The commands for one scope key (e.g. "default") and language ("" for all).</summary>
    public IReadOnlyList<EmulatedCommand> GetCommands(string scope = "default", string languageCode = "")
    {
        lock (_gate)
        {
            return _commands.TryGetValue((scope, languageCode), out var list) ? [.. list] : [];
        }
    }

    /// <summary>The menu button a private chat shows (its own, else the bot's default).</summary>
    public EmulatedMenuButton GetMenuButton(long chatId)
    {
        lock (_gate)
        {
            return _menuButtons.TryGetValue(chatId, out var menu) ? menu : _defaultMenuButton;
        }
    }

    /// <summary>The current state of every message the bot sent to a chat (private or group) and did not delete, oldest first.</summary>
    public IReadOnlyList<EmulatedMessage> Messages(long chatId)
    {
        lock (_gate)
        {
            return _chats.TryGetValue(chatId, out var chat) ? [.. chat.Messages.Where(m => m.FromBot && !m.Deleted)] : [];
        }
    }

    /// <summary>Every message of a chat (bot and user) whose <see cref="EmulatedMessage.Version"/> is greater than the cursor.</summary>
    public IReadOnlyList<EmulatedMessage> Transcript(long chatId, long sinceVersion = 0)
    {
        lock (_gate)
        {
            return _chats.TryGetValue(chatId, out var chat) ? [.. chat.Messages.Where(m => m.Version > sinceVersion)] : [];
        }
    }

    /// <summary>One message of a chat (a deleted one too, see <see cref="EmulatedMessage.Deleted"/>), or null.</summary>
    public EmulatedMessage? FindMessage(long chatId, int messageId)
    {
        lock (_gate)
        {
            return _chats.TryGetValue(chatId, out var chat) ? chat.FindAny(messageId) : null;
        }
    }

    /// <summary>The answers the bot gave to callback queries, optionally for one query id.</summary>
    public IReadOnlyList<EmulatedCallbackAnswer> CallbackAnswers(string? callbackQueryId = null)
    {
        lock (_gate)
        {
            return callbackQueryId is null
                ? [.. _callbackAnswers]
                : [.. _callbackAnswers.Where(a => a.CallbackQueryId == callbackQueryId)];
        }
    }

    /// <summary>How many callback answers the bot gave, without copying them (for a harness that polls).</summary>
    public int CallbackAnswerCount
    {
        get
        {
            lock (_gate)
            {
                return _callbackAnswers.Count;
            }
        }
    }

    /// <summary>The bytes of a stored file, or null.</summary>
    public byte[]? GetFileContent(string fileId)
    {
        lock (_gate)
        {
            return _filesById.TryGetValue(fileId, out var file) ? file.Content : null;
        }
    }

    /// <summary>Makes the next <paramref name="count"/> calls of a method (optionally only for one chat) fail.</summary>
    public void FailNext(string method, int statusCode, string description, int? retryAfter = null, long? chatId = null, int count = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        lock (_gate)
        {
            _faults.Add(new FaultRule(method, statusCode, description, retryAfter, chatId, count));
            Volatile.Write(ref _faultCount, _faults.Count);
        }
    }

    /// <summary>Removes all injected failures.</summary>
    public void ClearFaults()
    {
        lock (_gate)
        {
            _faults.Clear();
            Volatile.Write(ref _faultCount, 0);
        }
    }

    /// <summary>Waits until the chat has a bot message matching the predicate (checked now and after every change).</summary>
    public async Task<EmulatedMessage> WaitForMessageAsync(long chatId, Func<EmulatedMessage, bool> predicate, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        EmulatedMessage? found = null;
        var ok = await WaitCoreAsync(
            () =>
            {
                found = Messages(chatId).FirstOrDefault(predicate);
                return found is not null;
            },
            timeout,
            ct);
        if (!ok || found is null)
        {
            var texts = string.Join(" | ", Messages(chatId).Select(m => $"#{m.MessageId}: {m.Text}"));
            throw new TimeoutException($"No matching message in chat {chatId} within {timeout}. Messages: {texts}");
        }

        return found;
    }

    /// <summary>Waits until the condition holds; it is checked now and after every change of the emulator.</summary>
    public async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, CancellationToken ct = default)
    {
        if (!await WaitCoreAsync(condition, timeout, ct))
        {
            throw new TimeoutException($"The condition did not hold within {timeout}.");
        }
    }

    /// <summary>Waits until <see cref="Version"/> exceeds <paramref name="sinceVersion"/> or the timeout passes; returns the version.</summary>
    public async Task<long> WaitForChangeAsync(long sinceVersion, TimeSpan timeout, CancellationToken ct = default)
    {
        await WaitCoreAsync(() => Version > sinceVersion, timeout, ct);
        return Version;
    }

    private async Task<bool> WaitCoreAsync(Func<bool> condition, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
        while (true)
        {
            var signal = _changed.Task;
            if (condition())
            {
                return true;
            }

            var remaining = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await signal.WaitAsync(remaining, _time, ct);
            }
            catch (TimeoutException)
            {
                return condition();
            }
        }
    }

    /// <summary>Marks an observable change and wakes every waiter. Call outside the lock.</summary>
    /// <summary>
    /// Forgets every chat, pending update and callback query (the sandbox's "reset demo"); users, files and commands
    /// stay. The version keeps growing, so a cursor taken before the reset still sees everything after it.
    /// </summary>
    public void ClearChats()
    {
        lock (_gate)
        {
            foreach (var chatId in _chats.Keys.ToList())
            {
                _chats[chatId] = new ChatLog(chatId);
            }

            _updates.Clear();
            _callbackQueries.Clear();
            _callbackAnswers.Clear();
            NextVersion();
        }

        NotifyChanged();
    }

    private void NotifyChanged() => _changed.Pulse();

    private long NextVersion() => Interlocked.Increment(ref _version);

    private DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Stops the webhook delivery and every waiting long poll; the state stays readable.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        _disposed.Cancel();
        StopWebhook();
    }

    /// <summary>Stops (see <see cref="Stop"/>) and releases the webhook client.</summary>
    public ValueTask DisposeAsync()
    {
        Stop();
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _webhookClient.Dispose();
            _disposed.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private long AddUpdate(string kind, long chatKey, JsonObject payload)
    {
        long id;
        lock (_gate)
        {
            id = _nextUpdateId++;
            var json = new JsonObject { ["update_id"] = id, [kind] = payload };
            _updates.AddLast(new PendingUpdate(id, kind, chatKey, json));
            NextVersion();
        }

        _queueChanged.Pulse();
        NotifyChanged();
        return id;
    }

    /// <summary>Queues an injected update delivered as exact text; <paramref name="text"/> makes it for the assigned id.</summary>
    private long AddRawUpdate(string kind, long chatKey, Func<long, string> text)
    {
        long id;
        lock (_gate)
        {
            id = _nextUpdateId++;
            _updates.AddLast(new PendingUpdate(id, kind, chatKey, new JsonObject { ["update_id"] = id }) { RawText = text(id) });
            NextVersion();
        }

        _queueChanged.Pulse();
        NotifyChanged();
        return id;
    }
}
