using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MusterBot.Emulator;

/// <summary>Maps the emulator's Bot API and its control API onto any ASP.NET Core app.</summary>
public static class EmulatorEndpoints
{
    private static readonly JsonSerializerOptions JsonOptions = RawJson.WithRawJson(new() { Encoder = PendingUpdate.Encoder });

    /// <summary>Maps <c>/bot{token}/{method}</c> and <c>/file/bot{token}/{path}</c> (under the builder's prefix, if it is a group).</summary>
    public static IEndpointRouteBuilder MapBotApi(this IEndpointRouteBuilder endpoints, EmulatorState state)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(state);
        endpoints.MapMethods("/bot{token}/{method}", ["GET", "POST"], (RequestDelegate)(context => HandleBotApiAsync(context, state)));
        endpoints.MapGet("/file/bot{token}/{**path}", (RequestDelegate)(context => HandleFileAsync(context, state)));
        return endpoints;
    }

    /// <summary>
    /// Maps the JSON control API used by a browser sandbox: users, acting as users, reading chats and
    /// waiting for changes. No authentication: mount it only on loopback or behind the host's own protection.
    /// </summary>
    public static IEndpointRouteBuilder MapEmulatorControl(this IEndpointRouteBuilder endpoints, EmulatorState state)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(state);
        var group = endpoints.MapGroup("/_emulator");
        group.MapGet("/users", (RequestDelegate)(context => ControlAsync(context, state, (_, s) =>
            new JsonArray([.. s.Users.Select(UserView)]))));
        group.MapPost("/users", (RequestDelegate)(context => ControlAsync(context, state, (p, s) =>
            UserView(s.CreateUser(
                p.GetLong("id") ?? throw new ArgumentException("id is required"),
                p.GetString("first_name") ?? throw new ArgumentException("first_name is required"),
                p.Has("language_code") ? p.GetString("language_code") : "zh-CN",
                p.GetString("last_name"),
                p.GetString("username"))))));
        // What Telegram would give a Mini App this user opens now (signed with the emulator's token): the sandbox opens
        // the dashboard with it.
        group.MapGet("/users/{id}/webapp", (RequestDelegate)(context => ControlAsync(context, state, (_, s) =>
            new JsonObject { ["init_data"] = s.WebAppInitData(UserId(context)) })));
        group.MapPost("/users/{id}/text", (RequestDelegate)(context => ControlAsync(context, state, (p, s) =>
            s.MessageView(s.SendText(UserId(context), p.GetString("text") ?? string.Empty)))));
        group.MapPost("/users/{id}/press", (RequestDelegate)(context => ControlAsync(context, state, (p, s) =>
            new JsonObject
            {
                ["callback_query_id"] = s.PressButton(
                    UserId(context),
                    p.GetLong("chat_id"),
                    (int)(p.GetLong("message_id") ?? throw new ArgumentException("message_id is required")),
                    p.GetString("callback_data") ?? string.Empty),
            })));
        group.MapPost("/users/{id}/contact", (RequestDelegate)(context => ControlAsync(context, state, (p, s) =>
            s.MessageView(s.ShareContact(UserId(context), p.GetString("phone_number") ?? string.Empty, p.GetLong("contact_user_id"))))));
        group.MapPost("/users/{id}/location", (RequestDelegate)(context => ControlAsync(context, state, (p, s) =>
            s.MessageView(s.ShareLocation(
                UserId(context),
                p.GetDouble("latitude") ?? throw new ArgumentException("latitude is required"),
                p.GetDouble("longitude") ?? throw new ArgumentException("longitude is required"))))));
        group.MapPost("/users/{id}/document", (RequestDelegate)(context => ControlAsync(context, state, (p, s) =>
        {
            var part = p.GetFile("document");
            var content = part?.Content ?? Convert.FromBase64String(p.GetString("content_base64") ?? string.Empty);
            var fileName = p.GetString("file_name") ?? part?.FileName ?? "document";
            var mimeType = p.GetString("mime_type") ?? part?.ContentType ?? "application/octet-stream";
            return s.MessageView(s.UploadDocument(UserId(context), fileName, content, mimeType, p.GetString("caption")));
        })));
        group.MapPost("/users/{id}/photo", (RequestDelegate)(context => ControlAsync(context, state, (p, s) =>
        {
            // Bytes as a multipart part "photo" or as content_base64; with neither, a photo of file ids only.
            var content = p.GetFile("photo")?.Content ?? (p.GetString("content_base64") is { Length: > 0 } base64 ? Convert.FromBase64String(base64) : null);
            return s.MessageView(s.SendPhoto(UserId(context), content, p.GetString("caption"), p.GetString("media_group_id")));
        })));
        group.MapPost("/users/{id}/block", (RequestDelegate)(context => ControlAsync(context, state, (_, s) =>
        {
            s.BlockBot(UserId(context));
            return JsonValue.Create(true);
        })));
        group.MapPost("/users/{id}/unblock", (RequestDelegate)(context => ControlAsync(context, state, (_, s) =>
        {
            s.UnblockBot(UserId(context));
            return JsonValue.Create(true);
        })));
        group.MapGet("/chats/{chatId}/messages", (RequestDelegate)(context => ControlAsync(context, state, (p, s) =>
        {
            var chatId = long.Parse((string)context.Request.RouteValues["chatId"]!, CultureInfo.InvariantCulture);
            var version = s.Version;
            var messages = s.Transcript(chatId, p.GetLong("since") ?? 0);
            return new JsonObject { ["cursor"] = version, ["messages"] = new JsonArray([.. messages.Select(s.MessageView)]) };
        })));
        group.MapGet("/changes", (RequestDelegate)(async context =>
        {
            var since = long.TryParse(context.Request.Query["since"], CultureInfo.InvariantCulture, out var s) ? s : 0;
            var seconds = double.TryParse(context.Request.Query["timeout"], CultureInfo.InvariantCulture, out var t) ? Math.Clamp(t, 0, 60) : 25;
            long version;
            try
            {
                version = await state.WaitForChangeAsync(since, TimeSpan.FromSeconds(seconds), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await WriteAsync(context.Response, 200, new JsonObject { ["ok"] = true, ["result"] = new JsonObject { ["version"] = version } }, context.RequestAborted);
        }));
        group.MapGet("/stats", (RequestDelegate)(context => ControlAsync(context, state, (_, s) =>
        {
            var counts = new JsonObject();
            foreach (var (method, count) in s.RequestCounts)
            {
                counts[method] = count;
            }

            return new JsonObject
            {
                ["version"] = s.Version,
                ["all_sent_count"] = s.AllSentCount,
                ["too_many_requests_given"] = s.TooManyRequestsGiven,
                ["forbidden_given"] = s.ForbiddenGiven,
                ["pending_update_count"] = s.PendingUpdateCount,
                ["request_counts"] = counts,
            };
        })));
        group.MapPost("/updates", (RequestDelegate)(async context =>
        {
            // Read as text: the update is delivered exactly as posted (see EmulatorState.InjectRawUpdate(string)).
            using var text = new StreamReader(context.Request.Body, System.Text.Encoding.UTF8);
            var body = await text.ReadToEndAsync(context.RequestAborted);
            long id;
            try
            {
                id = state.InjectRawUpdate(body);
            }
            catch (ArgumentException ex)
            {
                await WriteAsync(context.Response, 400, ControlError(ex.Message), context.RequestAborted);
                return;
            }

            await WriteAsync(context.Response, 200, new JsonObject { ["ok"] = true, ["result"] = id }, context.RequestAborted);
        }));
        return endpoints;
    }

    private static JsonObject UserView(EmulatedUser user) => new()
    {
        ["id"] = user.Id,
        ["first_name"] = user.FirstName,
        ["last_name"] = user.LastName,
        ["username"] = user.Username,
        ["language_code"] = user.LanguageCode,
        ["has_blocked_bot"] = user.HasBlockedBot,
    };

    private static long UserId(HttpContext context) =>
        long.TryParse((string?)context.Request.RouteValues["id"], CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new ArgumentException("The user id must be an integer.");

    private static JsonObject ControlError(string description) =>
        new() { ["ok"] = false, ["error_code"] = 400, ["description"] = description };

    private static async Task ControlAsync(HttpContext context, EmulatorState state, Func<BotApiParameters, EmulatorState, JsonNode?> action)
    {
        var ct = context.RequestAborted;
        JsonObject response;
        var status = 200;
        try
        {
            var parameters = await BotApiParameters.ReadAsync(context.Request, ct);
            response = new JsonObject { ["ok"] = true, ["result"] = action(parameters, state) };
        }
        catch (Exception ex) when (ex is BotApiRequestException or ArgumentException or InvalidOperationException or FormatException)
        {
            status = 400;
            response = ControlError(ex.Message);
        }

        await WriteAsync(context.Response, status, response, ct);
    }

    private static async Task HandleBotApiAsync(HttpContext context, EmulatorState state)
    {
        var token = (string?)context.Request.RouteValues["token"] ?? string.Empty;
        var method = (string?)context.Request.RouteValues["method"] ?? string.Empty;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, state.StoppingToken);
        var ct = linked.Token;
        BotApiResult result;
        try
        {
            if (!state.IsValidToken(token))
            {
                result = BotApiResult.Error(401, "Unauthorized");
            }
            else
            {
                var parameters = await BotApiParameters.ReadAsync(context.Request, ct);
                result = await state.ExecuteAsync(token, method, parameters, ct);
            }
        }
        catch (BotApiRequestException ex)
        {
            result = ex.ToResult();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away or the emulator is stopping: nobody reads an answer.
            return;
        }

        await WriteAsync(context.Response, result.StatusCode, result.ToJson(), context.RequestAborted);
    }

    private static async Task HandleFileAsync(HttpContext context, EmulatorState state)
    {
        var token = (string?)context.Request.RouteValues["token"] ?? string.Empty;
        var path = (string?)context.Request.RouteValues["path"] ?? string.Empty;
        if (!state.IsValidToken(token))
        {
            await WriteAsync(context.Response, 401, BotApiResult.Error(401, "Unauthorized").ToJson(), context.RequestAborted);
            return;
        }

        var file = state.FindFileByPath(path);
        if (file is null)
        {
            await WriteAsync(context.Response, 404, BotApiResult.Error(404, "Not Found").ToJson(), context.RequestAborted);
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = file.MimeType;
        context.Response.ContentLength = file.Content.Length;
        await context.Response.Body.WriteAsync(file.Content, context.RequestAborted);
    }

    private static async Task WriteAsync(HttpResponse response, int status, JsonNode json, CancellationToken ct)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        // Straight into the response body: a getUpdates answer as one string was a large object per poll.
        var writer = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { Encoder = JsonOptions.Encoder, SkipValidation = true });
        await using (writer.ConfigureAwait(false))
        {
            json.WriteTo(writer, JsonOptions);
            await writer.FlushAsync(ct);
        }

        await response.BodyWriter.FlushAsync(ct);
    }
}
