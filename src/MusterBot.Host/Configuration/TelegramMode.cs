namespace MusterBot.Host.Configuration;

public enum TelegramMode
{
    Polling,
    Webhook,
}
