namespace MusterBot.Emulator;

/// <summary>One inline keyboard button of a message the bot sent (<paramref name="WebAppUrl"/>: a Mini App button).</summary>
public sealed record EmulatedButton(string Text, string? CallbackData, string? Url, int Row, int Column, string? WebAppUrl = null);

/// <summary>A chat's menu button as set with setChatMenuButton: <c>default</c>, <c>commands</c> or <c>web_app</c>.</summary>
public sealed record EmulatedMenuButton(string Type, string? Text, string? WebAppUrl);
