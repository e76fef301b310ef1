namespace MusterBot.Host.Delivery;

/// <summary>
/// Tells a global flood from a chat's own limit: Telegram's 429 does not say which limit was hit. A few 429s among many
/// successful sends are per-chat limits (pause that chat); at least <c>minFloods</c> 429s that are also at least
/// <c>share</c> of the sends of the last <c>window</c> mean the bot as a whole is over the limit (pause everything).
/// Thread-safe.
/// </summary>
public sealed class FloodDetector(TimeSpan window, int minFloods, double share)
{
    private readonly Lock _gate = new();
    private readonly Queue<DateTimeOffset> _sends = new();
    private readonly Queue<DateTimeOffset> _floods = new();

    public void RecordSend(DateTimeOffset now)
    {
        lock (_gate)
        {
            _sends.Enqueue(now);
            Trim(now);
        }
    }

    /// <summary>Records a 429 and says whether it should pause all sending.</summary>
    public bool RecordFloodIsGlobal(DateTimeOffset now)
    {
        lock (_gate)
        {
            _floods.Enqueue(now);
            Trim(now);
            return _floods.Count >= minFloods && _floods.Count >= share * (_sends.Count + _floods.Count);
        }
    }

    private void Trim(DateTimeOffset now)
    {
        while (_sends.Count > 0 && _sends.Peek() <= now - window)
        {
            _sends.Dequeue();
        }

        while (_floods.Count > 0 && _floods.Peek() <= now - window)
        {
            _floods.Dequeue();
        }
    }
}
