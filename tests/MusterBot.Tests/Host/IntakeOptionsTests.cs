using System.ComponentModel.DataAnnotations;
using MusterBot.Host.Intake;

namespace MusterBot.Tests.Host;

public class IntakeOptionsTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(64, true)]
    [InlineData(65, false)]
    public void MaxParallelDownloads_IsValidatedBetween1And64(int value, bool valid)
    {
        var options = new IntakeOptions { MaxParallelDownloads = value };
        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
    }

    [Fact]
    public void MaxParallelDownloads_DefaultsTo2() => Assert.Equal(2, new IntakeOptions().MaxParallelDownloads);
}
