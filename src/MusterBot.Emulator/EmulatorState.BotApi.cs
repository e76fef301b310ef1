using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MusterBot.Emulator;

public sealed partial class EmulatorState
{
    private const int MaxTextLength = 4096;
    private const int MaxCaptionLength = 1024;
    private const string NotModified =
        "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

    /// <summary>Answers one Bot API call: token check, counting, latency, injected faults, rate limits, then the method.</summary>
    internal async Task<BotApiResult> ExecuteAsync(string token, string method, BotApiParameters parameters, CancellationToken ct)
    {
        if (!string.Equals(token, _options.Token, StringComparison.Ordinal))
        {
            return BotApiResult.Error(401, "Unauthorized");
        }

        _requestCounts.AddOrUpdate(method, 1, (_, n) => n + 1);

        // Wakes condition waiters (request counts) without moving Version, so sandbox readers are not woken by polls.
        NotifyChanged();
        var latency = Latency;
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, _time, ct);
        }

        BotApiResult result;
        try
        {
            result = TakeFault(method, parameters) ?? TakeRateLimit(method) ?? await DispatchAsync(method, parameters, ct);
        }
        catch (BotApiRequestException ex)
        {
            result = ex.ToResult();
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or System.Text.Json.JsonException)
        {
            // A parameter of the wrong JSON type deep inside an object (e.g. a numeric callback_data).
            result = BotApiResult.BadRequest("wrong parameter type: " + ex.Message);
        }

        if (result.StatusCode == 429)
        {
            Interlocked.Increment(ref _tooManyRequestsGiven);
        }
        else if (result.StatusCode == 403)
        {
            Interlocked.Increment(ref _forbiddenGiven);
        }

        return result;
    }

    private Task<BotApiResult> DispatchAsync(string method, BotApiParameters p, CancellationToken ct) =>
        method.ToUpperInvariant() switch
        {
            "GETME" => Task.FromResult(BotApiResult.Ok(BotUserJson())),
            "GETUPDATES" => GetUpdatesAsync(p, ct),
            "SETWEBHOOK" => Task.FromResult(SetWebhook(p)),
            "DELETEWEBHOOK" => Task.FromResult(DeleteWebhook(p)),
            "GETWEBHOOKINFO" => Task.FromResult(GetWebhookInfo()),
            "SENDMESSAGE" => Task.FromResult(SendMessage(p)),
            "EDITMESSAGETEXT" => Task.FromResult(EditMessage(p, editText: true)),
            "EDITMESSAGEREPLYMARKUP" => Task.FromResult(EditMessage(p, editText: false)),
            "ANSWERCALLBACKQUERY" => Task.FromResult(AnswerCallbackQuery(p)),
            "SETMYCOMMANDS" => Task.FromResult(SetMyCommands(p)),
            "DELETEMYCOMMANDS" => Task.FromResult(DeleteMyCommands(p)),
            "SETCHATMENUBUTTON" => Task.FromResult(SetChatMenuButton(p)),
            "GETMYCOMMANDS" => Task.FromResult(GetMyCommands(p)),
            "SENDDOCUMENT" => Task.FromResult(SendDocument(p)),
            "SENDPHOTO" => Task.FromResult(SendPhoto(p)),
            "SENDLOCATION" => Task.FromResult(SendLocation(p)),
            "GETFILE" => Task.FromResult(GetFile(p)),
            "DELETEMESSAGE" => Task.FromResult(DeleteMessage(p)),
            "GETCHAT" => Task.FromResult(GetChat(p)),
            "GETCHATMEMBER" => Task.FromResult(GetChatMember(p)),
            "GETCHATADMINISTRATORS" => Task.FromResult(GetChatAdministrators(p)),
            "PINCHATMESSAGE" => Task.FromResult(PinChatMessage(p, pin: true)),
            "UNPINCHATMESSAGE" => Task.FromResult(PinChatMessage(p, pin: false)),
            _ => Task.FromResult(BotApiResult.Error(404, "Not Found: method not found")),
        };

    private static bool IsSendingMethod(string method) =>
        method.StartsWith("send", StringComparison.OrdinalIgnoreCase)
        || method.StartsWith("edit", StringComparison.OrdinalIgnoreCase)
        || method.StartsWith("copy", StringComparison.OrdinalIgnoreCase)
        || method.StartsWith("forward", StringComparison.OrdinalIgnoreCase);

    private BotApiResult? TakeFault(string method, BotApiParameters p)
    {
        if (Volatile.Read(ref _faultCount) == 0)
        {
            return null;
        }

        lock (_gate)
        {
            if (_faults.Count == 0)
            {
                return null;
            }

            for (var i = 0; i < _faults.Count; i++)
            {
                var fault = _faults[i];
                if (!string.Equals(fault.Method, method, StringComparison.OrdinalIgnoreCase)
                    || (fault.ChatId is { } chatId && ReadChatId(p) != chatId))
                {
                    continue;
                }

                if (--fault.Remaining == 0)
                {
                    _faults.RemoveAt(i);
                    Volatile.Write(ref _faultCount, _faults.Count);
                }

                return BotApiResult.Error(fault.StatusCode, fault.Description, fault.RetryAfter);
            }

            return null;
        }
    }

    private static long? ReadChatId(BotApiParameters p)
    {
        try
        {
            return p.GetLong("chat_id");
        }
        catch (BotApiRequestException)
        {
            return null;
        }
    }

    private BotApiResult? TakeRateLimit(string method)
    {
        if (!IsSendingMethod(method))
        {
            return null;
        }

        lock (_gate)
        {
            if (_random429Fraction > 0 && _random.NextDouble() < _random429Fraction)
            {
                return TooManyRequests(RetryAfterSeconds);
            }

            if (_rateLimitPerSecond is not { } rate)
            {
                return null;
            }

            var now = _time.GetTimestamp();
            var elapsed = _time.GetElapsedTime(_rateLastRefill, now).TotalSeconds;
            _rateLastRefill = now;
            _rateTokens = Math.Min(rate, _rateTokens + (elapsed * rate));
            if (_rateTokens >= 1)
            {
                _rateTokens -= 1;
                return null;
            }

            var wait = (int)Math.Ceiling((1 - _rateTokens) / rate);
            return TooManyRequests(Math.Max(RetryAfterSeconds, wait));
        }
    }

    private static BotApiResult TooManyRequests(int retryAfter) =>
        BotApiResult.Error(429, $"Too Many Requests: retry after {retryAfter}", retryAfter);

    private async Task<BotApiResult> GetUpdatesAsync(BotApiParameters p, CancellationToken ct)
    {
        var offset = p.GetLong("offset") ?? 0;
        var limit = (int)Math.Clamp(p.GetLong("limit") ?? 100, 1, 100);
        var timeout = TimeSpan.FromSeconds(Math.Max(0, p.GetLong("timeout") ?? 0));
        var allowed = p.GetJson("allowed_updates");
        lock (_gate)
        {
            if (_webhook is not null)
            {
                return BotApiResult.Error(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
            }

            if (_pollerActive)
            {
                Interlocked.Increment(ref _pollConflictsGiven);
                return BotApiResult.Error(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");
            }

            _pollerActive = true;
            if (allowed is JsonArray kinds)
            {
                _allowedUpdates = kinds.Count == 0 ? null : [.. kinds.Select(k => k?.GetValue<string>() ?? string.Empty)];
            }

            ConfirmUpTo(offset);
        }

        NotifyChanged();
        try
        {
            var deadline = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
            while (true)
            {
                Task signal;
                lock (_gate)
                {
                    signal = _queueChanged.Task;
                    var batch = TakeBatch(limit);
                    if (batch.Count > 0)
                    {
                        Interlocked.Add(ref _updatesServed, batch.Count);
                        return BotApiResult.Ok(batch);
                    }
                }

                var remaining = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
                if (remaining <= TimeSpan.Zero)
                {
                    return BotApiResult.Ok(new JsonArray());
                }

                try
                {
                    await signal.WaitAsync(remaining, _time, ct);
                }
                catch (TimeoutException)
                {
                    // Looks once more, then answers (possibly empty).
                    deadline = _time.GetTimestamp();
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _pollerActive = false;
            }

            NotifyChanged();
        }
    }

    /// <summary>Deletes updates below the offset (confirmed); a negative offset keeps only the last -offset. Under the lock.</summary>
    private void ConfirmUpTo(long offset)
    {
        if (IgnoreConfirmations)
        {
            return;
        }

        if (offset < 0)
        {
            while (_updates.Count > -offset)
            {
                _updates.RemoveFirst();
            }

            return;
        }

        while (_updates.First is { } first && first.Value.UpdateId < offset)
        {
            _updates.RemoveFirst();
        }
    }

    /// <summary>The first updates of allowed kinds; updates of other kinds are dropped as Telegram does. Under the lock.</summary>
    private JsonArray TakeBatch(int limit)
    {
        var batch = new JsonArray();
        var node = _updates.First;
        while (node is not null && batch.Count < limit)
        {
            var next = node.Next;
            if (_allowedUpdates is not null && !_allowedUpdates.Contains(node.Value.Kind))
            {
                _updates.Remove(node);
            }
            else
            {
                batch.Add(node.Value.ToDelivered());
            }

            node = next;
        }

        return batch;
    }

    /// <summary>
    /// Whether the bot may use the chat. <paramref name="sendKind"/> names what a restricted bot may not send (null
    /// for calls that send nothing); <paramref name="limited"/> applies the optional per-group limit. Under the lock.
    /// </summary>
    private BotApiResult? CheckChat(long? chatId, out ChatLog chat, string? sendKind = null, bool limited = false)
    {
        chat = null!;
        if (chatId is not { } id)
        {
            return BotApiResult.BadRequest("chat_id is empty");
        }

        if (!_chats.TryGetValue(id, out var found))
        {
            return BotApiResult.BadRequest("chat not found");
        }

        if (_users.TryGetValue(id, out var user) && user.HasBlockedBot)
        {
            return BotApiResult.Error(403, "Forbidden: bot was blocked by the user");
        }

        if (_groups.TryGetValue(id, out var group) && CheckGroup(group, sendKind, limited) is { } groupError)
        {
            return groupError;
        }

        chat = found;
        return null;
    }

    private static long? ParseChatId(BotApiParameters p)
    {
        var text = p.GetString("chat_id");
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        // "@channelusername" addresses no chat the emulator knows: chat not found.
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id) ? id : long.MinValue;
    }

    /// <summary>Parses text with its parse mode into the visible text; returns an error result for bad markup.</summary>
    private static BotApiResult? ParseText(string? raw, string? parseMode, string fieldName, int maxLength, bool required, out string? visible)
    {
        visible = raw;
        if (raw is null)
        {
            return required ? BotApiResult.BadRequest($"{fieldName} is empty") : null;
        }

        if (string.Equals(parseMode, "HTML", StringComparison.OrdinalIgnoreCase))
        {
            if (!TelegramHtml.TryParse(raw, out var text, out var error))
            {
                return BotApiResult.BadRequest(error!);
            }

            visible = text;
        }
        else if (!string.IsNullOrEmpty(parseMode) && !string.Equals(parseMode, "MarkdownV2", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(parseMode, "Markdown", StringComparison.OrdinalIgnoreCase))
        {
            return BotApiResult.BadRequest("unsupported parse_mode");
        }

        if (required && string.IsNullOrWhiteSpace(visible))
        {
            return BotApiResult.BadRequest($"{fieldName} is empty");
        }

        if (visible!.Length > maxLength)
        {
            return BotApiResult.BadRequest(fieldName == "message text" ? "message is too long" : "message caption is too long");
        }

        return null;
    }

    /// <summary>Validates reply_markup; returns the whole markup and the inline part that stays on the message.</summary>
    private static BotApiResult? ParseMarkup(BotApiParameters p, out string? sent, out string? inline)
    {
        sent = null;
        inline = null;
        var markup = p.GetJson("reply_markup");
        if (markup is null)
        {
            return null;
        }

        if (markup is not JsonObject obj)
        {
            return BotApiResult.BadRequest("can't parse reply keyboard markup JSON object");
        }

        sent = obj.ToJsonString();
        if (obj["inline_keyboard"] is null)
        {
            return null;
        }

        if (obj["inline_keyboard"] is not JsonArray rows || rows.Any(r => r is not JsonArray))
        {
            return BotApiResult.BadRequest("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays");
        }

        foreach (var button in rows.SelectMany(r => r!.AsArray()))
        {
            if (button is not JsonObject b || b["text"] is null)
            {
                return BotApiResult.BadRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
            }

            if (b["callback_data"]?.GetValue<string>() is { } data && (data.Length == 0 || Encoding.UTF8.GetByteCount(data) > 64))
            {
                return BotApiResult.BadRequest("BUTTON_DATA_INVALID");
            }

            if (b["web_app"] is { } webApp)
            {
                // Telegram opens Mini Apps over HTTPS only; the sandbox's own page is plain HTTP on loopback.
                if (webApp is not JsonObject app || app["url"]?.GetValue<string>() is not { } url || !IsWebAppUrl(url))
                {
                    return BotApiResult.BadRequest("BUTTON_URL_INVALID");
                }

                if (b["callback_data"] is not null || b["url"] is not null)
                {
                    return BotApiResult.BadRequest("can't parse inline keyboard button: a button must have exactly one action");
                }
            }
        }

        inline = rows.Count == 0 ? null : obj.ToJsonString();
        return null;
    }

    private BotApiResult SendMessage(BotApiParameters p)
    {
        var chatId = ParseChatId(p);
        var raw = p.GetString("text");
        var parseMode = p.GetString("parse_mode");
        var markupError = ParseMarkup(p, out var sentMarkup, out var inlineMarkup);
        var error = ParseText(raw, parseMode, "message text", MaxTextLength, required: true, out var visible) ?? markupError;
        if (error is not null)
        {
            return error;
        }

        return AddBotMessage(chatId, p, "text messages", m => m with
        {
            Text = visible,
            RawText = raw,
            ParseMode = parseMode,
            ReplyMarkupJson = inlineMarkup,
            SentReplyMarkupJson = sentMarkup,
        });
    }

    private BotApiResult SendLocation(BotApiParameters p)
    {
        var chatId = ParseChatId(p);
        var latitude = p.GetDouble("latitude");
        var longitude = p.GetDouble("longitude");
        if (latitude is not { } lat || longitude is not { } lon || Math.Abs(lat) > 90 || Math.Abs(lon) > 180)
        {
            return BotApiResult.BadRequest("wrong latitude or longitude");
        }

        var error = ParseMarkup(p, out var sentMarkup, out var inlineMarkup);
        return error ?? AddBotMessage(chatId, p, "text messages", m => m with
        {
            Latitude = lat,
            Longitude = lon,
            ReplyMarkupJson = inlineMarkup,
            SentReplyMarkupJson = sentMarkup,
        });
    }

    private BotApiResult SendDocument(BotApiParameters p)
    {
        var chatId = ParseChatId(p);
        var raw = p.GetString("caption");
        var parseMode = p.GetString("parse_mode");
        var markupError = ParseMarkup(p, out var sentMarkup, out var inlineMarkup);
        var error = ParseText(raw, parseMode, "message caption", MaxCaptionLength, required: false, out var visible) ?? markupError;
        if (error is not null)
        {
            return error;
        }

        var upload = p.GetFile("document");
        var reference = upload is null ? p.GetString("document") : null;
        if (upload is null && string.IsNullOrEmpty(reference))
        {
            return BotApiResult.BadRequest("there is no document in the request");
        }

        StoredFile file;
        lock (_gate)
        {
            if (upload is not null)
            {
                file = StoreFile(string.IsNullOrEmpty(upload.FileName) ? "document" : upload.FileName, upload.Content, upload.ContentType);
            }
            else if (_filesById.TryGetValue(reference!, out var existing))
            {
                file = existing;
            }
            else if (reference!.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || reference.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                file = StoreFile(Path.GetFileName(new Uri(reference).AbsolutePath) is { Length: > 0 } name ? name : "document", [], null);
            }
            else
            {
                return BotApiResult.BadRequest("wrong file identifier/HTTP URL specified");
            }
        }

        return AddBotMessage(chatId, p, "documents", m => m with
        {
            Text = visible,
            RawText = raw,
            ParseMode = parseMode,
            DocumentFileId = file.FileId,
            DocumentFileName = file.FileName,
            DocumentMimeType = file.MimeType,
            ReplyMarkupJson = inlineMarkup,
            SentReplyMarkupJson = sentMarkup,
        });
    }

    private BotApiResult SendPhoto(BotApiParameters p)
    {
        var chatId = ParseChatId(p);
        var raw = p.GetString("caption");
        var parseMode = p.GetString("parse_mode");
        var markupError = ParseMarkup(p, out var sentMarkup, out var inlineMarkup);
        var error = ParseText(raw, parseMode, "message caption", MaxCaptionLength, required: false, out var visible) ?? markupError;
        if (error is not null)
        {
            return error;
        }

        var upload = p.GetFile("photo");
        var reference = upload is null ? p.GetString("photo") : null;
        if (upload is null && string.IsNullOrEmpty(reference))
        {
            return BotApiResult.BadRequest("there is no photo in the request");
        }

        StoredPhoto photo;
        lock (_gate)
        {
            if (upload is not null)
            {
                if (upload.Content.Length == 0)
                {
                    return BotApiResult.BadRequest("IMAGE_PROCESS_FAILED");
                }

                photo = StorePhoto(upload.Content);
            }
            else if (_photosByFileId.TryGetValue(reference!, out var existing))
            {
                photo = existing;
            }
            else if (_filesById.ContainsKey(reference!))
            {
                return BotApiResult.BadRequest("can't use file of type Document as Photo");
            }
            else if (reference!.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || reference.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                photo = StorePhoto([]);
            }
            else
            {
                return BotApiResult.BadRequest("wrong file identifier/HTTP URL specified");
            }
        }

        return AddBotMessage(chatId, p, "photos", m => m with
        {
            Text = visible,
            RawText = raw,
            ParseMode = parseMode,
            PhotoFileId = photo.Full.FileId,
            ReplyMarkupJson = inlineMarkup,
            SentReplyMarkupJson = sentMarkup,
        });
    }

    private BotApiResult AddBotMessage(long? chatId, BotApiParameters p, string sendKind, Func<EmulatedMessage, EmulatedMessage> fill)
    {
        var replyTo = p.GetJson("reply_parameters")?["message_id"]?.GetValue<long>() ?? p.GetLong("reply_to_message_id");
        var disableNotification = p.GetBool("disable_notification");
        var paid = p.GetBool("allow_paid_broadcast");
        JsonObject json;
        lock (_gate)
        {
            if (CheckChat(chatId, out var chat, sendKind, limited: true) is { } error)
            {
                return error;
            }

            if (replyTo is { } target && chat.Find(target) is null)
            {
                return BotApiResult.BadRequest("message to be replied not found");
            }

            var message = fill(new EmulatedMessage
            {
                ChatId = chat.ChatId,
                MessageId = chat.NextMessageId,
                FromBot = true,
                Date = Now,
                ReplyToMessageId = (int?)replyTo,
                DisableNotification = disableNotification,
                AllowPaidBroadcast = paid,
                Version = NextVersion(),
            });
            chat.Messages.Add(message);
            CountGroupSend(chat.ChatId);
            json = MessageJson(message);
        }

        Interlocked.Increment(ref _allSentCount);
        NotifyChanged();
        return BotApiResult.Ok(json);
    }

    private BotApiResult EditMessage(BotApiParameters p, bool editText)
    {
        if (p.Has("inline_message_id"))
        {
            return BotApiResult.BadRequest("inline messages are not supported by the emulator");
        }

        var chatId = ParseChatId(p);
        var messageId = p.GetLong("message_id");
        var raw = editText ? p.GetString("text") : null;
        var parseMode = editText ? p.GetString("parse_mode") : null;
        string? visible = null;
        var markupError = ParseMarkup(p, out _, out var inlineMarkup);
        var error = (editText ? ParseText(raw, parseMode, "message text", MaxTextLength, required: true, out visible) : null) ?? markupError;
        if (error is not null)
        {
            return error;
        }

        if (messageId is null)
        {
            return BotApiResult.BadRequest("message identifier is not specified");
        }

        JsonObject json;
        lock (_gate)
        {
            if (CheckChat(chatId, out var chat, limited: true) is { } chatError)
            {
                return chatError;
            }

            var current = chat.Find(messageId.Value);
            if (current is null)
            {
                return BotApiResult.BadRequest("message to edit not found");
            }

            if (!current.FromBot)
            {
                return BotApiResult.BadRequest("message can't be edited");
            }

            if (editText && (current.Text is null || current.PhotoFileId is not null || current.DocumentFileId is not null))
            {
                return BotApiResult.BadRequest("there is no text in the message to edit");
            }

            var newText = editText ? visible : current.Text;
            var newRaw = editText ? raw : current.RawText;
            if (string.Equals(newText, current.Text, StringComparison.Ordinal)
                && string.Equals(newRaw, current.RawText, StringComparison.Ordinal)
                && string.Equals(inlineMarkup, current.ReplyMarkupJson, StringComparison.Ordinal))
            {
                return BotApiResult.BadRequest(NotModified);
            }

            var now = Now;
            var updated = current with
            {
                Text = newText,
                RawText = newRaw,
                ParseMode = editText ? parseMode : current.ParseMode,
                ReplyMarkupJson = inlineMarkup,
                EditDate = now,
                EditCount = current.EditCount + 1,
                History = [.. current.History, new EmulatedMessageRevision(current.Text, current.RawText, current.ParseMode, current.ReplyMarkupJson, current.EditDate ?? current.Date)],
                Version = NextVersion(),
            };
            chat.Replace(updated);
            CountGroupSend(chat.ChatId);
            json = MessageJson(updated);
        }

        NotifyChanged();
        return BotApiResult.Ok(json);
    }

    private BotApiResult AnswerCallbackQuery(BotApiParameters p)
    {
        var id = p.GetString("callback_query_id");
        var text = p.GetString("text");
        if (text is not null && text.Length > 200)
        {
            return BotApiResult.BadRequest("MESSAGE_TOO_LONG");
        }

        lock (_gate)
        {
            if (id is null || !_callbackQueries.TryGetValue(id, out var query) || query.Answered)
            {
                return BotApiResult.BadRequest("query is too old and response timeout expired or query ID is invalid");
            }

            query.Answered = true;
            _callbackAnswers.Add(new EmulatedCallbackAnswer(id, query.UserId, text, p.GetBool("show_alert"), p.GetString("url"), Now));
            NextVersion();
        }

        NotifyChanged();
        return BotApiResult.True();
    }

    private static (string Scope, string Language) CommandKey(BotApiParameters p)
    {
        var scope = p.GetJson("scope") as JsonObject;
        var type = scope?["type"]?.GetValue<string>() ?? "default";
        var key = type;
        if (scope?["chat_id"] is { } chat)
        {
            key += ":" + chat.ToJsonString().Trim('"');
        }

        if (scope?["user_id"] is { } user)
        {
            key += ":" + user.ToJsonString();
        }

        return (key, p.GetString("language_code") ?? string.Empty);
    }

    /// <summary>An HTTPS address, or HTTP on this machine (the sandbox's own page).</summary>
    private static bool IsWebAppUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || uri.Host == "localhost")));

    /// <summary>setChatMenuButton: the button left of a private chat's text field (commands, a Mini App, or the default).</summary>
    private BotApiResult SetChatMenuButton(BotApiParameters p)
    {
        var chatId = p.GetLong("chat_id");
        var button = p.GetJson("menu_button") as JsonObject;
        var type = button?["type"]?.GetValue<string>() ?? "default";
        EmulatedMenuButton menu;
        switch (type)
        {
            case "default":
            case "commands":
                menu = new EmulatedMenuButton(type, null, null);
                break;
            case "web_app":
                var text = button!["text"]?.GetValue<string>();
                var url = button["web_app"]?["url"]?.GetValue<string>();
                if (string.IsNullOrEmpty(text) || url is null || !IsWebAppUrl(url))
                {
                    return BotApiResult.BadRequest("BUTTON_URL_INVALID");
                }

                menu = new EmulatedMenuButton(type, text, url);
                break;
            default:
                return BotApiResult.BadRequest("unsupported menu button type");
        }

        lock (_gate)
        {
            if (chatId is { } id)
            {
                _menuButtons[id] = menu;
            }
            else
            {
                _defaultMenuButton = menu;
            }

            NextVersion();
        }

        NotifyChanged();
        return BotApiResult.Ok(true);
    }

    private BotApiResult SetMyCommands(BotApiParameters p)
    {
        if (p.GetJson("commands") is not JsonArray commands)
        {
            return BotApiResult.BadRequest("commands must be an array");
        }

        if (commands.Count > 100)
        {
            return BotApiResult.BadRequest("too many commands");
        }

        var key = CommandKey(p);
        var list = new List<EmulatedCommand>(commands.Count);
        foreach (var item in commands)
        {
            var command = item?["command"]?.GetValue<string>() ?? string.Empty;
            var description = item?["description"]?.GetValue<string>() ?? string.Empty;
            if (command.Length is < 1 or > 32 || !command.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                return BotApiResult.BadRequest("BOT_COMMAND_INVALID");
            }

            if (description.Length is < 1 or > 256)
            {
                return BotApiResult.BadRequest("command description is empty or too long");
            }

            list.Add(new EmulatedCommand(key.Scope, key.Language, command, description));
        }

        lock (_gate)
        {
            if (list.Count == 0)
            {
                _commands.Remove(key);
            }
            else
            {
                _commands[key] = list;
            }

            NextVersion();
        }

        NotifyChanged();
        return BotApiResult.True();
    }

    private BotApiResult DeleteMyCommands(BotApiParameters p)
    {
        lock (_gate)
        {
            _commands.Remove(CommandKey(p));
            NextVersion();
        }

        NotifyChanged();
        return BotApiResult.True();
    }

    private BotApiResult GetMyCommands(BotApiParameters p)
    {
        var key = CommandKey(p);
        var result = new JsonArray();
        lock (_gate)
        {
            if (_commands.TryGetValue(key, out var list))
            {
                foreach (var command in list)
                {
                    result.Add(new JsonObject { ["command"] = command.Command, ["description"] = command.Description });
                }
            }
        }

        return BotApiResult.Ok(result);
    }

    private BotApiResult GetFile(BotApiParameters p)
    {
        var id = p.GetString("file_id");
        lock (_gate)
        {
            if (id is null || !_filesById.TryGetValue(id, out var file))
            {
                return BotApiResult.BadRequest("invalid file_id");
            }

            return BotApiResult.Ok(new JsonObject
            {
                ["file_id"] = file.FileId,
                ["file_unique_id"] = file.FileUniqueId,
                ["file_size"] = file.Content.Length,
                ["file_path"] = file.FilePath,
            });
        }
    }
}
