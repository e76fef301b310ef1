using MusterBot.Flows.Events;
using MusterBot.Flows.Wishes;
using MusterBot.State;
using MusterBot.State.Memory;
using MusterBot.State.Records;
using MusterBot.State.Records.Wishes;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>
/// A restart in the middle of each step of a micro-wish: a second harness (new processor and flows, nothing in memory
/// carried over) over the same store continues every conversation and fires the timers.
/// </summary>
public partial class WishFlowTests
{
    private sealed class Restartable
    {
        private readonly FakeTimeProvider _storeClock;
        private readonly List<FlowHarness> _harnesses = [];

        public Restartable()
            : this(null, new FakeTimeProvider(TestClock.Start))
        {
        }

        /// <summary>Over a given store (e.g. Redis) whose clock is <paramref name="storeClock"/>.</summary>
        public Restartable(IStateStore? store, FakeTimeProvider storeClock)
        {
            _storeClock = storeClock;
            Store = store ?? new InMemoryStateStore(_storeClock);
            Restart();
        }

        public IStateStore Store { get; }

        public FlowHarness H => _harnesses[^1];

        /// <summary>A new process over the same store, its clock at the store's time.</summary>
        public FlowHarness Restart()
        {
            var h = NewHarness(Store);
            h.Clock.Advance(_storeClock.GetUtcNow() - h.Clock.GetUtcNow());
            _harnesses.Add(h);
            return h;
        }

        public void Advance(TimeSpan by)
        {
            _storeClock.Advance(by);
            H.Clock.Advance(by);
        }
    }

    [Fact]
    public async Task Restart_InTheMiddleOfEveryStep_TheConversationContinues() => await RestartEveryStepAsync(new Restartable());

    private static async Task RestartEveryStepAsync(Restartable r)
    {
        await SeedAsync(r.H);

        // Filing: text, restart, photo; restart, category; restart, typed date; restart, submit.
        await r.H.Command(Rita, "wish");
        await r.H.Text(Rita, "Please fix the tap");
        await r.Restart().Event(new PhotoReceived(Rita, Rita.Id, 3, "photo-r", null));
        await r.Restart().Press(Rita, new WishButton.PickCategory(WishCategory.Repairs).Encode());
        await r.Restart().Text(Rita, "2025-03-10");
        await r.Restart().Press(Rita, new WishButton.Submit().Encode());
        var filed = await r.H.DrainAsync();
        NoErrors(filed);
        Assert.Contains("<b>W-0001</b>", AllTo(filed, Rita), StringComparison.Ordinal);
        var wish = await WishAsync(r.H);
        Assert.Equal(("Please fix the tap", "photo-r", WishCategory.Repairs, new DateOnly(2025, 3, 10), WishStatus.Pending),
            (wish.Text, wish.PhotoFileId, wish.Category, wish.WantedBy!.Value, wish.Status));

        // Review: a second wish is rejected with the reason typed after a restart.
        await FileAsync(r.H, text: "Second wish");
        await r.H.Press(Admin, new WishButton.Reject(2).Encode());
        await r.Restart().Text(Admin, "Not something we do");
        Assert.Equal((WishStatus.Rejected, "Not something we do"), ((await WishAsync(r.H, 2)).Status, (await WishAsync(r.H, 2)).RejectReason));

        // Approve, restart, claim.
        await r.H.Press(Hank, new WishButton.Approve(1).Encode());
        await r.H.DrainAsync();
        await r.Restart().Press(Ann, new WishButton.Claim(1).Encode());
        Assert.Contains("Contact: Rita", AllTo(await r.H.DrainAsync(), Ann), StringComparison.Ordinal);

        // Release: asked, restart, reason typed; then claim again.
        await r.H.Press(Ann, new WishButton.Release(1).Encode());
        await r.Restart().Text(Ann, "Away this week");
        Assert.Equal(WishStatus.Open, (await WishAsync(r.H)).Status);
        Assert.Single((await WishAsync(r.H)).Releases);
        await r.H.Press(Amy, new WishButton.Claim(1).Encode());
        await r.H.DrainAsync();

        // Stale reminder from a new process.
        r.Restart();
        r.Advance(Options.StaleAfter + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await r.H.FireDueTimersAsync());
        Assert.Contains("You claimed W-0001 3 days ago", AllTo(await r.H.DrainAsync(), Amy), StringComparison.Ordinal);

        // Done: asked, restart, note typed.
        await r.H.Press(Amy, new WishButton.MarkDone(1).Encode());
        await r.Restart().Text(Amy, "Fixed it");
        var done = await r.H.DrainAsync();
        Assert.Equal((WishStatus.Done, "Fixed it"), ((await WishAsync(r.H)).Status, (await WishAsync(r.H)).DoneNote));
        Assert.Contains(new WishButton.Rate(1, 5).Encode(), ButtonsTo(done, Rita));

        // Rate: pressed, restart, comment typed.
        await r.Restart().Press(Rita, new WishButton.Rate(1, 5).Encode());
        await r.Restart().Text(Rita, "Thank you Amy");
        wish = await WishAsync(r.H);
        Assert.Equal((WishStatus.Closed, (int?)5, "Thank you Amy"), (wish.Status, wish.Rating, wish.RatingComment));
        Assert.Equal(15, (await PointsAsync(r.H, Amy, "W-0001"))!.Points + (await PointsAsync(r.H, Amy, "W-0001:5star"))!.Points);

        // Points after yet another restart.
        await r.Restart().Command(Amy, "points");
        Assert.Contains("My points: 15", AllTo(await r.H.DrainAsync(), Amy), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_WidenAndAutoClose_FireOnceFromANewProcess()
    {
        var r = new Restartable();
        await SeedAsync(r.H);
        await OpenWishAsync(r.H);

        r.Restart();
        r.Advance(Options.WidenAfter + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await r.H.FireDueTimersAsync());
        var widened = await r.H.DrainAsync();
        Assert.Single(SentTo(widened, Ben));
        Assert.Equal(0, await r.H.FireDueTimersAsync());

        await r.H.Press(Ben, new WishButton.Claim(1).Encode());
        await r.H.Press(Ben, new WishButton.DoneWithoutNote(1).Encode());
        await r.H.DrainAsync();

        r.Restart();
        r.Advance(Options.ConfirmWithin + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await r.H.FireDueTimersAsync());
        Assert.Contains("you earned 10 points", AllTo(await r.H.DrainAsync(), Ben), StringComparison.Ordinal);
        Assert.Equal((WishStatus.Closed, (int?)null), ((await WishAsync(r.H)).Status, (await WishAsync(r.H)).Rating));
        Assert.Equal(["W-0001"], await SetAsync(r.H, Sets.PointsOf(Ben.Id)));
    }
}
