using System.Text;
using MusterBot.Flows.Admin;
using MusterBot.Flows.Events;
using MusterBot.Flows.Registration;
using MusterBot.Flows.Session;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;

namespace MusterBot.Tests.Flows;

/// <summary>Issue #13: nobody picks the region they will lead.</summary>
public partial class DirectoryFlowTests
{
    [Fact]
    public async Task Roster_ConvenorWithoutRegion_IsRefusedWithTheReason_AndNotImported()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        var csv = "name,phone,grid,region,work_unit,skills,role\nAnn Li,13800138000,North,,,,召集人\nBob,13900139000,North,Port,,,convenor\n";
        await h.Press(Admin, A(new AdminButton.Roster()));
        await h.Event(new DocumentReceived(Admin, Admin.Id, 50, "f1", "roster.csv", csv.Length, "text/csv") { Content = Encoding.UTF8.GetBytes(csv) });
        var report = await LastTextAsync(h);
        Assert.Contains("1 valid", report, StringComparison.Ordinal);
        Assert.Contains("Line 2: a convenor needs a region (the region they will lead).", report, StringComparison.Ordinal);

        await h.Press(Admin, A(new AdminButton.ImportRoster()));
        await h.DrainAsync();
        Assert.Equal(["+8613900139000"], await h.Store.GetSetMembersAsync(Sets.Roster, CancellationToken.None));
    }

    [Fact]
    public async Task Roster_ConvenorEntryWithoutRegion_JoinsAsAMember_AndLeadsNoRegionTheyPicked()
    {
        var h = NewHarness();
        await SetUpAsync(h);

        // An entry imported before the roster refused such rows.
        var entry = new RosterEntry("+8613800138000", "Ann Li", Roles.Convenor) { GridId = "g1" };
        Assert.Equal(CommitStatus.Committed, (await h.Store.CommitAsync(new Commit
        {
            Writes = [new DocWrite(DocKeys.Roster(entry.Phone), RecordJson.Serialize(entry), null)],
            SetChanges = [new SetChange(Sets.Roster, entry.Phone, Add: true)],
        }, CancellationToken.None)).Status);

        await h.Command(Ann, "start");
        await h.Press(Ann, MainFlow.RegisterRoster);
        await h.Event(new ContactShared(Ann, Ann.Id, 61, "8613800138000", Ann.Id));
        Assert.Equal("ChoosingRegion", (await h.ConversationAsync(Ann.Id))!.Step);
        await h.Press(Ann, R(new RegistrationButton.PickRegion("r1")));
        await h.Press(Ann, R(new RegistrationButton.Skip()));
        await h.Press(Ann, R(new RegistrationButton.SkillsDone()));
        await h.Press(Ann, R(new RegistrationButton.Confirm()));
        await h.DrainAsync();

        var profile = (await h.ProfileAsync(Ann.Id))!;
        Assert.Equal((Roles.Member, "r1"), (profile.Roles, profile.RegionId));
        var region = RecordJson.Deserialize<Region>((await h.Store.GetAsync(DocKeys.Region("r1"), CancellationToken.None))!.Json);
        Assert.Equal(((long?)null, (long?)null), (region.ConvenorId, region.BackupConvenorId));
    }
}
