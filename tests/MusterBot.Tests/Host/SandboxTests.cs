using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MusterBot.Host.Emulator;
using MusterBot.Host.Sandbox;
using MusterBot.State;
using MusterBot.State.Records;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Host;

/// <summary>The browser sandbox (issue #8): the demo seed, the page, the control API on the host's address, reset.</summary>
public sealed class SandboxTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

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
