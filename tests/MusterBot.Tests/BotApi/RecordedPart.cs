namespace MusterBot.Tests.BotApi;

/// <summary>One part of a recorded multipart/form-data body.</summary>
internal sealed record RecordedPart(string Name, string? FileName, string? MediaType, string Text);
