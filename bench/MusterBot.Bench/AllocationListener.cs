using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace MusterBot.Bench;

/// <summary>
/// With <c>BENCH_ALLOCATIONS=1</c>: counts the runtime's allocation samples (one event per ~100 KB allocated) by kind
/// (small, large object heap, pinned) and type, to show what fills the heaps during a burst. Not used otherwise.
/// </summary>
internal sealed class AllocationListener : EventListener
{
    private readonly ConcurrentDictionary<(string Kind, string Type), long> samples = new();
    private volatile bool recording;

    public void Start() => recording = true;

    public IEnumerable<string> Report(int top) => samples.OrderByDescending(kv => kv.Value).Take(top)
        .Select(kv => FormattableString.Invariant($"{kv.Key.Kind} {kv.Key.Type}: {kv.Value} samples"));

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: GCAllocationTick
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!recording || eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.Payload is null)
        {
            return;
        }

        var kind = eventData.PayloadNames!.IndexOf("AllocationKind") is var k and >= 0 ? eventData.Payload[k]?.ToString() switch { "0" => "small", "1" => "LOH", "2" => "POH", var other => other ?? "?" } : "?";
        var type = eventData.PayloadNames.IndexOf("TypeName") is var t and >= 0 ? eventData.Payload[t]?.ToString() ?? "?" : "?";
        samples.AddOrUpdate((kind, type), 1, (_, c) => c + 1);
    }
}
