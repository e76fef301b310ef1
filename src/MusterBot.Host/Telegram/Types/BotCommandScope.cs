using System.Text.Json.Serialization;

namespace MusterBot.Host.Telegram.Types;

/// <summary>To whom a list of bot commands applies; serialized with its <c>type</c> discriminator.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(BotCommandScopeDefault), "default")]
[JsonDerivedType(typeof(BotCommandScopeAllPrivateChats), "all_private_chats")]
[JsonDerivedType(typeof(BotCommandScopeAllGroupChats), "all_group_chats")]
[JsonDerivedType(typeof(BotCommandScopeAllChatAdministrators), "all_chat_administrators")]
[JsonDerivedType(typeof(BotCommandScopeChat), "chat")]
[JsonDerivedType(typeof(BotCommandScopeChatAdministrators), "chat_administrators")]
[JsonDerivedType(typeof(BotCommandScopeChatMember), "chat_member")]
public abstract record BotCommandScope
{
    public static BotCommandScope Default() => new BotCommandScopeDefault();

    public static BotCommandScope AllPrivateChats() => new BotCommandScopeAllPrivateChats();

    public static BotCommandScope AllGroupChats() => new BotCommandScopeAllGroupChats();

    public static BotCommandScope AllChatAdministrators() => new BotCommandScopeAllChatAdministrators();

    public static BotCommandScope Chat(long chatId) => new BotCommandScopeChat(chatId);

    public static BotCommandScope ChatAdministrators(long chatId) => new BotCommandScopeChatAdministrators(chatId);

    public static BotCommandScope ChatMember(long chatId, long userId) => new BotCommandScopeChatMember(chatId, userId);
}
