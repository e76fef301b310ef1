using MusterBot.Flows.Directory.Roster;

namespace MusterBot.Tests.Directory;

public class PhoneNumberTests
{
    [Theory]
    [InlineData("13800138000", "+8613800138000")]
    [InlineData("138 0013 8000", "+8613800138000")]
    [InlineData("138-0013-8000", "+8613800138000")]
    [InlineData("(138) 0013-8000", "+8613800138000")]
    [InlineData(" 13800138000 ", "+8613800138000")]
    [InlineData("+86 138 0013 8000", "+8613800138000")]
    [InlineData("+86-13800138000", "+8613800138000")]
    [InlineData("(+86) 13800138000", "+8613800138000")]
    [InlineData("8613800138000", "+8613800138000")]
    [InlineData("86 138 0013 8000", "+8613800138000")]
    [InlineData("0086 13800138000", "+8613800138000")]
    [InlineData("19912345678", "+8619912345678")]
    [InlineData("１３８００１３８０００", "+8613800138000")]
    [InlineData("+44 20 7946 0958", "+442079460958")]
    [InlineData("+1 (415) 555-2671", "+14155552671")]
    [InlineData("+85291234567", "+85291234567")]
    [InlineData("+12345678", "+12345678")]
    public void Normalize_AcceptedNumbers(string raw, string expected) =>
        Assert.Equal(expected, PhoneNumber.Normalize(raw));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("1380013800")]          // 10 digits
    [InlineData("138001380001")]        // 12 digits
    [InlineData("12800138000")]         // 12x is no mobile prefix
    [InlineData("23800138000")]
    [InlineData("010-12345678")]        // landline without +
    [InlineData("447911123456")]        // foreign without +
    [InlineData("+1234567")]            // 7 digits
    [InlineData("+1234567890123456")]   // 16 digits
    [InlineData("+86 1380013800")]      // +86 mobile with a digit missing
    [InlineData("+86 138001380001")]    // +86 mobile with a digit too many
    [InlineData("138OO138000")]         // letters O
    [InlineData("13800138000 ext 12")]
    [InlineData("1+3800138000")]
    [InlineData("++8613800138000")]
    [InlineData("tel:13800138000")]
    public void Normalize_RefusedNumbers(string? raw) =>
        Assert.Null(PhoneNumber.Normalize(raw));

    [Theory]
    [InlineData("8613800138000", "+8613800138000")]
    [InlineData("+8613800138000", "+8613800138000")]
    [InlineData("447911123456", "+447911123456")]
    [InlineData("", null)]
    [InlineData("86 138 0013 8000", "+8613800138000")]
    public void FromTelegramContact_AddsTheMissingPlus(string raw, string? expected) =>
        Assert.Equal(expected, PhoneNumber.FromTelegramContact(raw));
}
