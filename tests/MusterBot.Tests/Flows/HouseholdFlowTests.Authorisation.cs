using MusterBot.Flows.Households;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Households;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Who may see and change households: the grid's workers and the administrators, nobody else, whatever the button carries.</summary>
public partial class HouseholdFlowTests
{
    /// <summary>Every button of the flow that names household 1 (grid g1, North) or grid g1, or the whole community.</summary>
    public static TheoryData<string> ButtonsOnNorth() =>
    [
        B(new HouseholdButton.OpenGrid("g1")),
        B(new HouseholdButton.List("g1", null, null, 0)),
        B(new HouseholdButton.List("g1", "b1", null, 0)),
        B(new HouseholdButton.List("g1", null, "LivingAlone", 0)),
        B(new HouseholdButton.Filter("g1")),
        B(new HouseholdButton.Add("g1")),
        B(new HouseholdButton.AddIn("g1", "b1")),
        B(new HouseholdButton.Open(1)),
        B(new HouseholdButton.EditTags(1)),
        B(new HouseholdButton.ToggleTag(1, HouseholdTag.Bedridden)),
        B(new HouseholdButton.ToggleCustomTag(1, 0, "wheelchair")),
        B(new HouseholdButton.Edit(1, HouseholdField.Phones)),
        B(new HouseholdButton.Edit(1, HouseholdField.Address)),
        B(new HouseholdButton.Clear(1, HouseholdField.People)),
        B(new HouseholdButton.Delete(1)),
        B(new HouseholdButton.ConfirmDelete(1)),
        B(new HouseholdButton.Export("g1")),
        B(new HouseholdButton.Export(null)),
        B(new HouseholdButton.Import("g1")),
        B(new HouseholdButton.Import(null)),
    ];

    private static async Task<FlowHarness> WithNorthHouseholdAsync()
    {
        var h = await NewAsync();
        await AddAsync(h, Hank, "g1", "b1", "2-301");
        await h.Press(Hank, B(new HouseholdButton.Edit(1, HouseholdField.People)));
        await h.Text(Hank, "Wang Fang");
        await h.Press(Admin, B(new HouseholdButton.NewCustomTag()));
        await h.Text(Admin, "wheelchair");
        await h.DrainAsync();
        return h;
    }

    [Theory]
    [MemberData(nameof(ButtonsOnNorth))]
    public async Task AMemberAResidentAndAnotherGridsWorker_AreRefused_EveryButton_AndNothingChanges(string data)
    {
        var h = await WithNorthHouseholdAsync();
        var before = await RawAsync(h, 1);
        foreach (var (who, refusal) in new[]
        {
            (Ann, "Sorry, only grid workers and administrators can see households."),
            (Rita, "Sorry, only grid workers and administrators can see households."),
            (Hal, "You have no grid yet, so there are no households to show. Please ask an administrator."),
            (Hugo, "This household is not in your grid."),
        })
        {
            await h.Press(who, data);
            var answers = await h.DrainAsync();
            var answer = Assert.Single(answers);
            Assert.Equal(who.Id, answer.ChatId);
            Assert.Equal(new AnswerCallback("q", refusal, ShowAlert: true), ((AnswerCallback)answer.Action) with { CallbackQueryId = "q" });
            Assert.NotEqual("households", (await h.ConversationAsync(who.Id))?.Flow);
        }

        Assert.Equal(before, await RawAsync(h, 1));
        Assert.Equal(["1"], await h.CommunitySetAsync(Sets.HouseholdsInGrid("g1")));
        Assert.Null(await h.CommunityDocAsync<HouseholdFlow.PendingHouseholdImport>(DocKeys.HouseholdImport(Hugo.Id)));
    }

    [Theory]
    [MemberData(nameof(ButtonsOnNorth))]
    public async Task TheGridsWorkerAndAnAdministrator_MayPressEveryButton(string data)
    {
        var h = await WithNorthHouseholdAsync();
        foreach (var who in new[] { Hank, Admin })
        {
            if (data == B(new HouseholdButton.Export(null)) || data == B(new HouseholdButton.Import(null)))
            {
                if (who == Hank)
                {
                    // The whole community's file is the administrators'.
                    await h.Press(who, data);
                    Assert.Equal("This household is not in your grid.", ((AnswerCallback)Assert.Single(await h.DrainAsync()).Action).Text);
                    continue;
                }
            }

            if (who == Admin && data == B(new HouseholdButton.ConfirmDelete(1)))
            {
                // Hank's press deleted it: the administrator's second press is told so.
                Assert.Null(await HouseholdAsync(h, 1));
                continue;
            }

            await h.Press(who, data);
            var answers = await h.DrainAsync();
            Assert.Empty(answers.Select(m => m.Action).OfType<AnswerCallback>().Where(a => a.ShowAlert).Select(a => who.FirstName + ": " + a.Text));
            Assert.Contains(answers, m => m.Action is EditText or SendText or SendDocument or AnswerCallback { Text: "Sending the file…" });
            await h.Command(who, "cancel");
            await h.DrainAsync();
        }
    }

    [Fact]
    public async Task Commands_AreRefusedPolitely_AndTheMenuOffersHouseholds_OnlyToGridWorkersAndAdministrators()
    {
        var h = await NewAsync();
        foreach (var who in new[] { Ann, Rita })
        {
            await h.Command(who, "households");
            Assert.Equal(["Sorry, only grid workers and administrators can see households."], await h.DrainTextsAsync());
        }

        await h.Command(Hal, "households");
        Assert.Equal(["You have no grid yet, so there are no households to show. Please ask an administrator."], await h.DrainTextsAsync());

        Assert.Contains(CommandCatalog.For(Roles.Handler), c => c.Name == "households");
        Assert.Contains(CommandCatalog.For(Roles.Admin), c => c.Name == "households");
        Assert.DoesNotContain(CommandCatalog.For(Roles.Member | Roles.Convenor | Roles.Resident), c => c.Name == "households");

        // The administrator starts from every grid; a grid worker from their own.
        await h.Command(Admin, "households");
        var home = await h.DrainAsync();
        Assert.Contains("• North: 0", TextOf(home[0]), StringComparison.Ordinal);
        Assert.Contains("• South: 0", TextOf(home[0]), StringComparison.Ordinal);
        await h.Command(Hugo, "households");
        Assert.StartsWith("🏘 <b>South</b>: 0 households", TextOf((await h.DrainAsync())[0]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChineseReaders_GetEveryTextInChinese()
    {
        var h = await NewAsync();
        await h.Command(Zoe, "households");
        Assert.StartsWith("🏘 <b>North</b>：0 户，其中有标签 0 户", TextOf((await h.DrainAsync())[0]), StringComparison.Ordinal);
        await AddAsync(h, Zoe, "g1", "b1", "2单元301");
        await h.Press(Zoe, B(new HouseholdButton.ToggleTag(1, HouseholdTag.LivingAlone)));
        await h.Press(Zoe, B(new HouseholdButton.Open(1)));
        var card = TextOf((await h.DrainAsync()).Last(m => m.Action is EditText));
        Assert.Contains("🏠 <b>H-0001</b> Block 3 · 2-301\n网格：North\n🏷 标签：独居老人\n👥 人员：—", card, StringComparison.Ordinal);

        // Every text of the flow exists in both languages (the catalogue's test checks placeholders).
        var keys = TextCatalog.Default.Keys(Language.Zh).Where(k => k.StartsWith("hh.", StringComparison.Ordinal)).ToHashSet();
        Assert.True(keys.SetEquals(TextCatalog.Default.Keys(Language.En).Where(k => k.StartsWith("hh.", StringComparison.Ordinal))));
    }
}
