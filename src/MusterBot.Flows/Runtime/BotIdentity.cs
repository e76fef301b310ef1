namespace MusterBot.Flows.Runtime;

/// <summary>The bot's own username (for invite links), learnt from getMe at start or from configuration.</summary>
public sealed class BotIdentity
{
    private volatile string _username = "musterbot";

    public string Username
    {
        get => _username;
        set => _username = string.IsNullOrWhiteSpace(value) ? _username : value.TrimStart('@');
    }

    public string InviteLink(string code) => $"https://t.me/{Username}?start={code}";
}
