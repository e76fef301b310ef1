using System.Reflection;
using System.Text;
using MusterBot.Flows.Admin;
using MusterBot.Flows.Points;
using MusterBot.Flows.Profile;
using MusterBot.Flows.Registration;
using MusterBot.Flows.Runtime.Buttons;
using MusterBot.Flows.Session;

namespace MusterBot.Tests.Flows;

/// <summary>
/// Every payload of the administration, registration, main, profile and points codecs fits Telegram's 64 bytes with
/// its longest values and decodes back to itself.
/// </summary>
public class FlowButtonsTests
{
    /// <summary>The longest id a string field carries: a grid, building or region id ("g" + a counter), an invitation code, a skill or role name.</summary>
    private const string LongestId = "g2147483647";

    [Fact]
    public void AdminButtons_WithExtremeValues_FitAndRoundTrip() => AssertExtremesRoundTrip(AdminButton.Codec);

    [Fact]
    public void RegistrationButtons_WithExtremeValues_FitAndRoundTrip() => AssertExtremesRoundTrip(RegistrationButton.Codec);

    [Fact]
    public void ProfileButtons_WithExtremeValues_FitAndRoundTrip() => AssertExtremesRoundTrip(ProfileButton.Codec);

    [Fact]
    public void MainButtons_WithExtremeValues_FitAndRoundTrip() => AssertExtremesRoundTrip(MainButton.Codec);

    [Fact]
    public void PointsButtons_WithExtremeValues_FitAndRoundTrip() => AssertExtremesRoundTrip(PointsButton.Codec);

    [Fact]
    public void OrgButtons_WithExtremeValues_FitAndRoundTrip() => AssertExtremesRoundTrip(MusterBot.Flows.Org.OrgButton.Codec);

    [Fact]
    public void InServiceButtons_WithExtremeValues_FitAndRoundTrip() => AssertExtremesRoundTrip(MusterBot.Flows.InService.InServiceButton.Codec);

    [Fact]
    public void ButtonsAlreadySentInChats_StillDecode()
    {
        // Registration's, the profile's and the points' tags kept the callback data of buttons sent before the codec.
        Assert.Equal(new RegistrationButton.PickGrid("g1"), RegistrationButton.Codec.Decode("r:g:g1"));
        Assert.Equal(new RegistrationButton.ToggleSkill(MusterBot.State.Records.Skill.Driving), RegistrationButton.Codec.Decode("r:s:Driving"));
        Assert.Equal(new RegistrationButton.Confirm(), RegistrationButton.Codec.Decode("r:ok"));
        Assert.Equal(new ProfileButton.SetAvailability(7), ProfileButton.Codec.Decode("p:av:7"));
        Assert.Equal(new ProfileButton.Edit(), ProfileButton.Codec.Decode("p:edit"));
        Assert.Equal(new PointsButton.RankLast30Days(), PointsButton.Codec.Decode("pt:30"));
        Assert.Equal(new AdminButton.ImportRoster(), AdminButton.Codec.Decode("a:rimp"));
        Assert.Equal(new AdminButton.RenameBuilding("g1", "b1"), AdminButton.Codec.Decode("a:bren:g1:b1"));
    }

    [Theory]
    [InlineData("r:s:Flying")]
    [InlineData("r:s:driving")]
    [InlineData("r:g")]
    [InlineData("p:av:007")]
    [InlineData("p:av:x")]
    [InlineData("main:lang:zh")]
    [InlineData("main:lang:Fr")]
    [InlineData("main:lang:1")]
    [InlineData("a:pl:role:Member:0")]
    [InlineData("a:conv:c:r1:0")]
    [InlineData("a:who:99999999999999999999")]
    [InlineData("pt:year")]
    public void ForgedCallbackData_DoesNotDecode(string data)
    {
        object? decoded = data[..data.IndexOf(':', StringComparison.Ordinal)] switch
        {
            "r" => RegistrationButton.Codec.Decode(data),
            "p" => ProfileButton.Codec.Decode(data),
            "main" => MainButton.Codec.Decode(data),
            "a" => AdminButton.Codec.Decode(data),
            _ => PointsButton.Codec.Decode(data),
        };
        Assert.Null(decoded);
    }

    private static void AssertExtremesRoundTrip<TButton>(ButtonCodec<TButton> codec)
        where TButton : class
    {
        var registered = codec.Registered.ToList();
        Assert.NotEmpty(registered);
        foreach (var (_, type) in registered)
        {
            foreach (var button in ExtremeInstances<TButton>(type))
            {
                var data = codec.Encode(button);
                Assert.True(Encoding.UTF8.GetByteCount(data) <= ButtonCodec<TButton>.MaxBytes, data);
                Assert.Equal(button, codec.Decode(data));
            }
        }
    }

    /// <summary>Instances of a payload type with every field at its largest (and, for numbers, its most negative) value.</summary>
    private static IEnumerable<TButton> ExtremeInstances<TButton>(Type type)
    {
        var constructor = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance).OrderByDescending(c => c.GetParameters().Length).First();
        var parameters = constructor.GetParameters();
        foreach (var smallest in new[] { false, true })
        {
            var values = parameters.Select(p => Extreme(Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType, smallest)).ToArray();
            yield return (TButton)constructor.Invoke(values);
        }
    }

    private static object Extreme(Type type, bool smallest)
    {
        if (type == typeof(int))
        {
            return smallest ? int.MinValue : int.MaxValue;
        }

        if (type == typeof(long))
        {
            // User ids go up to 2^52; chat ids are negative 64-bit numbers.
            return smallest ? long.MinValue : 1L << 52;
        }

        if (type == typeof(bool))
        {
            return true;
        }

        if (type == typeof(string))
        {
            return LongestId;
        }

        if (type.IsEnum)
        {
            return Enum.GetValues(type).Cast<object>().MaxBy(v => v.ToString()!.Length)!;
        }

        throw new InvalidOperationException($"No extreme value for {type.Name}.");
    }
}
