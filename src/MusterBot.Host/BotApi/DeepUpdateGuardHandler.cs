using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace MusterBot.Host.BotApi;

/// <summary>
/// Keeps one deeply nested update from making a whole <c>getUpdates</c> answer unreadable. Telegram.Bot reads an answer
/// with a JSON depth limit of <see cref="TelegramBotDepthLimit"/> for the whole document, before
/// <see cref="UpdateBatchConverter"/> sees the array, so a single update nested deeper (Telegram never sends one, a
/// faulty proxy or server might) would fail every poll at the same offset and the bot would go deaf. This handler looks
/// at each <c>getUpdates</c> answer with an iterative reader that has no practical depth limit; when an update is too
/// deep it is replaced by a stub with the same <c>update_id</c> that Telegram.Bot reads as unreadable (so it is logged
/// with its id, skipped and confirmed with its batch), and the rest of the answer is passed on byte for byte.
/// An answer within the limit (every answer Telegram sends) is passed on untouched after one scan. The same scan leaves
/// out the updates the poller holds already (<see cref="UpdateBatchConverter.HeldThrough"/>, set by the poller for its
/// own <c>getUpdates</c> calls): in a burst most of each answer is updates sent again because the offset is the oldest
/// one not yet committed, and those are then not read again by Telegram.Bot.
/// </summary>
public sealed partial class DeepUpdateGuardHandler(ILogger<DeepUpdateGuardHandler> logger) : DelegatingHandler
{
    /// <summary>Telegram.Bot's reader depth (System.Text.Json's default, <c>JsonBotAPI.Options.MaxDepth</c>).</summary>
    public const int TelegramBotDepthLimit = 64;

    /// <summary>Deepest nesting inside one update that is passed on (the answer object and the result array add 2).</summary>
    public const int MaxUpdateDepth = TelegramBotDepthLimit - 4;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode
            || request.RequestUri?.AbsolutePath.EndsWith("/getUpdates", StringComparison.OrdinalIgnoreCase) != true)
        {
            return response;
        }

        // The answer is read into a pooled buffer, not a new array: a batch of 100 updates is often over the large
        // object heap's 85 KB, and one such array per poll made the GC collect generation 2 every few hundred updates.
        var headers = response.Content.Headers;
        var (buffer, length) = await ReadPooledAsync(response.Content, cancellationToken).ConfigureAwait(false);
        byte[]? replaced;
        try
        {
            replaced = Rewrite(buffer.AsSpan(0, length), UpdateBatchConverter.HeldThrough, out var tooDeep, out _);
            foreach (var (id, depth) in tooDeep)
            {
                LogTooDeep(logger, id, depth, MaxUpdateDepth);
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        HttpContent content;
        if (replaced is null)
        {
            content = new PooledContent(buffer, length);
        }
        else
        {
            ArrayPool<byte>.Shared.Return(buffer);
            content = new ByteArrayContent(replaced);
        }

        foreach (var header in headers.Where(h => !h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)))
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        content.Headers.ContentType ??= new MediaTypeHeaderValue("application/json");
        response.Content.Dispose();
        response.Content = content;
        return response;
    }

    private static async Task<(byte[] Buffer, int Length)> ReadPooledAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var size = content.Headers.ContentLength is { } known and > 0 and < int.MaxValue / 2 ? (int)known : 16 * 1024;
        var buffer = ArrayPool<byte>.Shared.Rent(size + 1);
        var length = 0;
        try
        {
            var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return (buffer, length);
                    }

                    length += read;
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>An answer held in a pooled buffer, given back when the content is disposed (Telegram.Bot disposes the response).</summary>
    private sealed class PooledContent(byte[] buffer, int length) : HttpContent
    {
        private byte[]? buffer = buffer;

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            stream.WriteAsync(Held, 0, length);

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken) =>
            stream.WriteAsync(Held, 0, length, cancellationToken);

        protected override Task<Stream> CreateContentReadStreamAsync() =>
            Task.FromResult<Stream>(new MemoryStream(Held, 0, length, writable: false));

        protected override bool TryComputeLength(out long size)
        {
            size = length;
            return true;
        }

        private byte[] Held => buffer ?? throw new ObjectDisposedException(nameof(PooledContent));

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref buffer, null) is { } held)
            {
                ArrayPool<byte>.Shared.Return(held);
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// The answer with every update deeper than <see cref="MaxUpdateDepth"/> replaced by a stub, or null when none is
    /// (or the answer is not JSON of the expected shape: then Telegram.Bot reports it as it would have).
    /// </summary>
    public static byte[]? Rewrite(ReadOnlySpan<byte> body, out IReadOnlyList<(int? UpdateId, int Depth)> tooDeep) =>
        Rewrite(body, null, out tooDeep, out _);

    /// <summary>
    /// As <see cref="Rewrite(ReadOnlySpan{byte}, out IReadOnlyList{ValueTuple{int?, int}})"/>, and every update with an
    /// <c>update_id</c> up to <paramref name="heldThrough"/> (the poller holds it already: see
    /// <see cref="UpdateBatchConverter.HeldThrough"/>) is left out of the answer (<paramref name="dropped"/> counts them).
    /// The poller's offset is the oldest update it has not committed, so in a burst each update comes back in several
    /// answers; left out here, it is stepped over once instead of read by Telegram.Bot's reader, its converter and its
    /// skip again. Its depth is not measured: it is not passed on. The updates passed on stay byte for byte.
    /// </summary>
    public static byte[]? Rewrite(ReadOnlySpan<byte> body, int? heldThrough, out IReadOnlyList<(int? UpdateId, int Depth)> tooDeep, out int dropped)
    {
        var found = new List<(int? UpdateId, int Depth)>();
        tooDeep = found;
        dropped = 0;
        // Each element of the result array: where it is and what becomes of it (null: kept; "": left out; else the stub).
        var elements = new List<(int Start, int End, string? Instead)>();
        var changed = false;
        int arrayStart = -1, arrayEnd = -1;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = int.MaxValue / 2, CommentHandling = JsonCommentHandling.Skip });
            var inResult = false;
            while (reader.Read())
            {
                if (!inResult)
                {
                    if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("result"u8))
                    {
                        reader.Read();
                        if (reader.TokenType != JsonTokenType.StartArray)
                        {
                            return null;
                        }

                        inResult = true;
                        arrayStart = (int)reader.TokenStartIndex + 1;
                    }

                    continue;
                }

                if (reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == 1)
                {
                    inResult = false;
                    arrayEnd = (int)reader.TokenStartIndex;
                    continue;
                }

                // An element of the result array: measure it without recursion.
                var start = (int)reader.TokenStartIndex;
                var elementDepth = reader.CurrentDepth;
                var deepest = 0;
                var held = false;
                int? id = null;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    while (reader.Read() && reader.CurrentDepth > elementDepth)
                    {
                        deepest = Math.Max(deepest, reader.CurrentDepth - elementDepth);
                        if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == elementDepth + 1 && reader.ValueTextEquals("update_id"u8))
                        {
                            reader.Read();
                            if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
                            {
                                id = value;
                                if (value <= heldThrough)
                                {
                                    // Held already: stepped over to the element's end, not measured.
                                    held = true;
                                    while (reader.Read() && reader.CurrentDepth > elementDepth)
                                    {
                                        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                                        {
                                            reader.Skip();
                                        }
                                    }

                                    break;
                                }
                            }
                            else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                            {
                                deepest = Math.Max(deepest, reader.CurrentDepth - elementDepth);
                                reader.Skip();
                            }
                        }
                    }
                }

                var end = (int)reader.BytesConsumed;
                if (held)
                {
                    elements.Add((start, end, ""));
                    dropped++;
                    changed = true;
                }
                else if (deepest > MaxUpdateDepth)
                {
                    // An object Telegram.Bot cannot read as an update (message must be an object), so it is logged and skipped.
                    elements.Add((start, end, id is { } value
                        ? FormattableString.Invariant($"{{\"update_id\":{value},\"message\":\"nested too deep\"}}")
                        : "\"nested too deep\""));
                    found.Add((id, deepest));
                    changed = true;
                }
                else
                {
                    elements.Add((start, end, null));
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        if (!changed || arrayStart < 0 || arrayEnd < arrayStart)
        {
            return null;
        }

        // Written once into an array of the exact size: most answers of a burst shrink to a few fresh updates, and a
        // buffer the size of the whole answer was a large object per poll.
        var size = arrayStart + (body.Length - arrayEnd);
        var kept = 0;
        foreach (var (start, end, instead) in elements)
        {
            if (instead is { Length: 0 })
            {
                continue;
            }

            size += (kept++ > 0 ? 1 : 0) + (instead is null ? end - start : Encoding.UTF8.GetByteCount(instead));
        }

        var output = new byte[size];
        body[..arrayStart].CopyTo(output);
        var at = arrayStart;
        var first = true;
        foreach (var (start, end, instead) in elements)
        {
            if (instead is { Length: 0 })
            {
                continue;
            }

            if (!first)
            {
                output[at++] = (byte)',';
            }

            first = false;
            at += instead is null ? Copy(body[start..end], output.AsSpan(at)) : Encoding.UTF8.GetBytes(instead, output.AsSpan(at));
        }

        body[arrayEnd..].CopyTo(output.AsSpan(at));
        return output;
    }

    private static int Copy(ReadOnlySpan<byte> from, Span<byte> to)
    {
        from.CopyTo(to);
        return from.Length;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Update {UpdateId} nests {Depth} levels deep (at most {Limit} are read); it is skipped so the rest of its batch can be read")]
    private static partial void LogTooDeep(ILogger logger, int? updateId, int depth, int limit);
}
