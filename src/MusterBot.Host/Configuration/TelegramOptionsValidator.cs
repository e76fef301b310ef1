using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace MusterBot.Host.Configuration;

/// <summary>Checks the Telegram section at start, with messages that say what to fix (never echoing secrets).</summary>
public sealed partial class TelegramOptionsValidator : IValidateOptions<TelegramOptions>
{
    public ValidateOptionsResult Validate(string? name, TelegramOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!options.IsSandbox && !TokenShape().IsMatch(options.BotToken!))
        {
            failures.Add("Telegram:BotToken does not look like a BotFather token (digits, a colon, then at least 30 letters, digits, '_' or '-').");
        }

        if (!options.ApiBaseUrl.IsAbsoluteUri || (options.ApiBaseUrl.Scheme != Uri.UriSchemeHttps && options.ApiBaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add("Telegram:ApiBaseUrl must be an absolute http(s) URL, e.g. https://api.telegram.org.");
        }
        else if (options.ApiBaseUrl.AbsolutePath != "/" || options.ApiBaseUrl.Query.Length > 0)
        {
            failures.Add("Telegram:ApiBaseUrl must be scheme, host and port only, with no path (e.g. http://127.0.0.1:8081): the Bot API client drops a path.");
        }

        if (options.PollTimeout < TimeSpan.FromSeconds(1) || options.PollTimeout > TimeSpan.FromSeconds(50))
        {
            failures.Add("Telegram:PollTimeout must be between 00:00:01 and 00:00:50.");
        }

        if (options.RequestTimeout < TimeSpan.FromSeconds(1))
        {
            failures.Add("Telegram:RequestTimeout must be at least 00:00:01.");
        }

        if (options.LongPollMargin < TimeSpan.FromSeconds(1))
        {
            failures.Add("Telegram:LongPollMargin must be at least 00:00:01.");
        }

        if (options.Mode == TelegramMode.Webhook && !options.IsSandbox)
        {
            var url = options.WebhookUrl;
            var httpsOrLoopback = url is { IsAbsoluteUri: true }
                && (url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback));
            if (!httpsOrLoopback)
            {
                failures.Add("Telegram:WebhookUrl must be an absolute https URL in Webhook mode (Telegram only posts to HTTPS; plain http is accepted for loopback tests only).");
            }

            if (options.WebhookSecret is null || !SecretShape().IsMatch(options.WebhookSecret))
            {
                failures.Add("Telegram:WebhookSecret is required in Webhook mode: 1-256 characters of A-Z a-z 0-9 _ -.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex(@"^\d{3,}:[A-Za-z0-9_-]{30,}$")]
    private static partial Regex TokenShape();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}$")]
    private static partial Regex SecretShape();
}
