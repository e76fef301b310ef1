using Microsoft.Extensions.Options;
using MusterBot.Host.Intake;

namespace MusterBot.Host.Observability;

/// <summary>
/// Prometheus's scraping endpoint, not public: it answers callers on this machine (loopback) and, when
/// <see cref="MetricsOptions.Token"/> is set, callers that send it as a bearer token; everyone else gets 404.
/// </summary>
public static class MetricsEndpoint
{
    public static WebApplication MapMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (!options.Prometheus)
        {
            return app;
        }

        app.Use(async (http, next) =>
        {
            if (http.Request.Path.Equals(options.Path, StringComparison.OrdinalIgnoreCase) && !Allowed(http, options.Token))
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next(http).ConfigureAwait(false);
        });
        app.MapPrometheusScrapingEndpoint(options.Path);
        return app;
    }

    /// <summary>Loopback, or the configured bearer token (compared in constant time).</summary>
    public static bool Allowed(HttpContext http, string? token)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Connection.RemoteIpAddress is { } remote && System.Net.IPAddress.IsLoopback(remote))
        {
            return true;
        }

        var header = http.Request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        return !string.IsNullOrEmpty(token)
            && header.StartsWith(Bearer, StringComparison.Ordinal)
            && WebhookEndpoint.SecretMatches(header[Bearer.Length..], token);
    }
}
