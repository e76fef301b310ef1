using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Texts;
using MusterBot.State.Records;

namespace MusterBot.Emulator.Sandbox;

/// <summary>
/// The browser sandbox on the host's own address: the chat page at <c>/</c>, the emulator's control API at
/// <c>/_emulator/…</c> (the same <see cref="EmulatorState"/> the bot polls) and a few page helpers at <c>/sandbox/…</c>.
/// Mapped only in sandbox mode; no authentication (the host listens on 127.0.0.1 by default).
/// </summary>
public static partial class SandboxEndpoints
{
    public const string PageResource = "MusterBot.Emulator.Sandbox.sandbox.html";

    private static readonly Lazy<string> Template = new(() =>
    {
        using var stream = typeof(SandboxEndpoints).Assembly.GetManifestResourceStream(PageResource)
            ?? throw new InvalidOperationException("The sandbox page is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    private static readonly ConcurrentDictionary<Language, string> Pages = new();

    /// <summary>Escapes &lt; &gt; &amp; and quotes but keeps Chinese readable in the page's source.</summary>
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    public static WebApplication MapSandbox(this WebApplication app, BotApiEmulator emulator)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(emulator);
        var state = emulator.State;
        app.MapEmulatorControl(state);
        app.MapGet("/", (HttpContext context, SandboxSeeder seeder) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return Results.Content(Page(seeder.Community), "text/html; charset=utf-8");
        });
        app.MapGet("/sandbox/api/personas", (SandboxSeeder seeder, IOptions<MusterOptions> muster) =>
        {
            var community = seeder.Community;
            return Results.Json(new
            {
                language = community.Language == Language.En ? "en" : "zh",
                admin_id = SandboxDemo.AdminId,
                // Message times are shown in the community's time zone, as the bot's own texts write them.
                utc_offset_minutes = (int)muster.Value.UtcOffset.TotalMinutes,
                // By node, top down (the street's administrator first, then each community's people), each in seat order.
                personas = community.People.OrderBy(p => p.Node).Select(p => new
                {
                    id = p.Id,
                    name = p.Name,
                    role = p.Role,
                    phone = p.Phone,
                    skills = p.Skills.Select(s => TextCatalog.Default.Get(community.Language, "skill." + s)),
                    // The organisation node the person belongs to, and where it sits ("东城街道 · 港湾社区"): the list's groups.
                    node = p.Node,
                    place = community.PlaceOf(p.Node),
                }),
                others = state.Users.Where(u => community.People.All(p => p.Id != u.Id)).Select(u => new { id = u.Id, name = u.FirstName }),
            });
        });
        app.MapGet("/sandbox/api/commands/{userId:long}", (long userId) =>
        {
            var user = state.Users.FirstOrDefault(u => u.Id == userId);
            var language = user?.LanguageCode?.StartsWith("en", StringComparison.OrdinalIgnoreCase) == true ? "en" : string.Empty;
            var chatScope = "chat:" + userId.ToString(CultureInfo.InvariantCulture);
            foreach (var (scope, code) in new[] { (chatScope, language), (chatScope, string.Empty), ("all_private_chats", language), ("all_private_chats", string.Empty), ("default", language), ("default", string.Empty) })
            {
                var commands = state.GetCommands(scope, code);
                if (commands.Count > 0)
                {
                    return Results.Json(commands.Select(c => new { command = c.Command, description = c.Description }));
                }
            }

            return Results.Json(Array.Empty<object>());
        });
        app.MapGet("/sandbox/api/menu/{userId:long}", (long userId) =>
        {
            var menu = state.GetMenuButton(userId);
            return Results.Json(new { type = menu.Type, text = menu.Text, url = menu.WebAppUrl });
        });
        app.MapGet("/sandbox/api/answers/{queryId}", (string queryId) =>
        {
            var answers = state.CallbackAnswers(queryId);
            var answer = answers.Count > 0 ? answers[^1] : null;
            return answer is null
                ? Results.Json(new { answered = false })
                : Results.Json(new { answered = true, text = answer.Text, show_alert = answer.ShowAlert, url = answer.Url });
        });
        app.MapPost("/sandbox/api/reset", async (SandboxSeeder seeder, CancellationToken ct) =>
        {
            await seeder.ResetAsync(ct);
            return Results.Json(new JsonObject { ["ok"] = true, ["version"] = state.Version });
        });
        app.MapGet("/sandbox/api/activity", (SandboxSeeder seeder) =>
        {
            // How many messages the bot has sent each persona (the page's unread badges count what arrived since a chat was viewed).
            var version = state.Version;
            var counts = new JsonObject();
            foreach (var person in seeder.Community.People)
            {
                counts[person.Id.ToString(CultureInfo.InvariantCulture)] = state.Messages(person.Id).Count;
            }

            return Results.Json(new JsonObject { ["version"] = version, ["counts"] = counts });
        });
        app.MapGet("/sandbox/files/{fileId}", (string fileId, string? name, string? type) =>
        {
            var content = state.GetFileContent(fileId);
            if (content is null)
            {
                return Results.NotFound();
            }

            // A photo is asked for without a type: its bytes tell (the emulator files every photo as .jpg).
            var contentType = type ?? ImageType(content) ?? "application/octet-stream";
            return name is null && contentType.StartsWith("image/", StringComparison.Ordinal)
                ? Results.File(content, contentType)
                : Results.File(content, contentType, name ?? fileId);
        });
        return app;
    }

    /// <summary>
    /// The page in the community's language: <c>{{lang}}</c> becomes the HTML language, every <c>{{label}}</c> the
    /// label (HTML-encoded), and <c>{{labels_json}}</c> all labels as JSON for the script (with &lt; escaped, so no
    /// label can end the script element).
    /// </summary>
    internal static string Page(SandboxCommunity community) => Pages.GetOrAdd(community.Language, _ =>
        Placeholder().Replace(Template.Value, match => match.Groups[1].Value switch
        {
            "lang" => community.Language == Language.En ? "en" : "zh-CN",
            "labels_json" => JsonSerializer.Serialize(community.Labels),
            var key => community.Labels.TryGetValue(key, out var label)
                ? Html.Encode(label)
                : throw new InvalidOperationException($"The sandbox page uses the label '{key}', which demo.*.json lacks."),
        }));

    /// <summary>The image type of PNG, JPEG, GIF or WebP bytes; null for anything else.</summary>
    internal static string? ImageType(ReadOnlySpan<byte> content) =>
        content.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']) ? "image/png"
        : content.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? "image/jpeg"
        : content.StartsWith("GIF8"u8) ? "image/gif"
        : content.Length >= 12 && content.StartsWith("RIFF"u8) && content[8..12].SequenceEqual("WEBP"u8) ? "image/webp"
        : null;

    [GeneratedRegex(@"\{\{([a-z_]+)\}\}")]
    private static partial Regex Placeholder();
}
