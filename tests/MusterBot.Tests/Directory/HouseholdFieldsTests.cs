using MusterBot.Flows.Households;
using MusterBot.Flows.Texts;
using MusterBot.State.Records.Households;

namespace MusterBot.Tests.Directory;

/// <summary>How households' addresses, phones and tags are read, the same by chat and in a file.</summary>
public class HouseholdFieldsTests
{
    [Theory]
    [InlineData("2-301", "2", "301")]
    [InlineData(" 2 / 301 ", "2", "301")]
    [InlineData("2\u5355\u5143301\u5BA4", "2", "301")]
    [InlineData("301", null, "301")]
    [InlineData("\uFF12\uFF0D\uFF13\uFF10\uFF11", "\uFF12", "\uFF13\uFF10\uFF11")]
    public void Address_IsReadAsUnitAndRoom(string typed, string? unit, string room)
    {
        Assert.True(HouseholdFields.TryParseAddress(typed, out var u, out var r));
        Assert.Equal((unit, room), (u, r));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1-2-3")]
    [InlineData("12345678901")]
    public void Address_WithoutARoomOrTooLong_IsRefused(string typed) => Assert.False(HouseholdFields.TryParseAddress(typed, out _, out _));

    [Fact]
    public void AddressKey_IgnoresCaseWidthAndSpaces_ButNotTheBuilding()
    {
        Assert.Equal(HouseholdFields.AddressKey("b1", "A", "301"), HouseholdFields.AddressKey("b1", "\uFF41", " 3 01"));
        Assert.NotEqual(HouseholdFields.AddressKey("b1", null, "301"), HouseholdFields.AddressKey("b2", null, "301"));
        Assert.NotEqual(HouseholdFields.AddressKey("b1", "1", "301"), HouseholdFields.AddressKey("b1", null, "1301"));
    }

    [Theory]
    [InlineData("138 0013 8000", "+8613800138000")]
    [InlineData("0571-88881234", "0571-88881234")]
    [InlineData("(010) 6552 8899", "010-65528899")]
    [InlineData("02012345678", "020-12345678")]
    [InlineData("88881234", "88881234")]
    [InlineData("+44 20 7946 0958", "+442079460958")]
    [InlineData("12345", null)]
    [InlineData("call me", null)]
    [InlineData("0012345678", null)]
    public void Phone_IsAMobileALandlineOrNothing(string typed, string? stored) => Assert.Equal(stored, HouseholdFields.Phone(typed));

    [Fact]
    public void Tags_AreReadByEnumNameOrNameInEitherLanguage_CustomTagsByName_OthersAreUnknown()
    {
        var unknown = new List<string>();
        var zh = TextCatalog.Default.Get(MusterBot.State.Records.Language.Zh, "hh.tag.Bedridden");
        var (tags, custom) = HouseholdFields.ParseTags($"LivingAlone;{zh}\u3001aged 80+, Wheelchair / ghost", ["wheelchair"], TextCatalog.Default, unknown);
        Assert.Equal([HouseholdTag.LivingAlone, HouseholdTag.Bedridden, HouseholdTag.Aged], tags);
        Assert.Equal(["wheelchair"], custom);
        Assert.Equal(["ghost"], unknown);
    }

    [Fact]
    public void NoTagName_InEitherLanguage_HoldsAListSeparator_SoAnExportedFileReadsBack()
    {
        foreach (var language in new[] { MusterBot.State.Records.Language.Zh, MusterBot.State.Records.Language.En })
        {
            foreach (var tag in Enum.GetValues<HouseholdTag>())
            {
                var name = TextCatalog.Default.Get(language, HouseholdFields.TagKey(tag));
                Assert.True(name.AsSpan().IndexOfAny(HouseholdFields.Separators) < 0, $"{language} {tag}: {name}");
                Assert.True(HouseholdFields.TryParseTag(name, TextCatalog.Default, out var back) && back == tag, name);
            }
        }
    }
}
