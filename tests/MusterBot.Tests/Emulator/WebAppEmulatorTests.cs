namespace MusterBot.Tests.Emulator;

/// <summary>Mini App buttons and the chat menu button in the emulator (issue #18): as strict as Telegram about HTTPS.</summary>
public sealed class WebAppEmulatorTests : EmulatorTestBase
{
    [Theory]
    [InlineData("https://bot.example.org/app", true)]
    [InlineData("http://127.0.0.1:5080/app", true)]     // the sandbox's own page, on this machine
    [InlineData("http://bot.example.org/app", false)]   // plain HTTP elsewhere: Telegram refuses it
    [InlineData("/app", false)]                          // not an absolute address
    public async Task AWebAppButton_NeedsAnHttpsAddress(string url, bool accepted)
    {
        var (status, body) = await CallAsync("sendMessage", new
        {
            chat_id = Alice,
            text = "Roll call",
            reply_markup = new { inline_keyboard = new[] { new[] { new { text = "📊 Dashboard", web_app = new { url } } } } },
        });

        Assert.True(accepted ? status == 200 : status == 400, body.ToJsonString());
        if (accepted)
        {
            Assert.Equal(url, Assert.Single(Emulator.Messages(Alice)).Buttons.Single().WebAppUrl);
        }
        else
        {
            Assert.Contains("BUTTON_URL_INVALID", body["description"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Empty(Emulator.Messages(Alice));
        }
    }

    [Fact]
    public async Task AButtonWithAWebAppAndCallbackData_IsRefused()
    {
        var (status, _) = await CallAsync("sendMessage", new
        {
            chat_id = Alice,
            text = "x",
            reply_markup = new { inline_keyboard = new[] { new[] { new { text = "both", callback_data = "a", web_app = new { url = "https://e.org/app" } } } } },
        });
        Assert.Equal(400, status);
    }

    [Fact]
    public async Task SetChatMenuButton_WebAppForOneChat_TheOthersKeepTheDefault()
    {
        Assert.Equal("default", Emulator.State.GetMenuButton(Alice).Type);
        await OkAsync("setChatMenuButton", new { chat_id = Alice, menu_button = new { type = "web_app", text = "📊 看板", web_app = new { url = "https://bot.example.org/app" } } });
        var menu = Emulator.State.GetMenuButton(Alice);
        Assert.Equal(("web_app", "📊 看板", "https://bot.example.org/app"), (menu.Type, menu.Text, menu.WebAppUrl));
        Assert.Equal("default", Emulator.State.GetMenuButton(Bob).Type);

        var (status, _) = await CallAsync("setChatMenuButton", new { chat_id = Bob, menu_button = new { type = "web_app", text = "x", web_app = new { url = "http://bot.example.org/app" } } });
        Assert.Equal(400, status);
        await OkAsync("setChatMenuButton", new { chat_id = Alice, menu_button = new { type = "default" } });
        Assert.Equal("default", Emulator.State.GetMenuButton(Alice).Type);
    }
}
