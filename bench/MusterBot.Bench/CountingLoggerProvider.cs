using System.Collections.Concurrent;

namespace MusterBot.Bench;

/// <summary>
/// Keeps the console quiet during a run: counts warnings and errors per event (e.g. 3003 "429 from Telegram"),
/// prints errors to stderr.
/// </summary>
public sealed class CountingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, int> Counts => _counts;

    public ILogger CreateLogger(string categoryName) => new Counter(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Counter(CountingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var shortCategory = category[(category.LastIndexOf('.') + 1)..];
            owner._counts.AddOrUpdate($"{logLevel} {shortCategory}/{eventId.Id}", 1, (_, n) => n + 1);
            if (logLevel >= LogLevel.Warning && exception is not null)
            {
                Console.Error.WriteLine($"[{logLevel}] {category}: {formatter(state, exception)} {exception?.GetType().Name} {exception?.Message}");
            }
        }
    }
}
