using Telegram.Bot;
using MusterBot.State;

namespace MusterBot.Host.Health;

/// <summary><c>GET /healthz</c>: the process answers. <c>GET /readyz</c>: the store and the Bot API answer (503 otherwise).</summary>
public static class HealthEndpoints
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok"));
        endpoints.MapGet("/readyz", ReadyAsync);
        return endpoints;
    }

    private static async Task<IResult> ReadyAsync(IStateStore store, ITelegramBotClient client, CancellationToken cancellationToken)
    {
        var storeState = await ProbeAsync(ct => store.PingAsync(ct), cancellationToken).ConfigureAwait(false);
        var apiState = await ProbeAsync(ct => client.GetMe(ct), cancellationToken).ConfigureAwait(false);
        var ready = storeState == "ok" && apiState == "ok";
        return Results.Json(new { store = storeState, botApi = apiState }, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<string> ProbeAsync(Func<CancellationToken, Task> probe, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await probe(timeout.Token).ConfigureAwait(false);
            return "ok";
        }
#pragma warning disable CA1031 // A probe reports any failure as "unavailable"; details stay out of the public answer.
        catch (Exception)
#pragma warning restore CA1031
        {
            return "unavailable";
        }
    }
}
