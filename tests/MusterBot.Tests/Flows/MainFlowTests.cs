using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

public class MainFlowTests
{
    private static readonly Sender Li = FlowHarness.Person(5_000_000_001, "zh-hans", "Li");
    private static readonly Sender Ann = FlowHarness.Person(42, "en-GB", "Ann");

    [Fact]
    public async Task Start_NewChineseUser_WelcomesInChineseWithMainMenu()
    {
        var h = new FlowHarness();
        Assert.Equal(ProcessOutcome.Handled, await h.Command(Li, "start"));

        var outgoing = await h.DrainAsync();
        Assert.Equal(2, outgoing.Count);
        var choices = Assert.IsType<InlineMarkup>(Assert.IsType<SendText>(outgoing[1].Action).Markup);
        Assert.Equal([MainFlow.RegisterResident, MainFlow.RegisterRoster], choices.Rows.SelectMany(r => r).Select(b => b.CallbackData));
        var sent = outgoing[0];
        var text = Assert.IsType<SendText>(sent.Action);
        Assert.Equal(Li.Id, sent.ChatId);
        Assert.Equal(Lane.Reply, sent.Lane);
        Assert.Contains("您好，Li", text.Html, StringComparison.Ordinal);
        var menu = Assert.IsType<ReplyKeyboard>(text.Markup);
        Assert.Contains(menu.Rows.SelectMany(r => r), b => b.Text == "❓ 帮助");
        var profile = await h.ProfileAsync(Li.Id);
        Assert.Equal(Language.Zh, profile!.Language);
    }

    [Fact]
    public async Task Start_EnglishTelegramLanguage_WelcomesInEnglish()
    {
        var h = new FlowHarness();
        await h.Command(Ann, "start");
        var text = Assert.IsType<SendText>((await h.DrainAsync())[0].Action);
        Assert.StartsWith("Hello, Ann!", text.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_RegisteredPerson_IsWelcomedBack_WithoutRegistrationChoices()
    {
        var h = new FlowHarness();
        await h.Command(Ann, "start");
        var profile = (await h.ProfileAsync(Ann.Id))!;
        await h.Store.SeedCommunityAsync(new MusterBot.State.Commits.Commit { Writes = [new(DocKeys.User(Ann.Id), RecordJson.Serialize(profile with { RegisteredAt = h.Clock.GetUtcNow(), Roles = Roles.Resident }), null)] }, CancellationToken.None);
        await h.DrainAsync();

        await h.Command(Ann, "start");

        Assert.StartsWith("Welcome back, Ann", Assert.Single(await h.DrainTextsAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ConfiguredAdministrator_IsGreetedAsAdministrator()
    {
        var h = new FlowHarness(null, Ann.Id);
        await h.Command(Ann, "start");
        Assert.Contains("administrator", (await h.DrainTextsAsync())[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc123")]
    [InlineData("not a valid <code> at all")]
    public async Task Start_WithUnknownInvitePayload_IsRefusedPolitely(string payload)
    {
        var h = new FlowHarness();
        await h.Command(Ann, "start", payload);
        var reply = Assert.Single(await h.DrainTextsAsync());
        Assert.Contains("not valid or has expired", reply, StringComparison.Ordinal);
        Assert.DoesNotContain("<code>", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsTheCommandsThatExist_AndTheRole()
    {
        var h = new FlowHarness();
        await h.Command(Li, "help");
        var help = Assert.Single(await h.DrainTextsAsync());
        foreach (var command in CommandCatalog.For(Roles.None))
        {
            Assert.Contains("/" + command.Name, help, StringComparison.Ordinal);
        }

        Assert.Contains("访客", help, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("❓ 帮助")]
    [InlineData("❓ Help")]
    public async Task MenuButtonLabel_InEitherLanguage_ActsAsItsCommand(string label)
    {
        var h = new FlowHarness();
        await h.Text(Li, label);
        Assert.StartsWith("<b>我能做什么</b>", Assert.Single(await h.DrainTextsAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Me_ShowsNameRoleAndId_Escaped()
    {
        var h = new FlowHarness();
        await h.Command(new Sender(7, "<Bob & Co>", null, null, "en"), "me");
        var card = Assert.Single(await h.DrainTextsAsync());
        Assert.Contains("&lt;Bob &amp; Co&gt;", card, StringComparison.Ordinal);
        Assert.Contains("<code>7</code>", card, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lang_PickEnglish_SwitchesLanguage_AnswersButton_AndEditsThePicker()
    {
        var h = new FlowHarness();
        await h.Command(Li, "lang");
        var picker = Assert.IsType<SendText>(Assert.Single(await h.DrainAsync()).Action);
        var buttons = Assert.IsType<InlineMarkup>(picker.Markup).Rows.SelectMany(r => r).ToList();
        Assert.All(buttons, b => Assert.True(System.Text.Encoding.UTF8.GetByteCount(b.CallbackData!) <= 64));
        Assert.Equal("ChoosingLanguage", (await h.ConversationAsync(Li.Id))!.Step);

        await h.Press(Li, MainFlow.PickEnglish, messageId: 9);

        var outgoing = await h.DrainAsync();
        Assert.Single(outgoing, m => m.Action is AnswerCallback { Text: "Chosen: English" });
        Assert.Single(outgoing, m => m.Action is EditText { MessageId: 9 });
        Assert.Single(outgoing, m => m.Action is SendText s && s.Html.Contains("in English", StringComparison.Ordinal));
        var profile = await h.ProfileAsync(Li.Id);
        Assert.Equal(Language.En, profile!.Language);
        Assert.True(profile.LanguageChosen);
        Assert.Equal("Idle", (await h.ConversationAsync(Li.Id))!.Step);
    }

    [Fact]
    public async Task ChosenLanguage_OutlastsTelegramLanguageCode()
    {
        var h = new FlowHarness();
        await h.Command(Ann, "lang");
        await h.Press(Ann, MainFlow.PickChinese);
        await h.DrainAsync();

        await h.Command(Ann, "help");

        Assert.StartsWith("<b>我能做什么</b>", Assert.Single(await h.DrainTextsAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lang_ThenOddText_ReasksWithHint_AndStaysInPicker()
    {
        var h = new FlowHarness();
        await h.Command(Ann, "lang");
        await h.DrainAsync();

        await h.Text(Ann, "French please");
        await h.Event(new OtherMessageReceived(Ann, Ann.Id, 77, "photo"));

        Assert.All(await h.DrainTextsAsync(), t => Assert.Contains("tap a button", t, StringComparison.Ordinal));
        Assert.Equal("ChoosingLanguage", (await h.ConversationAsync(Ann.Id))!.Step);
    }

    [Fact]
    public async Task Lang_AfterRestart_ContinuesWhereThePersonWas()
    {
        var first = new FlowHarness();
        await first.Command(Ann, "lang");

        // A new processor over the same store, as after a process restart.
        var second = new FlowHarness(first.Store);
        await second.Press(Ann, MainFlow.PickChinese);

        Assert.Equal(Language.Zh, (await second.ProfileAsync(Ann.Id))!.Language);
        Assert.Equal("Idle", (await second.ConversationAsync(Ann.Id))!.Step);
    }

    [Fact]
    public async Task Cancel_InPicker_ReturnsToIdle_AndSaysSo()
    {
        var h = new FlowHarness();
        await h.Command(Ann, "lang");
        await h.DrainAsync();

        await h.Command(Ann, "cancel");

        Assert.Equal("Cancelled.", Assert.Single(await h.DrainTextsAsync()));
        Assert.Equal("Idle", (await h.ConversationAsync(Ann.Id))!.Step);
    }

    [Fact]
    public async Task Cancel_WhenIdle_SaysThereIsNothingToCancel()
    {
        var h = new FlowHarness();
        await h.Command(Ann, "cancel");
        Assert.Equal("There is nothing to cancel.", Assert.Single(await h.DrainTextsAsync()));
    }

    [Fact]
    public async Task UnknownText_EvenVeryLong_GetsAShortHelpfulAnswer()
    {
        var h = new FlowHarness();
        await h.Text(Ann, new string('x', 5000));
        var reply = Assert.Single(await h.DrainTextsAsync());
        Assert.Contains("/help", reply, StringComparison.Ordinal);
        Assert.True(reply.Length < 200);
    }

    [Fact]
    public async Task UnknownCommand_IsNamedEscaped_AndPointsToHelp()
    {
        var h = new FlowHarness();
        await h.Command(Ann, "<script>");
        var reply = Assert.Single(await h.DrainTextsAsync());
        Assert.Contains("/&lt;script&gt;", reply, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("main:lang:Fr")]
    [InlineData("main:lang:zh")]
    [InlineData("main:lang:En:extra")]
    [InlineData("main:zz")]
    [InlineData("lang:en")]
    [InlineData("m:7f3a:ok")]
    [InlineData("")]
    public async Task ForgedOrStaleButton_IsAnsweredOnce_WithAKindExplanation_AndChangesNothing(string data)
    {
        var h = new FlowHarness();
        await h.Command(Ann, "start");
        await h.DrainAsync();
        var before = await h.ProfileAsync(Ann.Id);

        await h.Press(Ann, data, queryId: "cb1");

        var answer = Assert.Single(await h.DrainAsync());
        Assert.Equal(new AnswerCallback("cb1", "This button is no longer valid."), answer.Action);
        var after = await h.ProfileAsync(Ann.Id);
        Assert.Equal(RecordJson.Serialize(before! with { LastSeenAt = after!.LastSeenAt }), RecordJson.Serialize(after));
    }

    [Fact]
    public async Task StalePickerPressed_WhenIdle_StillAppliesTheChoiceAndAnswers()
    {
        var h = new FlowHarness();
        await h.Press(Li, MainFlow.PickEnglish, queryId: "cb2");
        var outgoing = await h.DrainAsync();
        Assert.Single(outgoing, m => m.Action is AnswerCallback);
        Assert.Equal(Language.En, (await h.ProfileAsync(Li.Id))!.Language);
    }

    [Fact]
    public async Task SameUpdateDeliveredTwice_IsAppliedOnce()
    {
        var h = new FlowHarness();
        Assert.Equal(ProcessOutcome.Handled, await h.Command(Ann, "start", updateId: 777));
        Assert.Equal(ProcessOutcome.Duplicate, await h.Command(Ann, "start", updateId: 777));
        Assert.Equal(2, (await h.DrainAsync()).Count);
    }

    [Fact]
    public async Task BotBlocked_IsRecordedOnTheProfile_WithoutSendingAnything()
    {
        var h = new FlowHarness();
        await h.Command(Ann, "start");
        await h.DrainAsync();

        await h.Event(new BotMembershipChanged(Ann, Ann.Id, Blocked: true));

        Assert.Empty(await h.DrainAsync());
        Assert.True((await h.ProfileAsync(Ann.Id))!.BlockedBot);

        await h.Event(new BotMembershipChanged(Ann, Ann.Id, Blocked: false));
        Assert.False((await h.ProfileAsync(Ann.Id))!.BlockedBot);
    }

    [Fact]
    public async Task Contact_Location_Document_OutsideAFlow_GetAPoliteAnswer()
    {
        var h = new FlowHarness();
        await h.Event(new ContactShared(Ann, Ann.Id, 1, "+8613800000000", Ann.Id));
        await h.Event(new LocationShared(Ann, Ann.Id, 2, 31.2, 121.5));
        await h.Event(new DocumentReceived(Ann, Ann.Id, 3, "f1", "roster.csv", 10, "text/csv"));
        var replies = await h.DrainTextsAsync();
        Assert.Equal(3, replies.Count);
        Assert.All(replies, r => Assert.Contains("/help", r, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TimerOfSomeoneUnknown_IsConsumed_SoItDoesNotComeBack()
    {
        var h = new FlowHarness();
        await h.Store.CommitAsync(new MusterBot.State.Commits.Commit { SetTimers = [new MusterBot.State.Timers.TimerEntry("t1", h.Clock.GetUtcNow(), 999, "{}")] }, CancellationToken.None);

        Assert.Equal(ProcessOutcome.Ignored, await h.Processor.ProcessAsync(null, new TimerFired(999, "t1", "{}"), CancellationToken.None));

        Assert.Null(await h.Store.GetTimerAsync("t1", CancellationToken.None));
    }

    [Fact]
    public void Diagram_OfMainFlow_ShowsItsSteps()
    {
        var diagram = new MainFlow(MusterBot.Flows.Texts.TextCatalog.Default).ToMermaid();
        Assert.Contains("Idle --> ChoosingLanguage : Lang", diagram, StringComparison.Ordinal);
        Assert.Contains("ChoosingLanguage --> Idle : LanguagePicked", diagram, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegistrationChoice_PressedBySomeoneRegistered_IsRefusedWithAnAlert_AndChangesNothing()
    {
        var h = new FlowHarness();
        await h.Command(Ann, "start");
        var profile = (await h.ProfileAsync(Ann.Id))!;
        await h.Store.SeedCommunityAsync(new MusterBot.State.Commits.Commit { Writes = [new(DocKeys.User(Ann.Id), RecordJson.Serialize(profile with { RegisteredAt = h.Clock.GetUtcNow(), Roles = Roles.Resident }), null)] }, CancellationToken.None);
        await h.DrainAsync();

        await h.Press(Ann, MainButton.Codec.Encode(new MainButton.RegisterFromRoster()), queryId: "old");

        var answer = Assert.Single(await h.DrainAsync());
        Assert.Equal(new AnswerCallback("old", "You are already registered. Send /me to see or change your profile.", true), answer.Action);
        Assert.NotEqual(MusterBot.Flows.Registration.RegistrationFlow.FlowName, (await h.ConversationAsync(Ann.Id))?.Flow);
        Assert.Equal(Roles.Resident, (await h.ProfileAsync(Ann.Id))!.Roles);
    }

    [Fact]
    public async Task LanguagePicked_WhileChoosing_GoesBackToIdle_AndAStalePickerLaterStillApplies()
    {
        var h = new FlowHarness();
        await h.Command(Ann, "lang");
        Assert.Equal(nameof(MainStep.ChoosingLanguage), (await h.ConversationAsync(Ann.Id))!.Step);

        await h.Press(Ann, MainButton.Codec.Encode(new MainButton.PickLanguage(Language.Zh)));
        Assert.Equal(nameof(MainStep.Idle), (await h.ConversationAsync(Ann.Id))!.Step);
        await h.Press(Ann, MainButton.Codec.Encode(new MainButton.PickLanguage(Language.En)));

        Assert.Equal(Language.En, (await h.ProfileAsync(Ann.Id))!.Language);
        Assert.Equal(nameof(MainStep.Idle), (await h.ConversationAsync(Ann.Id))!.Step);
    }
}
