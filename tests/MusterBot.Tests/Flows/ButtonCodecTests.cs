using MusterBot.Flows.Runtime.Buttons;

namespace MusterBot.Tests.Flows;

public class ButtonCodecTests
{
    public abstract record TestButton;

    public sealed record Plain : TestButton;

    public sealed record CheckIn(int Muster, Choice Choice) : TestButton;

    public sealed record Person(long UserId, bool Confirm, int? Page, string Code) : TestButton;

    public enum Choice
    {
        Acknowledged,
        Arrived,
    }

    private static readonly ButtonCodec<TestButton> Codec = new ButtonCodec<TestButton>("t")
        .Add<Plain>("p")
        .Add<CheckIn>("ci")
        .Add<Person>("pe");

    [Fact]
    public void Encode_ThenDecode_GivesTheSamePayload()
    {
        TestButton[] buttons =
        [
            new Plain(),
            new CheckIn(12, Choice.Arrived),
            new Person(-1001234567890123, true, null, "abc"),
            new Person(4503599627370495, false, 3, string.Empty),
        ];
        foreach (var button in buttons)
        {
            var data = Codec.Encode(button);
            Assert.True(Codec.Owns(data));
            Assert.Equal(button, Codec.Decode(data));
        }

        Assert.Equal("t:ci:12:Arrived", Codec.Encode(new CheckIn(12, Choice.Arrived)));
        Assert.Equal("t:pe:7:1::x", Codec.Encode(new Person(7, true, null, "x")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("t")]
    [InlineData("t:")]
    [InlineData("x:ci:12:Arrived")]
    [InlineData("t:zz:12:Arrived")]
    [InlineData("t:ci:12")]
    [InlineData("t:ci:12:Arrived:extra")]
    [InlineData("t:ci::Arrived")]
    [InlineData("t:ci:012:Arrived")]
    [InlineData("t:ci:+12:Arrived")]
    [InlineData("t:ci: 12:Arrived")]
    [InlineData("t:ci:99999999999:Arrived")]
    [InlineData("t:ci:12:arrived")]
    [InlineData("t:ci:12:1")]
    [InlineData("t:ci:12:Arrived,Acknowledged")]
    [InlineData("t:ci:12:Unknown")]
    [InlineData("t:pe:7:2::x")]
    [InlineData("t:pe:7:1:x:x")]
    [InlineData("t:pe:abc:1::x")]
    [InlineData("t:p:")]
    public void Decode_AnythingElse_IsNull(string? data) => Assert.Null(Codec.Decode(data));

    [Fact]
    public void Decode_LongerThan64Bytes_IsNull() =>
        Assert.Null(Codec.Decode("t:pe:7:1::" + new string('x', 60)));

    [Fact]
    public void Encode_OverTheLimitOrWithSeparator_IsABug()
    {
        Assert.Throws<InvalidOperationException>(() => Codec.Encode(new Person(7, true, null, new string('汉', 20))));
        Assert.Throws<InvalidOperationException>(() => Codec.Encode(new Person(7, true, null, "a:b")));
        Assert.Throws<InvalidOperationException>(() => Codec.Encode(new CheckIn(1, (Choice)9)));
    }

    [Fact]
    public void Add_TwiceTheSameTag_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new ButtonCodec<TestButton>("t").Add<Plain>("p").Add<CheckIn>("p"));
}
