using MusterBot.Flows.Complaints;
using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Registration;
using MusterBot.Flows.Session;
using MusterBot.Flows.Wishes;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Musters;
using MusterBot.State.Records.Org;
using MusterBot.State.Records.Wishes;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>
/// Communities are tenants (issue #15): a person joins one (by invitation, the only one, their choice or the roster),
/// its records are numbered and kept apart, and one community's staff never see or change another's.
/// Community A is node 4 of the default tree (street 3 "East Street"); community B is node 5 on street 6 "West Street".
/// Administrator 1 (Boss) lives in A, administrator 2 (Dana) in B; resident Rita in A, resident Ray in B; Uma is new.
/// </summary>
public sealed class TenancyTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private const long A = DefaultTree.CommunityId;
    private const long B = 5;
    private const long WestStreet = 6;

    private static readonly Sender BossA = FlowHarness.Person(1, "en", "Boss");
    private static readonly Sender DanaB = FlowHarness.Person(2, "en", "Dana");
    private static readonly Sender Rita = FlowHarness.Person(500, "en", "Rita");
    private static readonly Sender Ray = FlowHarness.Person(501, "en", "Ray");
    private static readonly Sender Uma = FlowHarness.Person(600, "en", "Uma");

    private static FlowHarness NewHarness() => new(null, BossA.Id, DanaB.Id);

    private static string R(RegistrationButton b) => RegistrationButton.Codec.Encode(b);

    /// <summary>Adds street 6 under the district and community 5 under it (the default tree has 3 → 4).</summary>
    private static async Task AddSecondCommunityAsync(FlowHarness h)
    {
        var now = h.Clock.GetUtcNow();
        var district = RecordJson.Deserialize<OrgNode>((await h.Store.GetAsync(DocKeys.OrgNode(DefaultTree.DistrictId), Ct))!.Json);
        var street = RecordJson.Deserialize<OrgNode>((await h.Store.GetAsync(DocKeys.OrgNode(DefaultTree.StreetId), Ct))!.Json);
        var community = RecordJson.Deserialize<OrgNode>((await h.Store.GetAsync(DocKeys.OrgNode(A), Ct))!.Json);
        OrgNode[] nodes =
        [
            district with { Children = [DefaultTree.StreetId, WestStreet] },
            street with { Name = "East Street" },
            community with { Name = "Lotus" },
            new OrgNode(WestStreet, OrgLevel.Street, DefaultTree.DistrictId, "West Street") { Path = [DefaultTree.CityId, DefaultTree.DistrictId], Children = [B], CreatedAt = now },
            new OrgNode(B, OrgLevel.Community, WestStreet, "Willow") { Path = [DefaultTree.CityId, DefaultTree.DistrictId, WestStreet], CreatedAt = now },
        ];
        var result = await h.Store.CommitAsync(new Commit { Writes = [.. nodes.Select(n => new DocWrite(DocKeys.OrgNode(n.Id), RecordJson.Serialize(n), null))] }, Ct);
        Assert.Equal(CommitStatus.Committed, result.Status);
    }

    /// <summary>Each community: grid g1 (same id, its own name), its administrator and its resident.</summary>
    private static async Task SeedBothAsync(FlowHarness h)
    {
        await AddSecondCommunityAsync(h);
        var now = h.Clock.GetUtcNow();
        foreach (var (community, gridName, admin, resident) in new[] { (A, "North", BossA, Rita), (B, "Hill", DanaB, Ray) })
        {
            var writes = new List<DocWrite>();
            var sets = new List<SetChange> { new(Sets.Grids, "g1", Add: true) };
            writes.Add(new DocWrite(DocKeys.Grid("g1"), RecordJson.Serialize(new Grid("g1", gridName)), null));
            foreach (var (who, roles) in new[] { (admin, Roles.Admin), (resident, Roles.Resident) })
            {
                var profile = new UserProfile(who.Id, who.Id, who.FirstName)
                {
                    Language = Language.En,
                    LanguageChosen = true,
                    Roles = roles,
                    RegisteredAt = now,
                    FirstSeenAt = now,
                    GridId = "g1",
                };
                writes.Add(new DocWrite(DocKeys.User(who.Id), RecordJson.Serialize(profile), null));
                sets.AddRange(MusterBot.Flows.Directory.PeopleIndex.Changes(null, profile));
            }

            Assert.Equal(CommitStatus.Committed, (await h.Store.SeedCommunityInAsync(new Commit { Writes = writes, SetChanges = sets }, community, Ct)).Status);
        }
    }

    private static async Task<T?> GetAsync<T>(FlowHarness h, DocKey key, long shard)
        where T : class
    {
        var doc = await h.Store.GetAsync(key.Bind(shard), Ct);
        return doc is null ? null : RecordJson.Deserialize<T>(doc.Json);
    }

    private static IEnumerable<string> TextsTo(IEnumerable<OutboxMessage> messages, Sender who) =>
        messages.Where(m => m.ChatId == who.Id).Select(m => m.Action switch
        {
            SendText s => s.Html,
            EditText e => e.Html,
            AnswerCallback a => a.Text ?? string.Empty,
            _ => string.Empty,
        });

    private static IEnumerable<string> Buttons(IEnumerable<OutboxMessage> messages) =>
        messages.SelectMany(m => m.Action switch
        {
            SendText { Markup: InlineMarkup k } => k.Rows.SelectMany(r => r).Select(b => b.CallbackData ?? string.Empty),
            EditText { Markup: InlineMarkup k } => k.Rows.SelectMany(r => r).Select(b => b.CallbackData ?? string.Empty),
            _ => [],
        });

    /// <summary>Answers a resident's registration questions in the community the person was placed in: grid g1, no phone, confirm.</summary>
    private static async Task RegisterAsResidentAsync(FlowHarness h, Sender who)
    {
        await h.Press(who, R(new RegistrationButton.PickGrid("g1")));
        await h.Press(who, R(new RegistrationButton.Skip()));
        await h.Press(who, R(new RegistrationButton.Confirm()));
    }

    [Fact]
    public async Task Registration_WithOneCommunity_JoinsIt_AndItsRecordsLiveThere()
    {
        var h = NewHarness();
        await h.Store.SeedCommunityAsync(new Commit { Writes = [new DocWrite(DocKeys.Grid("g1"), RecordJson.Serialize(new Grid("g1", "North")), null)], SetChanges = [new(Sets.Grids, "g1", Add: true)] }, Ct);

        await h.Command(Uma, "start");
        Assert.Equal(Shards.Root, await h.HomeOfAsync(Uma.Id));
        await h.Press(Uma, MainFlow.RegisterResident);
        var asked = await h.DrainAsync();
        Assert.Contains(TextsTo(asked, Uma), t => t.Contains("grid", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(R(new RegistrationButton.PickGrid("g1")), Buttons(asked));
        Assert.Equal(A, await h.HomeOfAsync(Uma.Id));

        await RegisterAsResidentAsync(h, Uma);
        Assert.Contains(TextsTo(await h.DrainAsync(), Uma), t => t.Contains("You are registered", StringComparison.Ordinal));
        var profile = (await h.ProfileAsync(Uma.Id))!;
        Assert.Equal((Roles.Resident, "g1"), (profile.Roles, profile.GridId));
        Assert.Contains(Sets.Member(Uma.Id), await h.Store.GetSetMembersAsync(Sets.People, A, Ct));
        Assert.Null(await h.Store.GetAsync(DocKeys.User(Uma.Id).In(Shards.Root), Ct));
        Assert.Empty(await h.Store.GetSetMembersAsync(Sets.People, Shards.Root, Ct));
    }

    [Fact]
    public async Task Registration_WithTwoCommunities_AsksTheStreetThenTheCommunity_AndJoinsTheChosenOne()
    {
        var h = NewHarness();
        await SeedBothAsync(h);

        await h.Command(Uma, "start");
        await h.Press(Uma, MainFlow.RegisterResident);
        var streets = await h.DrainAsync();
        Assert.Contains(TextsTo(streets, Uma), t => t.Contains("Which street", StringComparison.Ordinal));
        Assert.Equal([R(new RegistrationButton.Street(DefaultTree.StreetId, 0)), R(new RegistrationButton.Street(WestStreet, 0)), R(new RegistrationButton.Cancel())], Buttons(streets).Where(b => b.StartsWith("r:", StringComparison.Ordinal)));
        Assert.Equal(Shards.Root, await h.HomeOfAsync(Uma.Id));

        await h.Press(Uma, R(new RegistrationButton.Street(WestStreet, 0)));
        var communities = await h.DrainAsync();
        Assert.Contains(TextsTo(communities, Uma), t => t.Contains("Which community", StringComparison.Ordinal) && t.Contains("West Street", StringComparison.Ordinal));
        Assert.Contains(R(new RegistrationButton.PickCommunity(B)), Buttons(communities));
        Assert.DoesNotContain(R(new RegistrationButton.PickCommunity(A)), Buttons(communities));

        // A forged choice of a node that is not a community changes nothing.
        await h.Press(Uma, R(new RegistrationButton.PickCommunity(WestStreet)));
        Assert.Contains(TextsTo(await h.DrainAsync(), Uma), t => t.Contains("no longer valid", StringComparison.Ordinal));
        Assert.Equal(Shards.Root, await h.HomeOfAsync(Uma.Id));

        await h.Press(Uma, R(new RegistrationButton.PickCommunity(B)));
        var grid = await h.DrainAsync();
        Assert.Equal(B, await h.HomeOfAsync(Uma.Id));
        Assert.Contains(TextsTo(grid, Uma), t => t.Contains("Hill", StringComparison.Ordinal) || t.Contains("grid", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(R(new RegistrationButton.PickGrid("g1")), Buttons(grid));

        await RegisterAsResidentAsync(h, Uma);
        Assert.Equal(B, await h.HomeOfAsync(Uma.Id));
        Assert.Contains(Sets.Member(Uma.Id), await h.Store.GetSetMembersAsync(Sets.People, B, Ct));
        Assert.DoesNotContain(Sets.Member(Uma.Id), await h.Store.GetSetMembersAsync(Sets.People, A, Ct));
        Assert.Equal(Roles.Resident, (await h.ProfileAsync(Uma.Id))!.Roles);
    }

    [Fact]
    public async Task Invitation_OfAnotherCommunity_NeverMovesSomeoneWhoLivesInOne_ButBringsANewcomerToIt()
    {
        var h = NewHarness();
        await SeedBothAsync(h);
        var invite = new Invite("WillowCode1", Roles.Member, 10, h.Clock.GetUtcNow().AddDays(7)) { NodeId = B };
        Assert.Equal(CommitStatus.Committed, (await h.Store.CommitAsync(new Commit { Writes = [new DocWrite(DocKeys.Invite(invite.Code), RecordJson.Serialize(invite), null)] }, Ct)).Status);
        var ritaBefore = await h.ProfileAsync(Rita.Id);
        var peopleA = await h.Store.GetSetMembersAsync(Sets.People, A, Ct);
        var peopleB = await h.Store.GetSetMembersAsync(Sets.People, B, Ct);

        // Rita lives in Lotus (A): a link of Willow (B) is refused politely and changes nothing anywhere.
        await h.Command(Rita, "start", invite.Code);
        var refused = TextsTo(await h.DrainAsync(), Rita).ToList();
        Assert.Contains(refused, t => t.Contains("You already belong to Lotus", StringComparison.Ordinal) && t.Contains("Willow", StringComparison.Ordinal));
        Assert.Equal(A, await h.HomeOfAsync(Rita.Id));
        Assert.Equal(RecordJson.Serialize(ritaBefore! with { LastSeenAt = default }), RecordJson.Serialize((await h.ProfileAsync(Rita.Id))! with { LastSeenAt = default }));
        Assert.Equal("main", (await h.ConversationAsync(Rita.Id))?.Flow ?? "main");
        Assert.Equal(peopleA, await h.Store.GetSetMembersAsync(Sets.People, A, Ct));
        Assert.Equal(peopleB, await h.Store.GetSetMembersAsync(Sets.People, B, Ct));
        Assert.Null(await h.Store.GetAsync(DocKeys.User(Rita.Id).In(B), Ct));
        Assert.Equal(0, (await GetAsync<Invite>(h, DocKeys.Invite(invite.Code), Shards.Root))!.Uses);

        // A forged code is refused as invalid, and Rita stays where she lives.
        await h.Command(Rita, "start", "NoSuchCode9");
        Assert.Contains(TextsTo(await h.DrainAsync(), Rita), t => t.Contains("not valid", StringComparison.Ordinal));
        Assert.Equal(A, await h.HomeOfAsync(Rita.Id));

        // Uma lives nowhere yet: the same link brings her to Willow and registers her there.
        await h.Command(Uma, "start", invite.Code);
        Assert.Equal(B, await h.HomeOfAsync(Uma.Id));
        Assert.Contains(TextsTo(await h.DrainAsync(), Uma), t => t.Contains("invited", StringComparison.Ordinal));
        await h.Text(Uma, "13800000600");
        await h.Press(Uma, R(new RegistrationButton.PickGrid("g1")));
        await h.Press(Uma, R(new RegistrationButton.Skip()));
        await h.Press(Uma, R(new RegistrationButton.SkillsDone()));
        await h.Press(Uma, R(new RegistrationButton.Confirm()));
        Assert.Contains(TextsTo(await h.DrainAsync(), Uma), t => t.Contains("You are registered", StringComparison.Ordinal));
        Assert.Equal(Roles.Member, (await h.ProfileAsync(Uma.Id))!.Roles);
        Assert.Contains(Sets.Member(Uma.Id), await h.Store.GetSetMembersAsync(Sets.People, B, Ct));
        Assert.Equal(1, (await GetAsync<Invite>(h, DocKeys.Invite(invite.Code), Shards.Root))!.Uses);

        // Now settled in Willow, Uma is not moved back by anything (a second link of Willow is hers: no refusal).
        Assert.DoesNotContain(Sets.Member(Uma.Id), await h.Store.GetSetMembersAsync(Sets.People, A, Ct));
    }

    [Fact]
    public async Task AdminInvitation_IsForTheAdministratorsCommunity_AndListedOnlyThere()
    {
        var h = NewHarness();
        await SeedBothAsync(h);

        // Dana (B) makes a member invitation for anyone: one use, one day.
        await h.Press(DanaB, MusterBot.Flows.Admin.AdminButton.Codec.Encode(new MusterBot.Flows.Admin.AdminButton.NewInvite()));
        await h.Press(DanaB, MusterBot.Flows.Admin.AdminButton.Codec.Encode(new MusterBot.Flows.Admin.AdminButton.InviteRole(Roles.Member)));
        await h.Press(DanaB, MusterBot.Flows.Admin.AdminButton.Codec.Encode(new MusterBot.Flows.Admin.AdminButton.InviteAnywhere()));
        await h.Press(DanaB, MusterBot.Flows.Admin.AdminButton.Codec.Encode(new MusterBot.Flows.Admin.AdminButton.InviteUses(1)));
        await h.Press(DanaB, MusterBot.Flows.Admin.AdminButton.Codec.Encode(new MusterBot.Flows.Admin.AdminButton.InviteDays(1)));
        var codes = await h.Store.GetSetMembersAsync(Sets.InvitesOf(B), Shards.Root, Ct);
        var code = Assert.Single(codes);
        Assert.Equal(B, (await GetAsync<Invite>(h, DocKeys.Invite(code), Shards.Root))!.NodeId);
        Assert.Empty(await h.Store.GetSetMembersAsync(Sets.InvitesOf(A), Shards.Root, Ct));
        await h.DrainAsync();

        // Boss (A) does not see it in A's list, and a forged revoke of it is refused and changes nothing.
        await h.Press(BossA, MusterBot.Flows.Admin.AdminButton.Codec.Encode(new MusterBot.Flows.Admin.AdminButton.Invites()));
        Assert.DoesNotContain(TextsTo(await h.DrainAsync(), BossA), t => t.Contains(code, StringComparison.Ordinal));
        await h.Press(BossA, MusterBot.Flows.Admin.AdminButton.Codec.Encode(new MusterBot.Flows.Admin.AdminButton.RevokeInvite(code)));
        Assert.Contains(TextsTo(await h.DrainAsync(), BossA), t => t.Contains("no longer valid", StringComparison.Ordinal));
        Assert.False((await GetAsync<Invite>(h, DocKeys.Invite(code), Shards.Root))!.Revoked);

        // Dana sees it in hers.
        await h.Press(DanaB, MusterBot.Flows.Admin.AdminButton.Codec.Encode(new MusterBot.Flows.Admin.AdminButton.Invites()));
        Assert.Contains(TextsTo(await h.DrainAsync(), DanaB), t => t.Contains(code, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CommunityAdministratorInvitation_RegistersThePersonInThatCommunity_AsItsAdministrator_NotAsANodeAdministrator()
    {
        var h = NewHarness();
        await SeedBothAsync(h);
        var now = h.Clock.GetUtcNow();
        var invite = new Invite("adminB", Roles.Admin, 1, now.AddDays(1)) { NodeId = B, GridId = "g1", CreatedBy = DanaB.Id, CreatedAt = now };
        Assert.Equal(CommitStatus.Committed, (await h.Store.CommitAsync(new Commit { Shard = Shards.Root, Writes = [new DocWrite(DocKeys.Invite("adminB"), RecordJson.Serialize(invite), 0)] }, Ct)).Status);

        // Opening the link starts registration in Willow (B): no appointment to the node of the tree.
        await h.Command(Uma, "start", "adminB");
        var opened = await h.DrainAsync();
        Assert.Equal(B, await h.HomeOfAsync(Uma.Id));
        Assert.DoesNotContain(TextsTo(opened, Uma), t => t.Contains("You are now an administrator", StringComparison.Ordinal));
        Assert.DoesNotContain(Uma.Id, (await GetAsync<OrgNode>(h, DocKeys.OrgNode(B), Shards.Root))!.Admins);
        Assert.Equal(RegistrationFlow.FlowName, (await h.ConversationAsync(Uma.Id))?.Flow);

        // A member's questions (the grid is the invitation's): phone, work unit, skills, confirm.
        await h.Text(Uma, "13800138000");
        await h.Text(Uma, "Library");
        await h.Press(Uma, R(new RegistrationButton.SkillsDone()));
        await h.Press(Uma, R(new RegistrationButton.Confirm()));
        var answered = await h.DrainAsync();

        var profile = (await GetAsync<UserProfile>(h, DocKeys.User(Uma.Id), B))!;
        Assert.True(profile.RegisteredAt is not null, string.Join("\n|", TextsTo(opened, Uma).Concat(TextsTo(answered, Uma))) + " step " + (await h.ConversationAsync(Uma.Id))?.Step);
        Assert.True(profile.Roles.HasFlag(Roles.Admin));
        Assert.Empty(profile.AdminOf);
        Assert.Contains(Uma.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), await h.Store.GetSetMembersAsync(Sets.PeopleWithRole(Roles.Admin), B, Ct));
        Assert.Equal(1, (await GetAsync<Invite>(h, DocKeys.Invite("adminB"), Shards.Root))!.Uses);
        Assert.Null(await GetAsync<UserProfile>(h, DocKeys.User(Uma.Id), Shards.Root));

        // Their /admin is Willow's panel.
        await h.Command(Uma, "admin");
        Assert.Contains(MusterBot.Flows.Admin.AdminButton.Codec.Encode(new MusterBot.Flows.Admin.AdminButton.Grids()), Buttons(await h.DrainAsync()));
    }

    private static async Task FileWishAsync(FlowHarness h, Sender who, string text)
    {
        await h.Command(who, "wish");
        await h.Text(who, text);
        await h.Press(who, new WishButton.SkipPhoto().Encode());
        await h.Press(who, new WishButton.PickCategory(WishCategory.Repairs).Encode());
        await h.Press(who, new WishButton.PickDate(WantedBy.None).Encode());
        await h.Press(who, new WishButton.Submit().Encode());
    }

    private static async Task FileComplaintAsync(FlowHarness h, Sender who, string text)
    {
        await h.Command(who, "complain");
        await h.Press(who, new ComplaintButton.PickCategory(ComplaintCategory.Sanitation).Encode());
        await h.Text(who, text);
        await h.Press(who, new ComplaintButton.PhotosDone().Encode());
        await h.Press(who, new ComplaintButton.NoLocation().Encode());
        await h.Press(who, new ComplaintButton.ChooseAnonymous(false).Encode());
        if ((await h.ConversationAsync(who.Id))!.Step == "Similar")
        {
            await h.Press(who, new ComplaintButton.FileAnyway().Encode());
        }

        await h.Press(who, new ComplaintButton.Submit().Encode());
    }

    [Fact]
    public async Task WishesAndComplaints_AreNumberedPerCommunity_AndStaffSeeAndChangeOnlyTheirOwn()
    {
        var h = NewHarness();
        await SeedBothAsync(h);

        await FileWishAsync(h, Rita, "Please fix the tap in Lotus kitchen");
        await FileWishAsync(h, Ray, "Please mend the Willow garden door");
        await FileComplaintAsync(h, Rita, "Lotus bins overflow every day");
        await FileComplaintAsync(h, Ray, "Willow street lamp is broken");
        var filed = await h.DrainAsync();

        // Both communities number from 1: W-0001 and C-0001 each, with their own counters.
        var wishA = (await GetAsync<Wish>(h, DocKeys.Wish(1), A))!;
        var wishB = (await GetAsync<Wish>(h, DocKeys.Wish(1), B))!;
        Assert.Equal((Rita.Id, Ray.Id), (wishA.ResidentId, wishB.ResidentId));
        Assert.Equal((Rita.Id, Ray.Id), ((await GetAsync<Complaint>(h, DocKeys.Complaint(1), A))!.FiledBy, (await GetAsync<Complaint>(h, DocKeys.Complaint(1), B))!.FiledBy));
        var countersA = (await GetAsync<CommunityCounters>(h, DocKeys.Counters, A))!;
        var countersB = (await GetAsync<CommunityCounters>(h, DocKeys.Counters, B))!;
        Assert.Equal((1, 1, 1, 1), (countersA.Wishes, countersA.Complaints, countersB.Wishes, countersB.Complaints));
        Assert.Contains(TextsTo(filed, Rita), t => t.Contains("W-0001", StringComparison.Ordinal));
        Assert.Contains(TextsTo(filed, Ray), t => t.Contains("W-0001", StringComparison.Ordinal));

        // Each administrator's review cards are about their own community's objects only.
        Assert.DoesNotContain(TextsTo(filed, BossA), t => t.Contains("Willow", StringComparison.Ordinal));
        Assert.DoesNotContain(TextsTo(filed, DanaB), t => t.Contains("Lotus", StringComparison.Ordinal));
        Assert.Contains(TextsTo(filed, BossA), t => t.Contains("Lotus", StringComparison.Ordinal));

        // Their lists, statistics and /my show only their own.
        foreach (var (admin, own, other) in new[] { (BossA, "Lotus", "Willow"), (DanaB, "Willow", "Lotus") })
        {
            foreach (var command in new[] { "wishes", "stats", "my" })
            {
                await h.Command(admin, command);
                var shown = TextsTo(await h.DrainAsync(), admin).ToList();
                Assert.DoesNotContain(shown, t => t.Contains(other, StringComparison.Ordinal));
            }
        }

        // Boss approving "wish 1" (a button forged after seeing Willow's number) acts on Lotus's W-0001 only.
        await h.Press(BossA, new WishButton.Approve(1).Encode());
        var approved = await h.DrainAsync();
        Assert.Equal(WishStatus.Open, (await GetAsync<Wish>(h, DocKeys.Wish(1), A))!.Status);
        Assert.Equal(WishStatus.Pending, (await GetAsync<Wish>(h, DocKeys.Wish(1), B))!.Status);
        Assert.DoesNotContain(approved, m => m.ChatId == Ray.Id || m.ChatId == DanaB.Id);

        // Ray's own /my does not show Lotus's wish, and Rita's does not show Willow's.
        await h.Command(Ray, "my");
        Assert.DoesNotContain(TextsTo(await h.DrainAsync(), Ray), t => t.Contains("Lotus", StringComparison.Ordinal));
        await h.Command(Rita, "my");
        Assert.DoesNotContain(TextsTo(await h.DrainAsync(), Rita), t => t.Contains("Willow", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EmergencyMode_OfOneCommunity_DoesNotSwitchTheOther()
    {
        var h = NewHarness();
        await SeedBothAsync(h);

        await h.Command(BossA, "mode");
        await h.Press(BossA, new MusterButton.AskEmergency().Data, messageId: 40);
        await h.Text(BossA, "Flood: stay at home");
        await h.Press(BossA, new MusterButton.ConfirmEmergency().Data, messageId: 41);
        var told = await h.DrainAsync();

        Assert.True((await GetAsync<CommunityMode>(h, DocKeys.Mode, A))!.Emergency);
        Assert.Null(await GetAsync<CommunityMode>(h, DocKeys.Mode, B));
        Assert.Contains(told, m => m.ChatId == Rita.Id);
        Assert.DoesNotContain(told, m => m.ChatId == Ray.Id || m.ChatId == DanaB.Id);

        await h.Command(DanaB, "mode");
        Assert.Contains(TextsTo(await h.DrainAsync(), DanaB), t => t.Contains("normal mode", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConfiguredAdministrator_WithoutAHome_IsPlacedInTheOnlyCommunity_OrChoosesWhenSeveral()
    {
        var one = NewHarness();
        await one.Command(BossA, "admin");
        Assert.Equal(A, await one.HomeOfAsync(BossA.Id));
        Assert.NotEmpty(await one.DrainAsync());

        var several = NewHarness();
        await AddSecondCommunityAsync(several);
        await several.Command(BossA, "admin");
        Assert.Equal(Shards.Root, await several.HomeOfAsync(BossA.Id));
        var asked = await several.DrainAsync();
        Assert.Contains(TextsTo(asked, BossA), t => t.Contains("Which street", StringComparison.Ordinal));
        await several.Press(BossA, R(new RegistrationButton.Street(WestStreet, 0)));
        await several.Press(BossA, R(new RegistrationButton.PickCommunity(B)));
        Assert.Equal(B, await several.HomeOfAsync(BossA.Id));
        Assert.Contains(TextsTo(await several.DrainAsync(), BossA), t => t.Contains("You are now in Willow", StringComparison.Ordinal));
        await several.Command(BossA, "admin");
        Assert.Equal(B, await several.HomeOfAsync(BossA.Id));
        Assert.DoesNotContain(TextsTo(await several.DrainAsync(), BossA), t => t.Contains("Which street", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Roster_FindsTheCommunityWhoseRosterListsThePhone()
    {
        var h = NewHarness();
        await SeedBothAsync(h);
        const string phone = "+8613800000600";
        var entry = new RosterEntry(phone, "Uma Wang", Roles.Member) { GridId = "g1", ImportedAt = h.Clock.GetUtcNow() };
        await h.Store.SeedCommunityInAsync(new Commit { Writes = [new DocWrite(DocKeys.Roster(phone), RecordJson.Serialize(entry), null)], SetChanges = [new(Sets.Roster, phone, Add: true)] }, B, Ct);
        await h.Store.CommitAsync(new Commit { Writes = [new DocWrite(DocKeys.RosterHome(phone), RecordJson.Serialize(new PersonHome(B)), null)] }, Ct);

        await h.Command(Uma, "start");
        await h.Press(Uma, MainFlow.RegisterRoster);
        await h.Event(new ContactShared(Uma, Uma.Id, 30, "8613800000600", Uma.Id));
        Assert.Equal(B, await h.HomeOfAsync(Uma.Id));
        Assert.Contains(TextsTo(await h.DrainAsync(), Uma), t => t.Contains("Uma Wang", StringComparison.Ordinal));
    }
}
