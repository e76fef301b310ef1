using System.Text;

namespace MusterBot.Tests.EndToEnd;

/// <summary>Issue #13: a document is downloaded only for an administrator in the roster step, after the rights check.</summary>
public sealed partial class DirectoryEndToEndTests
{
    [Fact]
    public async Task Documents_OfAResidentAVisitorOrOutsideTheRosterStep_AreNeverDownloaded_TheRosterStillIs()
    {
        await using var host = await StartHostAsync();
        var admin = Admin();
        await SetUpDirectoryAsync(admin);
        var csv = Encoding.UTF8.GetBytes(RosterHeader + $"Li Hua,13900139000,{GridName},{RegionName},,,member\n");

        // A registered resident and a visitor send files: a polite answer each, and no getFile.
        var rita = NewPerson(501, "Rita");
        var choose = await rita.Says("/start", "To register, choose:");
        var grid = await rita.Presses(choose, "🏠 I am a resident: register", "Which grid do you live in?");
        var building = await rita.Presses(grid, GridName, $"Which building of {GridName} do you live in?");
        await rita.Presses(building, BuildingName, "or tap “Skip”");
        var summary = await rita.Says("Skip", "Please check your details");
        await rita.Presses(summary, "✅ Confirm", "You are registered! Your role: resident.");
        await rita.Uploads("roster.csv", csv, "/help");
        var visitor = NewPerson(502, "Vic");
        await visitor.Uploads("roster.csv", csv, "/help");

        // The administrator outside the roster step: no download either.
        await admin.Uploads("roster.csv", csv, "/help");
        Assert.Equal(0, _emulator.State.RequestCount("getFile"));

        // In the roster step the file is fetched once and imported (nothing was imported before).
        var report = await UploadRosterAsync(admin, "roster.csv", csv, "1 rows read, 1 valid, 0 with problems.");
        Assert.Equal(1, _emulator.State.RequestCount("getFile"));
        await admin.Presses(report, "✅ Import all 1 people", "✅ Roster imported: 1 people (1 new, 0 updated;");
        Assert.Equal(1, _emulator.State.RequestCount("getFile"));
    }
}
