using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using MusterBot.Emulator;
using MusterBot.Emulator.Sandbox;
using MusterBot.Host.Observability;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Docs;

/// <summary>
/// The Grafana dashboard (deploy/grafana/musterbot.json), the alert rules (deploy/alerts.yml) and the metric names in
/// docs/operations.md (there a histogram may be named by its family) use only metrics the bot exports, and the
/// dashboard shows every one of them. What the bot exports
/// is every instrument of the meter <c>MusterBot</c>, named as OpenTelemetry's Prometheus exporter names it (dots become
/// underscores, the unit a suffix: <c>s</c> → <c>_seconds</c>, <c>{…}</c> and <c>1</c> none; counters end in
/// <c>_total</c>; a histogram is <c>_bucket</c>, <c>_sum</c>, <c>_count</c>); those rules are checked against a real
/// scrape of the host's <c>/metrics</c>, so a renamed instrument or a new exporter version that names differently fails here.
/// </summary>
public sealed partial class GrafanaDashboardTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Prometheus's own series, written by the server for each target, not by the bot.</summary>
    private static readonly HashSet<string> PrometheusSeries = ["up"];

    [Fact]
    public async Task DashboardAlertsAndDocs_UseOnlyMetricsTheBotExports_AndTheDashboardShowsEveryOne()
    {
        var families = await ExportedFamiliesAsync();
        var series = families.SelectMany(f => f.Value == "histogram" ? new[] { f.Key + "_bucket", f.Key + "_sum", f.Key + "_count" } : [f.Key]).ToHashSet(StringComparer.Ordinal);
        var root = RepositoryRoot();

        var dashboard = DashboardQueries(File.ReadAllText(Path.Combine(root, "deploy", "grafana", "musterbot.json")));
        Assert.True(dashboard.Count >= 20, $"only {dashboard.Count} queries were found in the dashboard");
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (where, expr) in dashboard)
        {
            var names = MetricNames(expr);
            Assert.True(names.Count > 0, $"{where}: no metric in `{expr}`");
            var unknown = names.Where(n => !series.Contains(n)).ToList();
            Assert.True(unknown.Count == 0, $"{where}: `{expr}` uses {string.Join(", ", unknown)}, which the bot does not export");
            used.UnionWith(names);
        }

        var missing = families.Keys.Where(f => !used.Contains(f) && !used.Contains(f + "_bucket") && !used.Contains(f + "_count") && !used.Contains(f + "_sum")).ToList();
        Assert.True(missing.Count == 0, "No panel shows " + string.Join(", ", missing));

        var alerts = AlertExpressions(File.ReadAllText(Path.Combine(root, "deploy", "alerts.yml")));
        Assert.True(alerts.Count >= 4, $"only {alerts.Count} alert expressions were found");
        foreach (var expr in alerts)
        {
            var names = MetricNames(expr);
            Assert.NotEmpty(names);
            var unknown = names.Where(n => !series.Contains(n) && !PrometheusSeries.Contains(n)).ToList();
            Assert.True(unknown.Count == 0, $"deploy/alerts.yml: `{expr}` uses {string.Join(", ", unknown)}, which the bot does not export");
        }

        var documented = DocumentedNames().Matches(File.ReadAllText(Path.Combine(root, "docs", "operations.md"))).Select(m => m.Value).Distinct().ToList();
        Assert.NotEmpty(documented);
        var undocumented = documented.Where(n => !series.Contains(n) && !families.ContainsKey(n)).ToList();
        Assert.True(undocumented.Count == 0, "docs/operations.md names metrics the bot does not export: " + string.Join(", ", undocumented));
    }

    [Fact]
    public void Dashboard_IsReadyToImport_PrometheusVariable_InstanceFilter_NoOverlappingPanels()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "deploy", "grafana", "musterbot.json")));
        var dashboard = json.RootElement;
        Assert.InRange(dashboard.GetProperty("schemaVersion").GetInt32(), 36, 41);
        Assert.Equal("musterbot", dashboard.GetProperty("uid").GetString());
        Assert.Equal(JsonValueKind.Null, dashboard.GetProperty("id").ValueKind);

        var variables = dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!);
        Assert.Equal("datasource", variables["DS_PROMETHEUS"].GetProperty("type").GetString());
        Assert.Equal("prometheus", variables["DS_PROMETHEUS"].GetProperty("query").GetString());
        Assert.Equal("query", variables["instance"].GetProperty("type").GetString());
        Assert.True(variables["instance"].GetProperty("includeAll").GetBoolean());
        Assert.Equal("${DS_PROMETHEUS}", variables["instance"].GetProperty("datasource").GetProperty("uid").GetString());

        var panels = Panels(dashboard).ToList();
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        var boxes = new List<(string Title, int X, int Y, int W, int H)>();
        foreach (var panel in panels)
        {
            var title = panel.GetProperty("title").GetString()!;
            var grid = panel.GetProperty("gridPos");
            var box = (title, grid.GetProperty("x").GetInt32(), grid.GetProperty("y").GetInt32(), grid.GetProperty("w").GetInt32(), grid.GetProperty("h").GetInt32());
            Assert.True(box.Item2 >= 0 && box.Item2 + box.Item4 <= 24, $"{title} is wider than the dashboard");
            var overlap = boxes.FirstOrDefault(b => b.X < box.Item2 + box.Item4 && box.Item2 < b.X + b.W && b.Y < box.Item3 + box.Item5 && box.Item3 < b.Y + b.H);
            Assert.True(overlap.Title is null, $"{title} overlaps {overlap.Title}");
            boxes.Add(box);
            if (panel.GetProperty("type").GetString() == "row")
            {
                continue;
            }

            Assert.Equal("${DS_PROMETHEUS}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                Assert.Equal("${DS_PROMETHEUS}", target.GetProperty("datasource").GetProperty("uid").GetString());
                Assert.Contains("instance=~\"$instance\"", target.GetProperty("expr").GetString(), StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData("histogram_quantile(0.99, sum by (le, lane) (rate(musterbot_send_delay_seconds_bucket{instance=~\"$instance\"}[$__rate_interval])))", "musterbot_send_delay_seconds_bucket")]
    [InlineData("min(musterbot_redis_rtt_seconds) < 0 or up{job=\"musterbot\"} == 0", "musterbot_redis_rtt_seconds up")]
    [InlineData("sum(rate(musterbot_commit_conflicts_total{instance=~\"$instance\"}[1m])) or vector(0)", "musterbot_commit_conflicts_total")]
    [InlineData("quantile_over_time(0.99, (musterbot_redis_rtt_seconds{instance=~\"$instance\"} >= 0)[5m:])", "musterbot_redis_rtt_seconds")]
    [InlineData("sum(rate(musterbot_checkins_total[5m])) * 60 / ignoring(x) group_left sum without (lane) (musterbot_outbox_depth offset 1h)", "musterbot_checkins_total musterbot_outbox_depth")]
    [InlineData("label_values(musterbot_poller_leader, instance)", "musterbot_poller_leader")]
    [InlineData("max by (instance) (musterbot_poller_leader{instance=~\"$instance\"}) == 1 and on (instance) musterbt_typo", "musterbot_poller_leader musterbt_typo")]
    public void MetricNames_AreFoundInPromQl_NotFunctionsLabelsOrKeywords(string expr, string expected)
    {
        Assert.Equal(expected.Split(' ').Order(StringComparer.Ordinal), MetricNames(expr).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Every metric family the bot exports, with its Prometheus type: the instruments of the meter (all of them, recorded
    /// or not) named by the exporter's rules; every family of a real scrape after some traffic must be among them.
    /// </summary>
    private static async Task<Dictionary<string, string>> ExportedFamiliesAsync()
    {
        var instruments = new ConcurrentDictionary<string, Instrument>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == BotMetrics.MeterName)
                {
                    instruments[instrument.Name] = instrument;
                }
            },
        };
        listener.Start();

        // The sandbox (in-memory store): one person's /help commits, sends, and the sampler reads the store's gauges.
        await using var host = await BotHost.StartAsync(null, null, new Dictionary<string, string?>
        {
            ["Sandbox:Language"] = "en",
            ["Metrics:SampleInterval"] = "00:00:01",
        });
        var emulator = host.App.Services.GetRequiredService<BotApiEmulator>();
        var since = emulator.State.Version;
        emulator.SendText(SandboxDemo.AdminId, "/help");
        await emulator.WaitForMessageAsync(SandboxDemo.AdminId, m => m.FromBot && m.Version > since, Wait);
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var scrape = string.Empty;
        await emulator.WaitForAsync(
            () =>
            {
                scrape = http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).GetAwaiter().GetResult();
                return scrape.Contains("# TYPE musterbot_sends_total counter", StringComparison.Ordinal)
                    && scrape.Contains("# TYPE musterbot_commit_duration_seconds histogram", StringComparison.Ordinal)
                    && scrape.Contains("# TYPE musterbot_musters_active gauge", StringComparison.Ordinal);
            },
            Wait);

        var families = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var instrument in instruments.Values)
        {
            var (name, type) = PrometheusFamily(instrument);
            Assert.True(families.TryAdd(name, type), $"two instruments are exported as {name}");
        }

        var scraped = ScrapedFamilies().Matches(scrape).Select(m => (Name: m.Groups[1].Value, Type: m.Groups[2].Value)).Where(f => f.Name.StartsWith("musterbot_", StringComparison.Ordinal)).ToList();
        foreach (var (name, type) in scraped)
        {
            Assert.True(families.TryGetValue(name, out var derived) && derived == type, $"the scrape has {name} ({type}); the naming rules give {string.Join(", ", families.Select(f => $"{f.Key} ({f.Value})"))}");
        }

        // The rules were checked on each kind of instrument and unit suffix.
        Assert.Contains(scraped, f => f.Type == "counter");
        Assert.Contains(scraped, f => f.Type == "histogram");
        Assert.Contains(scraped, f => f.Type == "gauge" && f.Name.EndsWith("_seconds", StringComparison.Ordinal));
        Assert.Contains(scraped, f => f.Name == "musterbot_outbox_depth");
        Assert.Contains(scraped, f => f.Name == "musterbot_poller_leader");
        Assert.True(families.Count >= 17, $"only {families.Count} instruments were seen");
        return families;
    }

    /// <summary>OpenTelemetry's Prometheus exporter: name and type of an instrument's family.</summary>
    private static (string Name, string Type) PrometheusFamily(Instrument instrument)
    {
        var name = InvalidNameCharacters().Replace(instrument.Name, "_");
        var unit = instrument.Unit switch
        {
            null or "" or "1" => string.Empty,
            "s" => "seconds",
            "ms" => "milliseconds",
            "By" => "bytes",
            { } braces when braces.StartsWith('{') => string.Empty,
            { } other => InvalidNameCharacters().Replace(other, "_"),
        };
        if (unit.Length > 0 && !name.EndsWith("_" + unit, StringComparison.Ordinal))
        {
            name += "_" + unit;
        }

        var definition = instrument.GetType().IsGenericType ? instrument.GetType().GetGenericTypeDefinition() : instrument.GetType();
        if (definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>))
        {
            return (name + "_total", "counter");
        }

        return (name, definition == typeof(Histogram<>) ? "histogram" : "gauge");
    }

    /// <summary>Every PromQL query of the dashboard's panels (rows' nested panels too) and template variables.</summary>
    private static List<(string Where, string Expr)> DashboardQueries(string json)
    {
        using var document = JsonDocument.Parse(json);
        var queries = new List<(string, string)>();
        foreach (var panel in Panels(document.RootElement))
        {
            if (panel.TryGetProperty("targets", out var targets))
            {
                queries.AddRange(targets.EnumerateArray().Select(t => ($"panel \"{panel.GetProperty("title").GetString()}\"", t.GetProperty("expr").GetString()!)));
            }
        }

        foreach (var variable in document.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray().Where(v => v.GetProperty("type").GetString() == "query"))
        {
            queries.Add(($"variable {variable.GetProperty("name").GetString()}", variable.GetProperty("definition").GetString()!));
            queries.Add(($"variable {variable.GetProperty("name").GetString()}", variable.GetProperty("query").GetProperty("query").GetString()!));
        }

        return queries;
    }

    private static IEnumerable<JsonElement> Panels(JsonElement container)
    {
        foreach (var panel in container.GetProperty("panels").EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out _))
            {
                foreach (var nested in Panels(panel))
                {
                    yield return nested;
                }
            }
        }
    }

    /// <summary>The <c>expr:</c> of each rule (one line each, as deploy/alerts.yml writes them).</summary>
    private static List<string> AlertExpressions(string yaml) =>
        [.. AlertExpr().Matches(yaml).Select(m => m.Groups[1].Value.Trim().Trim('\'', '"'))];

    /// <summary>
    /// The metric names of a PromQL expression (or Grafana's <c>label_values(metric, label)</c>): what is left after
    /// strings, label matchers, ranges, grouping clauses (<c>by (…)</c>, <c>on (…)</c>, …), offsets and Grafana
    /// variables are removed, less function names (followed by a parenthesis) and keywords.
    /// </summary>
    private static HashSet<string> MetricNames(string expr)
    {
        var text = LabelValues().Replace(expr, "$1");
        text = Strings().Replace(text, " ");
        text = Matchers().Replace(text, " ");
        text = Ranges().Replace(text, " ");
        text = Grouping().Replace(text, " ");
        text = Offsets().Replace(text, " ");
        text = Variables().Replace(text, " ");
        return Identifiers().Matches(text).Select(m => m.Value).Where(n => !Keywords.Contains(n)).ToHashSet(StringComparer.Ordinal);
    }

    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase) { "and", "or", "unless", "bool", "inf", "nan", "group_left", "group_right" };

    private static string RepositoryRoot() => MusterBot.Tests.Support.RepositoryPaths.Root;

    [GeneratedRegex(@"[^a-zA-Z0-9_:]")]
    private static partial Regex InvalidNameCharacters();

    [GeneratedRegex(@"^# TYPE (\S+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex ScrapedFamilies();

    [GeneratedRegex(@"^\s*expr:\s*(.+?)\s*$", RegexOptions.Multiline)]
    private static partial Regex AlertExpr();

    [GeneratedRegex(@"\bmusterbot_[a-z0-9_]+")]
    private static partial Regex DocumentedNames();

    [GeneratedRegex(@"\blabel_values\(\s*([^,()]+?)\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""|'(?:[^'\\]|\\.)*'|`[^`]*`")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\boffset\s+-?[0-9a-zA-Z]+")]
    private static partial Regex Offsets();

    [GeneratedRegex(@"\$\{?\w+\}?")]
    private static partial Regex Variables();

    [GeneratedRegex(@"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()")]
    private static partial Regex Identifiers();
}
