using MusterBot.Flows.Directory.Roster;
using MusterBot.State.Records;
using static MusterBot.Tests.Directory.RosterCsv;

namespace MusterBot.Tests.Directory;

/// <summary>Issue #13: a convenor row must say which region the convenor leads.</summary>
public class RosterConvenorRegionTests
{
    [Theory]
    [InlineData("召集人")]
    [InlineData("member;convenor")]
    public void Parse_ConvenorWithoutRegion_IsAProblem(string role)
    {
        var result = Parse(Header + $"张三,13800138000,一网格,,,,{role}\n李四,13900139000,一网格,东片区,,,{role}\n");
        Assert.Equal([new RosterProblem(2, RosterProblemKind.ConvenorWithoutRegion, null)], result.Problems);
        var valid = Assert.Single(result.Valid);
        Assert.Equal(("r1", true), (valid.RegionId, valid.Role.HasFlag(Roles.Convenor)));
    }

    [Theory]
    [InlineData("网格员")]
    [InlineData("member;handler")]
    public void Parse_HandlerWithoutGrid_IsAProblem(string role)
    {
        var result = Parse(Header + $"张三,13800138000,,东片区,,,{role}\n李四,13900139000,一网格,,,,{role}\n");
        Assert.Equal([new RosterProblem(2, RosterProblemKind.HandlerWithoutGrid, null)], result.Problems);
        var valid = Assert.Single(result.Valid);
        Assert.Equal(("g1", true), (valid.GridId, valid.Role.HasFlag(Roles.Handler)));
    }
}
