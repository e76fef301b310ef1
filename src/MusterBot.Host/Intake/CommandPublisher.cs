using Microsoft.Extensions.Options;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using MusterBot.State.Records;

namespace MusterBot.Host.Intake;

/// <summary>
/// Learns the bot's username (getMe) and publishes the command menu with setMyCommands: everyone's commands per language (Chinese as the default, English
/// for clients set to English), and the administrators' set only in each administrator's own chat (scope chat).
/// </summary>
public sealed partial class CommandPublisher(
    ITelegramBotClient client,
    TextCatalog texts,
    IOptions<FlowOptions> flowOptions,
    TimeProvider timeProvider,
    BotIdentity identity,
    ILogger<CommandPublisher> logger,
    Flows.Dashboard.DashboardLink? dashboard = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        for (var attempt = 1; attempt <= 6 && !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await PublishAsync(stoppingToken).ConfigureAwait(false);
                LogPublished(logger, flowOptions.Value.Admins.Count);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (RequestException ex)
            {
                LogFailed(logger, ex, attempt);
                await Task.Delay(delay, timeProvider, stoppingToken).ConfigureAwait(false);
                delay *= 2;
            }
        }
    }

    public async Task PublishAsync(CancellationToken cancellationToken)
    {
        // The bot's username makes the invitation links (https://t.me/<username>?start=<code>).
        var me = await client.GetMe(cancellationToken).ConfigureAwait(false);
        identity.Username = me.Username ?? identity.Username;

        foreach (var (language, code) in new[] { (Language.Zh, (string?)null), (Language.En, "en") })
        {
            await client.SetMyCommands(Commands(Roles.None, language), BotCommandScope.Default(), code, cancellationToken).ConfigureAwait(false);
            foreach (var admin in flowOptions.Value.Admins)
            {
                await client.SetMyCommands(Commands(Roles.Admin, language), BotCommandScope.Chat(admin), code, cancellationToken).ConfigureAwait(false);
            }

            // In groups only linking is done, by the groups' administrators.
            await client.SetMyCommands(
                [new BotCommand { Command = "link", Description = texts.Get(language, "cmd.link") }, new BotCommand { Command = "unlink", Description = texts.Get(language, "cmd.unlink") }],
                BotCommandScope.AllChatAdministrators(), code, cancellationToken).ConfigureAwait(false);
        }

        if (dashboard is not null)
        {
            // The configured administrators' menu button opens the dashboard (in Chinese, the default: an administrator's
            // own language is set with their commands once the flows know it).
            foreach (var admin in flowOptions.Value.Admins)
            {
                await client.SetChatMenuButton(admin, new MenuButtonWebApp { Text = texts.Get(Language.Zh, "dash.button"), WebApp = new WebAppInfo(dashboard.Url) }, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private List<BotCommand> Commands(Roles roles, Language language) =>
        CommandCatalog.For(roles).Select(c => new BotCommand { Command = c.Name, Description = texts.Get(language, c.DescriptionKey) }).ToList();

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Published the command menus (2 languages, {AdminCount} administrator chats)")]
    private static partial void LogPublished(ILogger logger, int adminCount);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Publishing the command menus failed (attempt {Attempt})")]
    private static partial void LogFailed(ILogger logger, Exception exception, int attempt);
}
