using System.Text.Json;
using MusterBot.Flows.Events;
using MusterBot.Host.Intake;
using Telegram.Bot;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace MusterBot.Tests.Host;

public sealed class UpdateMapperTests
{
    private const long Ann = 7_000_000_001;
    private const string AnnUser = """{"id":7000000001,"is_bot":false,"first_name":"Ann","last_name":"Lee","username":"ann_l","language_code":"de"}""";
    private const string AnnChat = """{"id":7000000001,"type":"private","first_name":"Ann"}""";
    private const string Group = """{"id":-1009876543210,"type":"supergroup","title":"Ops"}""";

    [Fact]
    public void Map_PrivateText_IsTextReceivedWithSender()
    {
        var update = Parse(PrivateMessage(""" "text":"Hello there" """));

        var text = Assert.IsType<TextReceived>(UpdateMapper.Map(update));

        Assert.Equal(new Sender(Ann, "Ann", "Lee", "ann_l", "de"), text.From);
        Assert.Equal(Ann, text.UserId);
        Assert.Equal(Ann, text.ChatId);
        Assert.Equal(11, text.MessageId);
        Assert.Equal("Hello there", text.Text);
    }

    [Theory]
    [InlineData("/start abc")]
    [InlineData("/START@muster_test_bot abc")]
    [InlineData("/start   abc  ")]
    public void Map_StartWithPayload_IsCommandReceived(string text)
    {
        var update = Parse(PrivateMessage($$$""" "text":{{{JsonSerializer.Serialize(text)}}} """));

        var command = Assert.IsType<CommandReceived>(UpdateMapper.Map(update));

        Assert.Equal("start", command.Command);
        Assert.Equal("abc", command.Argument);
        Assert.Equal(Ann, command.ChatId);
        Assert.Equal(11, command.MessageId);
    }

    [Fact]
    public void Map_CommandWithoutArgument_HasEmptyArgument()
    {
        var update = Parse(PrivateMessage(""" "text":"/help" """));

        var command = Assert.IsType<CommandReceived>(UpdateMapper.Map(update));

        Assert.Equal("help", command.Command);
        Assert.Equal(string.Empty, command.Argument);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/ abc")]
    [InlineData("/@muster_test_bot")]
    public void Map_SlashWithoutCommandName_IsTextReceived(string text)
    {
        var update = Parse(PrivateMessage($$$""" "text":{{{JsonSerializer.Serialize(text)}}} """));

        var received = Assert.IsType<TextReceived>(UpdateMapper.Map(update));

        Assert.Equal(text, received.Text);
    }

    [Fact]
    public void Map_Contact_IsContactShared()
    {
        var update = Parse(PrivateMessage(""" "contact":{"phone_number":"+491700000000","first_name":"Ann","user_id":7000000001} """));

        var contact = Assert.IsType<ContactShared>(UpdateMapper.Map(update));

        Assert.Equal("+491700000000", contact.PhoneNumber);
        Assert.Equal(Ann, contact.ContactUserId);
        Assert.Equal(Ann, contact.UserId);
    }

    [Fact]
    public void Map_ContactOfSomeoneElse_KeepsTheirUserIdForTheFlowToCheck()
    {
        var update = Parse(PrivateMessage(""" "contact":{"phone_number":"+15550000","first_name":"Bob"} """));

        var contact = Assert.IsType<ContactShared>(UpdateMapper.Map(update));

        Assert.Null(contact.ContactUserId);
        Assert.Equal(Ann, contact.UserId);
    }

    [Fact]
    public void Map_Location_IsLocationShared()
    {
        var update = Parse(PrivateMessage(""" "location":{"latitude":52.52,"longitude":13.405,"horizontal_accuracy":12.5} """));

        var location = Assert.IsType<LocationShared>(UpdateMapper.Map(update));

        Assert.Equal(52.52, location.Latitude);
        Assert.Equal(13.405, location.Longitude);
    }

    [Fact]
    public void Map_Document_IsDocumentReceived()
    {
        var update = Parse(PrivateMessage(
            """ "document":{"file_id":"BQACAgIAAxk","file_unique_id":"AgADx","file_name":"roster.csv","mime_type":"text/csv","file_size":5000000000} """));

        var document = Assert.IsType<DocumentReceived>(UpdateMapper.Map(update));

        Assert.Equal("BQACAgIAAxk", document.FileId);
        Assert.Equal("roster.csv", document.FileName);
        Assert.Equal(5_000_000_000, document.FileSize);
        Assert.Equal("text/csv", document.MimeType);
    }

    [Fact]
    public void Map_Photo_IsPhotoReceivedWithTheLargestSizeAndCaption()
    {
        var update = Parse(PrivateMessage(
            """ "photo":[{"file_id":"a","file_unique_id":"a1","width":90,"height":90},{"file_id":"b","file_unique_id":"b1","width":320,"height":320},{"file_id":"c","file_unique_id":"c1","width":800,"height":800,"file_size":81234}],"caption":"me <3" """));

        var photo = Assert.IsType<PhotoReceived>(UpdateMapper.Map(update));

        Assert.Equal("c", photo.FileId);
        Assert.Equal("me <3", photo.Caption);
        Assert.Null(photo.MediaGroupId);
        Assert.Equal(Ann, photo.ChatId);
        Assert.Equal(Ann, photo.UserId);
        Assert.Equal(11, photo.MessageId);
        Assert.Equal("Ann", photo.From.FirstName);
    }

    [Fact]
    public void Map_PhotoWithoutCaption_HasNullCaption()
    {
        var update = Parse(PrivateMessage(""" "photo":[{"file_id":"only","file_unique_id":"o1","width":90,"height":60}] """));

        var photo = Assert.IsType<PhotoReceived>(UpdateMapper.Map(update));

        Assert.Equal("only", photo.FileId);
        Assert.Null(photo.Caption);
    }

    [Fact]
    public void Map_PhotoOfAnAlbum_KeepsTheMediaGroupId()
    {
        var update = Parse(PrivateMessage(
            """ "media_group_id":"13612345678901234","photo":[{"file_id":"a","file_unique_id":"a1","width":90,"height":90},{"file_id":"b","file_unique_id":"b1","width":800,"height":800}] """));

        var photo = Assert.IsType<PhotoReceived>(UpdateMapper.Map(update));

        Assert.Equal("b", photo.FileId);
        Assert.Equal("13612345678901234", photo.MediaGroupId);
    }

    [Fact]
    public void Map_EmptyPhotoArray_IsOtherMessageReceivedOfKindOther()
    {
        var update = Parse(PrivateMessage(""" "photo":[] """));

        var other = Assert.IsType<OtherMessageReceived>(UpdateMapper.Map(update));

        Assert.Equal("other", other.Kind);
    }

    [Fact]
    public void Map_PhotoInGroup_IsNull()
    {
        var update = Parse($$$"""
            {"update_id":1,"message":{"message_id":5,"from":{{{AnnUser}}},"chat":{{{Group}}},"date":1700000000,"photo":[{"file_id":"a","file_unique_id":"a1","width":90,"height":90}]}}
            """);

        Assert.Null(UpdateMapper.Map(update));
    }

    [Fact]
    public void Map_Sticker_IsOtherMessageReceivedOfKindOther()
    {
        var update = Parse(PrivateMessage(""" "sticker":{"file_id":"s","file_unique_id":"s1","type":"regular","width":512,"height":512} """));

        var other = Assert.IsType<OtherMessageReceived>(UpdateMapper.Map(update));

        Assert.Equal("other", other.Kind);
    }

    [Fact]
    public void Map_CallbackQueryWithMessage_IsButtonPressedInThatChat()
    {
        var update = Parse($$$"""
            {"update_id":5,"callback_query":{"id":"4382bfdwdsb323b2d9","from":{{{AnnUser}}},
             "message":{"message_id":42,"date":1700000000,"chat":{{{AnnChat}}}},"chat_instance":"-77","data":"m:7f3a:ok"}}
            """);

        var pressed = Assert.IsType<ButtonPressed>(UpdateMapper.Map(update));

        Assert.Equal(Ann, pressed.UserId);
        Assert.Equal(Ann, pressed.ChatId);
        Assert.Equal(42, pressed.MessageId);
        Assert.Equal("4382bfdwdsb323b2d9", pressed.CallbackQueryId);
        Assert.Equal("m:7f3a:ok", pressed.Data);
    }

    [Fact]
    public void Map_CallbackQueryWithoutMessage_UsesThePressersChatAndNoMessageId()
    {
        var update = Parse($$$"""
            {"update_id":5,"callback_query":{"id":"q1","from":{{{AnnUser}}},"inline_message_id":"AAAA","chat_instance":"-77","data":"x"}}
            """);

        var pressed = Assert.IsType<ButtonPressed>(UpdateMapper.Map(update));

        Assert.Equal(Ann, pressed.ChatId);
        Assert.Null(pressed.MessageId);
        Assert.Equal("x", pressed.Data);
    }

    [Fact]
    public void Map_CallbackQueryWithoutData_HasEmptyData()
    {
        var update = Parse($$$"""
            {"update_id":5,"callback_query":{"id":"q1","from":{{{AnnUser}}},"chat_instance":"-77","game_short_name":"g"}}
            """);

        var pressed = Assert.IsType<ButtonPressed>(UpdateMapper.Map(update));

        Assert.Equal(string.Empty, pressed.Data);
    }

    [Theory]
    [InlineData("kicked", true)]
    [InlineData("left", true)]
    [InlineData("member", false)]
    public void Map_MyChatMemberInPrivateChat_IsBotMembershipChanged(string status, bool blocked)
    {
        var update = Parse(MyChatMember(AnnChat, status));

        var changed = Assert.IsType<BotMembershipChanged>(UpdateMapper.Map(update));

        Assert.Equal(blocked, changed.Blocked);
        Assert.Equal(Ann, changed.UserId);
        Assert.Equal(Ann, changed.ChatId);
    }

    [Theory]
    [InlineData("kicked", false, false)]
    [InlineData("left", false, false)]
    [InlineData("member", true, true)]
    public void Map_MyChatMemberInGroup_IsTheBotsStatusThere(string status, bool present, bool canPost)
    {
        var update = Parse(MyChatMember(Group, status));

        var changed = Assert.IsType<GroupBotStatusChanged>(UpdateMapper.Map(update));

        Assert.Equal((present, canPost, false), (changed.Present, changed.CanPost, changed.CanPin));
        Assert.Equal(Ann, changed.UserId);
        Assert.True(changed.Chat.Id < 0);
        Assert.Equal(changed.Chat.Id, changed.ChatId);
    }

    [Fact]
    public void Map_GroupCommand_IsAGroupCommand_AndOtherGroupTextIsNull()
    {
        var command = Parse($$$"""
            {"update_id":5,"message":{"message_id":1,"from":{{{AnnUser}}},"chat":{{{Group}}},"date":1700000000,"text":"/link@musterbot now"}}
            """);
        var text = Parse($$$"""
            {"update_id":6,"message":{"message_id":2,"from":{{{AnnUser}}},"chat":{{{Group}}},"date":1700000000,"text":"hello all"}}
            """);

        var mapped = Assert.IsType<GroupCommand>(UpdateMapper.Map(command));
        Assert.Equal(("link", "now", Ann, (bool?)null), (mapped.Command, mapped.Argument, mapped.UserId, mapped.SenderIsGroupAdmin));
        Assert.Equal(mapped.Chat.Id, mapped.ChatId);
        Assert.Null(UpdateMapper.Map(text));
    }

    [Fact]
    public void Map_GroupMigration_IsGroupMigrated()
    {
        var update = Parse($$$"""
            {"update_id":7,"message":{"message_id":3,"from":{{{AnnUser}}},"chat":{"id":-4001,"title":"Old","type":"group"},"date":1700000000,"migrate_to_chat_id":-1004001}}
            """);

        var migrated = Assert.IsType<GroupMigrated>(UpdateMapper.Map(update));
        Assert.Equal((-4001L, -1004001L, false), (migrated.Chat.Id, migrated.NewChatId, migrated.Chat.Supergroup));
    }

    [Fact]
    public void Map_ChannelPost_IsNull()
    {
        var update = Parse("""
            {"update_id":5,"channel_post":{"message_id":1,"sender_chat":{"id":-1001111111111,"type":"channel","title":"News"},
             "chat":{"id":-1001111111111,"type":"channel","title":"News"},"date":1700000000,"text":"hello"}}
            """);

        Assert.Equal(UpdateType.ChannelPost, update.Type);
        Assert.Null(UpdateMapper.Map(update));
    }

    [Fact]
    public void Map_EditedMessage_IsNull()
    {
        var update = Parse($$$"""
            {"update_id":5,"edited_message":{"message_id":1,"from":{{{AnnUser}}},"chat":{{{AnnChat}}},"date":1700000000,"edit_date":1700000005,"text":"/start abc"}}
            """);

        Assert.Equal(UpdateType.EditedMessage, update.Type);
        Assert.Null(UpdateMapper.Map(update));
    }

    [Fact]
    public void Map_MessageReaction_IsNull()
    {
        var update = Parse(MessageReaction);

        Assert.Equal(UpdateType.MessageReaction, update.Type);
        Assert.Null(UpdateMapper.Map(update));
    }

    [Fact]
    public void Map_MessageFromBot_IsNull()
    {
        var update = Parse("""
            {"update_id":5,"message":{"message_id":1,"from":{"id":123456789,"is_bot":true,"first_name":"Other"},
             "chat":{"id":123456789,"type":"private","first_name":"Other"},"date":1700000000,"text":"/start abc"}}
            """);

        Assert.Null(UpdateMapper.Map(update));
    }

    [Fact]
    public void Map_MessageWithoutFrom_IsNull()
    {
        var update = Parse($$$"""
            {"update_id":5,"message":{"message_id":1,"chat":{{{AnnChat}}},"date":1700000000,"text":"hi"}}
            """);

        Assert.Null(UpdateMapper.Map(update));
    }

    [Fact]
    public void Map_UserIdAbove32Bits_IsKeptWhole()
    {
        const long big = 4_503_599_627_370_495; // 2^52 - 1
        var update = Parse("""
            {"update_id":5,"message":{"message_id":1,"from":{"id":4503599627370495,"is_bot":false,"first_name":"Zed"},
             "chat":{"id":4503599627370495,"type":"private","first_name":"Zed"},"date":1700000000,"text":"hi"}}
            """);

        var text = Assert.IsType<TextReceived>(UpdateMapper.Map(update));

        Assert.Equal(big, text.UserId);
        Assert.Equal(big, text.From.Id);
        Assert.Equal(big, text.ChatId);
        Assert.Equal(big, UpdateMapper.OrderingKey(update));
    }

    [Fact]
    public void OrderingKey_Message_IsTheSender()
    {
        Assert.Equal(Ann, UpdateMapper.OrderingKey(Parse(PrivateMessage(""" "text":"hi" """))));
    }

    [Fact]
    public void OrderingKey_GroupMessage_IsTheSenderEvenThoughItIsDropped()
    {
        var update = Parse($$$"""
            {"update_id":5,"message":{"message_id":1,"from":{{{AnnUser}}},"chat":{{{Group}}},"date":1700000000,"text":"hi"}}
            """);

        Assert.Equal(Ann, UpdateMapper.OrderingKey(update));
    }

    [Fact]
    public void OrderingKey_CallbackQuery_IsThePresser()
    {
        var update = Parse($$$"""
            {"update_id":5,"callback_query":{"id":"q1","from":{{{AnnUser}}},
             "message":{"message_id":42,"date":1700000000,"chat":{{{Group}}}},"chat_instance":"-77","data":"x"}}
            """);

        Assert.Equal(Ann, UpdateMapper.OrderingKey(update));
    }

    [Fact]
    public void OrderingKey_MyChatMember_IsTheUserWhoChangedIt()
    {
        Assert.Equal(Ann, UpdateMapper.OrderingKey(Parse(MyChatMember(AnnChat, "kicked"))));
    }

    [Fact]
    public void OrderingKey_EditedMessage_IsTheSender()
    {
        var update = Parse($$$"""
            {"update_id":5,"edited_message":{"message_id":1,"from":{{{AnnUser}}},"chat":{{{AnnChat}}},"date":1700000000,"edit_date":1700000005,"text":"x"}}
            """);

        Assert.Equal(Ann, UpdateMapper.OrderingKey(update));
    }

    [Fact]
    public void OrderingKey_UnknownKind_IsNull()
    {
        Assert.Null(UpdateMapper.OrderingKey(Parse(MessageReaction)));
    }

    [Fact]
    public void OrderingKey_MessageWithoutFrom_IsNull()
    {
        var update = Parse("""
            {"update_id":5,"message":{"message_id":1,"sender_chat":{"id":-1001111111111,"type":"channel","title":"News"},
             "chat":{"id":-1009876543210,"type":"supergroup","title":"Ops"},"date":1700000000,"text":"hi"}}
            """);

        Assert.Null(UpdateMapper.OrderingKey(update));
    }

    private const string MessageReaction = """
        {"update_id":5,"message_reaction":{"chat":{"id":-1009876543210,"type":"supergroup","title":"Ops"},"message_id":5,
         "user":{"id":7000000001,"is_bot":false,"first_name":"Ann"},"date":1700000001,"old_reaction":[],"new_reaction":[{"type":"emoji","emoji":"👍"}]}}
        """;

    private static string PrivateMessage(string content) => $$$"""
        {"update_id":900000001,"message":{"message_id":11,"from":{{{AnnUser}}},"chat":{{{AnnChat}}},"date":1700000000,{{{content}}}}}
        """;

    private static string MyChatMember(string chat, string newStatus) => $$$"""
        {"update_id":900000004,"my_chat_member":{"chat":{{{chat}}},"from":{{{AnnUser}}},"date":1700000002,
         "old_chat_member":{"status":"member","user":{"id":123456789,"is_bot":true,"first_name":"Muster"}},
         "new_chat_member":{"status":"{{{newStatus}}}","until_date":0,"user":{"id":123456789,"is_bot":true,"first_name":"Muster"}
        """ + "}}}";

    private static Update Parse(string json) =>
        JsonSerializer.Deserialize<Update>(json, JsonBotAPI.Options) ?? throw new InvalidOperationException("null update");
}
