using Microsoft.Extensions.DependencyInjection;
using MusterBot.Emulator;
using MusterBot.Emulator.Sandbox;
using MusterBot.State;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Host;

/// <summary>"Reset demo" of a sandbox on Redis (issue #13): it forgets everything under the sandbox's own key prefix.</summary>
[Collection("redis")]
public sealed class SandboxRedisResetTests(RedisServerFixture redis)
{
    /// <summary>The demo's first community (港湾社区), where the seeded people of these tests live.</summary>
    private const long Community = MusterBot.State.Records.Org.DefaultTree.CommunityId;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ResetDemo_OnRedis_ForgetsTheMusterWishComplaintAndEmergencyMode_SeedsAgain_AndLeavesOtherKeysAlone()
    {
        var prefix = $"e2e{Guid.NewGuid():N}:";
        await using var host = await BotHost.StartAsync(null, redis.ConnectionString, new Dictionary<string, string?>
        {
            ["Redis:KeyPrefix"] = prefix,
            ["Sandbox:Language"] = "en",
        });
        var sandboxPrefix = prefix + "sandbox:";
        // Keys outside the sandbox: a real community under the same base prefix, and another application's key.
        string[] outside = [prefix + "doc:user:1001", prefix + "sandboxed", "other-app:" + Guid.NewGuid().ToString("N")];
        foreach (var key in outside)
        {
            await redis.ExecuteAsync("SET", key, "keep");
        }

        var emulator = host.App.Services.GetRequiredService<BotApiEmulator>();
        var store = host.App.Services.GetRequiredService<IStateStore>();
        const long admin = SandboxDemo.AdminId;
        var resident = SandboxDemo.People.First(p => p.Roles == Roles.Resident && p.GridId == "g1").Id;

        // A drill muster, launched as the administrator through the wizard.
        await SaysAsync(emulator, admin, "/muster", "Launch a muster");
        await PressesAsync(emulator, admin, "Flood", "Step 2");
        await PressesAsync(emulator, admin, "All members", "Step 3");
        await SaysAsync(emulator, admin, "Community square", "Step 4");
        await PressesAsync(emulator, admin, "Skip", "Step 5");
        await PressesAsync(emulator, admin, "within 1 h", "Step 6");
        await PressesAsync(emulator, admin, "Drill", null);
        var next = await emulator.WaitForMessageAsync(admin, m => m.Buttons.Any(b => b.Text.Contains("standard notice", StringComparison.Ordinal) || b.Text.Contains("Send the drill order", StringComparison.Ordinal)), Wait);
        if (next.Buttons.Any(b => b.Text.Contains("standard notice", StringComparison.Ordinal)))
        {
            await PressesAsync(emulator, admin, "standard notice", null);
        }

        await emulator.WaitForMessageAsync(admin, m => m.Buttons.Any(b => b.Text.Contains("Send the drill order", StringComparison.Ordinal)), Wait);
        await PressesAsync(emulator, admin, "Send the drill order", "order M-1 sent");

        // Emergency mode.
        await SaysAsync(emulator, admin, "/mode", "normal mode");
        await PressesAsync(emulator, admin, "Switch to emergency mode", "Send the emergency notice");
        await SaysAsync(emulator, admin, "Water is rising on the river road", "Preview");
        await PressesAsync(emulator, admin, "Switch and notify", "Emergency mode is on");

        // A micro-wish and a complaint, filed by a resident.
        await SaysAsync(emulator, resident, "/wish", "File a micro-wish");
        await SaysAsync(emulator, resident, "Please help me carry rice upstairs", "Add a photo");
        await emulator.WaitForMessageAsync(resident, m => m.Buttons.Count > 0 && m.Text?.Contains("Add a photo", StringComparison.Ordinal) == true, Wait);
        emulator.PressButton(resident, resident, emulator.Messages(resident)[^1].MessageId, new MusterBot.Flows.Wishes.WishButton.SkipPhoto().Encode());
        await emulator.WaitForMessageAsync(resident, m => m.Text?.Contains("choose a category", StringComparison.Ordinal) == true, Wait);
        emulator.PressButton(resident, resident, emulator.Messages(resident)[^1].MessageId, new MusterBot.Flows.Wishes.WishButton.PickCategory(MusterBot.State.Records.Wishes.WishCategory.DailyLife).Encode());
        await emulator.WaitForMessageAsync(resident, m => m.Text?.Contains("By when", StringComparison.Ordinal) == true, Wait);
        emulator.PressButton(resident, resident, emulator.Messages(resident)[^1].MessageId, new MusterBot.Flows.Wishes.WishButton.PickDate(MusterBot.Flows.Wishes.WantedBy.Week).Encode());
        await emulator.WaitForMessageAsync(resident, m => m.Text?.Contains("check your wish", StringComparison.Ordinal) == true, Wait);
        emulator.PressButton(resident, resident, emulator.Messages(resident)[^1].MessageId, new MusterBot.Flows.Wishes.WishButton.Submit().Encode());
        await emulator.WaitForMessageAsync(resident, m => m.Text?.Contains("W-0001", StringComparison.Ordinal) == true, Wait);

        await SaysAsync(emulator, resident, "/complain", "choose a category");
        emulator.PressButton(resident, resident, emulator.Messages(resident)[^1].MessageId, new MusterBot.Flows.Complaints.ComplaintButton.PickCategory(MusterBot.State.Records.Complaints.ComplaintCategory.Noise).Encode());
        await emulator.WaitForMessageAsync(resident, m => m.Text?.Contains("Please describe", StringComparison.Ordinal) == true, Wait);
        await SaysAsync(emulator, resident, "Loud music every night", "You may send photos");
        emulator.PressButton(resident, resident, emulator.Messages(resident)[^1].MessageId, new MusterBot.Flows.Complaints.ComplaintButton.PhotosDone().Encode());
        await emulator.WaitForMessageAsync(resident, m => m.Text?.Contains("send the location", StringComparison.Ordinal) == true, Wait);
        emulator.PressButton(resident, resident, emulator.Messages(resident)[^1].MessageId, new MusterBot.Flows.Complaints.ComplaintButton.NoLocation().Encode());
        await emulator.WaitForMessageAsync(resident, m => m.Text?.Contains("Anonymous?", StringComparison.Ordinal) == true, Wait);
        emulator.PressButton(resident, resident, emulator.Messages(resident)[^1].MessageId, new MusterBot.Flows.Complaints.ComplaintButton.ChooseAnonymous(false).Encode());
        await emulator.WaitForMessageAsync(resident, m => m.Text?.Contains("check your complaint", StringComparison.Ordinal) == true, Wait);
        emulator.PressButton(resident, resident, emulator.Messages(resident)[^1].MessageId, new MusterBot.Flows.Complaints.ComplaintButton.Submit().Encode());
        await emulator.WaitForMessageAsync(resident, m => m.Text?.Contains("C-0001", StringComparison.Ordinal) == true, Wait);

        // They are all in Redis, under the sandbox's prefix.
        Assert.NotNull(await store.GetAsync(DocKeys.Muster(1).In(Community), CancellationToken.None));
        Assert.NotNull(await store.GetAsync(DocKeys.Wish(1).In(Community), CancellationToken.None));
        Assert.NotNull(await store.GetAsync(DocKeys.Complaint(1).In(Community), CancellationToken.None));
        var mode = await store.GetAsync(DocKeys.Mode.In(Community), CancellationToken.None);
        Assert.True(mode is not null && RecordJson.Deserialize<CommunityMode>(mode.Json).Emergency);
        Assert.Equal("1", await redis.ExecuteAsync("EXISTS", sandboxPrefix + "{4}:doc:" + DocKeys.Muster(1).Kind + ":" + DocKeys.Muster(1).Id));

        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        using (var reset = await http.PostAsync(new Uri("/sandbox/api/reset", UriKind.Relative), null))
        {
            reset.EnsureSuccessStatusCode();
        }

        // None of them remains; the community is not in emergency mode; the demo is seeded again.
        Assert.Null(await store.GetAsync(DocKeys.Muster(1).In(Community), CancellationToken.None));
        Assert.Null(await store.GetAsync(DocKeys.Wish(1).In(Community), CancellationToken.None));
        Assert.Null(await store.GetAsync(DocKeys.Complaint(1).In(Community), CancellationToken.None));
        var after = await store.GetAsync(DocKeys.Mode.In(Community), CancellationToken.None);
        Assert.True(after is null || !RecordJson.Deserialize<CommunityMode>(after.Json).Emergency);
        Assert.Empty(await store.GetSetMembersAsync(Sets.OpenMusters, Community, CancellationToken.None));
        Assert.Empty(await store.GetSetMembersAsync(Sets.WishesOf(resident), Community, CancellationToken.None));
        Assert.Empty(await store.GetSetMembersAsync(Sets.ComplaintsOf(resident), Community, CancellationToken.None));
        Assert.Equal(SandboxDemo.Chinese.PeopleOf(Community).Count, (await store.GetSetMembersAsync(Sets.People, Community, CancellationToken.None)).Count);
        Assert.Equal(2, (await store.GetSetMembersAsync(Sets.Grids, Community, CancellationToken.None)).Count);
        var profile = await store.GetAsync(DocKeys.User(admin).In(Community), CancellationToken.None);
        Assert.Equal("Secretary Li", RecordJson.Deserialize<UserProfile>(profile!.Json).FirstName);
        var counters = await store.GetAsync(DocKeys.Counters.In(Community), CancellationToken.None);
        var community = RecordJson.Deserialize<MusterBot.State.Records.Directory.CommunityCounters>(counters!.Json);
        Assert.Equal(0, community.Musters);
        Assert.Empty(emulator.Transcript(admin));
        Assert.Empty(emulator.Transcript(resident));

        // Keys outside the sandbox's prefix are untouched.
        foreach (var key in outside)
        {
            Assert.Equal("keep", await redis.ExecuteAsync("GET", key));
            await redis.ExecuteAsync("DEL", key);
        }

        // The numbers start again: a new wish after the reset is W-0001.
        await SaysAsync(emulator, resident, "/wish", "File a micro-wish");
        await SaysAsync(emulator, resident, "Please fix the hallway light", "Add a photo");
        emulator.PressButton(resident, resident, emulator.Messages(resident)[^1].MessageId, new MusterBot.Flows.Wishes.WishButton.SkipPhoto().Encode());
        await emulator.WaitForMessageAsync(resident, m => m.Text?.Contains("choose a category", StringComparison.Ordinal) == true, Wait);
        emulator.PressButton(resident, resident, emulator.Messages(resident)[^1].MessageId, new MusterBot.Flows.Wishes.WishButton.PickCategory(MusterBot.State.Records.Wishes.WishCategory.DailyLife).Encode());
        await emulator.WaitForMessageAsync(resident, m => m.Text?.Contains("By when", StringComparison.Ordinal) == true, Wait);
        emulator.PressButton(resident, resident, emulator.Messages(resident)[^1].MessageId, new MusterBot.Flows.Wishes.WishButton.PickDate(MusterBot.Flows.Wishes.WantedBy.Week).Encode());
        await emulator.WaitForMessageAsync(resident, m => m.Text?.Contains("check your wish", StringComparison.Ordinal) == true, Wait);
        emulator.PressButton(resident, resident, emulator.Messages(resident)[^1].MessageId, new MusterBot.Flows.Wishes.WishButton.Submit().Encode());
        await emulator.WaitForMessageAsync(resident, m => m.Text?.Contains("W-0001", StringComparison.Ordinal) == true, Wait);
        Assert.Single(await store.GetSetMembersAsync(Sets.WishesOf(resident), Community, CancellationToken.None));
        Assert.Equal("1", await redis.ExecuteAsync("EXISTS", sandboxPrefix + "{4}:doc:" + DocKeys.Wish(1).Kind + ":" + DocKeys.Wish(1).Id));
    }

    private static async Task SaysAsync(BotApiEmulator emulator, long who, string text, string expect)
    {
        var since = emulator.State.Version;
        emulator.SendText(who, text);
        await WaitForNewAsync(emulator, who, since, expect);
    }

    /// <summary>Presses the newest button whose label contains <paramref name="button"/>, then waits for a new or edited message with <paramref name="expect"/>.</summary>
    private static async Task PressesAsync(BotApiEmulator emulator, long who, string button, string? expect)
    {
        var message = emulator.Messages(who).Last(m => m.Buttons.Any(b => b.Text.Contains(button, StringComparison.Ordinal)));
        var data = message.Buttons.Last(b => b.Text.Contains(button, StringComparison.Ordinal)).CallbackData!;
        var since = emulator.State.Version;
        emulator.PressButton(who, who, message.MessageId, data);
        if (expect is not null)
        {
            await WaitForNewAsync(emulator, who, since, expect);
        }
    }

    private static Task WaitForNewAsync(BotApiEmulator emulator, long who, long since, string expect) =>
        emulator.State.WaitForAsync(
            () => emulator.Transcript(who, since).Any(m => m.FromBot && m.Text?.Contains(expect, StringComparison.Ordinal) == true),
            Wait);
}
