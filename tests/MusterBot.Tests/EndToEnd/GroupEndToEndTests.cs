using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MusterBot.Emulator;
using MusterBot.Flows.Directory;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Groups;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.EndToEnd;

/// <summary>
/// Issue #20 point 1 and point 5's manners, end to end: the real host, the production client, the emulator's groups over
/// HTTP, Redis. The bot is added to a group; a member and an administrator of the community who does not administer the
/// group are refused /link (the second through getChatMember); the administrator of both links the group in private; other
/// commands in the group get "talk to me privately", plain talk is not even delivered (privacy mode); the group becomes a
/// supergroup, and then the bot is removed — the administrator is told each time and /groups shows it.
/// </summary>
[Collection("redis")]
public sealed class GroupEndToEndTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const long AdminId = 7_600_000_001;
    private const long Admin2Id = 7_600_000_002;
    private const long MemberId = 7_600_000_101;
    private const long GroupId = -5001;
    private const long SuperId = -1005001;
    private BotApiEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        await redis.EnsureRunningAsync();
        _emulator = await BotHost.StartEmulatorAsync();
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Link_Manners_Migration_AndRemoval_ThroughTheEmulatorsGroups()
    {
        await using var host = await BotHost.StartAsync(
            _emulator,
            redis.ConnectionString,
            new Dictionary<string, string?>
            {
                ["MusterBot:Admins:0"] = AdminId.ToString(CultureInfo.InvariantCulture),
                ["MusterBot:Admins:1"] = Admin2Id.ToString(CultureInfo.InvariantCulture),
            });
        var store = host.App.Services.GetRequiredService<IStateStore>();
        await SeedAsync(store, DateTimeOffset.UtcNow);

        _emulator.CreateGroup(GroupId, "North neighbours");
        _emulator.AddGroupMember(GroupId, AdminId, admin: true);
        _emulator.AddGroupMember(GroupId, Admin2Id);
        _emulator.AddGroupMember(GroupId, MemberId);
        var since = _emulator.State.Version;
        _emulator.AddBotToGroup(GroupId, AdminId, asAdmin: true, canPin: true);
        await InGroup(GroupId, since, "An administrator of the community can link this group with /link.");

        // Refusals in the group: a member; an administrator of the community who does not administer the group.
        since = _emulator.State.Version;
        _emulator.SendGroupText(GroupId, MemberId, "/link");
        await InGroup(GroupId, since, "Only an administrator of this community can link a group.");
        since = _emulator.State.Version;
        _emulator.SendGroupText(GroupId, Admin2Id, "/link@muster_test_bot");
        await InGroup(GroupId, since, "Only an administrator of this group can link it (or unlink it).");

        // The administrator of both: the choice in private, the group told.
        since = _emulator.State.Version;
        _emulator.SendGroupText(GroupId, AdminId, "/link");
        await InGroup(GroupId, since, "I sent you the choices in a private message.");
        var choices = await _emulator.WaitForMessageAsync(AdminId, m => m.Version > since && m.Text?.Contains("Link the group “North neighbours” to:", StringComparison.Ordinal) == true, Wait);
        Assert.Equal(["grid North", "building Block 3 (North)", "region Port", "Cancel"], choices.Buttons.Select(b => b.Text));
        since = _emulator.State.Version;
        _emulator.PressButtonByText(AdminId, choices.MessageId, "grid North");
        await _emulator.WaitForMessageAsync(AdminId, m => m.Text == "✅ “North neighbours” is now the group of grid North.", Wait);
        await InGroup(GroupId, since, "This is now the group of grid North.");

        // Manners: another command gets a link to a private chat; plain talk is not delivered to the bot at all.
        since = _emulator.State.Version;
        _emulator.SendGroupText(GroupId, MemberId, "/wish");
        var privately = await InGroup(GroupId, since, "Please talk to me privately");
        Assert.Equal("https://t.me/muster_test_bot", privately.Buttons.Single().Url);
        var before = _emulator.Messages(GroupId).Count;
        _emulator.SendGroupText(GroupId, MemberId, "good morning everyone");
        await Task.Delay(500);
        Assert.Equal(before, _emulator.Messages(GroupId).Count); // the bot's messages: no answer

        // The group becomes a supergroup: the link follows; /groups shows it.
        since = _emulator.State.Version;
        _emulator.MigrateToSupergroup(GroupId, SuperId, AdminId);
        await _emulator.WaitForMessageAsync(AdminId, m => m.Version > since && m.Text == "🔗 “North neighbours” became a supergroup; it is still the group of grid North.", Wait);
        Assert.NotNull(await LinkAsync(store, SuperId));
        Assert.Null(await LinkAsync(store, GroupId));
        since = _emulator.State.Version;
        _emulator.SendText(AdminId, "/groups");
        await _emulator.WaitForMessageAsync(AdminId, m => m.Version > since && m.Text == "🔗 Linked groups\n• North neighbours → grid North · 📌 can pin", Wait);

        // The bot is removed: the link goes and the administrator is told.
        since = _emulator.State.Version;
        _emulator.RemoveBotFromGroup(SuperId, AdminId);
        await _emulator.WaitForMessageAsync(AdminId, m => m.Version > since && m.Text == "🔗 The bot was removed from the group “North neighbours”; it is no longer the group of grid North.", Wait);
        Assert.Null(await LinkAsync(store, SuperId));
    }

    /// <summary>
    /// Point 2: the convenor relays and the order appears in the region's group with check-in buttons and a pinned roll
    /// call. Called members answer there (what follows comes privately); a member of another region and a forged press
    /// from someone outside the group are told "not for you"; the roll call is edited in place, with names and counts
    /// only; the close freezes it, takes the buttons off the order and unpins it.
    /// </summary>
    [Fact]
    public async Task Muster_InTheRegionsGroup_CheckInsThere_RollCallPinnedAndEdited_NothingPrivate()
    {
        await using var host = await StartSeededAsync(("Muster:RollCallInterval", "00:00:01"));
        const long PortGroup = -5101;
        await LinkedGroupAsync(PortGroup, "Port neighbours", "region Port", "Muster orders for the region will be posted here", supergroup: true, canPin: true, CoraId, MemberId, AmyId, BenId);

        // A drill for region Port only, launched through the wizard; the convenor relays it.
        await LaunchDrillAsync(portOnly: true);
        var order = await Sees(CoraId, 0, "Your region: Port");
        var since = _emulator.State.Version;
        await Presses(CoraId, order, "📣 Relay to my region", "Members told at");

        // In the group: the order with its buttons, then the roll call, pinned.
        var groupOrder = await InGroup(PortGroup, since, "For the members of “Port” called to this muster.");
        Assert.Equal(["✅ acknowledged", "🏃 on my way", "📍 arrived", "❌ can't come"], groupOrder.Buttons.Select(b => b.Text));
        var rollCall = await InGroup(PortGroup, since, "Roll call M-1 · Port");
        await _emulator.WaitForAsync(() => _emulator.State.PinnedMessage(PortGroup)?.MessageId == rollCall.MessageId, Wait);
        string Data(string text) => groupOrder.FindCallbackData(text)!;

        // Ann, on her way: the toast in the group; the ETA question in private.
        since = _emulator.State.Version;
        var ann = _emulator.PressButton(MemberId, PortGroup, groupOrder.MessageId, Data("🏃 on my way"));
        await _emulator.WaitForAsync(() => _emulator.CallbackAnswers(ann).Count == 1, Wait);
        Assert.Equal("Saved: 🏃 on my way", _emulator.CallbackAnswers(ann)[0].Text);
        var eta = await Sees(MemberId, since, "Muster order M-1");
        Assert.Contains(eta.Buttons, b => b.Text.Contains("10", StringComparison.Ordinal));

        // Amy can't come; she gives the reason privately.
        since = _emulator.State.Version;
        _emulator.PressButton(AmyId, PortGroup, groupOrder.MessageId, Data("❌ can't come"));
        var reasons = await Sees(AmyId, since, "Muster order M-1");
        await Presses(AmyId, reasons, "ill", "ill");

        // Ben lives in Hill: this order is not for him. A forged press from someone outside the group: the same.
        var ben = _emulator.PressButton(BenId, PortGroup, groupOrder.MessageId, Data("📍 arrived"));
        _emulator.CreateUser(OutsiderId, "Olga", "zh-CN");
        var forged = _emulator.PressButton(OutsiderId, PortGroup, groupOrder.MessageId, Data("📍 arrived"), forged: true);
        await _emulator.WaitForAsync(() => _emulator.CallbackAnswers(ben).Count == 1 && _emulator.CallbackAnswers(forged).Count == 1, Wait);
        Assert.Equal(("This muster order is not for you: you were not called to it. Thank you all the same!", true), (_emulator.CallbackAnswers(ben)[0].Text, _emulator.CallbackAnswers(ben)[0].ShowAlert));
        Assert.Equal("这个集结令不是发给您的：您不在名单中。仍然谢谢您！", _emulator.CallbackAnswers(forged)[0].Text);
        Assert.Empty(_emulator.Messages(OutsiderId));
        Assert.Null(await host.App.Services.GetRequiredService<IStateStore>().GetAsync(DocKeys.MusterAnswer(1, BenId).Bind(Community), CancellationToken.None));

        // The group's roll call, edited in place: who answered, counts of the rest; no phone, no reason.
        await _emulator.WaitForAsync(() => _emulator.State.FindMessage(PortGroup, rollCall.MessageId)?.Text?.Contains("0 without an answer yet · 1 can't come", StringComparison.Ordinal) == true, Wait);
        var shown = _emulator.State.FindMessage(PortGroup, rollCall.MessageId)!;
        Assert.Contains("🏃 on my way (1)\nAnn", shown.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("+86", shown.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("· ill", shown.Text, StringComparison.Ordinal);
        Assert.Equal(2, _emulator.Messages(PortGroup).Count(m => m.Text?.Contains("M-1", StringComparison.Ordinal) == true));

        // The close: the roll call frozen, the order without buttons, unpinned.
        var open = await Says(AdminId, "/muster close", "Open musters");
        var ask = await Presses(AdminId, open, "🏁 Close M-1", "Close muster M-1?");
        await Presses(AdminId, ask, "🏁 Yes, close", "M-1 is closed");
        await _emulator.WaitForAsync(() => _emulator.State.FindMessage(PortGroup, groupOrder.MessageId)?.Text?.Contains("This muster is closed.", StringComparison.Ordinal) == true, Wait);
        Assert.Empty(_emulator.State.FindMessage(PortGroup, groupOrder.MessageId)!.Buttons);
        await _emulator.WaitForAsync(() => _emulator.State.PinnedMessage(PortGroup) is null, Wait);
        Assert.Contains("Closed", _emulator.State.FindMessage(PortGroup, rollCall.MessageId)!.Text, StringComparison.Ordinal);
    }

    /// <summary>
    /// Point 3: a resident's wish, approved, is announced in the grid's group with the claim button; the resident cannot
    /// claim it there, a member can (the contact comes privately, the group's card says "taken" without names), and a
    /// second member is told it is taken. The resident's name and phone never appear in the group.
    /// </summary>
    [Fact]
    public async Task Wish_AnnouncedInTheGridsGroup_ClaimedThere_ResidentNeverNamed()
    {
        await using var host = await StartSeededAsync();
        const long NorthGroup = -5201;
        await LinkedGroupAsync(NorthGroup, "North grid", "grid North", "This is now the group of grid North.", supergroup: false, canPin: false, MemberId, AmyId, RitaId);
        var since = _emulator.State.Version;

        // Rita files a wish; the administrator approves it.
        await Says(RitaId, "/wish", "File a micro-wish");
        var photo = await Says(RitaId, "My kitchen tap drips", "Add a photo?");
        var category = await Presses(RitaId, photo, "No photo", "Please choose a category");
        var date = await Presses(RitaId, category, "repairs", "By when would you like it done?");
        var preview = await Presses(RitaId, date, "No date", "Please check your wish");
        await Presses(RitaId, preview, "✅ Submit", "Your micro-wish W-0001 was received");
        var card = await Sees(AdminId, 0, "New micro-wish to review");
        since = _emulator.State.Version;
        await Presses(AdminId, card, "✅ Approve and announce", "Status: open for claims");

        // In the group: the public view and the claim button; not the resident's name nor phone.
        var announced = await InGroup(NorthGroup, since, "A new micro-wish in your grid");
        Assert.Contains("My kitchen tap drips", announced.Text, StringComparison.Ordinal);
        Assert.Equal(["🙋 Claim W-0001"], announced.Buttons.Select(b => b.Text));
        Assert.DoesNotContain("Rita", announced.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(RitaPhone, announced.Text, StringComparison.Ordinal);
        var claim = announced.FindCallbackData("🙋 Claim W-0001")!;

        // Rita cannot claim her own (nor any) wish there; Ann can, first; Amy is told it is taken.
        var rita = _emulator.PressButton(RitaId, NorthGroup, announced.MessageId, claim);
        await _emulator.WaitForAsync(() => _emulator.CallbackAnswers(rita).Count == 1, Wait);
        Assert.StartsWith("Only the community's registered members can claim", _emulator.CallbackAnswers(rita)[0].Text, StringComparison.Ordinal);
        since = _emulator.State.Version;
        var ann = _emulator.PressButton(MemberId, NorthGroup, announced.MessageId, claim);
        var contact = await Sees(MemberId, since, "W-0001");
        await _emulator.WaitForAsync(() => _emulator.CallbackAnswers(ann).Count == 1, Wait);
        Assert.Equal("You claimed W-0001", _emulator.CallbackAnswers(ann)[0].Text);
        await _emulator.WaitForAsync(() => _emulator.Messages(MemberId).Any(m => m.Text?.Contains(RitaPhone, StringComparison.Ordinal) == true), Wait);
        await _emulator.WaitForAsync(() => _emulator.State.FindMessage(NorthGroup, announced.MessageId)?.Text?.Contains("A member has taken this on.", StringComparison.Ordinal) == true, Wait);
        var taken = _emulator.State.FindMessage(NorthGroup, announced.MessageId)!;
        Assert.Empty(taken.Buttons);
        Assert.DoesNotContain("Ann", taken.Text, StringComparison.Ordinal);
        var amy = _emulator.PressButton(AmyId, NorthGroup, announced.MessageId, claim);
        await _emulator.WaitForAsync(() => _emulator.CallbackAnswers(amy).Count == 1, Wait);
        Assert.Equal("Sorry, W-0001 has already been taken. Thank you!", _emulator.CallbackAnswers(amy)[0].Text);
        Assert.DoesNotContain(_emulator.Messages(NorthGroup), m => m.Text?.Contains(RitaPhone, StringComparison.Ordinal) == true || m.Text?.Contains("Rita", StringComparison.Ordinal) == true);
    }

    /// <summary>
    /// Point 4: an administrator writes a notice with a photo to grid North: the preview's count, the copies with their
    /// "read" button in private and in the grid's group, reads counted once and only for recipients, the read count.
    /// </summary>
    [Fact]
    public async Task Notice_WithAPhoto_ToAGrid_ReachesItsResidentsAndGroup_ReadsCounted()
    {
        await using var host = await StartSeededAsync();
        const long NorthGroup = -5301;
        await LinkedGroupAsync(NorthGroup, "North grid", "grid North", "This is now the group of grid North.", supergroup: false, canPin: false, MemberId, RitaId);

        // The wizard: grid North, a photo with the text as its caption, now.
        var list = await Says(AdminId, "/notice", "Notices");
        var targets = await Presses(AdminId, list, "➕ New notice", "Who should get it?");
        targets = await Presses(AdminId, targets, "⬜ grid North", "Who should get it?");
        await Presses(AdminId, targets, "✔️ Done", "send the notice text");
        var since = _emulator.State.Version;
        _emulator.SendPhoto(AdminId, [1, 2, 3, 4], "Water off on Tuesday 9:00–12:00");
        var when = await Sees(AdminId, since, "when should it go out?");
        var preview = await Presses(AdminId, when, "Now", "Please check the notice");
        Assert.Contains("Will reach 6 people and 1 linked group(s).", preview.Text, StringComparison.Ordinal);
        Assert.Contains("📷 with a photo", preview.Text, StringComparison.Ordinal);
        since = _emulator.State.Version;
        var stats = await Presses(AdminId, preview, "📤 Send now", "Sent to 6 people and 1 group(s).");

        // Rita's copy: the photo, the text as its caption, "read".
        var copy = await _emulator.WaitForMessageAsync(RitaId, m => m.Version > since && m.PhotoFileId is not null, Wait);
        Assert.Equal("📢 Notice N-1\nWater off on Tuesday 9:00–12:00", copy.Text);
        Assert.Equal(["👌 Mark as read"], copy.Buttons.Select(b => b.Text));
        var inGroup = await _emulator.WaitForMessageAsync(NorthGroup, m => m.Version > since && m.PhotoFileId is not null, Wait);

        // Rita reads it in private (twice); Ann in the group; an outsider's forged press there is only thanked.
        var first = _emulator.PressButton(RitaId, RitaId, copy.MessageId, copy.FindCallbackData("👌 Mark as read")!);
        await _emulator.WaitForAsync(() => _emulator.CallbackAnswers(first).Count == 1, Wait);
        Assert.Equal("👌 Thank you, marked as read.", _emulator.CallbackAnswers(first)[0].Text);
        await _emulator.WaitForAsync(() => _emulator.State.FindMessage(RitaId, copy.MessageId)?.Buttons.SingleOrDefault()?.Text == "✅ Read", Wait);
        var second = _emulator.PressButton(RitaId, RitaId, copy.MessageId, copy.FindCallbackData("👌 Mark as read")!);
        var ann = _emulator.PressButton(MemberId, NorthGroup, inGroup.MessageId, inGroup.FindCallbackData("👌 Mark as read")!);
        _emulator.CreateUser(OutsiderId, "Olga", "en");
        var outsider = _emulator.PressButton(OutsiderId, NorthGroup, inGroup.MessageId, inGroup.FindCallbackData("👌 Mark as read")!, forged: true);
        await _emulator.WaitForAsync(() => new[] { second, ann, outsider }.All(q => _emulator.CallbackAnswers(q).Count == 1), Wait);
        Assert.Equal("You have already marked it read. Thank you!", _emulator.CallbackAnswers(second)[0].Text);
        Assert.Equal("👌 Thank you, marked as read.", _emulator.CallbackAnswers(ann)[0].Text);
        Assert.Equal("Thank you for reading.", _emulator.CallbackAnswers(outsider)[0].Text);
        Assert.Single(_emulator.Messages(NorthGroup), m => m.PhotoFileId is not null);

        // The sender's read count.
        await Presses(AdminId, stats, "🔄 Read count", "👌 Read: 2 of 6");
    }

    /// <summary>
    /// Point 1 with point 2: the region's group becomes a supergroup while a muster is open. The link follows, and the
    /// open muster posts its order and roll call again at the new id (pinned), where check-ins go on.
    /// </summary>
    [Fact]
    public async Task Muster_TheRegionsGroupBecomesASupergroup_TheOrderFollowsToTheNewId()
    {
        await using var host = await StartSeededAsync(("Muster:RollCallInterval", "00:00:01"));
        const long PortGroup = -5501;
        const long PortSuper = -1005005501;
        await LinkedGroupAsync(PortGroup, "Port neighbours", "region Port", "Muster orders for the region will be posted here", supergroup: false, canPin: true, CoraId, MemberId, AmyId);

        // A drill for everyone: Cora relays it to Port.
        await LaunchDrillAsync(portOnly: false);
        var order = await Sees(CoraId, 0, "Your region: Port");
        var since = _emulator.State.Version;
        await Presses(CoraId, order, "📣 Relay to my region", "Members told at");
        await InGroup(PortGroup, since, "Roll call M-1 · Port");

        // The group becomes a supergroup: the administrator is told, and the order and a pinned roll call come again there.
        since = _emulator.State.Version;
        _emulator.MigrateToSupergroup(PortGroup, PortSuper, AdminId);
        await Sees(AdminId, since, "became a supergroup; it is still the group of region Port.");
        var moved = await InGroup(PortSuper, since, "For the members of “Port” called to this muster.");
        var rollCall = await InGroup(PortSuper, since, "Roll call M-1 · Port");
        await _emulator.WaitForAsync(() => _emulator.State.PinnedMessage(PortSuper)?.MessageId == rollCall.MessageId, Wait);

        // Ann checks in there; the new roll call is the one edited.
        var ann = _emulator.PressButton(MemberId, PortSuper, moved.MessageId, moved.FindCallbackData("📍 arrived")!);
        await _emulator.WaitForAsync(() => _emulator.CallbackAnswers(ann).Count == 1, Wait);
        await _emulator.WaitForAsync(() => _emulator.State.FindMessage(PortSuper, rollCall.MessageId)?.Text?.Contains("📍 arrived (1)\nAnn", StringComparison.Ordinal) == true, Wait);
    }

    /// <summary>
    /// Point 5: what the bot sends a group goes through the delivery engine's per-group rate (Telegram's is 20 a minute,
    /// the default; here 30, so the test takes seconds, not a minute, with a burst of 3). Five notices written one after
    /// another reach the group (after the three messages of linking it) no faster than that: messages k and k + 3 are at
    /// least 2 s apart (the per-chat rate alone would allow 1 s) — and the emulator, keeping the same 30 a minute, never
    /// has to refuse one.
    /// </summary>
    [Fact]
    public async Task MessagesToAGroup_KeepToThePerGroupRate()
    {
        await using var strict = await BotApiEmulator.StartAsync(new EmulatorOptions { Token = BotHost.Token, GroupMessagesPerMinute = 30 }, CancellationToken.None);
        var previous = _emulator;
        _emulator = strict;
        try
        {
            await using var host = await StartSeededAsync(("Sender:PerGroupPerMinute", "30"));
            const long NorthGroup = -5401;
            await LinkedGroupAsync(NorthGroup, "North grid", "grid North", "This is now the group of grid North.", supergroup: false, canPin: false, MemberId);
            for (var i = 1; i <= 5; i++)
            {
                var list = await Says(AdminId, "/notice", "Notices");
                var targets = await Presses(AdminId, list, "➕ New notice", "Who should get it?");
                targets = await Presses(AdminId, targets, "⬜ grid North", "Who should get it?");
                await Presses(AdminId, targets, "✔️ Done", "send the notice text");
                var photo = await Says(AdminId, "Notice number " + i.ToString(CultureInfo.InvariantCulture), "add a photo?");
                var when = await Presses(AdminId, photo, "No photo", "when should it go out?");
                var preview = await Presses(AdminId, when, "Now", "Please check the notice");
                await Presses(AdminId, preview, "📤 Send now", "Sent to");
            }

            await _emulator.WaitForAsync(() => _emulator.Messages(NorthGroup).Count(m => m.Text?.StartsWith("📢 Notice", StringComparison.Ordinal) == true) == 5, TimeSpan.FromSeconds(60));
            var sent = _emulator.Messages(NorthGroup).OrderBy(m => m.MessageId).ToList();
            Assert.Equal(8, sent.Count); // the greeting, "see your private chat", the link, five notices
            for (var k = 3; k < sent.Count; k++)
            {
                Assert.True(sent[k].Date - sent[k - 3].Date >= TimeSpan.FromSeconds(1.95), $"messages {k - 3} and {k} to the group {(sent[k].Date - sent[k - 3].Date).TotalSeconds:0.00} s apart");
            }

            Assert.Equal(0, _emulator.TooManyRequestsGiven);
        }
        finally
        {
            _emulator = previous;
        }
    }

    /// <summary>The host on the emulator and Redis, the configured administrator and <paramref name="settings"/>; the community seeded.</summary>
    private async Task<BotHost> StartSeededAsync(params (string Key, string Value)[] settings)
    {
        var config = new Dictionary<string, string?> { ["MusterBot:Admins:0"] = AdminId.ToString(CultureInfo.InvariantCulture) };
        foreach (var (key, value) in settings)
        {
            config[key] = value;
        }

        var host = await BotHost.StartAsync(_emulator, redis.ConnectionString, config);
        await SeedMusterAsync(host.App.Services.GetRequiredService<IStateStore>(), DateTimeOffset.UtcNow);
        return host;
    }

    /// <summary>A drill launched through the wizard: for region Port only, or for all members.</summary>
    private async Task LaunchDrillAsync(bool portOnly)
    {
        var kind = await Says(AdminId, "/muster", "Launch a muster");
        var scope = await Presses(AdminId, kind, "Flood", "Step 2");
        if (portOnly)
        {
            var regions = await Presses(AdminId, scope, "By region", "choose regions");
            regions = await Presses(AdminId, regions, "⬜ Port", "choose regions");
            await Presses(AdminId, regions, "✔️ Done", "send the rally point");
        }
        else
        {
            await Presses(AdminId, scope, "All members", "send the rally point");
        }

        var pin = await Says(AdminId, "Community square", "send a location pin");
        var within = await Presses(AdminId, pin, "Skip", "report within?");
        var drill = await Presses(AdminId, within, "within 1 h", "drill or real?");
        var preview = await Presses(AdminId, drill, "🧪 Drill", "Please confirm");
        await Presses(AdminId, preview, "🧪 Send the drill order", "M-1");
    }

    /// <summary>A group with the administrator (its administrator too) and <paramref name="members"/>, the bot added, linked by /link and the choice in private.</summary>
    private async Task LinkedGroupAsync(long chat, string title, string choice, string linked, bool supergroup, bool canPin, params long[] members)
    {
        _emulator.CreateGroup(chat, title, supergroup);
        _emulator.AddGroupMember(chat, AdminId, admin: true);
        foreach (var id in members)
        {
            _emulator.AddGroupMember(chat, id);
        }

        _emulator.AddBotToGroup(chat, AdminId, asAdmin: canPin, canPin: canPin);
        var since = _emulator.State.Version;
        _emulator.SendGroupText(chat, AdminId, "/link");
        var choices = await _emulator.WaitForMessageAsync(AdminId, m => m.Version > since && m.Text?.Contains("Link the group", StringComparison.Ordinal) == true, Wait);
        _emulator.PressButtonByText(AdminId, choices.MessageId, choice);
        await InGroup(chat, since, linked);
    }

    private const long RitaId = 7_600_000_500;
    private const string RitaPhone = "+8613800" + "00500";
    private const long CoraId = 7_600_000_010;
    private const long AmyId = 7_600_000_102;
    private const long BenId = 7_600_000_201;
    private const long OutsiderId = 7_600_000_900;
    private const long Community = MusterBot.State.Records.Org.DefaultTree.CommunityId;

    private async Task SeedMusterAsync(IStateStore store, DateTimeOffset now)
    {
        var writes = new List<DocWrite>
        {
            Put(DocKeys.Grid("g1"), new Grid("g1", "North")),
            Put(DocKeys.Region("r1"), new Region("r1", "Port") { ConvenorId = CoraId }),
            Put(DocKeys.Region("r2"), new Region("r2", "Hill")),
        };
        var sets = new List<SetChange> { new(Sets.Grids, "g1", true), new(Sets.Regions, "r1", true), new(Sets.Regions, "r2", true) };
        foreach (var (id, name, roles, region) in new (long, string, Roles, string?)[]
                 {
                     (AdminId, "Admin", Roles.Admin, null), (CoraId, "Cora", Roles.Member | Roles.Convenor, "r1"),
                     (MemberId, "Ann", Roles.Member, "r1"), (AmyId, "Amy", Roles.Member, "r1"), (BenId, "Ben", Roles.Member, "r2"),
                     (RitaId, "Rita", Roles.Resident, null),
                 })
        {
            var profile = new UserProfile(id, id, name)
            {
                Language = Language.En, LanguageChosen = true, Roles = roles, FirstSeenAt = now, LastSeenAt = now, RegisteredAt = now, GridId = "g1", RegionId = region,
                Phone = "+8613800" + (id % 100_000).ToString("D5", CultureInfo.InvariantCulture),
            };
            _emulator.CreateUser(id, name, "en");
            writes.Add(Put(DocKeys.User(id), profile));
            sets.AddRange(PeopleIndex.Changes(null, profile));
        }

        Assert.Equal(CommitStatus.Committed, (await store.SeedCommunityAsync(new Commit { Writes = writes, SetChanges = sets })).Status);
    }

    private Task<EmulatedMessage> Says(long user, string text, string expected) => _emulator.SaysAsync(user, text, expected);

    private Task<EmulatedMessage> Presses(long user, EmulatedMessage message, string button, string expected) => _emulator.PressesAsync(user, message, button, expected);

    private Task<EmulatedMessage> Sees(long user, long since, string expected) => _emulator.SeesAsync(user, since, expected);

    private Task<EmulatedMessage> InGroup(long chat, long since, string expected) => _emulator.SeesAsync(chat, since, expected);

    private static async Task<GroupLink?> LinkAsync(IStateStore store, long chat)
    {
        var doc = await store.GetAsync(DocKeys.Group(chat), CancellationToken.None);
        return doc is null ? null : RecordJson.Deserialize<GroupLink>(doc.Json);
    }

    private async Task SeedAsync(IStateStore store, DateTimeOffset now)
    {
        var writes = new List<DocWrite>
        {
            Put(DocKeys.Grid("g1"), new Grid("g1", "North") { Buildings = [new Building("b1", "Block 3")] }),
            Put(DocKeys.Region("r1"), new Region("r1", "Port")),
        };
        var sets = new List<SetChange> { new(Sets.Grids, "g1", true), new(Sets.Regions, "r1", true) };
        foreach (var (id, name, roles) in new (long, string, Roles)[] { (AdminId, "Admin", Roles.Admin), (Admin2Id, "Deputy", Roles.Admin), (MemberId, "Ann", Roles.Member) })
        {
            var profile = new UserProfile(id, id, name) { Language = Language.En, LanguageChosen = true, Roles = roles, FirstSeenAt = now, LastSeenAt = now, RegisteredAt = now, GridId = "g1" };
            _emulator.CreateUser(id, name, "en");
            writes.Add(Put(DocKeys.User(id), profile));
            sets.AddRange(PeopleIndex.Changes(null, profile));
        }

        Assert.Equal(CommitStatus.Committed, (await store.SeedCommunityAsync(new Commit { Writes = writes, SetChanges = sets })).Status);
    }

    private static DocWrite Put<T>(MusterBot.State.Documents.DocKey key, T value) => new(key, RecordJson.Serialize(value), 0);
}
