using System.Text.RegularExpressions;
using MusterBot.Flows.Texts;
using MusterBot.State.Records;

namespace MusterBot.Tests.Flows;

public partial class TextCatalogTests
{
    [Fact]
    public void BothLanguages_HaveTheSameKeys()
    {
        var zh = TextCatalog.Default.Keys(Language.Zh).Order().ToList();
        var en = TextCatalog.Default.Keys(Language.En).Order().ToList();
        Assert.Equal(zh, en);
    }

    [Fact]
    public void BothLanguages_UseTheSamePlaceholders()
    {
        foreach (var key in TextCatalog.Default.Keys(Language.Zh))
        {
            var zh = Placeholders().Matches(TextCatalog.Default.Get(Language.Zh, key)).Select(m => m.Value).Distinct().Order();
            var en = Placeholders().Matches(TextCatalog.Default.Get(Language.En, key)).Select(m => m.Value).Distinct().Order();
            Assert.True(zh.SequenceEqual(en), $"Placeholders of '{key}' differ between zh-CN and en.");
        }
    }

    [Fact]
    public void ChineseTexts_SpeakToThePersonAsNin_InOneRegister()
    {
        // Elderly residents expect 您; one register in every flow (issue #14).
        var informal = TextCatalog.Default.Keys(Language.Zh)
            .Where(key => TextCatalog.Default.Get(Language.Zh, key).Contains('你', StringComparison.Ordinal))
            .ToList();
        Assert.True(informal.Count == 0, "zh texts with 你: " + string.Join(", ", informal));
    }

    [Fact]
    public void ChineseTexts_AreChinese_AndEnglishTextsHaveNoChineseExceptLanguageNames()
    {
        var han = HanCharacters();
        foreach (var key in TextCatalog.Default.Keys(Language.En).Where(k => k is not ("lang.ask" or "mu.drill_banner")))
        {
            var en = TextCatalog.Default.Get(Language.En, key);
            Assert.False(han.IsMatch(en.Replace("中文", string.Empty, StringComparison.Ordinal)), $"English text '{key}' contains Chinese: {en}");
        }

        Assert.Matches(han, TextCatalog.Default.Get(Language.Zh, "welcome.new"));

        // Drills say 演练 / DRILL at the very top in both languages (UX.md).
        Assert.Contains("\u6F14\u7EC3 / DRILL", TextCatalog.Default.Get(Language.En, "mu.drill_banner"), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryText_InBothLanguages_IsValidTelegramHtml_WithHostileArguments()
    {
        // Arguments as flows pass them: user-supplied values escaped. The emulator's parser is Telegram's HTML subset.
        var hostile = Html.Escape("<b>Zhang & \"Wei\"</b>");
        foreach (var language in new[] { Language.Zh, Language.En })
        {
            foreach (var key in TextCatalog.Default.Keys(language))
            {
                var text = TextCatalog.Default.Format(language, key, Enumerable.Repeat<object?>(hostile, 10).ToArray());
                Assert.True(MusterBot.Emulator.TelegramHtml.TryParse(text, out var visible, out var error), $"{language} '{key}': {error}");
                Assert.InRange(visible.Length, 1, 4096);
            }
        }
    }

    [Fact]
    public void Escape_EscapesHtmlSpecialCharacters()
    {
        Assert.Equal("a &lt;b&gt; &amp; &quot;c&quot;", Html.Escape("a <b> & \"c\""));
        Assert.Equal(string.Empty, Html.Escape(null));
    }

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholders();

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex HanCharacters();
}
