using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MusterBot.Host.WebApp;

/// <summary>Why an <c>initData</c> was refused (never the data itself: it is a credential).</summary>
public enum InitDataFailure
{
    None,
    Missing,
    Malformed,
    BadSignature,
    Expired,
}

/// <summary>The checked identity of whoever opened the Mini App.</summary>
public sealed record WebAppIdentity(long UserId, DateTimeOffset AuthDate, string? LanguageCode)
{
    /// <summary>The user's names as Telegram signed them (as in an update's <c>from</c>).</summary>
    public string FirstName { get; init; } = string.Empty;

    public string? LastName { get; init; }

    public string? Username { get; init; }
}

/// <summary>
/// Telegram's Mini App <c>initData</c> check (core.telegram.org/bots/webapps, "Validating data received via the Mini
/// App"): the query string's fields except <c>hash</c>, URL-decoded, sorted by key and joined as <c>key=value</c> lines,
/// signed with HMAC-SHA-256 under the key HMAC-SHA-256("WebAppData", bot token). Only the signature makes the
/// <c>user</c> field trustworthy; the caller then looks the person up in the store.
/// </summary>
public static class InitData
{
    /// <summary>The longest initData accepted (Telegram's are well under 1 KB; anything huge is refused unread).</summary>
    public const int MaxLength = 4096;

    public static (WebAppIdentity? Identity, InitDataFailure Failure) Validate(string? raw, string botToken, DateTimeOffset now, TimeSpan maxAge)
    {
        ArgumentException.ThrowIfNullOrEmpty(botToken);
        if (string.IsNullOrEmpty(raw))
        {
            return (null, InitDataFailure.Missing);
        }

        if (raw.Length > MaxLength || !TryParse(raw, out var fields) || !fields.TryGetValue("hash", out var hash) || hash.Length != 64)
        {
            return (null, InitDataFailure.Malformed);
        }

        var expected = Sign(fields.Where(f => f.Key != "hash"), botToken);
        if (!hash.All(Uri.IsHexDigit) || !CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(hash)))
        {
            return (null, InitDataFailure.BadSignature);
        }

        // Signed: now the fields can be read. A signed initData without a user (opened from an inline query of a chat)
        // identifies nobody, and the dashboard needs a person.
        if (!fields.TryGetValue("auth_date", out var authText) || !long.TryParse(authText, NumberStyles.None, CultureInfo.InvariantCulture, out var authSeconds)
            || !fields.TryGetValue("user", out var userJson) || !TryReadUser(userJson, out var user))
        {
            return (null, InitDataFailure.Malformed);
        }

        var authDate = DateTimeOffset.FromUnixTimeSeconds(authSeconds);
        // A little tolerance for a client clock ahead of ours; an old one is refused.
        if (now - authDate > maxAge || authDate - now > TimeSpan.FromMinutes(5))
        {
            return (null, InitDataFailure.Expired);
        }

        return (user with { AuthDate = authDate }, InitDataFailure.None);
    }

    /// <summary>The HMAC of the data-check string of <paramref name="fields"/> (without <c>hash</c>) under the bot's Mini App key.</summary>
    public static byte[] Sign(IEnumerable<KeyValuePair<string, string>> fields, string botToken)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var secret = HMACSHA256.HashData(Encoding.UTF8.GetBytes("WebAppData"), Encoding.UTF8.GetBytes(botToken));
        var check = string.Join('\n', fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "=" + f.Value));
        return HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(check));
    }

    private static bool TryParse(string raw, out Dictionary<string, string> fields)
    {
        fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in raw.Split('&'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return false;
            }

            string key, value;
            try
            {
                key = Uri.UnescapeDataString(pair[..eq].Replace('+', ' '));
                value = Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            }
            catch (UriFormatException)
            {
                return false;
            }

            // A key given twice is ambiguous: refuse rather than pick one.
            if (!fields.TryAdd(key, value))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryReadUser(string json, out WebAppIdentity user)
    {
        user = null!;
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("id", out var id) || !id.TryGetInt64(out var userId) || userId <= 0)
            {
                return false;
            }

            string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            user = new WebAppIdentity(userId, default, Text("language_code"))
            {
                FirstName = Text("first_name") ?? string.Empty,
                LastName = Text("last_name"),
                Username = Text("username"),
            };
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
