using System.Text;
using System.Text.RegularExpressions;
using MusterBot.Emulator;
using MusterBot.Flows.Admin;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.EndToEnd;

/// <summary>
/// The directory end to end: the administrators' panel (grids, buildings, regions, invitations, roster import), the
/// registrations (invitation, roster and contact, resident), and the refusals (someone else's button, a non-admin,
/// malformed rosters, odd input), through the real host, the production client, the emulator over HTTP and Redis.
/// </summary>
[Collection("redis")]
public sealed partial class DirectoryEndToEndTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const long AdminId = 7_000_000_001;
    private const string GridName = "North Grid";
    private const string BuildingName = "Block 1";
    private const string RegionName = "East Region";
    private const string RosterHeader = "name,phone,grid,region,work_unit,skills,role\n";
    private BotApiEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await BotHost.StartEmulatorAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Admin_CreatesGridBuildingRegionAndInvitation_AndGetsTheLinkWithACode()
    {
        await using var host = await StartHostAsync();
        var admin = Admin();

        var menu = await admin.Says("/admin", "What would you like to manage?");
        var grids = await admin.Presses(menu, "🏘 Grids and buildings", "There are no grids yet.");
        Assert.Equal(menu.MessageId, grids.MessageId); // the panel is edited in place
        await admin.Presses(grids, "➕ New grid", "Please type the name of the new grid:");
        var gridDone = await admin.Says(GridName, $"✅ Grid “{GridName}” created.");
        await admin.Presses(gridDone, "➕ Building", $"Please type the name of the new building in {GridName}:");
        await admin.Says(BuildingName, $"✅ Building “{BuildingName}” created in {GridName}.");

        menu = await admin.Says("/admin", "What would you like to manage?");
        grids = await admin.Presses(menu, "🏘 Grids and buildings", "1 grids; open one to see its buildings:");
        await admin.Presses(grids, GridName, $"Grid: {GridName}\nBuildings: {BuildingName}");

        menu = await admin.Says("/admin", "What would you like to manage?");
        var regions = await admin.Presses(menu, "🗺 Regions and convenors", "There are no regions yet.");
        await admin.Presses(regions, "➕ New region", "Please type the name of the new region:");
        await admin.Says(RegionName, $"✅ Region “{RegionName}” created.");

        var code = await CreateInviteAsync(admin, "member", RegionName);
        Assert.Matches("^[A-Za-z0-9]{10}$", code);

        menu = await admin.Says("/admin", "What would you like to manage?");
        var invites = await admin.Presses(menu, "✉️ Invitations", "Active invitations");
        Assert.Contains($"{code} member, {RegionName}, used 0/1", invites.Text, StringComparison.Ordinal);
        Assert.Contains("https://t.me/muster_test_bot?start=" + code, invites.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Member_JoinsByInvitation_TheCodeIsSingleUse_AndARevokedInvitationIsRefused()
    {
        await using var host = await StartHostAsync();
        var admin = Admin();
        await SetUpDirectoryAsync(admin);
        var code = await CreateInviteAsync(admin, "member", RegionName);

        var ann = NewPerson(101, "Ann");
        await ann.Says("/start " + code, "You are invited to register as member");
        await ann.Sees(0, "Please share your phone number (button below) or type it.");
        await ann.Says("12345", "That does not look like a phone number.");
        await ann.Says("13800138000", "Phone number noted: +8613800138000");
        var grid = await ann.Sees(0, "Which grid do you live in?");
        await ann.Presses(grid, GridName, "Please type your work unit");
        var skills = await ann.Says("City Hospital", "What are your skills?");
        await ann.Toggles(skills, "medical");
        await ann.Toggles(skills, "driving");
        var summary = await ann.Presses(skills, "✅ Done", "Please check your details");
        Assert.Contains("Phone: +8613800138000", summary.Text, StringComparison.Ordinal);
        Assert.Contains($"Grid: {GridName}", summary.Text, StringComparison.Ordinal);
        Assert.Contains($"Region: {RegionName}", summary.Text, StringComparison.Ordinal);
        Assert.Contains("Work unit: City Hospital", summary.Text, StringComparison.Ordinal);
        Assert.Contains("Skills: medical, driving", summary.Text, StringComparison.Ordinal);
        await ann.Presses(summary, "✅ Confirm", "You are registered! Your role: member.");
        var me = await ann.Says("/me", "My profile");
        Assert.Contains("Role: member", me.Text, StringComparison.Ordinal);

        // The single-use code is used up.
        var bob = NewPerson(102, "Bob");
        await bob.Says("/start " + code, "This invitation link is not valid or has expired.");

        // A revoked invitation: refused at /start, and refused at the end for someone who started before the revocation.
        var second = await CreateInviteAsync(admin, "member", RegionName, uses: "10");
        var cleo = NewPerson(103, "Cleo");
        await cleo.Says("/start " + second, "You are invited to register as member");
        await cleo.Says("13700137000", "Phone number noted");
        await RevokeInviteAsync(admin, second);
        await bob.Says("/start " + second, "This invitation link is not valid or has expired.");
        grid = await cleo.Sees(0, "Which grid do you live in?");
        await cleo.Presses(grid, GridName, "Please type your work unit");
        skills = await cleo.Says("Post Office", "What are your skills?");
        summary = await cleo.Presses(skills, "✅ Done", "Please check your details");
        await cleo.Presses(summary, "✅ Confirm", "This invitation link is not valid or has expired.");
        me = await cleo.Says("/me", "My profile");
        Assert.Contains("Role: visitor (not registered)", me.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Convenor_JoinsByAnInvitationForARegion_AndTheAdminsRegionViewNamesThem()
    {
        await using var host = await StartHostAsync();
        var admin = Admin();
        await SetUpDirectoryAsync(admin);
        var code = await CreateInviteAsync(admin, "convenor", RegionName);

        var zhang = NewPerson(201, "Zhang", lastName: "Wei");
        await zhang.Says("/start " + code, "You are invited to register as member, convenor");
        await zhang.Says("13600136000", "Phone number noted");
        var grid = await zhang.Sees(0, "Which grid do you live in?");
        var work = await zhang.Presses(grid, GridName, "Please type your work unit");
        var skills = await zhang.Presses(work, "Skip", "What are your skills?");
        var summary = await zhang.Presses(skills, "✅ Done", "Please check your details");
        Assert.Contains($"Region: {RegionName}", summary.Text, StringComparison.Ordinal);
        var done = await zhang.Presses(summary, "✅ Confirm", "You are registered!");
        Assert.Contains($"You are now the convenor of {RegionName}.", done.Text, StringComparison.Ordinal);
        var me = await zhang.Says("/me", "My profile");
        Assert.Contains("convenor", me.Text, StringComparison.Ordinal);

        var menu = await admin.Says("/admin", "What would you like to manage?");
        var regions = await admin.Presses(menu, "🗺 Regions and convenors", "1 regions:");
        var region = await admin.Presses(regions, RegionName, $"Region: {RegionName}");
        Assert.Contains("Convenor: Zhang Wei +8613600136000", region.Text, StringComparison.Ordinal);
        Assert.Contains("Members: 1", region.Text, StringComparison.Ordinal);

        // A member appointed backup convenor from the region view is told so, and becomes a convenor.
        var member = await CreateInviteAsync(admin, "member", RegionName);
        var ann = NewPerson(202, "Ann");
        await RegisterByInviteAsync(ann, member, "13600136001");
        menu = await admin.Says("/admin", "What would you like to manage?");
        regions = await admin.Presses(menu, "🗺 Regions and convenors", "1 regions:");
        await admin.Presses(regions, RegionName, "Members: 2");
        await admin.Presses(regions, "👥 Appoint backup convenor", $"Choose the backup convenor of {RegionName}:");
        region = await admin.Presses(regions, "Ann", "Backup convenor: Ann +8613600136001");
        Assert.Contains("Convenor: Zhang Wei", region.Text, StringComparison.Ordinal);
        await ann.Sees(0, $"You are appointed backup convenor of {RegionName}.");
        me = await ann.Says("/me", "My profile");
        Assert.Contains("Role: member, convenor", me.Text, StringComparison.Ordinal);

        menu = await admin.Says("/admin", "What would you like to manage?");
        var people = await admin.Presses(menu, "👥 People", "List people by?");
        await admin.Presses(people, "By role", "Choose:");
        var list = await admin.Presses(people, "convenor", "2 people:");
        Assert.Contains($"• Zhang Wei — member, convenor, {GridName}, +8613600136000", list.Text, StringComparison.Ordinal);
        Assert.Contains($"• Ann — member, convenor, {GridName}, +8613600136001", list.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConvenorInvitation_ForARegionThatHasConvenorAndBackup_DoesNotMakeAThirdConvenor()
    {
        await using var host = await StartHostAsync();
        var admin = Admin();
        await SetUpDirectoryAsync(admin);
        var code = await CreateInviteAsync(admin, "convenor", RegionName, uses: "10");

        var first = await RegisterByInviteAsync(NewPerson(211, "First"), code, "13600136011");
        Assert.Contains($"You are now the convenor of {RegionName}.", first.Text, StringComparison.Ordinal);
        var second = await RegisterByInviteAsync(NewPerson(212, "Second"), code, "13600136012");
        Assert.Contains($"You are now the backup convenor of {RegionName}.", second.Text, StringComparison.Ordinal);
        var thirdPerson = NewPerson(213, "Third");
        var third = await RegisterByInviteAsync(thirdPerson, code, "13600136013");

        Assert.Contains("Your role: member.", third.Text, StringComparison.Ordinal);
        Assert.Contains("already has a convenor and a backup convenor", third.Text, StringComparison.Ordinal);
        var me = await thirdPerson.Says("/me", "My profile");
        Assert.Contains("Role: member\n", me.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resident_Registers_GridBuildingSkipPhoneConfirm()
    {
        await using var host = await StartHostAsync();
        var admin = Admin();
        await SetUpDirectoryAsync(admin);

        var li = NewPerson(301, "Li");
        var choose = await li.Says("/start", "To register, choose:");
        var grid = await li.Presses(choose, "🏠 I am a resident: register", "Which grid do you live in?");
        var building = await li.Presses(grid, GridName, $"Which building of {GridName} do you live in?");
        var phone = await li.Presses(building, BuildingName, "or tap “Skip”");
        Assert.Contains("Skip", phone.SentReplyMarkupJson, StringComparison.Ordinal);
        var summary = await li.Says("Skip", "Please check your details");
        Assert.Contains("Role: resident", summary.Text, StringComparison.Ordinal);
        Assert.Contains("Phone: —", summary.Text, StringComparison.Ordinal);
        Assert.Contains($"Building: {BuildingName}", summary.Text, StringComparison.Ordinal);
        await li.Presses(summary, "✅ Confirm", "You are registered! Your role: resident.");
        var me = await li.Says("/me", "My profile");
        Assert.Contains("Role: resident", me.Text, StringComparison.Ordinal);
        await li.Says("/start", "Welcome back, Li!");
    }

    [Fact]
    public async Task Roster_IsImported_AndAMemberOnItRegistersByTheirOwnContact_OthersAreTurnedAway()
    {
        await using var host = await StartHostAsync();
        var admin = Admin();
        await SetUpDirectoryAsync(admin);
        var csv = RosterHeader
            + $"Li Hua,13900139000,{GridName},{RegionName},City Hospital,medical;driving,member\n"
            + $"Wang Fang,139 0013 9001,{GridName},,,,\n";

        var report = await UploadRosterAsync(admin, "roster.csv", Encoding.UTF8.GetBytes(csv), "2 rows read, 2 valid, 0 with problems.");
        await admin.Presses(report, "✅ Import all 2 people", "✅ Roster imported: 2 people (2 new, 0 updated;");

        var hua = NewPerson(401, "Hua");
        var choose = await hua.Says("/start", "To register, choose:");
        var ask = await hua.Presses(choose, "📋 I am a member (on the roster)", "Please tap the button below to share your phone number.");
        Assert.Contains("\"request_contact\":true", ask.SentReplyMarkupJson, StringComparison.Ordinal);
        await hua.Shares("8613900139000", 402, "Please share your own phone number, not someone else's contact.");
        await hua.Shares("8613900139000", hua.Id, "Found you: Li Hua.");

        // Grid, region and work unit come from the roster: the next question is the skills, pre-selected.
        var skills = await hua.Sees(0, "What are your skills?");
        Assert.Contains(_emulator.State.FindMessage(hua.Id, skills.MessageId)!.Buttons, b => b.Text == "☑️ medical");
        var summary = await hua.Presses(skills, "✅ Done", "Please check your details");
        Assert.Contains("Name: Li Hua", summary.Text, StringComparison.Ordinal);
        Assert.Contains("Phone: +8613900139000", summary.Text, StringComparison.Ordinal);
        Assert.Contains($"Grid: {GridName}", summary.Text, StringComparison.Ordinal);
        Assert.Contains($"Region: {RegionName}", summary.Text, StringComparison.Ordinal);
        Assert.Contains("Skills: medical, driving", summary.Text, StringComparison.Ordinal);
        Assert.Contains("Work unit: City Hospital", summary.Text, StringComparison.Ordinal);
        await hua.Presses(summary, "✅ Confirm", "You are registered! Your role: member.");

        // Not on the roster; and a roster phone already taken by another account.
        var stranger = NewPerson(402, "Stranger");
        await AssertNotOnRosterAsync(stranger, "8613500135000");
        choose = await stranger.Says("/start", "To register, choose:");
        await stranger.Presses(choose, "📋 I am a member (on the roster)", "share your phone number");
        await stranger.Shares("+8613900139000", stranger.Id, "This phone number is already registered by another account.");

        // A file with one bad row: importing only the valid rows imports them, and only them.
        var mixed = RosterHeader + $"Zhao Lei,13900139002,{GridName},{RegionName},,,convenor\nNo Phone,,{GridName},,,,\n";
        report = await UploadRosterAsync(admin, "mixed.csv", Encoding.UTF8.GetBytes(mixed), "2 rows read, 1 valid, 1 with problems.");
        Assert.Contains("Line 3: the phone number is missing.", report.Text, StringComparison.Ordinal);
        await admin.Presses(report, "⚠️ Import only the 1 valid rows", "✅ Roster imported: 1 people (1 new, 0 updated;");
        var lei = NewPerson(403, "Lei");
        choose = await lei.Says("/start", "To register, choose:");
        await lei.Presses(choose, "📋 I am a member (on the roster)", "share your phone number");
        await lei.Shares("+8613900139002", lei.Id, "Found you: Zhao Lei.");
        var work = await lei.Sees(0, "Please type your work unit");
        skills = await lei.Presses(work, "Skip", "What are your skills?");
        summary = await lei.Presses(skills, "✅ Done", "Please check your details");
        Assert.Contains("Role: member, convenor", summary.Text, StringComparison.Ordinal);
        var done = await lei.Presses(summary, "✅ Confirm", "You are registered! Your role: member, convenor.");
        Assert.Contains($"You are now the convenor of {RegionName}.", done.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedRosters_AreReportedRowByRow_OrAsAFileProblem_AndNothingIsImported()
    {
        await using var host = await StartHostAsync();
        var admin = Admin();
        await SetUpDirectoryAsync(admin);
        var valid = $"Valid One,13900139011,{GridName},{RegionName},,,\n";

        // Row-level problems: the report names the lines; cancelling imports nothing.
        var badPhone = await UploadRosterAsync(admin, "bad-phone.csv", Encoding.UTF8.GetBytes(RosterHeader + valid + $"Bad Phone,12345,{GridName},,,,\n"), "2 rows read, 1 valid, 1 with problems.");
        Assert.Contains("Line 3: the phone number “12345” is not valid.", badPhone.Text, StringComparison.Ordinal);
        await admin.Presses(badPhone, "Cancel", "Import cancelled; nothing was changed.");

        var unknownGrid = await UploadRosterAsync(admin, "unknown-grid.csv", Encoding.UTF8.GetBytes(RosterHeader + $"No Grid,13900139012,Nowhere,,,,\n" + valid), "2 rows read, 1 valid, 1 with problems.");
        Assert.Contains("Line 2: there is no grid called “Nowhere”.", unknownGrid.Text, StringComparison.Ordinal);
        await admin.Presses(unknownGrid, "Cancel", "Import cancelled; nothing was changed.");

        var duplicates = await UploadRosterAsync(admin, "duplicates.csv", Encoding.UTF8.GetBytes(RosterHeader + valid + valid + valid), "3 rows read, 1 valid, 2 with problems.");
        Assert.Contains("Line 3: same phone number as line 2.", duplicates.Text, StringComparison.Ordinal);
        Assert.Contains("Line 4: same phone number as line 2.", duplicates.Text, StringComparison.Ordinal);
        Assert.Contains(_emulator.State.FindMessage(admin.Id, duplicates.MessageId)!.Buttons, b => b.Text == "⚠️ Import only the 1 valid rows");
        await admin.Presses(duplicates, "Cancel", "Import cancelled; nothing was changed.");

        var allBad = await UploadRosterAsync(admin, "all-bad.csv", Encoding.UTF8.GetBytes(RosterHeader + $"Bad,1390013901,{GridName},,,,\n"), "Nobody was imported.");
        Assert.Contains("Line 2: the phone number “1390013901” is not valid.", allBad.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(allBad.Buttons, b => b.CallbackData == AdminButton.Codec.Encode(new AdminButton.ImportRoster()));

        // File-level problems: one line, no rows, nothing to confirm.
        byte[] gbk = [.. Encoding.ASCII.GetBytes(RosterHeader), 0xD5, 0xC5, 0xC8, 0xFD, .. Encoding.ASCII.GetBytes($",13900139013,{GridName},,,,\n")];
        var notUtf8 = await UploadRosterAsync(admin, "gbk.csv", gbk, "Nobody was imported.");
        Assert.Contains("The file is not UTF-8 encoded (from line 2).", notUtf8.Text, StringComparison.Ordinal);
        var empty = await UploadRosterAsync(admin, "empty.csv", [], "Nobody was imported.");
        Assert.Contains("The file is empty.", empty.Text, StringComparison.Ordinal);
        var big = new StringBuilder(RosterHeader);
        for (var i = 0; big.Length < 10 * 1024 * 1024; i++)
        {
            big.Append("Person ").Append(i).Append(",13900139014,").Append(GridName).Append(",,,,\n");
        }

        var tooLarge = await UploadRosterAsync(admin, "huge.csv", Encoding.UTF8.GetBytes(big.ToString()), "Nobody was imported.");
        Assert.Contains("The file is too large (at most 8 MB).", tooLarge.Text, StringComparison.Ordinal);

        var checker = NewPerson(601, "Checker");
        foreach (var phone in new[] { "8613900139011", "8613900139012", "8613900139013", "8613900139014" })
        {
            await AssertNotOnRosterAsync(checker, phone);
        }
    }

    [Fact]
    public async Task ButtonOfAnotherPersonsChat_IsRefused_AndTheirConversationIsUnchanged()
    {
        await using var host = await StartHostAsync();
        var admin = Admin();
        await SetUpDirectoryAsync(admin);
        var ann = NewPerson(701, "Ann");
        var bob = NewPerson(702, "Bob");

        var choose = await ann.Says("/start", "To register, choose:");
        var grid = await ann.Presses(choose, "🏠 I am a resident: register", "Which grid do you live in?");
        var data = grid.FindCallbackData(GridName)!;
        var annMessages = _emulator.Messages(ann.Id).Count;

        var query = _emulator.PressButton(bob.Id, ann.Id, grid.MessageId, data);
        await _emulator.WaitForAsync(() => _emulator.CallbackAnswers(query).Count == 1, Wait);
        var answer = _emulator.CallbackAnswers(query)[0];
        Assert.Equal("This button is not for you.", answer.Text);
        Assert.True(answer.ShowAlert);

        // Ann is still at the grid question; her press works as before, and Bob got nothing and is not registered.
        await ann.Presses(grid, GridName, $"Which building of {GridName} do you live in?");
        Assert.Equal(annMessages + 1, _emulator.Messages(ann.Id).Count);
        Assert.Equal(1, _emulator.State.FindMessage(ann.Id, grid.MessageId)!.EditCount);
        Assert.Empty(_emulator.Messages(bob.Id));
        var me = await bob.Says("/me", "My profile");
        Assert.Contains("Role: visitor (not registered)", me.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonAdmin_IsRefusedTheCommandAndForgedAdminButtons_AndNothingIsCreated()
    {
        await using var host = await StartHostAsync();
        var admin = Admin();
        var eve = NewPerson(801, "Eve");

        await eve.Says("/admin", "Sorry, only administrator can use this.");
        var query = _emulator.PressButton(eve.Id, eve.Id, 1, AdminButton.Codec.Encode(new AdminButton.NewGrid()));
        await _emulator.WaitForAsync(() => _emulator.CallbackAnswers(query).Count == 1, Wait);
        Assert.Equal("Sorry, only administrator can use this.", _emulator.CallbackAnswers(query)[0].Text);
        await eve.Says("Evil Grid", "Sorry, I did not understand.");

        var menu = await admin.Says("/admin", "What would you like to manage?");
        await admin.Presses(menu, "🏘 Grids and buildings", "There are no grids yet.");
    }

    [Fact]
    public async Task OddInput_TextForAButton_Back_AndCancel_EachGetAKindAnswer()
    {
        await using var host = await StartHostAsync();
        var admin = Admin();
        await SetUpDirectoryAsync(admin);
        var li = NewPerson(901, "Li");

        var choose = await li.Says("/start", "To register, choose:");
        var grid = await li.Presses(choose, "🏠 I am a resident: register", "Which grid do you live in?");
        await li.Says("the north one", "Please tap one of the buttons above, or send /cancel.");
        var building = await li.Presses(grid, GridName, "Which building");
        var again = await li.Presses(building, "⬅️ Back", "Which grid do you live in?");
        Assert.NotEqual(grid.MessageId, again.MessageId);
        building = await li.Presses(again, GridName, "Which building");
        await li.Presses(building, BuildingName, "or tap “Skip”");
        await li.Says("⬅️ Back", "Which building"); // the reply keyboard's Back, typed as its label

        await li.Says("/cancel", "Cancelled.");
        await li.Says("/cancel", "There is nothing to cancel.");
        choose = await li.Says("/start", "To register, choose:");
        await li.Presses(choose, "🏠 I am a resident: register", "Which grid do you live in?");

        // The admin panel: a name already taken is refused with a hint; /cancel leaves the step.
        var menu = await admin.Says("/admin", "What would you like to manage?");
        var grids = await admin.Presses(menu, "🏘 Grids and buildings", "1 grids");
        await admin.Presses(grids, "➕ New grid", "Please type the name of the new grid:");
        await admin.Says(GridName.ToUpperInvariant(), "already exists");
        await admin.Says("/cancel", "Cancelled.");
        await admin.Says("South Grid", "Sorry, I did not understand.");
    }

    [Fact]
    public async Task Restart_InTheMiddleOfRegistration_ContinuesWhereThePersonWas()
    {
        var settings = Settings(keyPrefix: $"e2edir{Guid.NewGuid():N}:");
        var admin = Admin();
        var ann = NewPerson(1001, "Ann");
        var first = await BotHost.StartAsync(_emulator, redis.ConnectionString, settings);
        try
        {
            await SetUpDirectoryAsync(admin);
            var code = await CreateInviteAsync(admin, "member", RegionName);
            await ann.Says("/start " + code, "You are invited to register as member");
            await ann.Says("13800138000", "Phone number noted");
            var grid = await ann.Sees(0, "Which grid do you live in?");
            await ann.Presses(grid, GridName, "Please type your work unit");
        }
        finally
        {
            await first.DisposeAsync();
        }

        await using var second = await BotHost.StartAsync(_emulator, redis.ConnectionString, settings);
        var skills = await ann.Says("City Hospital", "What are your skills?");
        await ann.Toggles(skills, "rescue");
        var summary = await ann.Presses(skills, "✅ Done", "Please check your details");
        Assert.Contains($"Grid: {GridName}", summary.Text, StringComparison.Ordinal);
        Assert.Contains("Work unit: City Hospital", summary.Text, StringComparison.Ordinal);
        Assert.Contains("Skills: rescue", summary.Text, StringComparison.Ordinal);
        await ann.Presses(summary, "✅ Confirm", "You are registered! Your role: member.");
    }

    private Task<BotHost> StartHostAsync() => BotHost.StartAsync(_emulator, redis.ConnectionString, Settings());

    /// <summary>The administrator, and a flood limit above the pace of a scripted administrator (30 updates in 10 s by default).</summary>
    private static Dictionary<string, string?> Settings(string? keyPrefix = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["MusterBot:Admins:0"] = AdminId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Intake:FloodLimit"] = "1000",
        };
        if (keyPrefix is not null)
        {
            settings["Redis:KeyPrefix"] = keyPrefix;
        }

        return settings;
    }

    private Person Admin() => _emulator.State.Users.Any(u => u.Id == AdminId) ? new Person(_emulator, AdminId) : NewPerson(AdminId, "Admin");

    private Person NewPerson(long id, string firstName, string? lastName = null)
    {
        _emulator.CreateUser(id, firstName, "en", lastName);
        return new Person(_emulator, id);
    }

    /// <summary>A grid with one building, and a region, made through the panel.</summary>
    private static async Task SetUpDirectoryAsync(Person admin)
    {
        var menu = await admin.Says("/admin", "What would you like to manage?");
        var grids = await admin.Presses(menu, "🏘 Grids and buildings", "grids");
        await admin.Presses(grids, "➕ New grid", "Please type the name of the new grid:");
        var gridDone = await admin.Says(GridName, "created.");
        await admin.Presses(gridDone, "➕ Building", "Please type the name of the new building");
        await admin.Says(BuildingName, "created in");
        menu = await admin.Says("/admin", "What would you like to manage?");
        var regions = await admin.Presses(menu, "🗺 Regions and convenors", "regions");
        await admin.Presses(regions, "➕ New region", "Please type the name of the new region:");
        await admin.Says(RegionName, "created.");
    }

    private static async Task<string> CreateInviteAsync(Person admin, string role, string region, string uses = "1")
    {
        var menu = await admin.Says("/admin", "What would you like to manage?");
        var invites = await admin.Presses(menu, "✉️ Invitations", "Active invitations");
        await admin.Presses(invites, "➕ New invitation", "what will the invited person register as?");
        await admin.Presses(invites, role, "Bind it to which region?");
        await admin.Presses(invites, region, "How many times can the link be used?");
        await admin.Presses(invites, uses, "When should it expire?");
        var created = await admin.Presses(invites, "7 days", "Invitation created");
        Assert.Contains("Send this link to the invited person:", created.Text, StringComparison.Ordinal);
        var match = InviteLink().Match(created.Text!);
        Assert.True(match.Success, created.Text);
        return match.Groups[1].Value;
    }

    /// <summary>Registers with a member or convenor invitation: phone, grid, no work unit, no skills, confirm; returns the final message.</summary>
    private static async Task<EmulatedMessage> RegisterByInviteAsync(Person person, string code, string phone)
    {
        await person.Says("/start " + code, "You are invited to register");
        await person.Says(phone, "Phone number noted");
        var grid = await person.Sees(0, "Which grid do you live in?");
        var work = await person.Presses(grid, GridName, "Please type your work unit");
        var skills = await person.Presses(work, "Skip", "What are your skills?");
        var summary = await person.Presses(skills, "✅ Done", "Please check your details");
        return await person.Presses(summary, "✅ Confirm", "You are registered!");
    }

    private static async Task RevokeInviteAsync(Person admin, string code)
    {
        var menu = await admin.Says("/admin", "What would you like to manage?");
        var invites = await admin.Presses(menu, "✉️ Invitations", "Active invitations");
        await admin.Presses(invites, "Revoke " + code, $"Invitation {code} is revoked.");
        invites = await admin.Says("/admin", "What would you like to manage?");
        invites = await admin.Presses(invites, "✉️ Invitations", "Active invitations");
        Assert.DoesNotContain(code, invites.Text, StringComparison.Ordinal);
    }

    private static async Task<EmulatedMessage> UploadRosterAsync(Person admin, string fileName, byte[] content, string expected)
    {
        var menu = await admin.Says("/admin", "What would you like to manage?");
        await admin.Presses(menu, "📋 Import roster", "Please send the roster as a CSV file");
        return await admin.Uploads(fileName, content, expected);
    }

    private static async Task AssertNotOnRosterAsync(Person person, string phone)
    {
        var choose = await person.Says("/start", "To register, choose:");
        await person.Presses(choose, "📋 I am a member (on the roster)", "share your phone number");
        await person.Shares(phone, person.Id, "This phone number is not on the member roster.");
    }

    [GeneratedRegex(@"https://t\.me/muster_test_bot\?start=([A-Za-z0-9_-]+)")]
    private static partial Regex InviteLink();

    /// <summary>A simulated person: every action waits (bounded) for a bot message, new or edited after it, containing the expected text.</summary>
    private sealed class Person(BotApiEmulator emulator, long id)
    {
        public long Id => id;

        public Task<EmulatedMessage> Says(string text, string expected)
        {
            var since = emulator.State.Version;
            emulator.SendText(id, text);
            return Sees(since, expected);
        }

        public Task<EmulatedMessage> Presses(EmulatedMessage message, string button, string expected)
        {
            var since = emulator.State.Version;
            var query = emulator.PressButtonByText(id, message.MessageId, button);
            return SeesAnswered(since, expected, query);
        }

        public Task<EmulatedMessage> Shares(string phone, long? owner, string expected)
        {
            var since = emulator.State.Version;
            emulator.ShareContact(id, phone, owner);
            return Sees(since, expected);
        }

        public Task<EmulatedMessage> Uploads(string fileName, byte[] content, string expected)
        {
            var since = emulator.State.Version;
            emulator.UploadDocument(id, fileName, content, "text/csv");
            return Sees(since, expected);
        }

        /// <summary>Toggles a skill on the skills keyboard and waits for its mark to flip.</summary>
        public async Task Toggles(EmulatedMessage skills, string skill)
        {
            var query = emulator.PressButtonByText(id, skills.MessageId, "⬜ " + skill);
            await emulator.WaitForAsync(() => emulator.State.FindMessage(id, skills.MessageId)!.Buttons.Any(b => b.Text == "☑️ " + skill), Wait);
            await emulator.WaitForAsync(() => emulator.CallbackAnswers(query).Count == 1, Wait);
        }

        public Task<EmulatedMessage> Sees(long since, string expected) =>
            emulator.WaitForMessageAsync(id, m => m.Version > since && m.Text?.Contains(expected, StringComparison.Ordinal) == true, Wait);

        private async Task<EmulatedMessage> SeesAnswered(long since, string expected, string query)
        {
            var message = await Sees(since, expected);
            await emulator.WaitForAsync(() => emulator.CallbackAnswers(query).Count >= 1, Wait);
            return message;
        }
    }
}
