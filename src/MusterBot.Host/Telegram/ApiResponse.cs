namespace MusterBot.Host.Telegram;

/// <summary>The envelope of every Bot API answer: <c>{"ok":true,"result":...}</c> or an error.</summary>
internal sealed class ApiResponse<TResult>
{
    public bool? Ok { get; init; }

    public TResult? Result { get; init; }

    public int? ErrorCode { get; init; }

    public string? Description { get; init; }

    public Types.ResponseParameters? Parameters { get; init; }
}
