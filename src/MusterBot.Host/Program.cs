using MusterBot.Host;

try
{
    await using var app = await MusterBotApp.CreateAsync(args);
    await app.RunAsync();
    return 0;
}
catch (StartupException ex)
{
    await Console.Error.WriteLineAsync("MusterBot cannot start: " + ex.Message);
    return 2;
}
catch (MusterBot.State.Redis.RedisEvictionPolicyException ex)
{
    await Console.Error.WriteLineAsync("MusterBot cannot start: " + ex.Message);
    return 2;
}
catch (Microsoft.Extensions.Options.OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync("MusterBot configuration is invalid:\n  " + string.Join("\n  ", ex.Failures));
    return 2;
}
