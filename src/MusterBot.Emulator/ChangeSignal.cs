namespace MusterBot.Emulator;

/// <summary>A reusable "something changed" signal: waiters take <see cref="Task"/>, <see cref="Pulse"/> completes it and arms a new one.</summary>
internal sealed class ChangeSignal
{
    private TaskCompletionSource _current = NewSource();

    public Task Task => Volatile.Read(ref _current).Task;

    public void Pulse()
    {
        var old = Interlocked.Exchange(ref _current, NewSource());
        old.TrySetResult();
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
