using MusterBot.Host.Intake;

namespace MusterBot.Tests.Host;

public sealed class WebhookSecretTests
{
    [Fact]
    public void SecretMatches_ExactMatch_IsTrue()
    {
        Assert.True(WebhookEndpoint.SecretMatches("s3cr3t_Token-1", "s3cr3t_Token-1"));
    }

    [Theory]
    [InlineData("s3cr3t", "s3cr3T")]
    [InlineData("s3cr3t", "s3cr3t ")]
    [InlineData("s3cr3t", "s3cr3")]
    [InlineData("s3cr3tx", "s3cr3t")]
    [InlineData("other", "s3cr3t")]
    public void SecretMatches_AnyDifference_IsFalse(string received, string expected)
    {
        Assert.False(WebhookEndpoint.SecretMatches(received, expected));
    }

    [Theory]
    [InlineData(null, "s3cr3t")]
    [InlineData("", "s3cr3t")]
    [InlineData("s3cr3t", null)]
    [InlineData("s3cr3t", "")]
    [InlineData(null, null)]
    [InlineData("", "")]
    public void SecretMatches_NullOrEmpty_IsFalse(string? received, string? expected)
    {
        Assert.False(WebhookEndpoint.SecretMatches(received, expected));
    }
}
