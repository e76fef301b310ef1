using System.Reflection;
using System.Text;
using MusterBot.Flows.Complaints;
using MusterBot.Flows.Runtime.Buttons;
using MusterBot.Flows.Wishes;

namespace MusterBot.Tests.Flows;

/// <summary>
/// Every payload the wish and complaint flows register fits Telegram's 64 bytes with its widest values and decodes
/// to itself; the codecs refuse anything else.
/// </summary>
public class WishComplaintButtonTests
{
    /// <summary>User ids are below 2^52; a long field could also hold a negative 64-bit chat id.</summary>
    private static readonly long[] Longs = [4503599627370495, -1001234567890123, long.MinValue, long.MaxValue];

    private static readonly int[] Ints = [int.MaxValue, int.MinValue, 0];

    [Fact]
    public void EveryWishPayload_WithExtremeValues_FitsIn64Bytes_AndRoundTrips() => AssertAll(WishButton.Codec, 25);

    [Fact]
    public void EveryComplaintPayload_WithExtremeValues_FitsIn64Bytes_AndRoundTrips() => AssertAll(ComplaintButton.Codec, 26);

    [Fact]
    public void EveryNoticePayload_WithExtremeValues_FitsIn64Bytes_AndRoundTrips() => AssertAll(MusterBot.Flows.Broadcasts.NoticeButton.Codec, 12);

    [Fact]
    public void EveryTimerPayload_RoundTrips_AndKeepsTheTimerIdsOfBefore()
    {
        AssertAll(WishTimer.Codec, 3);
        AssertAll(ComplaintTimer.Codec, 8);
        Assert.Equal("wi:widen:12", new WishTimer.Widen(12).Id);
        Assert.Equal("cp:dresp:3", new ComplaintTimer.ResponseDue(3).Id);
        Assert.Equal("cp:esc:3:4", new ComplaintTimer.Escalate(3, 4).Id);
    }

    [Fact]
    public void LifecycleButtons_KeepTheCallbackDataOfBefore_SoButtonsOnOldMessagesStillWork()
    {
        Assert.Equal("wi:cl:12", new WishButton.Claim(12).Encode());
        Assert.Equal("wi:rt:12:5", new WishButton.Rate(12, 5).Encode());
        Assert.Equal("wi:asg:12:100", new WishButton.Assign(12, 100).Encode());
        Assert.Equal("wi:setcat:12:Repairs", new WishButton.SetCategory(12, MusterBot.State.Records.Wishes.WishCategory.Repairs).Encode());
        Assert.Equal("cp:acc:3", new ComplaintButton.Accept(3).Encode());
        Assert.Equal("cp:asg:3:22", new ComplaintButton.Assign(3, 22).Encode());
        Assert.Equal("cp:ro:3", new ComplaintButton.Reopen(3).Encode());
    }

    [Theory]
    [InlineData("wi")]
    [InlineData("wi:")]
    [InlineData("wi:cl")]
    [InlineData("wi:cl:")]
    [InlineData("wi:cl:1:2")]
    [InlineData("wi:cl:01")]
    [InlineData("wi:cl:x")]
    [InlineData("wi:cl:99999999999")]
    [InlineData("wi:rt:1:")]
    [InlineData("wi:rt:1:5:5")]
    [InlineData("wi:zz:1")]
    [InlineData("wi:f:cat:Repairs")]
    [InlineData("wi:fcat:repairs")]
    [InlineData("wi:fcat:3")]
    [InlineData("wi:fdate:Tomorrow")]
    [InlineData("wi:widen:1")]
    [InlineData("cp:cl:1")]
    public void ForgedWishData_DoesNotDecode(string data) => Assert.Null(WishButton.Codec.Decode(data));

    [Theory]
    [InlineData("cp:acc")]
    [InlineData("cp:acc:")]
    [InlineData("cp:acc:1:1")]
    [InlineData("cp:fb:1")]
    [InlineData("cp:fb:1:s")]
    [InlineData("cp:fb:1:satisfied")]
    [InlineData("cp:fanon:yes")]
    [InlineData("cp:st:30")]
    [InlineData("cp:st:year")]
    [InlineData("cp:exd:1")]
    [InlineData("cp:f:ok")]
    [InlineData("wi:acc:1")]
    public void ForgedComplaintData_DoesNotDecode(string data) => Assert.Null(ComplaintButton.Codec.Decode(data));

    private static void AssertAll<T>(ButtonCodec<T> codec, int expectedTypes)
        where T : class
    {
        var registered = codec.Registered.ToList();
        Assert.Equal(expectedTypes, registered.Count);
        foreach (var (_, type) in registered)
        {
            foreach (var payload in Extremes(type).Cast<T>())
            {
                var data = codec.Encode(payload);
                Assert.True(Encoding.UTF8.GetByteCount(data) <= 64, $"{data} is longer than 64 bytes");
                Assert.Equal(payload, codec.Decode(data));
            }
        }
    }

    /// <summary>Instances of a payload type with each field at its widest values.</summary>
    private static IEnumerable<object> Extremes(Type type)
    {
        var constructor = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance).OrderByDescending(c => c.GetParameters().Length).First();
        var parameters = constructor.GetParameters();
        for (var variant = 0; variant < 4; variant++)
        {
            yield return constructor.Invoke(parameters.Select(p => Value(p.ParameterType, variant)).ToArray());
        }
    }

    private static object Value(Type type, int variant)
    {
        if (type == typeof(int))
        {
            return Ints[variant % Ints.Length];
        }

        if (type == typeof(long))
        {
            return Longs[variant % Longs.Length];
        }

        if (type == typeof(bool))
        {
            return variant % 2 == 0;
        }

        if (type == typeof(string))
        {
            // A notice's target: a grid, or a building of it (ids are short codes the directory gives out).
            return variant % 2 == 0 ? "g99999/b99999" : "g99999";
        }

        if (type.IsEnum)
        {
            // The longest name first, then every other value.
            var values = Enum.GetValues(type).Cast<object>().OrderByDescending(v => v.ToString()!.Length).ToList();
            return values[variant % values.Count];
        }

        throw new InvalidOperationException($"No extreme values for {type.Name}.");
    }
}
