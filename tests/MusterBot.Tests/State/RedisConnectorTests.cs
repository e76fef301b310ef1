using MusterBot.State.Redis;

namespace MusterBot.Tests.State;

/// <summary>
/// <c>Redis:Configuration</c> holds passwords: a string StackExchange.Redis cannot read must fail without quoting it
/// (the client's own messages quote an endpoint or a value, and the exception reaches the log at start).
/// </summary>
public sealed class RedisConnectorTests
{
    [Theory]
    [InlineData("10.0.0.1:6379,connectTimeout=s3cret-value")] // a value where a number belongs
    [InlineData("10.0.0.1:26379,serviceName=m,sentinelPassword=x,ssl=s3cret-value")]
    public void Parse_Unreadable_FailsWithoutQuotingTheConfiguration(string configuration)
    {
        var problem = Assert.ThrowsAny<ArgumentException>(() => RedisConnector.Parse(configuration));
        Assert.DoesNotContain("s3cret-value", problem.ToString(), StringComparison.Ordinal);
        Assert.Null(problem.InnerException);
        Assert.Contains("Redis:Configuration could not be read", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PasswordWrittenWithAColon_IsDropped_NotTakenForAnEndpoint()
    {
        // StackExchange.Redis 3.4 skips an item without '=' that is not host[:port]; the connection names its endpoints in
        // every error, so one made of the password would leak. (A bare word, a password without "password=", IS read as
        // a host name: docs/operations.md says so.)
        var parsed = RedisConnector.Parse("10.0.0.1:6379,password:s3cret-value");
        Assert.Single(parsed.EndPoints);
        Assert.Null(parsed.Password);
    }

    [Fact]
    public void Parse_Sentinel_ReadsTheServiceAndBothPasswords_AndNeverAbortsTheConnect()
    {
        var parsed = RedisConnector.Parse("10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379,serviceName=musterbot,password=p1,sentinelPassword=p2");
        Assert.True(RedisConnector.IsSentinel(parsed));
        Assert.Equal("musterbot", parsed.ServiceName);
        Assert.Equal("p1", parsed.Password);
        Assert.Equal("p2", parsed.SentinelPassword);
        Assert.False(parsed.AbortOnConnectFail);
        Assert.Equal(3, parsed.EndPoints.Count);

        // StackExchange.Redis's ToString() includes both passwords unless asked not to; the store never logs either form.
        Assert.Contains("password=p1", parsed.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("=p1", parsed.ToString(includePassword: false), StringComparison.Ordinal);
        Assert.DoesNotContain("=p2", parsed.ToString(includePassword: false), StringComparison.Ordinal);
        Assert.False(RedisConnector.IsSentinel(RedisConnector.Parse("10.0.0.1:6379,password=p1")));
    }
}
