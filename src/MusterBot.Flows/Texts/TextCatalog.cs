using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using MusterBot.State.Records;

namespace MusterBot.Flows.Texts;

/// <summary>
/// Every user-facing text, loaded from the embedded resources <c>Texts/*.zh-CN.json</c> and <c>Texts/*.en.json</c>.
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
        // Texts are split by capability: Texts/{capability}.zh-CN.json and Texts/{capability}.en.json.
        var assembly = typeof(TextCatalog).Assembly;
        var result = new Dictionary<Language, FrozenDictionary<string, string>>();
        foreach (var (language, suffix) in new[] { (Language.Zh, ".zh-CN.json"), (Language.En, ".en.json") })
        {
            var merged = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("MusterBot.Flows.Texts.", StringComparison.Ordinal) && n.EndsWith(suffix, StringComparison.Ordinal)))
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                var map = JsonSerializer.Deserialize<Dictionary<string, string>>(stream)
                    ?? throw new InvalidOperationException($"Text resource {name} is empty.");
                foreach (var (key, value) in map)
                {
                    if (!merged.TryAdd(key, value))
                    {
                        throw new InvalidOperationException($"Text key '{key}' is defined twice ({name}).");
                    }
                }
            }

            if (merged.Count == 0)
            {
                throw new InvalidOperationException($"No embedded text resources for {suffix}.");
            }

            result[language] = merged.ToFrozenDictionary(StringComparer.Ordinal);
        }

        return new TextCatalog(result.ToFrozenDictionary());
    }
}
