using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using MusterBot.State.Records;

namespace MusterBot.Flows.Texts;

/// <summary>
/// Every user-facing text, loaded from the embedded resources <c>Texts/zh-CN.json</c> and <c>Texts/en.json</c>.
/// Flow code refers to texts by key only; a test checks that both languages have the same keys and placeholders.
/// </summary>
public sealed class TextCatalog
{
    private readonly FrozenDictionary<Language, FrozenDictionary<string, string>> _texts;

    private TextCatalog(FrozenDictionary<Language, FrozenDictionary<string, string>> texts) => _texts = texts;

    public static TextCatalog Default { get; } = Load();

    public IReadOnlyCollection<string> Keys(Language language) => _texts[language].Keys;

    /// <summary>The text for <paramref name="key"/>; a key missing in English falls back to Chinese.</summary>
    public string Get(Language language, string key)
    {
        if (_texts[language].TryGetValue(key, out var text) || _texts[Language.Zh].TryGetValue(key, out text))
        {
            return text;
        }

        throw new KeyNotFoundException($"No text with key '{key}'.");
    }

    public string Format(Language language, string key, params object?[] args) =>
        string.Format(CultureInfo.InvariantCulture, Get(language, key), args);

    private static TextCatalog Load()
    {
        var assembly = typeof(TextCatalog).Assembly;
        var result = new Dictionary<Language, FrozenDictionary<string, string>>();
        foreach (var (language, file) in new[] { (Language.Zh, "zh-CN"), (Language.En, "en") })
        {
            using var stream = assembly.GetManifestResourceStream($"MusterBot.Flows.Texts.{file}.json")
                ?? throw new InvalidOperationException($"Embedded text resource {file}.json is missing.");
            var map = JsonSerializer.Deserialize<Dictionary<string, string>>(stream)
                ?? throw new InvalidOperationException($"Text resource {file}.json is empty.");
            result[language] = map.ToFrozenDictionary(StringComparer.Ordinal);
        }

        return new TextCatalog(result.ToFrozenDictionary());
    }
}
