using System.Text;
using MusterBot.Flows.Directory.Roster;
using MusterBot.State.Records;
using static MusterBot.Tests.Directory.RosterCsv;

namespace MusterBot.Tests.Directory;

public class RosterParserTests
{
    [Fact]
    public void Parse_ValidRows_AreReadWithAllFields()
    {
        var result = Parse(Header
            + "张三,138 0013 8000,一网格,东片区,社区医院,医疗;Driving,\n"
            + "Ann Lee,+44 20 7946 0958,grid a,EAST,,,召集人\n"
            + "李四,13900139000,,,,,resident\n");

        Assert.Null(result.FileProblem);
        Assert.Empty(result.Problems);
        Assert.Equal(3, result.DataRows);
        Assert.Equal(7, result.HeaderColumns);
        Assert.Equal(
            new RosterRow(2, "张三", "+8613800138000", "g1", "r1", "社区医院", [], Roles.Member) with { Skills = result.Valid[0].Skills },
            result.Valid[0]);
        Assert.Equal([Skill.Medical, Skill.Driving], result.Valid[0].Skills);

        var ann = result.Valid[1];
        Assert.Equal((3, "Ann Lee", "+442079460958", "g2", "r2", (string?)null, Roles.Convenor), (ann.Line, ann.Name, ann.Phone, ann.GridId, ann.RegionId, ann.WorkUnit, ann.Role));
        Assert.Empty(ann.Skills);

        var li = result.Valid[2];
        Assert.Equal((4, (string?)null, (string?)null, Roles.Resident), (li.Line, li.GridId, li.RegionId, li.Role));
    }

    [Fact]
    public void Parse_MissingName_IsAProblem()
    {
        var result = Parse(Header + "  ,13800138000,,,,,\n");
        Assert.Equal([new RosterProblem(2, RosterProblemKind.MissingName, null)], result.Problems);
        Assert.Empty(result.Valid);
        Assert.Equal(1, result.RowsWithProblems);
    }

    [Fact]
    public void Parse_NameTooLong_Over40Characters()
    {
        var forty = new string('名', 40);
        var result = Parse(Header + $"{forty},13800138000,,,,,\n{forty}x,13900139000,,,,,\n");
        Assert.Equal([new RosterProblem(3, RosterProblemKind.NameTooLong, forty + "x")], result.Problems);
        Assert.Equal(forty, Assert.Single(result.Valid).Name);
    }

    [Theory]
    [InlineData("1380013800")]
    [InlineData("abc")]
    [InlineData("")]
    public void Parse_BadPhone_ValueIsTheCell(string phone)
    {
        var result = Parse(Header + $"张三,{phone},,,,,\n");
        Assert.Equal([new RosterProblem(2, RosterProblemKind.BadPhone, phone)], result.Problems);
    }

    [Fact]
    public void Parse_DuplicatePhone_ReportsTheLaterRowWithTheEarlierLine()
    {
        var result = Parse(Header
            + "张三,13800138000,,,,,\n"
            + "李四,13900139000,,,,,\n"
            + "王五,+86 138-0013-8000,,,,,\n"
            + "赵六,0086 138 0013 8000,,,,,\n");

        Assert.Equal(
            [new RosterProblem(4, RosterProblemKind.DuplicatePhone, "2"), new RosterProblem(5, RosterProblemKind.DuplicatePhone, "2")],
            result.Problems);
        Assert.Equal([2, 3], result.Valid.Select(r => r.Line));
    }

    [Fact]
    public void Parse_UnknownGridAndRegion_ValueIsTheName()
    {
        var result = Parse(Header + "张三,13800138000,九网格,西片区,,,\n");
        Assert.Equal(
            [new RosterProblem(2, RosterProblemKind.UnknownGrid, "九网格"), new RosterProblem(2, RosterProblemKind.UnknownRegion, "西片区")],
            result.Problems);
    }

    [Fact]
    public void Parse_UnknownSkill_ValueIsTheToken()
    {
        var result = Parse(Header + "张三,13800138000,,,,医疗、厨师;Juggling,\n");
        Assert.Equal(
            [new RosterProblem(2, RosterProblemKind.UnknownSkill, "厨师"), new RosterProblem(2, RosterProblemKind.UnknownSkill, "Juggling")],
            result.Problems);
    }

    [Fact]
    public void Parse_ChineseAndEnglishSkills_InAQuotedCellWithCommas()
    {
        var result = Parse(Header + "张三,13800138000,,,,\"护理, Legal，心理疏导/it\",\n");
        Assert.Equal([Skill.Nursing, Skill.Legal, Skill.Counselling, Skill.IT], Assert.Single(result.Valid).Skills);
    }

    [Fact]
    public void Parse_SkillsSeparatedByCommaWithoutQuotes_IsAWrongColumnCount()
    {
        var result = Parse(Header + "张三,13800138000,,,,护理,法律,\n");
        Assert.Equal([new RosterProblem(2, RosterProblemKind.WrongColumnCount, "8")], result.Problems);
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("boss")]
    public void Parse_UnknownRole_ValueIsTheCell(string role)
    {
        var result = Parse(Header + $"张三,13800138000,,,,,{role}\n");
        Assert.Equal([new RosterProblem(2, RosterProblemKind.UnknownRole, role)], result.Problems);
    }

    [Fact]
    public void Parse_WorkUnitTooLong_Over100Characters()
    {
        var result = Parse(Header + $"张三,13800138000,,,{new string('单', 100)},,\n李四,13900139000,,,{new string('单', 101)},,\n");
        Assert.Equal(RosterProblemKind.WorkUnitTooLong, Assert.Single(result.Problems).Kind);
        Assert.Equal(3, result.Problems[0].Line);
        Assert.Equal(2, Assert.Single(result.Valid).Line);
    }

    [Fact]
    public void Parse_WrongColumnCount_TooFewOrTooManyCells()
    {
        var result = Parse(Header
            + "张三,13800138000,,,\n"
            + "李四,13900139000,,,,,,extra\n"
            + "王五,13700137000,,,,,,,\n"
            + "赵六,13600136000,,,,,\n");

        Assert.Equal(
            [
                new RosterProblem(2, RosterProblemKind.WrongColumnCount, "5"),
                new RosterProblem(3, RosterProblemKind.WrongColumnCount, "8"),
                new RosterProblem(4, RosterProblemKind.WrongColumnCount, "9"),
            ],
            result.Problems);
        Assert.Equal(5, Assert.Single(result.Valid).Line);
    }

    [Fact]
    public void Parse_RowWithSeveralProblems_HasThemAll_AndIsNotValid()
    {
        var result = Parse(Header + ",12345,九网格,西片区,,厨师,boss\n");
        Assert.Equal(
            [RosterProblemKind.MissingName, RosterProblemKind.BadPhone, RosterProblemKind.UnknownGrid, RosterProblemKind.UnknownRegion, RosterProblemKind.UnknownSkill, RosterProblemKind.UnknownRole],
            result.Problems.Select(p => p.Kind));
        Assert.All(result.Problems, p => Assert.Equal(2, p.Line));
        Assert.Empty(result.Valid);
        Assert.Equal(1, result.RowsWithProblems);
    }

    [Fact]
    public void Parse_QuotedFieldsWithCommasAndNewlines_KeepLineNumbersRight()
    {
        var result = Parse(Header
            + "\"Lee, Ann\",13800138000,,,\"Red Cross,\nEast Branch\",,\n"       // lines 2-3
            + "\"张\"\"三\"\"\",13900139000,,,\"a\r\nb\r\nc\",,\n"                 // lines 4-6
            + "bad,123,,,,,\n"                                                  // line 7
            + "  \"王五\"  ,13700137000,,,,,\n");                                // line 8

        Assert.Equal([new RosterProblem(7, RosterProblemKind.BadPhone, "123")], result.Problems);
        Assert.Equal([2, 4, 8], result.Valid.Select(r => r.Line));
        Assert.Equal("Lee, Ann", result.Valid[0].Name);
        Assert.Equal("Red Cross, East Branch", result.Valid[0].WorkUnit);
        Assert.Equal("张\"三\"", result.Valid[1].Name);
        Assert.Equal("王五", result.Valid[2].Name);
    }

    [Fact]
    public void Parse_CrLfAndCrLineEndings_CountLinesLikeAnEditor()
    {
        var result = Parse("name,phone,grid,region,work_unit,skills,role\r\nA,13800138000,,,,,\r\n\r\nB,1,,,,,\rC,13900139000,,,,,");
        Assert.Equal([new RosterProblem(4, RosterProblemKind.BadPhone, "1")], result.Problems);
        Assert.Equal([2, 5], result.Valid.Select(r => r.Line));
        Assert.Equal(3, result.DataRows);
    }

    [Fact]
    public void Parse_UnclosedQuote_ReportsTheLineWhereItStarts()
    {
        var result = Parse(Header + "张三,13800138000,,,,,\n\"李四,13900139000,,,,,\n王五,13700137000,,,,,\n");
        Assert.Equal(RosterProblemKind.UnclosedQuote, result.Problems[0].Kind);
        Assert.Equal(3, result.Problems[0].Line);
        Assert.Equal(2, Assert.Single(result.Valid).Line);
    }

    [Fact]
    public void Parse_Bom_IsIgnored()
    {
        byte[] content = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Header + "张三,13800138000,,,,,\n")];
        var result = RosterParser.Parse(content, Lookup);
        Assert.Null(result.FileProblem);
        Assert.Equal("张三", Assert.Single(result.Valid).Name);
    }

    [Fact]
    public void Parse_ColumnsInAnotherOrder_ExtraColumnsIgnored_HeaderTrimmedAndCaseInsensitive()
    {
        var result = Parse(" Role ,SKILLS,note, phone ,Name,region,Work_Unit,grid\n召集人,电工,ignore me,13800138000,张三,东片区,物业,一网格\n");
        var row = Assert.Single(result.Valid);
        Assert.Equal(("张三", "+8613800138000", "g1", "r1", "物业", Roles.Convenor), (row.Name, row.Phone, row.GridId, row.RegionId, row.WorkUnit, row.Role));
        Assert.Equal([Skill.Electrician], row.Skills);
    }

    [Fact]
    public void Parse_BlankLines_AreSkippedAndNotCounted()
    {
        var result = Parse("\n\n" + Header + "\n张三,13800138000,,,,,\n   \n,,,,,,\n\n李四,13900139000,,,,,\n\n");
        Assert.Equal(2, result.DataRows);
        Assert.Equal([5, 9], result.Valid.Select(r => r.Line));
    }

    [Fact]
    public void Parse_GbkBytes_AreNotUtf8()
    {
        var content = Encoding.UTF8.GetBytes(Header + "李四,13900139000,,,,,\n").Concat(new byte[] { 0xD5, 0xC5, 0xC8, 0xFD }).Concat(Encoding.ASCII.GetBytes(",13800138000,,,,,\n")).ToArray();
        var result = RosterParser.Parse(content, Lookup);
        Assert.Equal(new RosterFileProblem(RosterFileProblemKind.NotUtf8, "3"), result.FileProblem);
        Assert.Empty(result.Valid);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void Parse_Utf8CutInTheMiddleOfACharacter_IsNotUtf8()
    {
        var bytes = Encoding.UTF8.GetBytes(Header + "张三,13800138000,,,,,\n张");
        var result = RosterParser.Parse(bytes.AsSpan(0, bytes.Length - 1), Lookup);
        Assert.Equal(RosterFileProblemKind.NotUtf8, result.FileProblem?.Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\uFEFF")]
    [InlineData("\n\r\n  \n")]
    public void Parse_EmptyFile_IsAFileProblem(string csv)
    {
        var result = Parse(csv);
        Assert.Equal(new RosterFileProblem(RosterFileProblemKind.Empty), result.FileProblem);
        Assert.Equal(0, result.DataRows);
    }

    [Fact]
    public void Parse_HeaderOnly_HasNoRows()
    {
        var result = Parse(Header + "\n");
        Assert.Equal(new RosterFileProblem(RosterFileProblemKind.NoRows), result.FileProblem);
        Assert.Equal(0, result.DataRows);
    }

    [Fact]
    public void Parse_HeaderWithMissingColumns_ListsThem()
    {
        var result = Parse("name,phone,grid,skills\n张三,13800138000,,\n");
        Assert.Equal(new RosterFileProblem(RosterFileProblemKind.MissingColumns, "region, work_unit, role"), result.FileProblem);
        Assert.Empty(result.Valid);
    }

    [Fact]
    public void Parse_NoHeaderAtAll_IsAFileProblem()
    {
        var result = Parse("张三,13800138000,一网格,东片区,,,\n");
        Assert.Equal(RosterFileProblemKind.NoHeader, result.FileProblem?.Kind);
    }

    [Fact]
    public void Parse_ColumnTwiceInTheHeader_IsAFileProblem()
    {
        var result = Parse("name,phone,grid,region,work_unit,skills,role,Phone\n");
        Assert.Equal(new RosterFileProblem(RosterFileProblemKind.DuplicateColumns, "phone"), result.FileProblem);
    }

    [Fact]
    public void Parse_50000ValidRows_AreAllRead()
    {
        var result = RosterParser.Parse(ValidRows(RosterParser.MaxRows), Lookup);
        Assert.Null(result.FileProblem);
        Assert.Empty(result.Problems);
        Assert.Equal(RosterParser.MaxRows, result.DataRows);
        Assert.Equal(RosterParser.MaxRows, result.Valid.Count);
        Assert.Equal(RosterParser.MaxRows + 1, result.Valid[^1].Line);
    }

    [Fact]
    public void Parse_50001Rows_AreTooMany_AndNothingIsImported()
    {
        var result = RosterParser.Parse(ValidRows(RosterParser.MaxRows + 1), Lookup);
        Assert.Equal(new RosterFileProblem(RosterFileProblemKind.TooManyRows, "50000"), result.FileProblem);
        Assert.Empty(result.Valid);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void Parse_10MegabyteFile_IsTooLarge()
    {
        var content = new byte[10 * 1024 * 1024];
        content.AsSpan().Fill((byte)'a');
        var result = RosterParser.Parse(content, Lookup);
        Assert.Equal(new RosterFileProblem(RosterFileProblemKind.TooLarge, "8"), result.FileProblem);
    }

    [Fact]
    public void Parse_LooksUpEachGridNameOnce()
    {
        var lookup = new CountingLookup();
        var result = RosterParser.Parse(ValidRows(100), lookup);
        Assert.Equal(100, result.Valid.Count);
        Assert.Equal((1, 1), (lookup.GridCalls, lookup.RegionCalls));
    }

    private sealed class CountingLookup : IRosterLookup
    {
        public int GridCalls { get; private set; }

        public int RegionCalls { get; private set; }

        public string? FindGrid(string name)
        {
            GridCalls++;
            return Lookup.FindGrid(name);
        }

        public string? FindRegion(string name)
        {
            RegionCalls++;
            return Lookup.FindRegion(name);
        }
    }
}
