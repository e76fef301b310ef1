using MusterBot.Host.Intake;

namespace MusterBot.Tests.Host;

public sealed class KeyedLockTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Acquire_SameKey_SecondAcquirerWaitsUntilRelease()
    {
        var locks = new KeyedLock();
        var first = await locks.AcquireAsync(7_000_000_001, CancellationToken.None);

        var second = locks.AcquireAsync(7_000_000_001, CancellationToken.None);

        Assert.False(second.IsCompleted);
        first.Dispose();
        using var held = await second.WaitAsync(Timeout);
        Assert.Equal(1, locks.Count);
    }

    [Fact]
    public async Task Acquire_SameKey_WaitersAreServedOneAtATime()
    {
        var locks = new KeyedLock();
        var first = await locks.AcquireAsync(1, CancellationToken.None);
        var second = locks.AcquireAsync(1, CancellationToken.None);
        var third = locks.AcquireAsync(1, CancellationToken.None);

        first.Dispose();
        var winner = await Task.WhenAny(second, third).WaitAsync(Timeout);
        var loser = winner == second ? third : second;

        Assert.False(loser.IsCompleted);
        (await winner).Dispose();
        (await loser.WaitAsync(Timeout)).Dispose();
        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task Acquire_DifferentKeys_RunConcurrently()
    {
        var locks = new KeyedLock();
        using var a = await locks.AcquireAsync(1, CancellationToken.None);

        var b = locks.AcquireAsync(2, CancellationToken.None);
        var c = locks.AcquireAsync(-1_001_234_567_890, CancellationToken.None);

        Assert.True(b.IsCompletedSuccessfully);
        Assert.True(c.IsCompletedSuccessfully);
        Assert.Equal(3, locks.Count);
        (await b).Dispose();
        (await c).Dispose();
    }

    [Fact]
    public async Task Release_LastHolder_RemovesTheEntry()
    {
        var locks = new KeyedLock();
        var a = await locks.AcquireAsync(1, CancellationToken.None);
        var b = await locks.AcquireAsync(2, CancellationToken.None);
        Assert.Equal(2, locks.Count);

        a.Dispose();
        Assert.Equal(1, locks.Count);
        b.Dispose();

        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task Release_Twice_IsHarmless()
    {
        var locks = new KeyedLock();
        var a = await locks.AcquireAsync(1, CancellationToken.None);

        a.Dispose();
        a.Dispose();

        Assert.Equal(0, locks.Count);
        using var again = await locks.AcquireAsync(1, CancellationToken.None).WaitAsync(Timeout);
    }

    [Fact]
    public async Task Acquire_CancelledWhileWaiting_ReleasesTheEntry()
    {
        var locks = new KeyedLock();
        var holder = await locks.AcquireAsync(1, CancellationToken.None);
        using var cts = new CancellationTokenSource();

        var waiter = locks.AcquireAsync(1, cts.Token);
        Assert.False(waiter.IsCompleted);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter.WaitAsync(Timeout));
        Assert.Equal(1, locks.Count);
        holder.Dispose();
        Assert.Equal(0, locks.Count);
        using var again = await locks.AcquireAsync(1, CancellationToken.None).WaitAsync(Timeout);
    }

    [Fact]
    public async Task Acquire_AlreadyCancelled_ThrowsAndLeavesNoEntry()
    {
        var locks = new KeyedLock();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => locks.AcquireAsync(1, cts.Token));

        Assert.Equal(0, locks.Count);
    }
}
