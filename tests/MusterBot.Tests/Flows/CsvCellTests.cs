using MusterBot.Flows.Musters;

namespace MusterBot.Tests.Flows;

/// <summary>CSV cells from people's own words must never run as spreadsheet formulas.</summary>
public sealed class CsvCellTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+1+cmd", "'+1+cmd")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\t=1+1", "'\t=1+1")]
    [InlineData("\r=1+1", "\"'\r=1+1\"")]
    [InlineData("+8613800138000", "+8613800138000")]
    [InlineData("-5", "-5")]
    [InlineData("胡奶奶, 1号楼", "\"胡奶奶, 1号楼\"")]
    [InlineData("", "")]
    public void Cell_IsQuotedAsTextWhenASpreadsheetWouldRunIt(string value, string expected) =>
        Assert.Equal(expected, MusterFlow.CsvCell(value));
}
