using System.Text.Json;
using System.Text.Json.Serialization;
using Telegram.Bot.Types;

namespace MusterBot.Host.BotApi;

/// <summary>
/// Reads a JSON array of updates element by element with Telegram.Bot's <see cref="Update"/>. An element that does not
/// read is skipped and noted (one bad update never fails the batch); nothing is parsed twice and no element is
/// copied. Writing is not supported (the bot never sends updates).
/// </summary>
public sealed class UpdateBatchConverter : JsonConverter<UpdateBatch>
{
    private static readonly AsyncLocal<int?> Held = new();

    /// <summary>
    /// The highest update id the poller already holds, for the <c>getUpdates</c> calls that follow in the same async
    /// flow (Telegram.Bot reads the answer there, with no way to hand the converter anything of the request). The
    /// poller's offset is the oldest update still being handled, so each answer brings back up to 100 updates it holds
    /// already. <see cref="DeepUpdateGuardHandler"/> leaves those out of the answer before Telegram.Bot reads it; any
    /// that still reach this converter (an answer the guard passed on as it was) are only stepped over (their
    /// <c>update_id</c> read, the rest skipped), not read into objects, left out of <see cref="UpdateBatch.Updates"/>
    /// and still counted for <see cref="UpdateBatch.LastId"/>.
    /// </summary>
    public static int? HeldThrough
    {
        get => Held.Value;
        set => Held.Value = value;
    }

    public override UpdateBatch Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("getUpdates did not answer an array.");
        }

        var batch = new UpdateBatch();
        if (HeldThrough is { } held ? TryReadAfter(ref reader, options, batch, held) : TryReadWhole(ref reader, options, batch))
        {
            return batch;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            // The whole array is buffered before a custom converter runs, so a copy of the reader can go back.
            var start = reader;
            var id = IdOf(start);
            if (id is { } value && (batch.LastId is null || value > batch.LastId))
            {
                batch.LastId = value;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                batch.Unreadable.Add(new UnreadableUpdate(id, "not an update object"));
                continue;
            }

            try
            {
                var update = JsonSerializer.Deserialize<Update>(ref reader, options);
                if (update is not null && id is not null)
                {
                    batch.Updates.Add(update);
                    continue;
                }

                batch.Unreadable.Add(new UnreadableUpdate(id, "not an update object"));
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException or FormatException or OverflowException or ArgumentException)
            {
                // JsonException names the JSON path and position, not the values.
                reader = start;
                reader.Skip();
                batch.Unreadable.Add(new UnreadableUpdate(id, ex is JsonException json ? $"{nameof(JsonException)} at {json.Path ?? "$"}" : ex.GetType().Name));
            }
        }

        return batch;
    }

    /// <summary>
    /// The usual case, every element an update with an id: the array is read by one call, so the reader's stack of
    /// nested objects is made once per batch instead of once per update (that stack was a tenth of everything the
    /// process allocated in the check-in burst). Any failure or any element without an id leaves the reader where it
    /// was and returns false, and the batch is read element by element as before.
    /// </summary>
    private static bool TryReadWhole(ref Utf8JsonReader reader, JsonSerializerOptions options, UpdateBatch batch)
    {
        var start = reader;
        try
        {
            var updates = JsonSerializer.Deserialize<List<Update>>(ref reader, options);
            if (updates is not null && updates.TrueForAll(u => u is { Id: > 0 }))
            {
                batch.Updates.AddRange(updates);
                batch.LastId = updates.Count == 0 ? null : updates.Max(u => u.Id);
                return true;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException or FormatException or OverflowException or ArgumentException)
        {
            // Read again element by element, which names the element that fails.
        }

        reader = start;
        return false;
    }

    /// <summary>
    /// As <see cref="TryReadWhole"/> when the poller holds the updates up to <paramref name="held"/>: each element's
    /// id is read first, an element held already is skipped, the others are read one by one. Anything unusual (an
    /// element that is not an object, has no positive id or does not read) leaves the reader where it was and returns
    /// false, and the batch is read element by element, every update in full, as before.
    /// </summary>
    private static bool TryReadAfter(ref Utf8JsonReader reader, JsonSerializerOptions options, UpdateBatch batch, int held)
    {
        var start = reader;
        try
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (IdOf(reader) is not { } id || id <= 0)
                {
                    break;
                }

                batch.LastId = batch.LastId is { } last ? Math.Max(last, id) : id;
                if (id <= held)
                {
                    reader.Skip();
                    continue;
                }

                if (JsonSerializer.Deserialize<Update>(ref reader, options) is not { } update)
                {
                    break;
                }

                batch.Updates.Add(update);
            }

            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return true;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException or FormatException or OverflowException or ArgumentException)
        {
            // Read again element by element, which names the element that fails.
        }

        reader = start;
        batch.Updates.Clear();
        batch.LastId = null;
        return false;
    }

    public override void Write(Utf8JsonWriter writer, UpdateBatch value, JsonSerializerOptions options) =>
        throw new NotSupportedException("Updates are only read.");

    /// <summary>The element's top-level <c>update_id</c>, read from a copy of the reader.</summary>
    private static int? IdOf(Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1)
            {
                var isId = reader.ValueTextEquals("update_id"u8);
                reader.Read();
                if (isId)
                {
                    return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var id) ? id : null;
                }

                reader.Skip();
            }
        }

        return null;
    }
}
