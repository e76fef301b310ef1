using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Dashboard;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Texts;
using MusterBot.Host.Configuration;
using MusterBot.Host.Intake;
using MusterBot.State.Records;

namespace MusterBot.Host.WebApp;

/// <summary>
/// The dashboard Mini App (issue #18): <c>/app</c> is the page, <c>/app/api/*</c> its data. Every data call carries
/// Telegram's <c>initData</c> as <c>Authorization: tma {initData}</c>; it is checked with the bot token
/// (<see cref="InitData"/>) and the person and their role are then read from the store. Missing, forged, tampered or
/// expired data → 401; a person the bot does not know, or whose role has no board → 403. Refusals are logged with
/// the reason and never with the data. Nothing here writes.
/// </summary>
public static partial class WebAppEndpoints
{
    public const string PageResource = "MusterBot.Host.WebApp.app.html";

    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = typeof(WebAppEndpoints).Assembly.GetManifestResourceStream(PageResource)
            ?? throw new InvalidOperationException("The dashboard page is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static WebApplication MapDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/app", (HttpContext http) =>
        {
            // The page holds no data: it is the same for everyone. It may not be framed by other sites.
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers.ContentSecurityPolicy = "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors https://web.telegram.org 'self'";
            return Results.Content(Page.Value, "text/html; charset=utf-8");
        });

        // The page's words, from the bot's own text resources (no secrets: no initData needed).
        app.MapGet("/app/api/texts", (string? lang, TextCatalog texts) =>
        {
            var language = LanguageOf(lang);
            var keys = texts.Keys(language).Where(k => k.StartsWith("dash.", StringComparison.Ordinal) || k.StartsWith("mu.status.", StringComparison.Ordinal));
            return Results.Json(new { lang = language == Language.En ? "en" : "zh-CN", texts = keys.ToDictionary(k => k, k => texts.Get(language, k), StringComparer.Ordinal) }, Json);
        });

        // ?node= a node below the viewer's own (drilling down); ?muster= one muster of the community, also once closed.
        app.MapGet("/app/api/board", async (HttpContext http, string? node, string? muster, DashboardQueries queries, IOptions<WebAppOptions> options, IOptions<MusterOptions> musterOptions, CancellationToken cancellationToken) =>
        {
            var (viewer, refusal) = await AllowedAsync(http, queries, options.Value, DashboardQueries.MaySeeBoard, "board", node, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                return refusal;
            }

            int? only = null;
            if (muster is not null)
            {
                if (!int.TryParse(muster, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n <= 0)
                {
                    return BadRequest();
                }

                only = n;
            }

            var board = await queries.BoardAsync(viewer!, viewer!.Language, cancellationToken, only).ConfigureAwait(false);
            if (only is not null && board.Musters.Count == 0)
            {
                // A muster of another community, of regions the viewer does not convene, or none: the same answer.
                LogRefused(Logger(http), http.Connection.RemoteIpAddress?.ToString() ?? "?", "board", "muster not in scope or absent", viewer.UserId);
                return Forbidden();
            }

            http.Response.Headers.CacheControl = "no-store";
            return Results.Json(new BoardAnswer(board, (int)options.Value.RefreshInterval.TotalMilliseconds, (int)musterOptions.Value.UtcOffset.TotalMinutes), Json);
        });

        app.MapGet("/app/api/region", async (HttpContext http, string? muster, string? region, string? node, DashboardQueries queries, IOptions<WebAppOptions> options, IOptions<MusterOptions> musterOptions, CancellationToken cancellationToken) =>
        {
            var (viewer, refusal) = await AllowedAsync(http, queries, options.Value, DashboardQueries.MaySeeBoard, "region", node, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                return refusal;
            }

            // Read by hand, so that a malformed query is answered in JSON like every other refusal.
            if (!int.TryParse(muster, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
                || number <= 0 || string.IsNullOrEmpty(region) || region.Length > 64)
            {
                return BadRequest();
            }

            // Out of scope and absent look the same: the answer tells nothing about other regions.
            var detail = viewer!.InCommunity ? await queries.RegionAsync(viewer, number, region, viewer.Language, cancellationToken).ConfigureAwait(false) : null;
            if (detail is null)
            {
                LogRefused(Logger(http), http.Connection.RemoteIpAddress?.ToString() ?? "?", "region", "region not in scope or absent", viewer.UserId);
                return Forbidden();
            }

            http.Response.Headers.CacheControl = "no-store";
            return Results.Json(new RegionAnswer(detail, (int)options.Value.RefreshInterval.TotalMilliseconds, (int)musterOptions.Value.UtcOffset.TotalMinutes), Json);
        });

        // Who is looking and what they may open: the page shows only their tabs.
        app.MapGet("/app/api/me", async (HttpContext http, DashboardQueries queries, IOptions<WebAppOptions> options, CancellationToken cancellationToken) =>
        {
            var viewer = await AuthenticateAsync(http, queries, options.Value, cancellationToken).ConfigureAwait(false);
            if (viewer.Refusal is { } refusal)
            {
                return refusal;
            }

            var who = viewer.Viewer!;
            return Results.Json(new { name = who.Name, lang = who.Language == Language.En ? "en" : "zh-CN", board = DashboardQueries.MaySeeBoard(who), queues = QueueQueries.MaySeeQueues(who), figures = FigureQueries.MaySeeFigures(who) }, Json);
        });

        app.MapGet("/app/api/queues", async (HttpContext http, string? node, DashboardQueries queries, QueueQueries queues, IOptions<WebAppOptions> options, CancellationToken cancellationToken) =>
        {
            var (viewer, refusal) = await AllowedAsync(http, queries, options.Value, QueueQueries.MaySeeQueues, "queues", node, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                return refusal;
            }

            http.Response.Headers.CacheControl = "no-store";
            return Results.Json(new { queues = await queues.QueuesAsync(viewer!, cancellationToken).ConfigureAwait(false), refreshMs = 5000 }, Json);
        });

        app.MapGet("/app/api/figures", async (HttpContext http, string? period, string? node, DashboardQueries queries, FigureQueries figures, IOptions<WebAppOptions> options, CancellationToken cancellationToken) =>
        {
            var (viewer, refusal) = await AllowedAsync(http, queries, options.Value, FigureQueries.MaySeeFigures, "figures", node, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                return refusal;
            }

            http.Response.Headers.CacheControl = "no-store";
            return Results.Json(new { figures = await figures.FiguresAsync(viewer!, period, cancellationToken).ConfigureAwait(false) }, Json);
        });

        // Each table of the figures as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese).
        // With initData (the page's own fetch), or with a link signed for the person by figures.csv/link (Telegram's
        // downloadFile fetches it without the page's header).
        app.MapGet("/app/api/figures.csv", async (HttpContext http, string? table, string? period, string? node, string? user, string? expires, string? sig, DashboardQueries queries, FigureQueries figures, TextCatalog texts, IOptions<WebAppOptions> options, CancellationToken cancellationToken) =>
        {
            var (viewer, refusal) = sig is null
                ? await AllowedAsync(http, queries, options.Value, FigureQueries.MaySeeFigures, "figures.csv", node, cancellationToken).ConfigureAwait(false)
                : await LinkedAsync(http, queries, table, period, node, user, expires, sig, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                return refusal;
            }

            if (table is not ("category" or "grid" or "trend" or "points" or "child"))
            {
                return BadRequest();
            }

            var board = await figures.FiguresAsync(viewer!, period, cancellationToken).ConfigureAwait(false);
            var csv = FigureCsv.Write(board, table, texts, viewer!.Language);
            http.Response.Headers.CacheControl = "no-store";
            return Results.File(System.Text.Encoding.UTF8.GetPreamble().Concat(System.Text.Encoding.UTF8.GetBytes(csv)).ToArray(), "text/csv; charset=utf-8", $"{table}-{board.Period}.csv");
        });

        // A link to one CSV that Telegram can fetch for the person (Mini Apps' downloadFile), valid for DownloadLink.Age.
        app.MapGet("/app/api/figures.csv/link", async (HttpContext http, string? table, string? period, string? node, DashboardQueries queries, IOptions<WebAppOptions> options, IOptions<TelegramOptions> telegram, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var (viewer, refusal) = await AllowedAsync(http, queries, options.Value, FigureQueries.MaySeeFigures, "figures.csv/link", node, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                return refusal;
            }

            if (table is not ("category" or "grid" or "trend" or "points" or "child"))
            {
                return BadRequest();
            }

            var chosen = period is "30" or "all" ? period : "month";
            var expires = time.GetUtcNow().Add(DownloadLink.Age).ToUnixTimeSeconds();
            var canonical = DownloadLink.Canonical(table, chosen, node, viewer!.UserId, expires);
            var page = options.Value.PublicUrl?.ToString() ?? $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/app";
            http.Response.Headers.CacheControl = "no-store";
            return Results.Json(new { url = page.TrimEnd('/') + "/api/figures.csv?" + canonical + "&sig=" + DownloadLink.Sign(canonical, telegram.Value.BotToken), fileName = $"{table}-{chosen}.csv" }, Json);
        });

        // An action on the board goes through the flows as the same button pressed in the chat would: the same
        // decision, checks and audit; the result shows in the person's chat. Only what an administrator may do there.
        app.MapPost("/app/api/action", async (HttpContext http, DashboardQueries queries, IOptions<WebAppOptions> options, UpdateDispatcher dispatcher, CancellationToken cancellationToken) =>
        {
            var viewer = await AuthenticateAsync(http, queries, options.Value, cancellationToken).ConfigureAwait(false);
            if (viewer.Refusal is { } refusal)
            {
                return refusal;
            }

            ActionRequest? request;
            try
            {
                request = await http.Request.ReadFromJsonAsync<ActionRequest>(Json, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or BadHttpRequestException)
            {
                request = null;
            }

            // What the chat's button would carry, and who may press it from here (the flows check again, as in the chat).
            var (data, allowed) = request switch
            {
                { Action: "close_muster", Muster: > 0 and var number } => (new MusterButton.ConfirmClose(number).Data, Roles.Admin),
                { Action: "approve_wish", Wish: > 0 and var wish } => (new Flows.Wishes.WishButton.Approve(wish).Encode(), Roles.Admin | Roles.Handler),
                { Action: "assign_complaint", Complaint: > 0 and var complaint, Handler: > 0 and var handler } =>
                    (new Flows.Complaints.ComplaintButton.Assign(complaint, handler).Encode(), Roles.Admin),
                { Action: "extend_deadline", Complaint: > 0 and var complaint, Days: 1 or 3 or 7, Reason: { Length: > 0 and <= 200 } reason } when !string.IsNullOrWhiteSpace(reason) =>
                    (new Flows.Complaints.ComplaintButton.Extend(complaint, request.Days!.Value).Encode(), Roles.Admin),
                _ => ((string?)null, Roles.None),
            };
            if (data is null)
            {
                return BadRequest();
            }

            var who = viewer.Viewer!;
            if ((who.Roles & allowed) == 0)
            {
                LogRefused(Logger(http), http.Connection.RemoteIpAddress?.ToString() ?? "?", "action", "role may not " + request!.Action, who.UserId);
                return Forbidden();
            }

            var identity = viewer.Identity!;
            var press = new Flows.Events.ButtonPressed(
                new Flows.Events.Sender(who.UserId, identity.FirstName, identity.LastName, identity.Username, identity.LanguageCode),
                who.UserId,
                MessageId: null,
                CallbackQueryId: string.Empty,
                data);
            try
            {
                if (request!.Action == "extend_deadline")
                {
                    // The chat asks for the reason after the press; here it comes with the request.
                    var reason = new Flows.Events.TextReceived(press.From, who.UserId, 0, request.Reason!.Trim());
                    await dispatcher.DispatchPressAndTextAsync(press, reason, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await dispatcher.DispatchPressAsync(press, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogActionFailed(Logger(http), ex, who.UserId);
                return Results.Json(new { error = "unavailable" }, Json, statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            return Results.Json(new { done = true }, Json, statusCode: StatusCodes.Status202Accepted);
        });

        return app;
    }

    private sealed record ActionRequest(string? Action, int? Muster, int? Wish, int? Complaint, long? Handler, int? Days, string? Reason);

    private sealed record RegionAnswer(RegionDetail Region, int RefreshMs, int UtcOffsetMinutes);

    private sealed record BoardAnswer(Board Board, int RefreshMs, int UtcOffsetMinutes);

    private sealed record Authenticated(BoardViewer? Viewer, IResult? Refusal, WebAppIdentity? Identity = null);

    private static async Task<Authenticated> AuthenticateAsync(HttpContext http, DashboardQueries queries, WebAppOptions options, CancellationToken cancellationToken)
    {
        var token = http.RequestServices.GetRequiredService<IOptions<TelegramOptions>>().Value.BotToken;
        var time = http.RequestServices.GetRequiredService<TimeProvider>();
        var header = http.Request.Headers.Authorization.ToString();
        const string Scheme = "tma ";
        var raw = header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim() : null;
        var remote = http.Connection.RemoteIpAddress?.ToString() ?? "?";
        var logger = Logger(http);
        if (string.IsNullOrEmpty(token))
        {
            return new Authenticated(null, Results.Json(new { error = "unauthorized" }, Json, statusCode: StatusCodes.Status401Unauthorized));
        }

        var (identity, failure) = InitData.Validate(raw, token, time.GetUtcNow(), options.MaxAge);
        if (identity is null)
        {
            LogRefused(logger, remote, http.Request.Path, failure.ToString(), null);
            var error = failure == InitDataFailure.Expired ? "expired" : "unauthorized";
            return new Authenticated(null, Results.Json(new { error }, Json, statusCode: StatusCodes.Status401Unauthorized));
        }

        var viewer = await queries.ViewerAsync(identity.UserId, cancellationToken).ConfigureAwait(false);
        if (viewer is null)
        {
            LogRefused(logger, remote, http.Request.Path, "unknown person", identity.UserId);
            return new Authenticated(null, Results.Json(new { error = "unknown" }, Json, statusCode: StatusCodes.Status403Forbidden));
        }

        return new Authenticated(viewer, null, identity);
    }

    /// <summary>A signed CSV link (no initData): the signature and age checked, then the person and scope as for the page.</summary>
    private static async Task<(BoardViewer? Viewer, IResult? Refusal)> LinkedAsync(
        HttpContext http, DashboardQueries queries, string? table, string? period, string? node, string? user, string? expires, string sig, CancellationToken cancellationToken)
    {
        var token = http.RequestServices.GetRequiredService<IOptions<TelegramOptions>>().Value.BotToken;
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        if (table is null || period is null
            || !long.TryParse(user, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var userId)
            || !long.TryParse(expires, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var until)
            || !DownloadLink.Check(table, period, node, userId, until, sig, token, now))
        {
            LogRefused(Logger(http), http.Connection.RemoteIpAddress?.ToString() ?? "?", "figures.csv", "CSV link forged, altered or expired", null);
            return (null, Results.Json(new { error = "expired" }, Json, statusCode: StatusCodes.Status401Unauthorized));
        }

        if (await queries.ViewerAsync(userId, cancellationToken).ConfigureAwait(false) is not { } viewer)
        {
            LogRefused(Logger(http), http.Connection.RemoteIpAddress?.ToString() ?? "?", "figures.csv", "unknown person", userId);
            return (null, Results.Json(new { error = "unknown" }, Json, statusCode: StatusCodes.Status403Forbidden));
        }

        return await ScopedAsync(http, queries, viewer, FigureQueries.MaySeeFigures, "figures.csv", node, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Authenticated, looking at <paramref name="node"/> when given (a node they administer or one below it), and allowed
    /// this part of the page by <paramref name="may"/>; else the refusal (400 for a malformed node, 403 logged).
    /// </summary>
    private static async Task<(BoardViewer? Viewer, IResult? Refusal)> AllowedAsync(
        HttpContext http, DashboardQueries queries, WebAppOptions options, Func<BoardViewer, bool> may, string what, string? node, CancellationToken cancellationToken)
    {
        var authenticated = await AuthenticateAsync(http, queries, options, cancellationToken).ConfigureAwait(false);
        if (authenticated.Refusal is { } refusal)
        {
            return (null, refusal);
        }

        return await ScopedAsync(http, queries, authenticated.Viewer!, may, what, node, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The person looking at <paramref name="node"/> when given, and allowed this part by <paramref name="may"/>.</summary>
    private static async Task<(BoardViewer? Viewer, IResult? Refusal)> ScopedAsync(
        HttpContext http, DashboardQueries queries, BoardViewer viewer, Func<BoardViewer, bool> may, string what, string? node, CancellationToken cancellationToken)
    {
        if (node is not null)
        {
            if (!long.TryParse(node, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var nodeId) || nodeId <= 0)
            {
                return (null, BadRequest());
            }

            if (await queries.VisitAsync(viewer, nodeId, cancellationToken).ConfigureAwait(false) is not { } visiting)
            {
                LogRefused(Logger(http), http.Connection.RemoteIpAddress?.ToString() ?? "?", what, "node not in scope or absent", viewer.UserId);
                return (null, Forbidden());
            }

            viewer = visiting;
        }

        if (!may(viewer))
        {
            LogRefused(Logger(http), http.Connection.RemoteIpAddress?.ToString() ?? "?", what, "not for this role", viewer.UserId);
            return (null, Forbidden());
        }

        return (viewer, null);
    }

    private static IResult BadRequest() => Results.Json(new { error = "bad_request" }, Json, statusCode: StatusCodes.Status400BadRequest);

    private static IResult Forbidden() => Results.Json(new { error = "forbidden" }, Json, statusCode: StatusCodes.Status403Forbidden);

    private static Language LanguageOf(string? code) =>
        code is not null && code.StartsWith("en", StringComparison.OrdinalIgnoreCase) ? Language.En : Language.Zh;

    private static ILogger Logger(HttpContext http) =>
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("MusterBot.Dashboard");

    [LoggerMessage(EventId = 6102, Level = LogLevel.Error, Message = "A dashboard action of user {UserId} could not be decided now (the store did not answer); the page asks to try again")]
    private static partial void LogActionFailed(ILogger logger, Exception exception, long userId);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "Dashboard request refused from {Remote} ({Path}): {Reason}; user {UserId}")]
    private static partial void LogRefused(ILogger logger, string remote, string path, string reason, long? userId);
}
