using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace MusterBot.Emulator;

public sealed partial class EmulatorState
{
    private readonly HttpClient _webhookClient = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) });
    private readonly List<WebhookDelivery> _webhookDeliveries;
    private readonly HashSet<long> _busyChats = [];
    private WebhookSettings? _webhook;
    private int _inFlight;

    /// <summary>Every attempt to deliver an update to the webhook, in order of completion.</summary>
    public IReadOnlyList<WebhookDelivery> WebhookDeliveries
    {
        get { lock (_gate) { return [.. _webhookDeliveries]; } }
    }

    /// <summary>The webhook URL, or null while none is set.</summary>
    public Uri? WebhookUrl
    {
        get { lock (_gate) { return _webhook?.Url; } }
    }

    private BotApiResult SetWebhook(BotApiParameters p)
    {
        var url = p.GetString("url");
        if (string.IsNullOrEmpty(url))
        {
            return DeleteWebhook(p);
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return BotApiResult.BadRequest("bad webhook: An HTTPS URL must be provided for webhook");
        }

        var secret = p.GetString("secret_token");
        if (secret is not null && (secret.Length is < 1 or > 256 || !secret.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')))
        {
            return BotApiResult.BadRequest("bad webhook: secret token contains unallowed characters");
        }

        var maxConnections = (int)Math.Clamp(p.GetLong("max_connections") ?? 40, 1, 100);
        var allowed = p.GetJson("allowed_updates") as JsonArray;
        var drop = p.GetBool("drop_pending_updates");
        WebhookSettings settings;
        lock (_gate)
        {
            _webhook?.Stop.Cancel();
            settings = new WebhookSettings(uri, secret, maxConnections, CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token));
            _webhook = settings;
            if (allowed is not null)
            {
                _allowedUpdates = allowed.Count == 0 ? null : [.. allowed.Select(k => k?.GetValue<string>() ?? string.Empty)];
            }

            if (drop)
            {
                DropPendingNotInFlight();
            }

            NextVersion();
        }

        _ = Task.Run(() => DeliverLoopAsync(settings), CancellationToken.None);
        NotifyChanged();
        return BotApiResult.True();
    }

    private BotApiResult DeleteWebhook(BotApiParameters p)
    {
        var drop = p.GetBool("drop_pending_updates");
        StopWebhook();
        lock (_gate)
        {
            if (drop)
            {
                DropPendingNotInFlight();
            }

            NextVersion();
        }

        NotifyChanged();
        return BotApiResult.True();
    }

    private void StopWebhook()
    {
        lock (_gate)
        {
            if (_webhook is null)
            {
                return;
            }

            _webhook.Stop.Cancel();
            _webhook = null;
        }

        _queueChanged.Pulse();
    }

    /// <summary>Drops every pending update. Under the lock.</summary>
    private void DropPendingNotInFlight()
    {
        var node = _updates.First;
        while (node is not null)
        {
            var next = node.Next;
            if (!node.Value.InFlight)
            {
                _updates.Remove(node);
            }

            node = next;
        }
    }

    private BotApiResult GetWebhookInfo()
    {
        lock (_gate)
        {
            var info = new JsonObject
            {
                ["url"] = _webhook?.Url.ToString() ?? string.Empty,
                ["has_custom_certificate"] = false,
                ["pending_update_count"] = _updates.Count,
            };
            if (_webhook is not null)
            {
                info["max_connections"] = _webhook.MaxConnections;
                if (_webhook.LastErrorDate is { } date)
                {
                    info["last_error_date"] = UnixTime(date);
                    info["last_error_message"] = _webhook.LastErrorMessage;
                }
            }

            if (_allowedUpdates is not null)
            {
                info["allowed_updates"] = new JsonArray([.. _allowedUpdates.Select(k => (JsonNode)k)]);
            }

            return BotApiResult.Ok(info);
        }
    }

    /// <summary>Starts a delivery for each chat whose oldest pending update is not in flight, up to max_connections.</summary>
    private async Task DeliverLoopAsync(WebhookSettings settings)
    {
        var stop = settings.Stop.Token;
        while (!stop.IsCancellationRequested)
        {
            Task signal;
            lock (_gate)
            {
                signal = _queueChanged.Task;
                if (!ReferenceEquals(_webhook, settings))
                {
                    return;
                }

                var node = _updates.First;
                while (node is not null && _inFlight < settings.MaxConnections)
                {
                    var next = node.Next;
                    var update = node.Value;
                    if (_allowedUpdates is not null && !_allowedUpdates.Contains(update.Kind))
                    {
                        _updates.Remove(node);
                    }
                    else if (!update.InFlight && _busyChats.Add(update.ChatKey))
                    {
                        update.InFlight = true;
                        _inFlight++;
                        var started = node;
                        _ = Task.Run(() => DeliverAsync(settings, started), CancellationToken.None);
                    }

                    node = next;
                }
            }

            try
            {
                await signal.WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>POSTs one update until the webhook answers 2xx; then the update counts as confirmed.</summary>
    private async Task DeliverAsync(WebhookSettings settings, LinkedListNode<PendingUpdate> node)
    {
        var update = node.Value;
        var body = update.ToJsonText();
        var stop = settings.Stop.Token;
        var delivered = false;
        try
        {
            for (var attempt = 1; !stop.IsCancellationRequested; attempt++)
            {
                var (status, error) = await PostAsync(settings, body, stop);
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                delivered = status is >= 200 and < 300;
                lock (_gate)
                {
                    _webhookDeliveries.Add(new WebhookDelivery(update.UpdateId, attempt, status, error, Now));
                    if (!delivered)
                    {
                        settings.LastErrorDate = Now;
                        settings.LastErrorMessage = error ?? $"Wrong response from the webhook: {status}";
                    }

                    NextVersion();
                }

                NotifyChanged();
                if (delivered)
                {
                    return;
                }

                var backoff = TimeSpan.FromTicks(Math.Min(
                    _options.WebhookMaxRetryDelay.Ticks,
                    _options.WebhookRetryDelay.Ticks * (1L << Math.Min(attempt - 1, 20))));
                await Task.Delay(backoff, _time, stop);
            }
        }
        catch (OperationCanceledException)
        {
            // The webhook was deleted or replaced, or the emulator stopped: the update stays pending.
        }
        finally
        {
            lock (_gate)
            {
                update.InFlight = false;
                _inFlight--;
                _busyChats.Remove(update.ChatKey);
                if (delivered && node.List is not null)
                {
                    _updates.Remove(node);
                }

                NextVersion();
            }

            _queueChanged.Pulse();
            NotifyChanged();
        }
    }

    private async Task<(int Status, string? Error)> PostAsync(WebhookSettings settings, string body, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_options.WebhookTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        if (settings.SecretToken is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Telegram-Bot-Api-Secret-Token", settings.SecretToken);
        }

        try
        {
            using var response = await _webhookClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return ((int)response.StatusCode, null);
        }
        catch (HttpRequestException ex)
        {
            return (0, "Connection failed: " + ex.Message);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return (0, "Read timeout expired");
        }
    }
}
