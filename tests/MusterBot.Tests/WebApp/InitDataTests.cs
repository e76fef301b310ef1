using MusterBot.Emulator;
using MusterBot.Host.WebApp;

namespace MusterBot.Tests.WebApp;

/// <summary>
/// Telegram's Mini App initData check (issue #18 point 1). The fixed vector was signed outside .NET (Python's hmac,
/// by the algorithm in Telegram's documentation), so the check is not tested against itself.
/// </summary>
public sealed class InitDataTests
{
    private const string Token = "123456:TEST-token_for-vectors";

    // user {"id":1301,"first_name":"Chen","last_name":"Jing","language_code":"en"}, auth_date 1796000000, signed with Token.
    private const string Vector =
        "query_id=AAE-test&user=%7B%22id%22%3A1301%2C%22first_name%22%3A%22Chen%22%2C%22last_name%22%3A%22Jing%22%2C%22language_code%22%3A%22en%22%7D" +
        "&auth_date=1796000000&hash=bae6a388407e895b50c2bd09fbe51ed5574509a2678af8c31fb67fe118119128";

    private static readonly DateTimeOffset Signed = DateTimeOffset.FromUnixTimeSeconds(1796000000);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public void TheVectorSignedOutsideDotNet_IsValid_AndNamesItsUser()
    {
        var (identity, failure) = InitData.Validate(Vector, Token, Signed.AddMinutes(10), Hour);
        Assert.Equal(InitDataFailure.None, failure);
        Assert.Equal(1301, identity!.UserId);
        Assert.Equal(Signed, identity.AuthDate);
        Assert.Equal("en", identity.LanguageCode);
    }

    [Fact]
    public void AnotherBotsToken_IsABadSignature() =>
        Assert.Equal(InitDataFailure.BadSignature, InitData.Validate(Vector, "654321:another-bot", Signed, Hour).Failure);

    [Fact]
    public void ATamperedUser_IsABadSignature()
    {
        // The same initData claiming to be the administrator (1001) instead of 1301.
        var tampered = Vector.Replace("%22id%22%3A1301", "%22id%22%3A1001", StringComparison.Ordinal);
        Assert.NotEqual(Vector, tampered);
        Assert.Equal(InitDataFailure.BadSignature, InitData.Validate(tampered, Token, Signed, Hour).Failure);
    }

    [Fact]
    public void ATamperedAuthDate_IsABadSignature() =>
        Assert.Equal(InitDataFailure.BadSignature, InitData.Validate(Vector.Replace("1796000000", "1796003000", StringComparison.Ordinal), Token, Signed, Hour).Failure);

    [Theory]
    [InlineData(59, InitDataFailure.None)]
    [InlineData(60, InitDataFailure.None)]
    [InlineData(61, InitDataFailure.Expired)]
    [InlineData(24 * 60, InitDataFailure.Expired)]
    [InlineData(-4, InitDataFailure.None)]     // a client clock a little ahead
    [InlineData(-10, InitDataFailure.Expired)] // signed in the future: not by Telegram
    public void TheAge_IsJudgedByAuthDate(int minutesAfterSigning, InitDataFailure expected) =>
        Assert.Equal(expected, InitData.Validate(Vector, Token, Signed.AddMinutes(minutesAfterSigning), Hour).Failure);

    [Theory]
    [InlineData(null, InitDataFailure.Missing)]
    [InlineData("", InitDataFailure.Missing)]
    [InlineData("not an init data", InitDataFailure.Malformed)]
    [InlineData("user=%7B%7D&auth_date=1", InitDataFailure.Malformed)]                       // no hash
    [InlineData("auth_date=1&hash=zz", InitDataFailure.Malformed)]                            // hash of the wrong length
    [InlineData("auth_date=1&hash=%%", InitDataFailure.Malformed)]                            // not URL-encoded properly
    public void MissingOrMalformed_IsRefused(string? raw, InitDataFailure expected) =>
        Assert.Equal(expected, InitData.Validate(raw, Token, Signed, Hour).Failure);

    [Fact]
    public void AHashOfTheRightLengthButNotHex_IsABadSignature() =>
        Assert.Equal(InitDataFailure.BadSignature, InitData.Validate(Vector[..^64] + new string('g', 64), Token, Signed, Hour).Failure);

    [Fact]
    public void AKeyGivenTwice_IsRefused_EvenWhenOneCopyIsSigned() =>
        Assert.Equal(InitDataFailure.Malformed, InitData.Validate(Vector + "&auth_date=1796000000", Token, Signed, Hour).Failure);

    [Fact]
    public void AHugeInitData_IsRefusedUnread() =>
        Assert.Equal(InitDataFailure.Malformed, InitData.Validate("a=" + new string('x', InitData.MaxLength), Token, Signed, Hour).Failure);

    [Fact]
    public void SignedButWithoutAUser_IdentifiesNobody()
    {
        var fields = new Dictionary<string, string> { ["auth_date"] = "1796000000", ["query_id"] = "q" };
        var raw = "auth_date=1796000000&query_id=q&hash=" + Convert.ToHexStringLower(InitData.Sign(fields, Token));
        Assert.Equal(InitDataFailure.Malformed, InitData.Validate(raw, Token, Signed, Hour).Failure);
    }

    [Fact]
    public async Task TheEmulatorSignsAsTelegramDoes_AndAnotherEmulatorsInitDataIsRefused()
    {
        await using var ours = await BotApiEmulator.StartAsync(new EmulatorOptions { Token = "111:ours" }, CancellationToken.None);
        await using var other = await BotApiEmulator.StartAsync(new EmulatorOptions { Token = "222:theirs" }, CancellationToken.None);
        ours.CreateUser(42, "Wang", "zh-CN", "Fang");
        other.CreateUser(42, "Wang", "zh-CN", "Fang");
        var now = DateTimeOffset.UtcNow;

        var (identity, failure) = InitData.Validate(ours.WebAppInitData(42), "111:ours", now, Hour);
        Assert.Equal(InitDataFailure.None, failure);
        Assert.Equal(42, identity!.UserId);
        Assert.Equal("zh-CN", identity.LanguageCode);

        // Replayed from another bot: its signature is under another token.
        Assert.Equal(InitDataFailure.BadSignature, InitData.Validate(other.WebAppInitData(42), "111:ours", now, Hour).Failure);
        Assert.Equal(InitDataFailure.Expired, InitData.Validate(ours.WebAppInitData(42, now.AddHours(-2)), "111:ours", now, Hour).Failure);
    }
}
