using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MusterBot.Host.WebApp;

/// <summary>
/// A CSV link that Telegram itself can fetch. Inside Telegram's apps a page cannot save a file it made in memory; the
/// Mini App asks Telegram to download a URL instead (<c>downloadFile</c>, the <c>web_app_request_file_download</c> event),
/// and Telegram fetches it without the page's <c>Authorization</c> header. So the page first asks for a link: the same
/// query, for this person, valid for <see cref="Age"/>, signed with a key derived from the bot token. The CSV endpoint
/// accepts such a link in place of <c>initData</c> and still reads the person's role from the store.
/// </summary>
public static class DownloadLink
{
    /// <summary>How long a link works: enough for Telegram to fetch it once the person confirms the download.</summary>
    public static readonly TimeSpan Age = TimeSpan.FromMinutes(2);

    /// <summary>The signed part of a link, in one fixed order (the check rebuilds it from the request's values).</summary>
    public static string Canonical(string table, string period, string? node, long userId, long expires) =>
        string.Create(CultureInfo.InvariantCulture, $"table={table}&period={period}{(node is null ? string.Empty : "&node=" + node)}&user={userId}&expires={expires}");

    public static string Sign(string canonical, string? botToken)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        ArgumentException.ThrowIfNullOrEmpty(botToken);
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("MusterBotCsvLink"), Encoding.UTF8.GetBytes(botToken!));
        return Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(canonical))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>True when <paramref name="signature"/> signs the values and the link has not expired (nor claims a far future).</summary>
    public static bool Check(string table, string period, string? node, long userId, long expires, string? signature, string? botToken, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(signature) || signature.Length > 64 || string.IsNullOrEmpty(botToken))
        {
            return false;
        }

        var at = now.ToUnixTimeSeconds();
        if (expires < at || expires > at + (long)Age.TotalSeconds + 60)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(Canonical(table, period, node, userId, expires), botToken));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }
}
