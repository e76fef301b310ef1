namespace MusterBot.Emulator;

/// <summary>One attempt to POST an update to the webhook.</summary>
/// <param name="StatusCode">The HTTP status answered, or 0 when the connection failed or timed out.</param>
public sealed record WebhookDelivery(long UpdateId, int Attempt, int StatusCode, string? Error, DateTimeOffset At);
