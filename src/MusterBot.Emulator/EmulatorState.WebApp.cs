using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace MusterBot.Emulator;

public sealed partial class EmulatorState
{
    /// <summary>
    /// The <c>initData</c> Telegram would hand a Mini App this user opens now: <c>query_id</c>, <c>user</c> (JSON),
    /// <c>auth_date</c>, then <c>hash</c> = HMAC-SHA-256 of the sorted <c>key=value</c> lines under HMAC-SHA-256("WebAppData",
    /// bot token) — signed with this emulator's token, so the bot's check runs exactly as against Telegram.
    /// </summary>
    public string WebAppInitData(long userId, DateTimeOffset? authDate = null)
    {
        var user = RequireUser(userId);
        // As in an update's "from", plus what a Mini App's user carries.
        var json = UserJson(user);
        json["allows_write_to_pm"] = true;
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["auth_date"] = (authDate ?? Now).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["query_id"] = "AAE" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', '-').Replace('/', '_'),
            ["user"] = json.ToJsonString(),
        };
        var secret = HMACSHA256.HashData(Encoding.UTF8.GetBytes("WebAppData"), Encoding.UTF8.GetBytes(Token));
        var hash = HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(string.Join('\n', fields.Select(f => f.Key + "=" + f.Value))));
        return string.Join('&', fields.Select(f => f.Key + "=" + Uri.EscapeDataString(f.Value)))
            + "&hash=" + Convert.ToHexStringLower(hash);
    }
}
