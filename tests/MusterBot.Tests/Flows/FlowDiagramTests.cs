using Microsoft.Extensions.Options;
using MusterBot.Flows.Complaints;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Wishes;
using MusterBot.Flows.Admin;
using MusterBot.Flows.Profile;
using MusterBot.Flows.Registration;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;

namespace MusterBot.Tests.Flows;

/// <summary>
/// The committed diagrams in docs/flows/ must match the flows. Regenerate with
/// <c>UPDATE_FLOW_DIAGRAMS=1 dotnet test --filter FlowDiagramTests</c>.
/// </summary>
public class FlowDiagramTests
{
    public static IEnumerable<IFlow> AllFlows() =>
    [
        new MainFlow(TextCatalog.Default), new RegistrationFlow(), new AdminFlow(), new MusterBot.Flows.Org.OrgFlow(), new ProfileFlow([]),
        new MusterBot.Flows.Points.PointsFlow(TextCatalog.Default),
        new MusterFlow(TextCatalog.Default, Options.Create(new MusterOptions()), Options.Create(new FlowOptions())),
        new WishFlow(TextCatalog.Default, Options.Create(new WishOptions()), Options.Create(new FlowOptions())),
        new ComplaintFlow(TextCatalog.Default, Options.Create(new ComplaintOptions()), Options.Create(new FlowOptions())),
        new MusterBot.Flows.InService.InServiceFlow(Options.Create(new FlowOptions())),
        new MusterBot.Flows.Households.HouseholdFlow(),
        new MusterBot.Flows.Households.WelfareFlow(TextCatalog.Default, Options.Create(new MusterOptions())),
        new MusterBot.Flows.Posts.PostFlow(TextCatalog.Default, Microsoft.Extensions.Options.Options.Create(new MusterBot.Flows.Musters.MusterOptions())),
        new MusterBot.Flows.Broadcasts.NoticeFlow(TextCatalog.Default),
    ];

    [Fact]
    public void CommittedDiagrams_AreUpToDate()
    {
        var folder = Path.Combine(RepositoryRoot(), "docs", "flows");
        var update = Environment.GetEnvironmentVariable("UPDATE_FLOW_DIAGRAMS") == "1";
        var stale = new List<string>();
        foreach (var flow in AllFlows())
        {
            var path = Path.Combine(folder, flow.Name + ".md");
            var expected = $"# Flow `{flow.Name}`\n\nGenerated from the code by `FlowDiagramTests`; do not edit by hand.\n\n```mermaid\n{flow.ToMermaid()}```\n";
            if (update)
            {
                System.IO.Directory.CreateDirectory(folder);
                File.WriteAllText(path, expected);
            }
            else if (!File.Exists(path) || File.ReadAllText(path).ReplaceLineEndings("\n") != expected)
            {
                stale.Add(path);
            }
        }

        Assert.True(stale.Count == 0, "Stale flow diagrams (run UPDATE_FLOW_DIAGRAMS=1 dotnet test --filter FlowDiagramTests): " + string.Join(", ", stale));
    }

    private static string RepositoryRoot() => MusterBot.Tests.Support.RepositoryPaths.Root;
}
