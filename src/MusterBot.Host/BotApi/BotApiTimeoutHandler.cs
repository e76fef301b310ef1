using Microsoft.Extensions.Options;
using MusterBot.Host.Configuration;

namespace MusterBot.Host.BotApi;

/// <summary>
/// Times each Bot API call: <see cref="TelegramOptions.RequestTimeout"/>, or for a long poll (<c>getUpdates</c>) the
/// poll's wait plus <see cref="TelegramOptions.LongPollMargin"/>, since the server holds the request open that long.
/// A call that runs out ends as a <see cref="TaskCanceledException"/> with a <see cref="TimeoutException"/> inside,
/// which Telegram.Bot reports as a "request timed out" <c>RequestException</c> (transient), never as the caller's
/// cancellation.
/// </summary>
public sealed class BotApiTimeoutHandler(IOptions<TelegramOptions> options) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var timeout = TimeoutFor(request.RequestUri, options.Value);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            return await base.SendAsync(request, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TaskCanceledException($"The Bot API call did not answer within {timeout.TotalSeconds:0.#} s.", new TimeoutException(null, ex));
        }
    }

    /// <summary>The time one call may take.</summary>
    public static TimeSpan TimeoutFor(Uri? requestUri, TelegramOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var isPoll = requestUri is not null && requestUri.AbsolutePath.EndsWith("/getUpdates", StringComparison.OrdinalIgnoreCase);
        return isPoll ? options.PollTimeout + options.LongPollMargin : options.RequestTimeout;
    }
}
