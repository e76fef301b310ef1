using System.Text;
using MusterBot.Flows.Admin;
using MusterBot.Flows.Profile;
using MusterBot.Flows.Events;
using MusterBot.Flows.Registration;
using MusterBot.Flows.Session;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Issue #13: nobody picks the region they will lead; /me cannot undo what an invitation, the roster or a verified contact fixed.</summary>
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
        Assert.Equal(["+8613900139000"], await h.Store.GetSetMembersAsync(Sets.Roster, FlowHarness.Community, CancellationToken.None));
    }

    [Fact]
    public async Task Roster_HandlerEntryWithoutGrid_JoinsAsAMember_AndHandlesNoGridTheyPicked()
    {
        var h = NewHarness();
        await SetUpAsync(h);

        // An entry imported before the roster refused such rows.
        var entry = new RosterEntry("+8613800138000", "Ann Li", Roles.Handler) { RegionId = "r1" };
        Assert.Equal(CommitStatus.Committed, (await h.Store.SeedCommunityAsync(new Commit
        {
            Writes = [new DocWrite(DocKeys.Roster(entry.Phone), RecordJson.Serialize(entry), null)],
            SetChanges = [new SetChange(Sets.Roster, entry.Phone, Add: true)],
        }, CancellationToken.None)).Status);

        await h.Command(Ann, "start");
        await h.Press(Ann, MainFlow.RegisterRoster);
        await h.Event(new ContactShared(Ann, Ann.Id, 61, "8613800138000", Ann.Id));
        for (var i = 0; i < 8 && (await h.ConversationAsync(Ann.Id))?.Step is { } step && step != "Idle"; i++)
        {
            await (step switch
            {
                "ChoosingGrid" => h.Press(Ann, R(new RegistrationButton.PickGrid("g1"))),
                "ChoosingSkills" => h.Press(Ann, R(new RegistrationButton.SkillsDone())),
                "Confirming" => h.Press(Ann, R(new RegistrationButton.Confirm())),
                _ => h.Press(Ann, R(new RegistrationButton.Skip())),
            });
        }

        await h.DrainAsync();
        var profile = (await h.ProfileAsync(Ann.Id))!;
        Assert.False(profile.Roles.HasFlag(Roles.Handler), $"joined as {profile.Roles}");
        Assert.True(profile.Roles.HasFlag(Roles.Member));
    }

    [Fact]
    public async Task Roster_ConvenorEntryWithoutRegion_JoinsAsAMember_AndLeadsNoRegionTheyPicked()
    {
        var h = NewHarness();
        await SetUpAsync(h);

        // An entry imported before the roster refused such rows.
        var entry = new RosterEntry("+8613800138000", "Ann Li", Roles.Convenor) { GridId = "g1" };
        Assert.Equal(CommitStatus.Committed, (await h.Store.SeedCommunityAsync(new Commit
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
        var region = RecordJson.Deserialize<Region>((await h.Store.GetAsync(DocKeys.Region("r1").Bind(FlowHarness.Community), CancellationToken.None))!.Json);
        Assert.Equal(((long?)null, (long?)null), (region.ConvenorId, region.BackupConvenorId));
    }
    [Fact]
    public async Task MeEdit_OfARosterMember_KeepsPhoneGridRegionAndWorkUnitFixed_AndShowsThemLocked()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Press(Admin, A(new AdminButton.NewGrid()));
        await h.Text(Admin, "South");
        var csv = "name,phone,grid,region,work_unit,skills,role\nAnn Li,13800138000,North,Port,Clinic,,党员\n";
        await h.Press(Admin, A(new AdminButton.Roster()));
        await h.Event(new DocumentReceived(Admin, Admin.Id, 50, "f1", "roster.csv", csv.Length, "text/csv") { Content = Encoding.UTF8.GetBytes(csv) });
        await h.Press(Admin, A(new AdminButton.ImportRoster()));
        await h.Command(Ann, "start");
        await h.Press(Ann, MainFlow.RegisterRoster);
        await h.Event(new ContactShared(Ann, Ann.Id, 61, "8613800138000", Ann.Id));
        await h.Press(Ann, R(new RegistrationButton.SkillsDone()));
        await h.Press(Ann, R(new RegistrationButton.Confirm()));
        var registered = (await h.ProfileAsync(Ann.Id))!;
        Assert.Equal(ProfileFields.Phone | ProfileFields.Grid | ProfileFields.Region | ProfileFields.WorkUnit, registered.Fixed);
        await h.DrainAsync();

        await h.Command(Ann, "me");
        var card = await LastTextAsync(h);
        Assert.Contains("Grid: North \U0001F512", card, StringComparison.Ordinal);
        Assert.Contains("please contact an administrator to change them", card, StringComparison.Ordinal);

        // Editing goes straight to the skills: the fixed fields are not asked, and a forged answer to them is stale.
        await h.Press(Ann, P(new ProfileButton.Edit()));
        Assert.Equal("ChoosingSkills", (await h.ConversationAsync(Ann.Id))!.Step);
        await h.DrainAsync();
        await h.Press(Ann, R(new RegistrationButton.PickGrid("g2")));
        await h.Press(Ann, R(new RegistrationButton.PickRegion("r1")));
        await h.Press(Ann, R(new RegistrationButton.Back()));
        Assert.Equal("ChoosingSkills", (await h.ConversationAsync(Ann.Id))!.Step);
        await h.Press(Ann, R(new RegistrationButton.SkillsDone()));
        var summary = await LastTextAsync(h);
        Assert.Contains("Phone: +8613800138000 \U0001F512", summary, StringComparison.Ordinal);
        Assert.Contains("Work unit: Clinic \U0001F512", summary, StringComparison.Ordinal);
        Assert.Contains("Items marked \U0001F512 were set by the community; please contact an administrator to change them.", summary, StringComparison.Ordinal);
        await h.Press(Ann, R(new RegistrationButton.Confirm()));

        var edited = (await h.ProfileAsync(Ann.Id))!;
        Assert.Equal((registered.Phone, registered.GridId, registered.RegionId, registered.WorkUnit, registered.Fixed), (edited.Phone, edited.GridId, edited.RegionId, edited.WorkUnit, edited.Fixed));
    }

    [Fact]
    public async Task MeEdit_OfAMemberInvitedForARegion_DoesNotAskTheRegion_ButTheFreeFieldsStayEditable()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        var code = await CreateInviteAsync(h, Roles.Member, new AdminButton.InviteRegion("r1"));
        await h.Command(Ann, "start", code);
        await h.Text(Ann, "138 0013 8000");
        await h.Press(Ann, R(new RegistrationButton.PickGrid("g1")));
        await h.Text(Ann, "City Hospital");
        await h.Press(Ann, R(new RegistrationButton.SkillsDone()));
        await h.Press(Ann, R(new RegistrationButton.Confirm()));
        Assert.Equal(ProfileFields.Region, (await h.ProfileAsync(Ann.Id))!.Fixed);

        await h.Press(Ann, P(new ProfileButton.Edit()));
        Assert.Equal("AskingPhone", (await h.ConversationAsync(Ann.Id))!.Step);
        await h.Text(Ann, "139 0013 9000");
        await h.Press(Ann, R(new RegistrationButton.PickGrid("g1")));
        Assert.Equal("AskingWorkUnit", (await h.ConversationAsync(Ann.Id))!.Step);
        await h.Press(Ann, R(new RegistrationButton.PickRegion("r1")));
        await h.Text(Ann, "Town Hall");
        await h.Press(Ann, R(new RegistrationButton.SkillsDone()));
        await h.Press(Ann, R(new RegistrationButton.Confirm()));
        var edited = (await h.ProfileAsync(Ann.Id))!;
        Assert.Equal(("+8613900139000", "r1", "Town Hall", ProfileFields.Region), (edited.Phone, edited.RegionId, edited.WorkUnit, edited.Fixed));
    }

    [Fact]
    public async Task MeEdit_AfterThePhoneWasVerifiedByASharedContact_DoesNotAskThePhoneAgain()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Command(Ann, "start");
        await h.Press(Ann, MainFlow.RegisterResident);
        await h.Press(Ann, R(new RegistrationButton.PickGrid("g1")));
        await h.Press(Ann, R(new RegistrationButton.Skip()));
        await h.Event(new ContactShared(Ann, Ann.Id, 70, "8613800138000", Ann.Id));
        await h.Press(Ann, R(new RegistrationButton.Confirm()));
        var registered = (await h.ProfileAsync(Ann.Id))!;
        Assert.Equal(("+8613800138000", ProfileFields.Phone), (registered.Phone, registered.Fixed));

        await h.Press(Ann, P(new ProfileButton.Edit()));
        Assert.Equal("ChoosingGrid", (await h.ConversationAsync(Ann.Id))!.Step);
        await h.Press(Ann, R(new RegistrationButton.PickGrid("g1")));
        await h.Press(Ann, R(new RegistrationButton.Skip()));
        Assert.Equal("Confirming", (await h.ConversationAsync(Ann.Id))!.Step);
        await h.Text(Ann, "13900139000");
        await h.Press(Ann, R(new RegistrationButton.Confirm()));
        Assert.Equal("+8613800138000", (await h.ProfileAsync(Ann.Id))!.Phone);
    }
}
