using System.Text;
using MusterBot.Flows.Households;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Households;

namespace MusterBot.Tests.Flows;

/// <summary>The household file: import with the row report and the all-or-valid-rows choice, export, and the community's own tags.</summary>
public partial class HouseholdFlowTests
{
    private const string Header = "grid,building,unit,room,people,tags,phones,notes\n";

    [Fact]
    public async Task Import_ReportsEveryBadRow_ImportsOnlyTheValidOnes_WhenConfirmed()
    {
        var h = await NewAsync();
        var zhAlone = TextCatalog.Default.Get(Language.Zh, "hh.tag.LivingAlone");
        var csv = Header
            + $"North,Block 3,2,301,Wang Fang 82,{zhAlone};chronic illness,13800138000,\"Needs insulin, daily\"\n" // 2: valid
            + "North,block 3,2,301,Someone,,,\n"                                       // 3: same address as line 2
            + "North,Block 3,1,101,Li Ming,sleepwalker,,\n"                            // 4: unknown tag
            + "North,Block 7,1,102,,,,\n"                                              // 5: unknown building
            + "South,Block 9,1,103,,,,\n"                                              // 6: another grid
            + ",Block 5,,8,,bedridden,0571-88881234,\n"                                // 7: valid (grid of the import)
            + "North,Block 5,,9,,,call me,\n"                                          // 8: bad phone
            + "North,Block 5,,\n";                                                     // 9: wrong number of cells
        var report = await SendFileAsync(h, Hank, "g1", csv);
        var text = TextOf(report.Single(m => m.Action is SendText));
        Assert.Equal(
            "📋 8 rows read, 2 valid, 6 with problems.\n"
            + "Line 3: same address as line 2.\n"
            + "Line 4: unknown tag “sleepwalker”. An administrator can add it under /households → Own tags.\n"
            + "Line 5: the grid has no building called “Block 7”.\n"
            + "Line 6: grid “South” is not the grid you are importing into.\n"
            + "Line 8: “call me” is not a phone number.\n"
            + "Line 9: 4 cells, but the header has 8. Please put cells that contain commas in double quotes.",
            text);
        var choice = ButtonsOf(report).Select(b => b.Text).ToList();
        Assert.Equal(["Import only the 2 valid rows", "Cancel"], choice);
        Assert.Empty(await h.CommunitySetAsync(Sets.HouseholdsInGrid("g1")));

        await h.Press(Hank, B(new HouseholdButton.ConfirmImport()));
        Assert.Contains(await h.DrainTextsAsync(), t => t == "✅ Imported: 2 new, 0 updated.");
        var first = (await HouseholdAsync(h, 1))!;
        Assert.Equal(("b1", "2", "301"), (first.BuildingId, first.Unit, first.Room));
        Assert.Equal([HouseholdTag.LivingAlone, HouseholdTag.ChronicIllness], first.Tags);
        Assert.Equal("Needs insulin, daily", first.Notes);
        Assert.Equal(["+8613800138000"], first.Phones);
        var second = (await HouseholdAsync(h, 2))!;
        Assert.Equal(("b2", null, "8", "0571-88881234"), (second.BuildingId, second.Unit, second.Room, second.Phones.Single()));

        // A second press of the same choice imports nothing twice.
        await h.Press(Hank, B(new HouseholdButton.ConfirmImport()));
        Assert.Equal("This import has expired. Please send the file again.", ((AnswerCallback)Assert.Single(await h.DrainAsync()).Action).Text);
        Assert.Equal(2, (await h.CommunityDocAsync<CommunityCounters>(DocKeys.Counters))!.Households);
    }

    [Fact]
    public async Task ExportedFile_SentBack_UpdatesTheSameHouseholds_AndAChangedRowReplacesItsFields()
    {
        var h = await NewAsync();
        await SendFileAsync(h, Hank, "g1", Header + "North,Block 3,2,301,Wang Fang,lives alone,13800138000,\nNorth,Block 5,,8,Li Ming,,,\n");
        await h.Press(Hank, B(new HouseholdButton.ConfirmImport()));
        await h.DrainAsync();

        await h.Press(Hank, B(new HouseholdButton.Export("g1")));
        var sent = await h.DrainAsync();
        Assert.Contains(sent, m => m.Action is AnswerCallback { Text: "Sending the file…" });
        var document = (SendDocument)sent.Single(m => m.Action is SendDocument).Action;
        Assert.Equal("households-g1.csv", document.FileName);
        Assert.Equal("🏘 Households of North: 2", document.CaptionHtml);
        var exported = Encoding.UTF8.GetString(document.Content).TrimStart('\uFEFF');
        Assert.Equal(
            "grid,building,unit,room,people,tags,phones,notes,number,updated_at\r\n"
            + "North,Block 3,2,301,Wang Fang,lives alone,+8613800138000,,H-0001,2025-03-01 16:00\r\n"
            + "North,Block 5,,8,Li Ming,,,,H-0002,2025-03-01 16:00\r\n",
            exported);

        // Sent back unchanged: the same two households, updated, no new numbers.
        await SendFileAsync(h, Hank, "g1", exported);
        await h.Press(Hank, B(new HouseholdButton.ConfirmImport()));
        Assert.Contains(await h.DrainTextsAsync(), t => t == "✅ Imported: 0 new, 2 updated.");

        // One row changed: its tags, people and phones are replaced, its number stays.
        await SendFileAsync(h, Hank, "g1", Header + "North,Block 3,2,301,Wang Fang;Wang Lei,bedridden,,moved to daughter's in winter\n");
        await h.Press(Hank, B(new HouseholdButton.ConfirmImport()));
        Assert.Contains(await h.DrainTextsAsync(), t => t == "✅ Imported: 0 new, 1 updated.");
        var updated = (await HouseholdAsync(h, 1))!;
        Assert.Equal([HouseholdTag.Bedridden], updated.Tags);
        Assert.Equal(["Wang Fang", "Wang Lei"], updated.People);
        Assert.Empty(updated.Phones);
        Assert.Equal("moved to daughter's in winter", updated.Notes);
        Assert.Equal(2, (await h.CommunityDocAsync<CommunityCounters>(DocKeys.Counters))!.Households);

        // Two phones start the cell with "+": the export marks it as text for spreadsheets ('), and it reads back.
        await h.Press(Hank, B(new HouseholdButton.Edit(2, HouseholdField.Phones)));
        await h.Text(Hank, "13800138000, 13900139000");
        await h.Press(Hank, B(new HouseholdButton.Export("g1")));
        var twoPhones = Encoding.UTF8.GetString(((SendDocument)(await h.DrainAsync()).Single(m => m.Action is SendDocument).Action).Content).TrimStart('\uFEFF');
        Assert.Contains(",'+8613800138000、+8613900139000,", twoPhones, StringComparison.Ordinal);
        await SendFileAsync(h, Hank, "g1", twoPhones);
        await h.Press(Hank, B(new HouseholdButton.ConfirmImport()));
        Assert.Contains(await h.DrainTextsAsync(), t => t == "✅ Imported: 0 new, 2 updated.");
        Assert.Equal(["+8613800138000", "+8613900139000"], (await HouseholdAsync(h, 2))!.Phones);

        // A room written "5-8" with no unit is the address "unit 5, room 8", as typed in the chat: not a new household.
        await h.Press(Hank, B(new HouseholdButton.Edit(2, HouseholdField.Address)));
        await h.Text(Hank, "5-8");
        await SendFileAsync(h, Hank, "g1", Header + "North,Block 5,,5-8,Li Ming,,,\n");
        await h.Press(Hank, B(new HouseholdButton.ConfirmImport()));
        Assert.Contains(await h.DrainTextsAsync(), t => t == "✅ Imported: 0 new, 1 updated.");

        // Another grid's worker cannot export North; the administrator exports every grid.
        await h.Press(Hugo, B(new HouseholdButton.Export("g1")));
        Assert.DoesNotContain(await h.DrainAsync(), m => m.Action is SendDocument);
        await h.Press(Admin, B(new HouseholdButton.Export(null)));
        var all = (SendDocument)(await h.DrainAsync()).Single(m => m.Action is SendDocument).Action;
        Assert.Equal("households.csv", all.FileName);
    }

    [Fact]
    public async Task FileProblems_AndFilesOutsideTheImport_AreAnsweredClearly_AndImportNothing()
    {
        var h = await NewAsync();
        var cases = new (byte[] Bytes, string Expected)[]
        {
            ("name,phone\nA,1\n"u8.ToArray(), "❌ The first line must be the header: <code>grid,building,unit,room,people,tags,phones,notes</code>"),
            ("grid,building,room\nNorth,Block 3,1\n"u8.ToArray(), "❌ The header lacks these columns: <code>unit, people, tags, phones, notes</code>"),
            (Encoding.UTF8.GetBytes(Header), "❌ The file has a header but no households."),
            ([0x67, 0x72, 0x69, 0x64, 0x0A, 0xC4, 0xE3], "❌ The file is not UTF-8 encoded (from line 2)."),
            ([], "❌ The file is empty."),
        };
        foreach (var (bytes, expected) in cases)
        {
            await h.Press(Hank, B(new HouseholdButton.Import("g1")));
            await h.DrainAsync();
            await h.Event(new MusterBot.Flows.Events.DocumentReceived(Hank, Hank.Id, 70, "f1", "h.csv", bytes.Length, "text/csv") { Content = bytes });
            var text = Assert.Single(await h.DrainTextsAsync());
            Assert.True(text.StartsWith(expected, StringComparison.Ordinal), text);
            Assert.EndsWith("Nothing was imported. Please fix the file and send it again.", text, StringComparison.Ordinal);
        }

        // A file sent outside the import step is not read.
        await h.Event(new MusterBot.Flows.Events.DocumentReceived(Hank, Hank.Id, 71, "f2", "h.csv", 10, "text/csv"));
        Assert.DoesNotContain(await h.DrainTextsAsync(), t => t.Contains("rows read", StringComparison.Ordinal));
        Assert.Empty(await h.CommunitySetAsync(Sets.HouseholdsInGrid("g1")));

        // Cancel drops a pending import.
        await SendFileAsync(h, Hank, "g1", Header + "North,Block 3,,1,,,,\n");
        await h.Press(Hank, B(new HouseholdButton.DropImport()));
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("Import cancelled. Nothing was changed.", StringComparison.Ordinal));
        await h.Press(Hank, B(new HouseholdButton.ConfirmImport()));
        Assert.Empty(await h.CommunitySetAsync(Sets.HouseholdsInGrid("g1")));
    }

    [Fact]
    public async Task TheCommunitysOwnTags_AreAddedByAnAdministrator_AndThenAcceptedInChatAndFiles()
    {
        var h = await NewAsync();
        Assert.Contains((await SendFileAsync(h, Hank, "g1", Header + "North,Block 3,,1,,wheelchair,,\n")).Select(TextOf), t => t.Contains("unknown tag “wheelchair”", StringComparison.Ordinal));

        await h.Press(Hank, B(new HouseholdButton.NewCustomTag()));
        Assert.Equal("Sorry, only administrator can use this.", ((AnswerCallback)Assert.Single(await h.DrainAsync()).Action).Text);

        await h.Press(Admin, B(new HouseholdButton.NewCustomTag()));
        await h.Text(Admin, "Bedridden");
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("The tag “Bedridden” already exists.", StringComparison.Ordinal));
        await h.Text(Admin, "a,b");
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("without commas, slashes or colons", StringComparison.Ordinal));
        await h.Text(Admin, "wheelchair");
        Assert.Contains(await h.DrainTextsAsync(), t => t == "✅ Tag “wheelchair” added.");
        Assert.Equal(["wheelchair"], (await h.CommunityDocAsync<HouseholdTagList>(DocKeys.HouseholdTags))!.Names);

        await SendFileAsync(h, Hank, "g1", Header + "North,Block 3,,1,,Wheelchair;aged 80+,,\n");
        await h.Press(Hank, B(new HouseholdButton.ConfirmImport()));
        var household = (await HouseholdAsync(h, 1))!;
        Assert.Equal(["wheelchair"], household.CustomTags);
        Assert.Equal([HouseholdTag.Aged], household.Tags);
        await h.Press(Hank, B(new HouseholdButton.ToggleCustomTag(1, 0, "wheelchair")));
        Assert.Empty((await HouseholdAsync(h, 1))!.CustomTags);
        await h.Press(Hank, B(new HouseholdButton.ToggleCustomTag(1, 5, "wheelchair")));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "This household or building no longer exists." });
        await h.Press(Hank, B(new HouseholdButton.ToggleCustomTag(1, 0, "ramp")));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "This household or building no longer exists." });
        await h.Press(Hank, B(new HouseholdButton.ToggleCustomTag(1, 0, "wheelchair")));
        Assert.Equal(["wheelchair"], (await HouseholdAsync(h, 1))!.CustomTags);

        // A second tag; removing the first (pressed twice) removes only it, from the list and from the household.
        await h.Press(Admin, B(new HouseholdButton.NewCustomTag()));
        await h.Text(Admin, "oxygen");
        await h.Press(Admin, B(new HouseholdButton.RemoveCustomTag(0, "wheelchair")));
        await h.Press(Admin, B(new HouseholdButton.RemoveCustomTag(0, "wheelchair")));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "This tag has already been removed.", ShowAlert: true });
        Assert.Equal(["oxygen"], (await h.CommunityDocAsync<HouseholdTagList>(DocKeys.HouseholdTags))!.Names);
        Assert.Empty((await HouseholdAsync(h, 1))!.CustomTags);
        Assert.Equal([HouseholdTag.Aged], (await HouseholdAsync(h, 1))!.Tags);

        // A name with ':' (it would not fit in a button's data) is refused.
        await h.Press(Admin, B(new HouseholdButton.NewCustomTag()));
        await h.Text(Admin, "a:b");
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("without commas, slashes or colons", StringComparison.Ordinal));
    }
}
