using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MusterBot.Emulator;
using MusterBot.Emulator.Sandbox;
using MusterBot.State;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Org;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Host;

/// <summary>The browser sandbox (issue #8): the demo seed, the page, the control API on the host's address, reset.</summary>
public sealed class SandboxTests
{
    /// <summary>The demo's first community (港湾社区), where the seeded people of these tests live.</summary>
    private const long Community = MusterBot.State.Records.Org.DefaultTree.CommunityId;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sandbox_SeedsTheDemoCommunity_ServesThePage_AndMapsTheEmulatorControlApi()
    {
        await using var host = await BotHost.StartAsync(null, null, new Dictionary<string, string?> { ["Sandbox:Language"] = "en" });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var store = host.App.Services.GetRequiredService<IStateStore>();

        Assert.Equal(2, (await store.GetSetMembersAsync(Sets.Grids, Community, CancellationToken.None)).Count);
        Assert.Equal(3, (await store.GetSetMembersAsync(Sets.Regions, Community, CancellationToken.None)).Count);
        Assert.Equal(SandboxDemo.Chinese.PeopleOf(Community).Count, (await store.GetSetMembersAsync(Sets.People, Community, CancellationToken.None)).Count);
        Assert.InRange(SandboxDemo.Chinese.PeopleOf(Community).Count, 18, 25);
        Assert.Equal(3, (await store.GetSetMembersAsync(Sets.PeopleWithRole(Roles.Convenor), Community, CancellationToken.None)).Count);
        Assert.Equal(2, (await store.GetSetMembersAsync(Sets.PeopleWithRole(Roles.Handler), Community, CancellationToken.None)).Count);

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

    /// <summary>
    /// The demo is a street with two communities (issue #15 point 6): the tree, each community's records in its own shard,
    /// everybody's home, the secretary and the street's director administering their nodes, the page's groups; and a
    /// resident of the second community files a micro-wish that is numbered in her community.
    /// </summary>
    [Fact]
    public async Task Sandbox_SeedsAStreetWithTwoCommunities_EachPersonLivesInTheirs()
    {
        await using var host = await BotHost.StartAsync(null, null, new Dictionary<string, string?> { ["Sandbox:Language"] = "en" });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var store = host.App.Services.GetRequiredService<IStateStore>();
        var ct = CancellationToken.None;
        const long second = SandboxDemo.SecondCommunityId;

        var nodes = (await store.GetManyAsync([.. new long[] { 1, 2, 3, 4, 5 }.Select(DocKeys.OrgNode)], ct)).Select(d => RecordJson.Deserialize<OrgNode>(d!.Json)).ToList();
        Assert.Equal(["Binjiang City", "Dongcheng District", "Dongcheng Street", "Harbour Community", "Xinhe Community"], nodes.Select(n => n.Name));
        Assert.Equal(["滨江市", "东城区", "东城街道", "港湾社区", "新河社区"], SandboxDemo.Chinese.Nodes.Select(n => n.Name));
        Assert.Equal([Community, second], nodes[2].Children);
        Assert.Equal([SandboxDemo.StreetAdminId], nodes[2].Admins);
        Assert.Equal([SandboxDemo.AdminId], nodes[3].Admins);
        Assert.Equal((OrgLevel.Community, 3L), (nodes[4].Level, nodes[4].ParentId!.Value));
        Assert.Equal([1L, 2, 3], nodes[4].Path);
        Assert.Equal(5, RecordJson.Deserialize<OrgCounters>((await store.GetAsync(DocKeys.OrgCounters, ct))!.Json).LastNodeId);

        // Everybody lives in their node, and their profile is there (nothing of a community is left in the root).
        foreach (var person in SandboxDemo.English.People)
        {
            Assert.Equal(person.Node, RecordJson.Deserialize<PersonHome>((await store.GetAsync(DocKeys.Home(person.Id), ct))!.Json).Shard);
            var profile = RecordJson.Deserialize<UserProfile>((await store.GetAsync(DocKeys.User(person.Id).In(person.Node), ct))!.Json);
            Assert.Equal(person.AdminOf, profile.AdminOf);
        }

        Assert.Empty(await store.GetSetMembersAsync(Sets.People, Shards.Root, ct));
        Assert.Equal([Community], RecordJson.Deserialize<UserProfile>((await store.GetAsync(DocKeys.User(SandboxDemo.AdminId).In(Community), ct))!.Json).AdminOf);
        var director = RecordJson.Deserialize<UserProfile>((await store.GetAsync(DocKeys.User(SandboxDemo.StreetAdminId).In(DefaultTree.StreetId), ct))!.Json);
        Assert.Equal([DefaultTree.StreetId], director.AdminOf);
        Assert.True(director.Roles.HasFlag(Roles.Admin));

        // The second community: its own grid, people and an open micro-wish; the first has none.
        Assert.Equal(["g1"], await store.GetSetMembersAsync(Sets.Grids, second, ct));
        Assert.Equal("Xinhe Grid", RecordJson.Deserialize<MusterBot.State.Records.Directory.Grid>((await store.GetAsync(DocKeys.Grid("g1").In(second), ct))!.Json).Name);
        Assert.Equal(SandboxDemo.English.PeopleOf(second).Select(p => p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal), await store.GetSetMembersAsync(Sets.People, second, ct));
        Assert.Equal(["1"], await store.GetSetMembersAsync(Sets.WishesWithStatus(MusterBot.State.Records.Wishes.WishStatus.Open), second, ct));
        Assert.Equal(5401, RecordJson.Deserialize<MusterBot.State.Records.Wishes.Wish>((await store.GetAsync(DocKeys.Wish(1).In(second), ct))!.Json).ResidentId);
        Assert.Empty(await store.GetSetMembersAsync(Sets.WishesWithStatus(MusterBot.State.Records.Wishes.WishStatus.Open), Community, ct));

        // The page lists the street first, then each community's people under its name.
        using var personas = JsonDocument.Parse(await http.GetStringAsync(new Uri("/sandbox/api/personas", UriKind.Relative)));
        var list = personas.RootElement.GetProperty("personas").EnumerateArray().ToList();
        Assert.Equal(SandboxDemo.StreetAdminId, list[0].GetProperty("id").GetInt64());
        Assert.Equal("Dongcheng Street", list[0].GetProperty("place").GetString());
        Assert.Equal("Dongcheng Street · Xinhe Community", list.Single(p => p.GetProperty("id").GetInt64() == 5401).GetProperty("place").GetString());
        Assert.Equal("Dongcheng Street · Harbour Community", list.Single(p => p.GetProperty("id").GetInt64() == 1401).GetProperty("place").GetString());

        // A resident of the second community files a micro-wish: it is her community's second (W-0002), stored there.
        var emulator = host.App.Services.GetRequiredService<BotApiEmulator>();
        const long resident = 5402;
        emulator.SendText(resident, "/wish");
        var m = await emulator.WaitForMessageAsync(resident, x => x.Text?.Contains("File a micro-wish", StringComparison.Ordinal) == true, Wait);
        emulator.SendText(resident, "Please help me change a light bulb");
        m = await emulator.WaitForMessageAsync(resident, x => x.Text?.Contains("Add a photo", StringComparison.Ordinal) == true, Wait);
        emulator.PressButton(resident, resident, m.MessageId, new MusterBot.Flows.Wishes.WishButton.SkipPhoto().Encode());
        m = await emulator.WaitForMessageAsync(resident, x => x.Text?.Contains("choose a category", StringComparison.Ordinal) == true, Wait);
        emulator.PressButton(resident, resident, m.MessageId, new MusterBot.Flows.Wishes.WishButton.PickCategory(MusterBot.State.Records.Wishes.WishCategory.Repairs).Encode());
        m = await emulator.WaitForMessageAsync(resident, x => x.Text?.Contains("By when", StringComparison.Ordinal) == true, Wait);
        emulator.PressButton(resident, resident, m.MessageId, new MusterBot.Flows.Wishes.WishButton.PickDate(MusterBot.Flows.Wishes.WantedBy.Week).Encode());
        m = await emulator.WaitForMessageAsync(resident, x => x.Text?.Contains("check your wish", StringComparison.Ordinal) == true, Wait);
        emulator.PressButton(resident, resident, m.MessageId, new MusterBot.Flows.Wishes.WishButton.Submit().Encode());
        await emulator.WaitForMessageAsync(resident, x => x.Text?.Contains("W-0002", StringComparison.Ordinal) == true, Wait);
        Assert.Equal(resident, RecordJson.Deserialize<MusterBot.State.Records.Wishes.Wish>((await store.GetAsync(DocKeys.Wish(2).In(second), ct))!.Json).ResidentId);
        Assert.Null(await store.GetAsync(DocKeys.Wish(1).In(Community), ct));
    }

    /// <summary>Without <c>Sandbox:Language</c> the demo community and the page are Chinese (issue #14 item 12).</summary>
    [Fact]
    public async Task Sandbox_ByDefault_SeedsTheChineseCommunity_AndServesTheChinesePage()
    {
        await using var host = await BotHost.StartAsync(null, null);
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var store = host.App.Services.GetRequiredService<IStateStore>();
        var emulator = host.App.Services.GetRequiredService<BotApiEmulator>();

        var admin = RecordJson.Deserialize<UserProfile>((await store.GetAsync(DocKeys.User(SandboxDemo.AdminId).In(Community), CancellationToken.None))!.Json);
        Assert.Equal("\u674E\u4E66\u8BB0", admin.FirstName); // 李书记
        Assert.Equal(Language.Zh, admin.Language);
        var grandma = RecordJson.Deserialize<UserProfile>((await store.GetAsync(DocKeys.User(1401).In(Community), CancellationToken.None))!.Json);
        Assert.Equal("\u80E1\u5976\u5976", grandma.FirstName); // 胡奶奶
        Assert.Equal("b1", grandma.BuildingId);
        var north = RecordJson.Deserialize<MusterBot.State.Records.Directory.Region>((await store.GetAsync(DocKeys.Region("r1").In(Community), CancellationToken.None))!.Json);
        Assert.Equal("\u5317\u7247", north.Name); // 北片
        var grid = RecordJson.Deserialize<MusterBot.State.Records.Directory.Grid>((await store.GetAsync(DocKeys.Grid("g1").In(Community), CancellationToken.None))!.Json);
        Assert.Equal("1\u53F7\u697C", grid.Buildings[0].Name); // 1号楼
        Assert.Equal("\u80E1\u5976\u5976", emulator.State.Users.Single(u => u.Id == 1401).FirstName);
        // No English name is left anywhere in the Chinese community.
        Assert.All(SandboxDemo.Chinese.People, p => Assert.DoesNotMatch("[A-Za-z]", p.Name + p.Role));
        Assert.All(SandboxDemo.Chinese.Grids.SelectMany(g => g.Buildings.Select(b => b.Name).Append(g.Name)).Concat(SandboxDemo.Chinese.Regions.Select(r => r.Name)), n => Assert.DoesNotMatch("[A-Za-z]", n));
        Assert.Equal(SandboxDemo.English.People.Select(p => (p.Id, p.Roles, p.GridId, p.RegionId, p.BuildingId)), SandboxDemo.Chinese.People.Select(p => (p.Id, p.Roles, p.GridId, p.RegionId, p.BuildingId)));

        var page = await http.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("<html lang=\"zh-CN\">", page, StringComparison.Ordinal);
        Assert.Contains("\u91CD\u7F6E\u6F14\u793A", page, StringComparison.Ordinal); // 重置演示
        Assert.Contains("placeholder=\"\u8F93\u5165\u6D88\u606F\"", page, StringComparison.Ordinal); // 输入消息
        Assert.Contains("fonts-noto-cjk", page, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Reset demo", page, StringComparison.Ordinal);

        using var personas = JsonDocument.Parse(await http.GetStringAsync(new Uri("/sandbox/api/personas", UriKind.Relative)));
        Assert.Equal("zh", personas.RootElement.GetProperty("language").GetString());
        Assert.Equal(480, personas.RootElement.GetProperty("utc_offset_minutes").GetInt32());
        var convenor = personas.RootElement.GetProperty("personas").EnumerateArray().Single(p => p.GetProperty("id").GetInt64() == 1101);
        Assert.Equal("\u53EC\u96C6\u4EBA \u00B7 \u5317\u7247", convenor.GetProperty("role").GetString()); // 召集人 · 北片
        Assert.Equal(["\u6551\u63F4"], convenor.GetProperty("skills").EnumerateArray().Select(s => s.GetString())); // 救援
        var labels = personas.RootElement.GetProperty("personas").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Contains("\u80E1\u5976\u5976", labels);
    }

    [Fact]
    public async Task Sandbox_InEnglish_ServesTheEnglishPage_AndTheCommunitysTimeZone()
    {
        await using var host = await BotHost.StartAsync(null, null, new Dictionary<string, string?> { ["Sandbox:Language"] = "en", ["Muster:UtcOffset"] = "-03:30" });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        var page = await http.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("<html lang=\"en\">", page, StringComparison.Ordinal);
        Assert.Contains("Reset demo", page, StringComparison.Ordinal);
        Assert.DoesNotContain("\u91CD\u7F6E\u6F14\u793A", page, StringComparison.Ordinal);
        using var personas = JsonDocument.Parse(await http.GetStringAsync(new Uri("/sandbox/api/personas", UriKind.Relative)));
        Assert.Equal(-210, personas.RootElement.GetProperty("utc_offset_minutes").GetInt32());
        var convenor = personas.RootElement.GetProperty("personas").EnumerateArray().Single(p => p.GetProperty("id").GetInt64() == 1101);
        Assert.Equal("convenor \u00B7 North", convenor.GetProperty("role").GetString());
        Assert.Equal(["rescue"], convenor.GetProperty("skills").EnumerateArray().Select(s => s.GetString()));
    }

    /// <summary>The page's unread badges count the bot's messages per person; a photo's bytes are served with their image type.</summary>
    [Fact]
    public async Task Activity_CountsTheBotsMessagesPerPerson_AndPhotosAreServedAsImages()
    {
        await using var host = await BotHost.StartAsync(null, null, new Dictionary<string, string?> { ["Sandbox:Language"] = "en" });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var emulator = host.App.Services.GetRequiredService<BotApiEmulator>();

        using (var before = JsonDocument.Parse(await http.GetStringAsync(new Uri("/sandbox/api/activity", UriKind.Relative))))
        {
            Assert.Equal(0, before.RootElement.GetProperty("counts").GetProperty("1401").GetInt32());
            Assert.Equal(SandboxDemo.People.Count, before.RootElement.GetProperty("counts").EnumerateObject().Count());
        }

        emulator.SendText(1401, "/start");
        await emulator.WaitForMessageAsync(1401, m => m.Text is not null, Wait);
        using (var after = JsonDocument.Parse(await http.GetStringAsync(new Uri("/sandbox/api/activity", UriKind.Relative))))
        {
            Assert.Equal(emulator.Messages(1401).Count, after.RootElement.GetProperty("counts").GetProperty("1401").GetInt32());
            Assert.True(after.RootElement.GetProperty("counts").GetProperty("1401").GetInt32() >= 1);
            Assert.Equal(0, after.RootElement.GetProperty("counts").GetProperty("1402").GetInt32());
        }

        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 0, 4, 0, 0, 0, 3, 8, 2, 0, 0, 0];
        var photo = emulator.SendPhoto(1401, png);
        using var served = await http.GetAsync(new Uri("/sandbox/files/" + photo.PhotoFileId, UriKind.Relative));
        served.EnsureSuccessStatusCode();
        Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal(png, await served.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/jpeg", SandboxEndpoints.ImageType([0xFF, 0xD8, 0xFF, 0xE0]));
        Assert.Null(SandboxEndpoints.ImageType("name,phone"u8));
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
        var profile = await store.GetAsync(DocKeys.User(member).In(Community), CancellationToken.None);
        Assert.NotNull(profile);

        using var reset = await http.PostAsync(new Uri("/sandbox/api/reset", UriKind.Relative), null);
        reset.EnsureSuccessStatusCode();

        Assert.Empty(emulator.State.Transcript(member));
        Assert.Equal(SandboxDemo.Chinese.PeopleOf(Community).Count, (await store.GetSetMembersAsync(Sets.People, Community, CancellationToken.None)).Count);
        var restored = await store.GetAsync(DocKeys.User(member).In(Community), CancellationToken.None);
        Assert.NotNull(restored);
        Assert.Equal("Wang Fang", RecordJson.Deserialize<UserProfile>(restored.Json).FirstName);

        // The chat works again after the reset.
        emulator.SendText(member, "/start");
        await emulator.WaitForMessageAsync(member, m => m.Text is not null, Wait);
    }
}
