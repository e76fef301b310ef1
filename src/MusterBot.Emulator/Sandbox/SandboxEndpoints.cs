using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MusterBot.State.Records;

namespace MusterBot.Emulator.Sandbox;

/// <summary>
/// The browser sandbox on the host's own address: the chat page at <c>/</c>, the emulator's control API at
/// <c>/_emulator/…</c> (the same <see cref="EmulatorState"/> the bot polls) and a few page helpers at <c>/sandbox/…</c>.
/// Mapped only in sandbox mode; no authentication (the host listens on 127.0.0.1 by default).
/// </summary>
public static class SandboxEndpoints
{
    public const string PageResource = "MusterBot.Emulator.Sandbox.sandbox.html";

    public static WebApplication MapSandbox(this WebApplication app, BotApiEmulator emulator)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(emulator);
        var state = emulator.State;
        app.MapEmulatorControl(state);
        app.MapGet("/", async context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.Headers.CacheControl = "no-store";
            await using var page = typeof(SandboxEndpoints).Assembly.GetManifestResourceStream(PageResource)
                ?? throw new InvalidOperationException("The sandbox page is not embedded.");
            await page.CopyToAsync(context.Response.Body, context.RequestAborted);
        });
        app.MapGet("/sandbox/api/personas", (SandboxSeeder seeder) => Results.Json(new
        {
            language = seeder.Language == Language.En ? "en" : "zh",
            admin_id = SandboxDemo.AdminId,
            personas = SandboxDemo.People.Select(p => new
            {
                id = p.Id,
                name = p.Name,
                role = p.Role,
                phone = p.Phone,
                skills = p.Skills.Select(s => s.ToString()),
            }),
            others = state.Users.Where(u => SandboxDemo.People.All(p => p.Id != u.Id)).Select(u => new { id = u.Id, name = u.FirstName }),
        }));
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
        app.MapGet("/sandbox/files/{fileId}", (string fileId, string? name, string? type) =>
        {
            var content = state.GetFileContent(fileId);
            return content is null
                ? Results.NotFound()
                : Results.File(content, type ?? "application/octet-stream", name ?? fileId);
        });
        return app;
    }
}
