using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MusterBot.Emulator;

/// <summary>The parameters of one Bot API call, read from the query string and a JSON, urlencoded or multipart body.</summary>
internal sealed class BotApiParameters
{
    private readonly Dictionary<string, JsonNode?> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UploadedPart> _files = new(StringComparer.Ordinal);

    public static BotApiParameters FromJson(JsonObject json)
    {
        var parameters = new BotApiParameters();
        foreach (var (key, value) in json)
        {
            parameters._values[key] = value?.DeepClone();
        }

        return parameters;
    }

    public static async Task<BotApiParameters> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var parameters = new BotApiParameters();
        foreach (var (key, value) in request.Query)
        {
            parameters._values[key] = JsonValue.Create(value.ToString());
        }

        if (request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.ContainsKey("Transfer-Encoding")))
        {
            return parameters;
        }

        var contentType = request.ContentType ?? string.Empty;
        if (request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(ct);
            }
            catch (InvalidDataException ex)
            {
                throw new BotApiRequestException("can't parse request body", ex);
            }
            catch (IOException ex)
            {
                throw new BotApiRequestException("can't parse request body", ex);
            }

            foreach (var (key, value) in form)
            {
                parameters._values[key] = JsonValue.Create(value.ToString());
            }

            foreach (var file in form.Files)
            {
                using var buffer = new MemoryStream();
                await file.CopyToAsync(buffer, ct);
                parameters._files[file.Name] = new UploadedPart(
                    file.FileName,
                    string.IsNullOrEmpty(file.ContentType) ? "application/octet-stream" : file.ContentType,
                    buffer.ToArray());
            }

            return parameters;
        }

        if (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || contentType.Length == 0)
        {
            JsonNode? body;
            try
            {
                body = await JsonNode.ParseAsync(request.Body, cancellationToken: ct);
            }
            catch (JsonException ex)
            {
                throw new BotApiRequestException("can't parse JSON object", ex);
            }

            if (body is null)
            {
                return parameters;
            }

            if (body is not JsonObject obj)
            {
                throw new BotApiRequestException("JSON object expected");
            }

            foreach (var (key, value) in obj.ToList())
            {
                obj.Remove(key);
                parameters._values[key] = value;
            }

            return parameters;
        }

        throw new BotApiRequestException("unsupported content type " + contentType);
    }

    public bool Has(string name) => _values.TryGetValue(name, out var value) && value is not null;

    public UploadedPart? GetFile(string name)
    {
        if (_files.TryGetValue(name, out var part))
        {
            return part;
        }

        // "photo": "attach://0" names the multipart part that holds the file (how Telegram.Bot uploads every file).
        return _values.TryGetValue(name, out var value)
            && value is JsonValue text
            && text.TryGetValue<string>(out var reference)
            && reference.StartsWith(AttachPrefix, StringComparison.Ordinal)
                ? _files.GetValueOrDefault(reference[AttachPrefix.Length..])
                : null;
    }

    private const string AttachPrefix = "attach://";

    public string? GetString(string name)
    {
        if (!_values.TryGetValue(name, out var node) || node is null)
        {
            return null;
        }

        return node.GetValueKind() switch
        {
            JsonValueKind.String => node.GetValue<string>(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => node.ToJsonString(),
            _ => throw new BotApiRequestException($"field \"{name}\" must be of type String"),
        };
    }

    public long? GetLong(string name)
    {
        var text = GetString(name);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        throw new BotApiRequestException($"field \"{name}\" must be of type Integer");
    }

    public double? GetDouble(string name)
    {
        var text = GetString(name);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        throw new BotApiRequestException($"field \"{name}\" must be of type Float");
    }

    public bool GetBool(string name)
    {
        var text = GetString(name);
        return text is not null && (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase) || text == "1");
    }

    /// <summary>A JSON-typed parameter; in urlencoded and multipart bodies it arrives as a JSON-serialized string.</summary>
    public JsonNode? GetJson(string name)
    {
        if (!_values.TryGetValue(name, out var node) || node is null)
        {
            return null;
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            return node;
        }

        var text = node.GetValue<string>();
        if (text.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new BotApiRequestException($"can't parse {name} JSON object", ex);
        }
    }
}
