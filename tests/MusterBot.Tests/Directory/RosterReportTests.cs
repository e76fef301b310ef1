using MusterBot.Flows.Directory.Roster;
using MusterBot.Flows.Texts;
using MusterBot.State.Records;
using static MusterBot.Tests.Directory.RosterCsv;

namespace MusterBot.Tests.Directory;

public class RosterReportTests
{
    [Fact]
    public void Format_SummaryThenOneLinePerProblem_SortedByLine()
    {
        var result = Parse(Header + "张三,13800138000,,,,,\n,1,,,,,\n李四,13800138000,,,,厨师,\n");
        var report = RosterReport.Format(result, Language.Zh, TextCatalog.Default);
        var lines = report.Split('\n');

        Assert.Equal(TextCatalog.Default.Format(Language.Zh, "roster.report.summary", 3, 1, 2), lines[0]);
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("第 3 行", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("第 3 行", lines[2], StringComparison.Ordinal);
        Assert.Contains("第 2 行", lines[3], StringComparison.Ordinal);
        Assert.Contains("厨师", lines[4], StringComparison.Ordinal);
    }

    [Fact]
    public void Format_InEnglish_UsesEnglishTexts()
    {
        var result = Parse(Header + "Ann,13800138000,,,,,\nBob,13800138000,,,,,\n");
        var report = RosterReport.Format(result, Language.En, TextCatalog.Default);
        Assert.Equal("📋 2 rows read, 1 valid, 1 with problems.\nLine 3: same phone number as line 2.", report);
    }

    [Fact]
    public void Format_AtMostMaxLines_ThenHowManyMore()
    {
        var result = RosterParser.Parse(BadRows(10), Lookup);
        var report = RosterReport.Format(result, Language.En, TextCatalog.Default, maxLines: 3);
        var lines = report.Split('\n');
        Assert.Equal(5, lines.Length);
        Assert.Equal($"… and {result.Problems.Count - 3} more.", lines[^1]);
    }

    [Fact]
    public void Format_50000BadRows_StaysUnder4000Characters_AndEscapesValues()
    {
        var result = RosterParser.Parse(BadRows(RosterParser.MaxRows), Lookup);
        Assert.Equal(RosterParser.MaxRows, result.DataRows);
        Assert.Empty(result.Valid);

        foreach (var language in new[] { Language.Zh, Language.En })
        {
            var report = RosterReport.Format(result, language, TextCatalog.Default, maxLines: 1_000);
            Assert.True(report.Length < 4_000, $"{report.Length} characters");
            Assert.DoesNotContain("<b>", report, StringComparison.Ordinal);
            Assert.DoesNotContain("<<", report, StringComparison.Ordinal);
            Assert.Contains("&lt;b&gt;", report, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Format_NameWithHtml_IsEscaped()
    {
        var result = Parse(Header + $"<b>{new string('x', 40)}</b>,13800138000,,,,,\n");
        var report = RosterReport.Format(result, Language.En, TextCatalog.Default);
        Assert.Contains("“&lt;b&gt;xxx", report, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_EmptyPhone_SaysThePhoneIsMissing()
    {
        var result = Parse(Header + "Ann,,,,,,\n");
        Assert.EndsWith("Line 2: the phone number is missing.", RosterReport.Format(result, Language.En, TextCatalog.Default), StringComparison.Ordinal);
    }

    [Fact]
    public void Format_WrongColumnCount_NamesBothCounts()
    {
        var result = Parse(Header + "Ann,13800138000\n");
        Assert.EndsWith("Line 2: 2 cells, but the header has 7. Please put cells that contain commas in double quotes.", RosterReport.Format(result, Language.En, TextCatalog.Default), StringComparison.Ordinal);
    }

    [Fact]
    public void Format_NoHeader_GivesTheWholeHeaderToCopy_NotCutLikeAFileValue()
    {
        var result = RosterParser.Parse("a,b\n1,2\n"u8, new RosterLookup([], []));
        Assert.Equal("❌ The first line must be the header: <code>name,phone,grid,region,work_unit,skills,role</code>", RosterReport.Format(result, Language.En, TextCatalog.Default));
    }

    [Theory]
    [InlineData(RosterFileProblemKind.TooLarge, "8")]
    [InlineData(RosterFileProblemKind.NotUtf8, "3")]
    [InlineData(RosterFileProblemKind.Empty, null)]
    [InlineData(RosterFileProblemKind.NoHeader, "name,phone")]
    [InlineData(RosterFileProblemKind.MissingColumns, "grid, role")]
    [InlineData(RosterFileProblemKind.DuplicateColumns, "phone")]
    [InlineData(RosterFileProblemKind.NoRows, null)]
    [InlineData(RosterFileProblemKind.TooManyRows, "50000")]
    public void Format_FileProblem_IsOneMessageInBothLanguages(RosterFileProblemKind kind, string? value)
    {
        var result = RosterParseResult.Failed(new RosterFileProblem(kind, value));
        var zh = RosterReport.Format(result, Language.Zh, TextCatalog.Default);
        var en = RosterReport.Format(result, Language.En, TextCatalog.Default);
        Assert.StartsWith("❌", zh, StringComparison.Ordinal);
        Assert.StartsWith("❌", en, StringComparison.Ordinal);
        if (value is not null)
        {
            Assert.Contains(value, zh, StringComparison.Ordinal);
            Assert.Contains(value, en, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EveryProblemKind_HasATextInBothLanguages()
    {
        foreach (var kind in Enum.GetValues<RosterProblemKind>())
        {
            Assert.NotEmpty(TextCatalog.Default.Get(Language.Zh, "roster.problem." + kind));
            Assert.NotEmpty(TextCatalog.Default.Get(Language.En, "roster.problem." + kind));
        }

        foreach (var kind in Enum.GetValues<RosterFileProblemKind>())
        {
            Assert.NotEmpty(TextCatalog.Default.Get(Language.Zh, "roster.file." + kind));
            Assert.NotEmpty(TextCatalog.Default.Get(Language.En, "roster.file." + kind));
        }
    }
}
