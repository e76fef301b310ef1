using MusterBot.Host.BotApi;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using Telegram.Bot;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;
using MusterBot.State.Outbox;
using MusterBot.State.Records;

namespace MusterBot.Host.Delivery;

/// <summary>Performs one outbox message with the Bot API client; returns the Telegram message id where there is one.</summary>
public sealed class OutboxExecutor(ITelegramBotClient client, TextCatalog? texts = null, Flows.Dashboard.DashboardLink? dashboard = null)
{
    private readonly TextCatalog _texts = texts ?? TextCatalog.Default;

    public async Task<int?> ExecuteAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message.Action)
        {
            case SendText send:
                // An overlong text goes out as several messages; the keyboard rides on the last one.
                var chunks = HtmlChunks.Split(send.Html);
                for (var i = 0; i < chunks.Count - 1; i++)
                {
                    await client.SendMessage(message.ChatId, chunks[i], ParseMode.Html, disableNotification: send.DisableNotification, allowPaidBroadcast: send.AllowPaidBroadcast, cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                var sent = await client.SendMessage(
                    message.ChatId,
                    chunks[^1],
                    ParseMode.Html,
                    replyMarkup: ToTelegram(send.Markup),
                    disableNotification: send.DisableNotification,
                    allowPaidBroadcast: send.AllowPaidBroadcast,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                return sent.Id;
            case EditText edit:
                var edited = await client.EditMessageText(message.ChatId, edit.MessageId, HtmlChunks.Truncate(edit.Html), ParseMode.Html, ToInline(edit.Markup), cancellationToken: cancellationToken).ConfigureAwait(false);
                return edited.Id;
            case EditMarkup markup:
                var remarked = await client.EditMessageReplyMarkup(message.ChatId, markup.MessageId, ToInline(markup.Markup), cancellationToken: cancellationToken).ConfigureAwait(false);
                return remarked.Id;
            case PinMessage { Unpin: false } pinning:
                await client.PinChatMessage(message.ChatId, pinning.MessageId, disableNotification: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                return null;
            case PinMessage unpin:
                await client.UnpinChatMessage(message.ChatId, unpin.MessageId, cancellationToken: cancellationToken).ConfigureAwait(false);
                return null;
            case AnswerCallback answer:
                await client.AnswerCallbackQuery(answer.CallbackQueryId, answer.Text, answer.ShowAlert, cancellationToken: cancellationToken).ConfigureAwait(false);
                return null;
            case SendLocation location:
                var pin = await client.SendLocation(message.ChatId, location.Latitude, location.Longitude, cancellationToken: cancellationToken).ConfigureAwait(false);
                return pin.Id;
            case SendDocument document:
                // A fresh stream per attempt: a retried request must not find it read.
                using (var content = new MemoryStream(document.Content, writable: false))
                using (UploadContentTypeHandler.Use(document.ContentType))
                {
                    var file = await client.SendDocument(message.ChatId, InputFile.FromStream(content, document.FileName), document.CaptionHtml, ParseMode.Html, cancellationToken: cancellationToken).ConfigureAwait(false);
                    return file.Id;
                }

            case SendPhoto photo:
                var caption = photo.CaptionHtml is null ? null : HtmlChunks.Truncate(photo.CaptionHtml, HtmlChunks.MaxCaptionLength);
                var picture = await client.SendPhoto(message.ChatId, InputFile.FromFileId(photo.FileId), caption, ParseMode.Html, replyMarkup: ToTelegram(photo.Markup), cancellationToken: cancellationToken).ConfigureAwait(false);
                return picture.Id;
            case SetChatCommands commands:
                foreach (var (language, code) in new[] { (Language.Zh, (string?)null), (Language.En, "en") })
                {
                    if (commands.Administrator)
                    {
                        var list = CommandCatalog.For(Roles.Admin).Select(c => new BotCommand { Command = c.Name, Description = _texts.Get(language, c.DescriptionKey) });
                        await client.SetMyCommands(list, BotCommandScope.Chat(message.ChatId), code, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await client.DeleteMyCommands(BotCommandScope.Chat(message.ChatId), code, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (dashboard is not null)
                {
                    // Staff open the dashboard from the menu button; for anyone else it goes back to the command list.
                    MenuButton menu = commands.Administrator
                        ? new MenuButtonWebApp { Text = _texts.Get(commands.Language, "dash.button"), WebApp = new WebAppInfo(dashboard.Url) }
                        : new MenuButtonDefault();
                    await client.SetChatMenuButton(message.ChatId, menu, cancellationToken).ConfigureAwait(false);
                }

                return null;
            default:
                throw new NotSupportedException($"Unknown outbox action {message.Action.GetType().Name}.");
        }
    }

    public static ReplyMarkup? ToTelegram(Markup? markup) => markup switch
    {
        null => null,
        InlineMarkup inline => ToInline(inline),
        ReplyKeyboard keyboard => new ReplyKeyboardMarkup(
            keyboard.Rows.Select(r => r.Select(b => new KeyboardButton(b.Text) { RequestContact = b.RequestContact, RequestLocation = b.RequestLocation }).ToArray()).ToArray())
        {
            ResizeKeyboard = true,
            OneTimeKeyboard = keyboard.OneTime,
            InputFieldPlaceholder = keyboard.Placeholder,
            IsPersistent = !keyboard.OneTime,
        },
        RemoveKeyboard => new ReplyKeyboardRemove(),
        _ => throw new NotSupportedException($"Unknown markup {markup.GetType().Name}."),
    };

    public static InlineKeyboardMarkup? ToInline(InlineMarkup? markup) => markup is null
        ? null
        : new InlineKeyboardMarkup(markup.Rows.Select(r => r.Select(b => new InlineKeyboardButton(b.Text) { CallbackData = b.CallbackData, Url = b.Url, WebApp = b.WebApp is { } app ? new WebAppInfo(app) : null }).ToArray()).ToArray());
}
