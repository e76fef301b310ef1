using System.ComponentModel.DataAnnotations;

namespace MusterBot.Host.Observability;

/// <summary>The <c>Metrics</c> section: what is exported and who may read it.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Serve Prometheus's text format at <see cref="Path"/>.</summary>
    public bool Prometheus { get; set; } = true;

    public string Path { get; set; } = "/metrics";

    /// <summary>
    /// Who may read <see cref="Path"/>: unset, only this machine (loopback); set, also any caller that sends
    /// <c>Authorization: Bearer {token}</c> (Prometheus's <c>authorization</c> setting). Never logged.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>OTLP endpoint (e.g. <c>http://otel-collector:4317</c>): when set, metrics are also pushed there.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>How often the store's gauges are read.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(10);
}
