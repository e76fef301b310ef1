using MusterBot.Flows.Directory.Roster;
using MusterBot.State.Records;

namespace MusterBot.Tests.Directory;

public class SkillAndRoleNamesTests
{
    [Theory]
    [InlineData("Medical", Skill.Medical)]
    [InlineData("medical", Skill.Medical)]
    [InlineData("NURSING", Skill.Nursing)]
    [InlineData("it", Skill.IT)]
    [InlineData(" Logistics ", Skill.Logistics)]
    [InlineData("医疗", Skill.Medical)]
    [InlineData("护理", Skill.Nursing)]
    [InlineData("法律", Skill.Legal)]
    [InlineData("救援", Skill.Rescue)]
    [InlineData("驾驶", Skill.Driving)]
    [InlineData("电工", Skill.Electrician)]
    [InlineData("水暖", Skill.Plumbing)]
    [InlineData("心理疏导", Skill.Counselling)]
    [InlineData("心理咨询", Skill.Counselling)]
    [InlineData("翻译", Skill.Translation)]
    [InlineData("信息技术", Skill.IT)]
    [InlineData("IT", Skill.IT)]
    [InlineData("计算机", Skill.IT)]
    [InlineData("后勤", Skill.Logistics)]
    [InlineData("物流", Skill.Logistics)]
    [InlineData("其他", Skill.Other)]
    public void TryParse_EnglishAndChineseNames(string token, Skill expected)
    {
        Assert.True(SkillNames.TryParse(token, out var skill));
        Assert.Equal(expected, skill);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("")]
    [InlineData("厨师")]
    [InlineData("Medic")]
    public void TryParse_UnknownNames_AreRefused(string token) =>
        Assert.False(SkillNames.TryParse(token, out _));

    [Fact]
    public void EveryEnumName_IsAccepted()
    {
        foreach (var skill in Enum.GetValues<Skill>())
        {
            Assert.True(SkillNames.TryParse(skill.ToString().ToUpperInvariant(), out var parsed));
            Assert.Equal(skill, parsed);
        }
    }

    [Fact]
    public void ParseList_SplitsOnEverySeparator_KeepsOrder_DropsRepeats()
    {
        var unknown = new List<string>();
        var skills = SkillNames.ParseList("医疗;Driving|电工、翻译，IT/后勤；医疗 ; ,救援", unknown);
        Assert.Equal([Skill.Medical, Skill.Driving, Skill.Electrician, Skill.Translation, Skill.IT, Skill.Logistics, Skill.Rescue], skills);
        Assert.Empty(unknown);
    }

    [Theory]
    [InlineData("", Roles.Member)]
    [InlineData("member", Roles.Member)]
    [InlineData("党员", Roles.Member)]
    [InlineData("Convenor", Roles.Convenor)]
    [InlineData("召集人", Roles.Convenor)]
    [InlineData("HANDLER", Roles.Handler)]
    [InlineData("网格员", Roles.Handler)]
    [InlineData("resident", Roles.Resident)]
    [InlineData("居民", Roles.Resident)]
    [InlineData("党员;召集人", Roles.Member | Roles.Convenor)]
    public void RoleNames_TryParse(string cell, Roles expected)
    {
        Assert.True(RoleNames.TryParse(cell, out var roles));
        Assert.Equal(expected, roles);
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("管理员")]
    [InlineData("member;boss")]
    public void RoleNames_UnknownOrAdmin_IsRefused(string cell) =>
        Assert.False(RoleNames.TryParse(cell, out _));
}
