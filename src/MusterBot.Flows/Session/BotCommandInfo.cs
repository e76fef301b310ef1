using MusterBot.State.Records;

namespace MusterBot.Flows.Session;

/// <summary>
/// One command of the bot: who may use it (<see cref="Roles.None"/> = everyone), its description text key, and the
/// main-menu label key if it has a menu button.
/// </summary>
public sealed record BotCommandInfo(string Name, Roles AllowedTo, string DescriptionKey, string? MenuKey = null)
{
    public bool IsAllowed(Roles roles) => AllowedTo == Roles.None || (roles & AllowedTo) != 0;
}
