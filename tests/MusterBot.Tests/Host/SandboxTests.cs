using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MusterBot.Emulator;
using MusterBot.Emulator.Sandbox;
using MusterBot.State;
using MusterBot.State.Records;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Host;

/// <summary>The browser sandbox (issue #8): the demo seed, the page, the control API on the host's address, reset.</summary>
public sealed class SandboxTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sandbox_SeedsTheDemoCommunity_ServesThePage_AndMapsTheEmulatorControlApi()
    {
        await using var host = await BotHost.StartAsync(null, null, new Dictionary<string, string?> { ["Sandbox:Language"] = "en" });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var store = host.App.Services.GetRequiredService<IStateStore>();

        Assert.Equal(2, (await store.GetSetMembersAsync(Sets.Grids, CancellationToken.None)).Count);
        Assert.Equal(3, (await store.GetSetMembersAsync(Sets.Regions, CancellationToken.None)).Count);
        Assert.Equal(SandboxDemo.People.Count, (await store.GetSetMembersAsync(Sets.People, CancellationToken.None)).Count);
        Assert.InRange(SandboxDemo.People.Count, 18, 25);
        Assert.Equal(3, (await store.GetSetMembersAsync(Sets.PeopleWithRole(Roles.Convenor), CancellationToken.None)).Count);
        Assert.Equal(2, (await store.GetSetMembersAsync(Sets.PeopleWithRole(Roles.Handler), CancellationToken.None)).Count);

        var page = await http.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("MusterBot sandbox", page, StringComparison.Ordinal);

        using var personas = JsonDocument.Parse(await http.GetStringAsync(new Uri("/sandbox/api/personas", UriKind.Relative)));
        Assert.Equal(SandboxDemo.AdminId, personas.RootElement.GetProperty("admin_id").GetInt64());
        Assert.Equal(SandboxDemo.People.Count, personas.RootElement.GetProperty("personas").GetArrayLength());

        using var users = JsonDocument.Parse(await http.GetStringAsync(new Uri("/_emulator/users", UriKind.Relative)));
        Assert.Equal(SandboxDemo.People.Count, users.RootElement.GetProperty("result").GetArrayLength());

        // The administrator (configured for the sandbox) talks through the host's /_emulator API; the bot answers as admin.
        using var sent = await http.PostAsJsonAsync(new Uri($"/_emulator/users/{SandboxDemo.AdminId}/text", UriKind.Relative), new { text = "/muster" });
        sent.EnsureSuccessStatusCode();
        var emulator = host.App.Services.GetRequiredService<BotApiEmulator>();
        var wizard = await emulator.WaitForMessageAsync(SandboxDemo.AdminId, m => m.Text?.Contains("Launch a muster", StringComparison.Ordinal) == true, Wait);
        using var chat = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/_emulator/chats/{SandboxDemo.AdminId}/messages", UriKind.Relative)));
        var last = chat.RootElement.GetProperty("result").GetProperty("messages").EnumerateArray().Last();
        Assert.Equal(wizard.MessageId, last.GetProperty("message_id").GetInt32());
        Assert.Contains("<b>", last.GetProperty("html").GetString(), StringComparison.Ordinal);
        await emulator.State.WaitForAsync(() => emulator.State.GetCommands("chat:" + SandboxDemo.AdminId, "en").Count > 0, Wait);
        var commands = await http.GetStringAsync(new Uri($"/sandbox/api/commands/{SandboxDemo.AdminId}", UriKind.Relative));
        Assert.Contains("\"muster\"", commands, StringComparison.Ordinal);
    }

    /// <summary>The seeded demo community plays a micro-wish and a complaint through, as people in the page would.</summary>
    [Fact]
    public async Task Demo_AMicroWishAndAComplaint_PlayThroughWithTheSeededPeople()
    {
        await using var host = await BotHost.StartAsync(null, null, new Dictionary<string, string?> { ["Sandbox:Language"] = "en" });
        var emulator = host.App.Services.GetRequiredService<BotApiEmulator>();
        var resident = SandboxDemo.People.First(p => p.Roles == Roles.Resident && p.GridId == "g1").Id;
        var handler = SandboxDemo.People.First(p => p.Roles.HasFlag(Roles.Handler) && p.GridId == "g1").Id;
        async Task<EmulatedMessage> Says(long who, string text, string expect)
        {
            emulator.SendText(who, text);
            return await emulator.WaitForMessageAsync(who, m => m.Text?.Contains(expect, StringComparison.Ordinal) == true, Wait);
        }

        async Task<EmulatedMessage> Presses(long who, EmulatedMessage on, string data, long chat, string expect)
        {
            emulator.PressButton(who, who, on.MessageId, data);
            return await emulator.WaitForMessageAsync(chat, m => m.Text?.Contains(expect, StringComparison.Ordinal) == true, Wait);
        }

        // 群众点单 → 社区派单 → 党员接单 → 评单
        var m = await Says(resident, "/wish", "File a micro-wish");
        m = await Says(resident, "Please help me carry rice upstairs", "Add a photo");
        m = await Presses(resident, m, new MusterBot.Flows.Wishes.WishButton.SkipPhoto().Encode(), resident, "choose a category");
        m = await Presses(resident, m, new MusterBot.Flows.Wishes.WishButton.PickCategory(MusterBot.State.Records.Wishes.WishCategory.DailyLife).Encode(), resident, "By when");
        m = await Presses(resident, m, new MusterBot.Flows.Wishes.WishButton.PickDate(MusterBot.Flows.Wishes.WantedBy.Week).Encode(), resident, "check your wish");
        await Presses(resident, m, new MusterBot.Flows.Wishes.WishButton.Submit().Encode(), resident, "W-0001");
        var card = await emulator.WaitForMessageAsync(SandboxDemo.AdminId, x => x.Text?.Contains("New micro-wish", StringComparison.Ordinal) == true, Wait);
        emulator.PressButton(SandboxDemo.AdminId, SandboxDemo.AdminId, card.MessageId, new MusterBot.Flows.Wishes.WishButton.Approve(1).Encode());
        var member = SandboxDemo.People.First(p => p.Roles.HasFlag(Roles.Member) && p.GridId == "g1" && p.Id != SandboxDemo.AdminId).Id;
        var announcement = await emulator.WaitForMessageAsync(member, x => x.Text?.Contains("W-0001", StringComparison.Ordinal) == true, Wait);
        m = await Presses(member, announcement, new MusterBot.Flows.Wishes.WishButton.Claim(1).Encode(), member, "You claimed W-0001");
        await Presses(member, m, new MusterBot.Flows.Wishes.WishButton.DoneWithoutNote(1).Encode(), member, "marked done");
        var rate = await emulator.WaitForMessageAsync(resident, x => x.Text?.Contains("rate it", StringComparison.Ordinal) == true, Wait);
        await Presses(resident, rate, new MusterBot.Flows.Wishes.WishButton.Rate(1, 5).Encode(), resident, "Thank you for your rating");
        await Says(member, "/points", "My points: 15");

        // A complaint: filed, handled by the grid's worker, resolved, the resident satisfied.
        m = await Says(resident, "/complain", "choose a category");
        m = await Presses(resident, m, new MusterBot.Flows.Complaints.ComplaintButton.PickCategory(MusterBot.State.Records.Complaints.ComplaintCategory.Noise).Encode(), resident, "Please describe");
        m = await Says(resident, "Loud music every night", "You may send photos");
        m = await Presses(resident, m, new MusterBot.Flows.Complaints.ComplaintButton.PhotosDone().Encode(), resident, "send the location");
        m = await Presses(resident, m, new MusterBot.Flows.Complaints.ComplaintButton.NoLocation().Encode(), resident, "Anonymous?");
        m = await Presses(resident, m, new MusterBot.Flows.Complaints.ComplaintButton.ChooseAnonymous(false).Encode(), resident, "check your complaint");
        await Presses(resident, m, new MusterBot.Flows.Complaints.ComplaintButton.Submit().Encode(), resident, "C-0001");
        var assigned = await emulator.WaitForMessageAsync(handler, x => x.Text?.Contains("assigned to you", StringComparison.Ordinal) == true, Wait);
        m = await Presses(handler, assigned, new MusterBot.Flows.Complaints.ComplaintButton.Accept(1).Encode(), handler, "Status: in progress");
        await Presses(handler, m, new MusterBot.Flows.Complaints.ComplaintButton.Resolve(1).Encode(), handler, "Write the result");
        await Says(handler, "Talked to the neighbour", "is resolved");
        var feedback = await emulator.WaitForMessageAsync(resident, x => x.Text?.Contains("Are you satisfied", StringComparison.Ordinal) == true, Wait);
        await Presses(resident, feedback, new MusterBot.Flows.Complaints.ComplaintButton.Feedback(1, MusterBot.State.Records.Complaints.Satisfaction.Satisfied).Encode(), resident, "is closed");
    }

    [Fact]
    public async Task ResetDemo_EmptiesTheChats_AndRestoresTheSeed()
    {
        await using var host = await BotHost.StartAsync(null, null, new Dictionary<string, string?> { ["Sandbox:Language"] = "en" });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var emulator = host.App.Services.GetRequiredService<BotApiEmulator>();
        var store = host.App.Services.GetRequiredService<IStateStore>();
        const long member = 1301;
        emulator.SendText(member, "/lang");
        await emulator.WaitForMessageAsync(member, _ => true, Wait);
        var profile = await store.GetAsync(DocKeys.User(member), CancellationToken.None);
        Assert.NotNull(profile);

        using var reset = await http.PostAsync(new Uri("/sandbox/api/reset", UriKind.Relative), null);
        reset.EnsureSuccessStatusCode();

        Assert.Empty(emulator.State.Transcript(member));
        Assert.Equal(SandboxDemo.People.Count, (await store.GetSetMembersAsync(Sets.People, CancellationToken.None)).Count);
        var restored = await store.GetAsync(DocKeys.User(member), CancellationToken.None);
        Assert.NotNull(restored);
        Assert.Equal("Wang Fang", RecordJson.Deserialize<UserProfile>(restored.Json).FirstName);

        // The chat works again after the reset.
        emulator.SendText(member, "/start");
        await emulator.WaitForMessageAsync(member, m => m.Text is not null, Wait);
    }
}
