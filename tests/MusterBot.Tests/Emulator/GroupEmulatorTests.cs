using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MusterBot.Emulator;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace MusterBot.Tests.Emulator;

/// <summary>Groups and supergroups in the emulator: membership updates, privacy mode, rights, migration, the per-group limit.</summary>
public sealed class GroupEmulatorTests : EmulatorTestBase, IDisposable
{
    private const long Group = -1001;
    private const long Super = -100123;
    private const long Carol = 5_000_000_003;
    private const long Dave = 5_000_000_004;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private HttpClient? _clientHttp;

    public void Dispose() => _clientHttp?.Dispose();

    [Fact]
    public async Task BotMembershipUpdates_AddPromoteRestrictKick_ParseWithTelegramBot()
    {
        Emulator.CreateGroup(Super, "Ops", supergroup: true);
        Emulator.AddGroupMember(Super, Alice, admin: true);
        Emulator.AddBotToGroup(Super, Alice);
        Emulator.SetBotRights(Super, Alice, admin: true, canPin: true);
        Emulator.SetBotRights(Super, Alice, admin: false, canPin: false, canSend: false);
        Emulator.RemoveBotFromGroup(Super, Alice);

        var updates = await Client().GetUpdates();

        Assert.Equal(4, updates.Length);
        Assert.All(updates, u =>
        {
            Assert.Equal(UpdateType.MyChatMember, u.Type);
            Assert.Equal(Super, u.MyChatMember!.Chat.Id);
            Assert.Equal(ChatType.Supergroup, u.MyChatMember.Chat.Type);
            Assert.Equal("Ops", u.MyChatMember.Chat.Title);
            Assert.Equal(Alice, u.MyChatMember.From.Id);
            Assert.Equal(Emulator.State.Options.BotId, u.MyChatMember.NewChatMember.User.Id);
        });
        Assert.IsType<ChatMemberLeft>(updates[0].MyChatMember!.OldChatMember);
        Assert.IsType<ChatMemberMember>(updates[0].MyChatMember!.NewChatMember);
        var admin = Assert.IsType<ChatMemberAdministrator>(updates[1].MyChatMember!.NewChatMember);
        Assert.True(admin.CanPinMessages);
        Assert.True(admin.CanManageChat);
        Assert.False(admin.CanBeEdited);
        Assert.False(admin.CanPromoteMembers);
        Assert.IsType<ChatMemberAdministrator>(updates[2].MyChatMember!.OldChatMember);
        var restricted = Assert.IsType<ChatMemberRestricted>(updates[2].MyChatMember!.NewChatMember);
        Assert.True(restricted.IsMember);
        Assert.False(restricted.CanSendMessages);
        Assert.IsType<ChatMemberRestricted>(updates[3].MyChatMember!.OldChatMember);
        Assert.IsType<ChatMemberBanned>(updates[3].MyChatMember!.NewChatMember);
    }

    [Fact]
    public async Task AddBotToGroup_AsAdmin_SendsTheFieldsTelegramSends()
    {
        Emulator.CreateGroup(Group, "Street 5");
        Emulator.AddGroupMember(Group, Alice, admin: true);

        Emulator.AddBotToGroup(Group, Alice, asAdmin: true, canPin: false);

        var raw = Assert.Single(await GetUpdatesAsync())!;
        var change = raw["my_chat_member"]!;
        Assert.Equal("group", change["chat"]!["type"]!.GetValue<string>());
        Assert.Equal("Street 5", change["chat"]!["title"]!.GetValue<string>());
        Assert.Equal("left", change["old_chat_member"]!["status"]!.GetValue<string>());
        var member = change["new_chat_member"]!.AsObject();
        Assert.Equal("administrator", member["status"]!.GetValue<string>());
        foreach (var field in new[] { "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories" })
        {
            Assert.True(member.ContainsKey(field), field);
        }

        Assert.False(member["can_pin_messages"]!.GetValue<bool>());
        var update = Parse(raw);
        Assert.Equal(ChatType.Group, update.MyChatMember!.Chat.Type);
        Assert.False(Assert.IsType<ChatMemberAdministrator>(update.MyChatMember.NewChatMember).CanPinMessages);
    }

    [Fact]
    public async Task PrivacyMode_OnlyCommandsAndRepliesToTheBotAreDelivered()
    {
        Emulator.CreateGroup(Group, "Street 5");
        Emulator.AddGroupMember(Group, Alice, admin: true);
        Emulator.AddGroupMember(Group, Bob);
        Emulator.AddBotToGroup(Group, Alice);
        var offset = await ConfirmAllAsync();

        Emulator.SendGroupText(Group, Bob, "hello everyone");
        Emulator.SendGroupText(Group, Bob, "/start@other_bot");
        var command = Emulator.SendGroupText(Group, Bob, "/link@muster_test_bot grid");
        var botMessage = await SendMessageAsync(Group, "Which grid?");
        var reply = Emulator.SendGroupText(Group, Bob, "North", botMessage["message_id"]!.GetValue<int>());
        Emulator.SendGroupText(Group, Bob, "me too", command.MessageId);

        var updates = await GetUpdatesAsync(offset);
        Assert.Equal(2, updates.Count);
        var first = Parse(updates[0]!);
        Assert.Equal(ChatType.Group, first.Message!.Chat.Type);
        Assert.Equal(Group, first.Message.Chat.Id);
        Assert.Equal(Bob, first.Message.From!.Id);
        Assert.Equal("/link@muster_test_bot grid", first.Message.Text);
        var entity = Assert.Single(first.Message.Entities!);
        Assert.Equal(MessageEntityType.BotCommand, entity.Type);
        Assert.Equal("/link@muster_test_bot".Length, entity.Length);
        var second = Parse(updates[1]!);
        Assert.Equal(reply.MessageId, second.Message!.MessageId);
        Assert.True(second.Message.ReplyToMessage!.From!.IsBot);

        var transcript = Emulator.Transcript(Group);
        Assert.Equal(6, transcript.Count);
        Assert.Equal("hello everyone", transcript[0].Text);
    }

    [Fact]
    public async Task PrivacyMode_AdminBotSeesEverything_WhenTheOptionIsSet()
    {
        await using var emulator = await BotApiEmulator.StartAsync(new EmulatorOptions { AdminBotsReceiveAllGroupMessages = true }, CancellationToken.None);
        emulator.CreateUser(Alice, "Alice");
        emulator.CreateGroup(Group, "Street 5");
        emulator.AddGroupMember(Group, Alice, admin: true);
        emulator.AddBotToGroup(Group, Alice, asAdmin: true);

        emulator.SendGroupText(Group, Alice, "plain text");

        Assert.Equal(2, emulator.PendingUpdateCount);
    }

    [Fact]
    public async Task SendMessage_ToGroups_OkNotAMemberKickedOrUnknown()
    {
        Emulator.CreateGroup(Group, "Street 5");
        Emulator.AddGroupMember(Group, Alice, admin: true);
        Emulator.CreateGroup(Super, "Ops", supergroup: true);

        var (notMember, notMemberBody) = await CallAsync("sendMessage", new { chat_id = Group, text = "hi" });
        Assert.Equal(403, notMember);
        Assert.Equal("Forbidden: bot is not a member of the group chat", Description(notMemberBody));
        Assert.Equal("Forbidden: bot is not a member of the supergroup chat", Description((await CallAsync("sendMessage", new { chat_id = Super, text = "hi" })).Body));

        Emulator.AddBotToGroup(Group, Alice);
        var wait = Emulator.WaitForMessageAsync(Group, m => m.Text == "Roll call", Wait);
        var sent = await SendMessageAsync(Group, "Roll call");
        Assert.Equal("group", sent["chat"]!["type"]!.GetValue<string>());
        Assert.Equal("Street 5", sent["chat"]!["title"]!.GetValue<string>());
        Assert.Equal(1, (await wait).MessageId);
        Assert.Equal("Roll call", Emulator.FindMessage(Group, 1)!.Text);

        Emulator.RemoveBotFromGroup(Group, Alice);
        var (kicked, kickedBody) = await CallAsync("sendMessage", new { chat_id = Group, text = "still here?" });
        var (kickedEdit, _) = await CallAsync("editMessageText", new { chat_id = Group, message_id = 1, text = "edited" });
        var (kickedLocation, _) = await CallAsync("sendLocation", new { chat_id = Group, latitude = 1.0, longitude = 2.0 });
        Assert.Equal(403, kicked);
        Assert.Equal("Forbidden: bot was kicked from the group chat", Description(kickedBody));
        Assert.Equal(403, kickedEdit);
        Assert.Equal(403, kickedLocation);

        var (unknown, unknownBody) = await CallAsync("sendMessage", new { chat_id = -999, text = "x" });
        Assert.Equal(400, unknown);
        Assert.Equal("Bad Request: chat not found", Description(unknownBody));
    }

    [Fact]
    public async Task RestrictedBot_CannotSend_ButReceivesCommands()
    {
        Emulator.CreateGroup(Super, "Ops", supergroup: true);
        Emulator.AddGroupMember(Super, Alice, admin: true);
        Emulator.AddBotToGroup(Super, Alice);
        Emulator.SetBotRights(Super, Alice, admin: false, canPin: false, canSend: false);

        var (status, body) = await CallAsync("sendMessage", new { chat_id = Super, text = "hi" });
        Emulator.SendGroupText(Super, Alice, "/groups");

        Assert.Equal(400, status);
        Assert.Equal("Bad Request: not enough rights to send text messages to the chat", Description(body));
        Assert.Equal(3, (await GetUpdatesAsync()).Count);
        Emulator.CreateGroup(Group, "Basic");
        Emulator.AddGroupMember(Group, Alice, admin: true);
        Emulator.AddBotToGroup(Group, Alice);
        Assert.Throws<InvalidOperationException>(() => Emulator.SetBotRights(Group, Alice, admin: false, canPin: false, canSend: false));
    }

    [Fact]
    public async Task MigrateToSupergroup_SendsServiceMessages_AndTheOldIdAnswersMigrated()
    {
        Emulator.CreateGroup(Group, "Street 5");
        Emulator.AddGroupMember(Group, Alice, admin: true);
        Emulator.AddGroupMember(Group, Bob);
        Emulator.AddBotToGroup(Group, Alice, asAdmin: true, canPin: true);
        var offset = await ConfirmAllAsync();

        Emulator.MigrateToSupergroup(Group, Super, Alice);

        var updates = await GetUpdatesAsync(offset);
        Assert.Equal(2, updates.Count);
        var to = Parse(updates[0]!).Message!;
        Assert.Equal(Group, to.Chat.Id);
        Assert.Equal(ChatType.Group, to.Chat.Type);
        Assert.Equal(Alice, to.From!.Id);
        Assert.Equal(Super, to.MigrateToChatId);
        var from = Parse(updates[1]!).Message!;
        Assert.Equal(Super, from.Chat.Id);
        Assert.Equal(ChatType.Supergroup, from.Chat.Type);
        Assert.Equal("Street 5", from.Chat.Title);
        Assert.Equal(Group, from.MigrateFromChatId);

        var (status, body) = await CallAsync("sendMessage", new { chat_id = Group, text = "x" });
        Assert.Equal(400, status);
        Assert.Equal("Bad Request: group chat was upgraded to a supergroup chat", Description(body));
        Assert.Equal(Super, body["parameters"]!["migrate_to_chat_id"]!.GetValue<long>());
        var error = await Assert.ThrowsAsync<ApiRequestException>(() => Client().SendMessage(Group, "x"));
        Assert.Equal(Super, error.Parameters!.MigrateToChatId);

        var sent = await SendMessageAsync(Super, "moved");
        Assert.Equal("supergroup", sent["chat"]!["type"]!.GetValue<string>());
        var member = await Client().GetChatMember(Super, Emulator.State.Options.BotId);
        Assert.True(Assert.IsType<ChatMemberAdministrator>(member).CanPinMessages);
        Assert.IsType<ChatMemberMember>(await Client().GetChatMember(Super, Bob));
        Assert.Throws<InvalidOperationException>(() => Emulator.SendGroupText(Group, Bob, "/start"));
    }

    [Fact]
    public async Task PinChatMessage_NeedsAdministratorWithPinRights()
    {
        Emulator.CreateGroup(Group, "Street 5");
        Emulator.AddGroupMember(Group, Alice, admin: true);
        Emulator.AddBotToGroup(Group, Alice);
        var id = (await SendMessageAsync(Group, "Rules"))["message_id"]!.GetValue<int>();

        var (asMember, memberBody) = await CallAsync("pinChatMessage", new { chat_id = Group, message_id = id, disable_notification = true });
        Emulator.SetBotRights(Group, Alice, admin: true, canPin: false);
        var (noPin, _) = await CallAsync("pinChatMessage", new { chat_id = Group, message_id = id });
        var (unpinNoRights, _) = await CallAsync("unpinChatMessage", new { chat_id = Group, message_id = id });

        Assert.Equal(400, asMember);
        Assert.Equal("Bad Request: not enough rights to manage pinned messages in the chat", Description(memberBody));
        Assert.Equal(400, noPin);
        Assert.Equal(400, unpinNoRights);
        Assert.Null(Emulator.PinnedMessage(Group));

        Emulator.SetBotRights(Group, Alice, admin: true, canPin: true);
        await OkAsync("pinChatMessage", new { chat_id = Group, message_id = id, disable_notification = true });
        Assert.Equal("Rules", Emulator.PinnedMessage(Group)!.Text);
        var chat = await OkAsync("getChat", new { chat_id = Group });
        Assert.Equal("Rules", chat["result"]!["pinned_message"]!["text"]!.GetValue<string>());
        var (missing, _) = await CallAsync("pinChatMessage", new { chat_id = Group, message_id = 99 });
        Assert.Equal(400, missing);

        await OkAsync("unpinChatMessage", new { chat_id = Group, message_id = id });
        Assert.Null(Emulator.PinnedMessage(Group));
    }

    [Fact]
    public async Task GetChatMember_GivesEachStatus_AndGetChatAdministratorsListsThem()
    {
        Emulator.CreateUser(Carol, "Carol");
        Emulator.CreateUser(Dave, "Dave");
        Emulator.CreateGroup(Group, "Street 5");
        Emulator.AddGroupMember(Group, Alice, admin: true);
        Emulator.AddGroupMember(Group, Bob);
        Emulator.AddGroupMember(Group, Carol);
        Emulator.SetGroupAdmin(Group, Carol, admin: true);
        Emulator.AddBotToGroup(Group, Alice);
        var client = Client();

        Assert.Equal(ChatMemberStatus.Creator, (await client.GetChatMember(Group, Alice)).Status);
        Assert.Equal(ChatMemberStatus.Administrator, (await client.GetChatMember(Group, Carol)).Status);
        var bob = await client.GetChatMember(Group, Bob);
        Assert.Equal(ChatMemberStatus.Member, bob.Status);
        Assert.Equal("Bob", bob.User.FirstName);
        Assert.Equal(ChatMemberStatus.Left, (await client.GetChatMember(Group, Dave)).Status);
        Assert.Equal(ChatMemberStatus.Member, (await client.GetChatMember(Group, Emulator.State.Options.BotId)).Status);
        Assert.Equal(new[] { Alice, Carol }, (await client.GetChatAdministrators(Group)).Select(m => m.User.Id));

        Emulator.SetBotRights(Group, Alice, admin: true, canPin: false);
        Emulator.SetGroupAdmin(Group, Carol, admin: false);
        Assert.Equal(ChatMemberStatus.Member, (await client.GetChatMember(Group, Carol)).Status);
        Assert.Equal(new[] { Alice, Emulator.State.Options.BotId }, (await client.GetChatAdministrators(Group)).Select(m => m.User.Id));
        var chat = await client.GetChat(Group);
        Assert.Equal(ChatType.Group, chat.Type);
        Assert.Equal("Street 5", chat.Title);

        Emulator.RemoveBotFromGroup(Group, Alice);
        Emulator.AddBotToGroup(Group, Alice);
        Assert.Equal("kicked", (await GetUpdatesAsync()).Last()!["my_chat_member"]!["old_chat_member"]!["status"]!.GetValue<string>());
        var (status, _) = await CallAsync("getChatMember", new { chat_id = Group, user_id = 42 });
        Assert.Equal(400, status);
    }

    [Fact]
    public async Task PressButton_InGroup_ByMemberGivesGroupCallback_NonMemberIsRefused()
    {
        Emulator.CreateUser(Dave, "Dave");
        Emulator.CreateGroup(Group, "Street 5");
        Emulator.AddGroupMember(Group, Alice, admin: true);
        Emulator.AddGroupMember(Group, Bob);
        Emulator.AddBotToGroup(Group, Alice);
        var sent = await SendMessageAsync(Group, "Link to?", new { reply_markup = new { inline_keyboard = new[] { new[] { new { text = "Grid", callback_data = "gr:grid" } } } } });
        var id = sent["message_id"]!.GetValue<int>();
        var offset = await ConfirmAllAsync();

        var queryId = Emulator.PressButton(Bob, Group, id, Emulator.FindMessage(Group, id)!.FindCallbackData("Grid")!);

        Assert.Throws<InvalidOperationException>(() => Emulator.PressButton(Dave, Group, id, "gr:grid"));
        var query = Parse(Assert.Single(await GetUpdatesAsync(offset))!).CallbackQuery!;
        Assert.Equal(queryId, query.Id);
        Assert.Equal(Bob, query.From.Id);
        Assert.Equal("gr:grid", query.Data);
        Assert.Equal(Group, query.Message!.Chat.Id);
        Assert.Equal(ChatType.Group, query.Message.Chat.Type);
        await OkAsync("answerCallbackQuery", new { callback_query_id = queryId });
        await OkAsync("editMessageReplyMarkup", new { chat_id = Group, message_id = id, reply_markup = new { inline_keyboard = Array.Empty<object>() } });
        Assert.Empty(Emulator.Messages(Group).Single().Buttons);
    }

    [Fact]
    public async Task DeleteMessage_OwnMessagesAlways_OthersOnlyAsAdministrator()
    {
        Emulator.CreateGroup(Group, "Street 5");
        Emulator.AddGroupMember(Group, Alice, admin: true);
        Emulator.AddBotToGroup(Group, Alice);
        var own = (await SendMessageAsync(Group, "temporary"))["message_id"]!.GetValue<int>();
        var theirs = Emulator.SendGroupText(Group, Alice, "spam").MessageId;

        await OkAsync("deleteMessage", new { chat_id = Group, message_id = own });
        var (refused, refusedBody) = await CallAsync("deleteMessage", new { chat_id = Group, message_id = theirs });
        var (again, againBody) = await CallAsync("deleteMessage", new { chat_id = Group, message_id = own });

        Assert.Empty(Emulator.Messages(Group));
        Assert.True(Emulator.FindMessage(Group, own)!.Deleted);
        Assert.Equal(400, refused);
        Assert.Equal("Bad Request: message can't be deleted", Description(refusedBody));
        Assert.Equal(400, again);
        Assert.Equal("Bad Request: message to delete not found", Description(againBody));
        Emulator.SetBotRights(Group, Alice, admin: true, canPin: false);
        await OkAsync("deleteMessage", new { chat_id = Group, message_id = theirs });
    }

    [Fact]
    public async Task GroupMessagesPerMinute_LimitsSendsAndEditsPerGroupInASlidingWindow()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2025-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var emulator = await BotApiEmulator.StartAsync(new EmulatorOptions { TimeProvider = time, GroupMessagesPerMinute = 3 }, CancellationToken.None);
        emulator.CreateUser(Alice, "Alice");
        emulator.CreateGroup(Group, "Street 5");
        emulator.AddGroupMember(Group, Alice, admin: true);
        emulator.AddBotToGroup(Group, Alice);
        emulator.CreateGroup(Super, "Ops", supergroup: true);
        emulator.AddGroupMember(Super, Alice, admin: true);
        emulator.AddBotToGroup(Super, Alice);

        Assert.Equal(200, (await Call(emulator, "sendMessage", new { chat_id = Group, text = "1" })).Status);
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(200, (await Call(emulator, "sendMessage", new { chat_id = Group, text = "2" })).Status);
        Assert.Equal(200, (await Call(emulator, "editMessageText", new { chat_id = Group, message_id = 1, text = "1b" })).Status);
        var (status, body) = await Call(emulator, "sendMessage", new { chat_id = Group, text = "3" });
        var (editStatus, _) = await Call(emulator, "editMessageText", new { chat_id = Group, message_id = 2, text = "2b" });

        Assert.Equal(429, status);
        Assert.Equal(40, body["parameters"]!["retry_after"]!.GetValue<int>());
        Assert.Equal(429, editStatus);
        Assert.Equal(200, (await Call(emulator, "sendMessage", new { chat_id = Super, text = "other group" })).Status);
        Assert.Equal(200, (await Call(emulator, "sendMessage", new { chat_id = Alice, text = "private" })).Status);

        time.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal(200, (await Call(emulator, "sendMessage", new { chat_id = Group, text = "3" })).Status);
        Assert.Equal(429, (await Call(emulator, "sendMessage", new { chat_id = Group, text = "4" })).Status);
        Assert.Equal(3, emulator.TooManyRequestsGiven);
    }

    [Fact]
    public void GroupHelpers_RefuseWhatTelegramWouldNot()
    {
        Emulator.CreateGroup(Group, "Street 5");

        Assert.Throws<ArgumentOutOfRangeException>(() => Emulator.CreateGroup(1001, "Positive"));
        Assert.Throws<InvalidOperationException>(() => Emulator.CreateGroup(Group, "Again"));
        Assert.Throws<InvalidOperationException>(() => Emulator.AddGroupMember(Group, 42));
        Emulator.AddGroupMember(Group, Bob);
        Assert.Throws<InvalidOperationException>(() => Emulator.AddGroupMember(Group, Bob));
        Assert.Throws<InvalidOperationException>(() => Emulator.SendGroupText(Group, Alice, "/start"));
        Assert.Throws<InvalidOperationException>(() => Emulator.AddBotToGroup(Group, Bob, asAdmin: true));
        Assert.Throws<InvalidOperationException>(() => Emulator.RemoveBotFromGroup(Group, Bob));
    }

    private static Update Parse(JsonNode update) =>
        JsonSerializer.Deserialize<Update>(update.ToJsonString(), JsonBotAPI.Options) ?? throw new InvalidOperationException("null update");

    /// <summary>Fetches and confirms every pending update; returns the offset to read what comes next.</summary>
    private async Task<long> ConfirmAllAsync()
    {
        var pending = await GetUpdatesAsync();
        var offset = pending.Count == 0 ? 0 : pending[^1]!["update_id"]!.GetValue<long>() + 1;
        await GetUpdatesAsync(offset);
        return offset;
    }

    private async Task<(int Status, JsonObject Body)> Call(BotApiEmulator emulator, string method, object parameters)
    {
        using var response = await Http.PostAsJsonAsync(new Uri($"{emulator.BaseUrl}/bot{emulator.Token}/{method}"), parameters);
        return await ReadAsync(response);
    }

    private TelegramBotClient Client()
    {
        _clientHttp ??= new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        return new TelegramBotClient(new TelegramBotClientOptions(Emulator.Token, Emulator.BaseUrl), _clientHttp);
    }
}
