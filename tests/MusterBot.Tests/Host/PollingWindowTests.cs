using MusterBot.Host.Intake;

namespace MusterBot.Tests.Host;

/// <summary>
/// What the poller waits for before its next getUpdates (<see cref="PollingIntake.FrontToWaitFor"/>): each answer starts
/// at the oldest update under way, so with a backlog it waits until the front of the window leaves room for
/// <see cref="PollingIntake.MinFresh"/> new updates instead of polling again for each one done.
/// </summary>
public sealed class PollingWindowTests
{
    private const int Limit = 100;

    private static SortedDictionary<int, Task> Window(IEnumerable<int> ids, Func<int, Task>? task = null)
    {
        var window = new SortedDictionary<int, Task>();
        foreach (var id in ids)
        {
            window[id] = task?.Invoke(id) ?? new TaskCompletionSource().Task;
        }

        return window;
    }

    [Fact]
    public void AFullWindow_WaitsForTheOldestQuarter_NotJustTheOldest()
    {
        var window = Window(Enumerable.Range(1, 100));

        var (front, backlog) = PollingIntake.FrontToWaitFor(window, lastHandedIn: 100, Limit);

        Assert.True(backlog);
        Assert.Equal(PollingIntake.MinFresh, front.Count);
        Assert.Equal(window.Where(e => e.Key <= PollingIntake.MinFresh).Select(e => e.Value), front);
    }

    [Fact]
    public void AWindowWithRoomForAQuarter_WaitsOnlyForTheOldest()
    {
        // 75 held from the oldest: the next answer brings 25 new updates already.
        var window = Window(Enumerable.Range(26, 75));

        var (front, backlog) = PollingIntake.FrontToWaitFor(window, lastHandedIn: 100, Limit);

        Assert.False(backlog);
        Assert.Equal([window[26]], front);
    }

    [Fact]
    public void WithOneMoreHeld_ItWaitsForTheOldest_AsPartOfABacklog()
    {
        // 76 held from the oldest (25..100): the answer would bring 24 new; once 25 is done it brings 25.
        var window = Window(Enumerable.Range(25, 76));

        var (front, backlog) = PollingIntake.FrontToWaitFor(window, lastHandedIn: 100, Limit);

        Assert.True(backlog);
        Assert.Equal([window[25]], front);
    }

    [Fact]
    public void OnePersonsUpdates_ShareATask_AndAreWaitedForOnce()
    {
        var person = new TaskCompletionSource().Task;
        var window = Window(Enumerable.Range(1, 100), id => id <= 10 ? person : new TaskCompletionSource().Task);

        var (front, _) = PollingIntake.FrontToWaitFor(window, lastHandedIn: 100, Limit);

        Assert.Equal(1 + (PollingIntake.MinFresh - 10), front.Count);
        Assert.Same(person, front[0]);
    }

    [Fact]
    public void IdsTelegramSkipped_OnlyShortenTheWait()
    {
        // Updates 2..49 were done and confirmed; the oldest under way is 1, then 50..100.
        var window = Window(Enumerable.Range(50, 51).Prepend(1));

        var (front, backlog) = PollingIntake.FrontToWaitFor(window, lastHandedIn: 100, Limit);

        Assert.True(backlog);
        Assert.Equal([window[1]], front);
    }

    [Fact]
    public void ASmallWindow_AtASteadyRate_WaitsOnlyForTheOldest()
    {
        var window = Window(Enumerable.Range(1_000, 12));

        var (front, backlog) = PollingIntake.FrontToWaitFor(window, lastHandedIn: 1_011, Limit);

        Assert.False(backlog);
        Assert.Equal([window[1_000]], front);
    }
}
