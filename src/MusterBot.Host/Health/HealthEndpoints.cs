namespace MusterBot.Host.Health;

/// <summary>
/// <c>GET /healthz</c>: the process answers. <c>GET /readyz</c>: the store and the Bot API answer (503 otherwise); the
/// reading is reused for <see cref="ReadinessProbe.CacheFor"/>.
/// </summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok"));
        endpoints.MapGet("/readyz", ReadyAsync);
        return endpoints;
    }

    private static async Task<IResult> ReadyAsync(ReadinessProbe probe, CancellationToken cancellationToken)
    {
        var reading = await probe.ReadAsync(cancellationToken).ConfigureAwait(false);
        return Results.Json(
            new { store = reading.Store, botApi = reading.BotApi },
            statusCode: reading.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
