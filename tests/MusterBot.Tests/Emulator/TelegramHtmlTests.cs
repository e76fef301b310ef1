using MusterBot.Emulator;

namespace MusterBot.Tests.Emulator;

public sealed class TelegramHtmlTests
{
    [Theory]
    [InlineData("<b>bold</b> &amp; <i>it</i>", "bold & it")]
    [InlineData("<a href=\"https://t.me/x?a=1&amp;b=2\">link</a>", "link")]
    [InlineData("<span class=\"tg-spoiler\">s</span><tg-spoiler>t</tg-spoiler>", "st")]
    [InlineData("a &lt; b &gt; c &quot;q&quot; &#65;&#x42;", "a < b > c \"q\" AB")]
    [InlineData("<pre><code class=\"language-cs\">x</code></pre><blockquote>q</blockquote>", "xq")]
    [InlineData("1 > 0", "1 > 0")]
    public void TryParse_WellFormedMarkup_ReturnsVisibleText(string html, string expected)
    {
        Assert.True(TelegramHtml.TryParse(html, out var text, out var error), error);
        Assert.Equal(expected, text);
    }

    [Theory]
    [InlineData("a < b")]
    [InlineData("a < b > c")]
    [InlineData("Tom & Jerry")]
    [InlineData("&nbsp;")]
    [InlineData("<b>bold")]
    [InlineData("<b><i>x</b></i>")]
    [InlineData("</b>")]
    [InlineData("<div>x</div>")]
    [InlineData("<span>x</span>")]
    public void TryParse_MalformedMarkup_IsRejected(string html)
    {
        Assert.False(TelegramHtml.TryParse(html, out _, out var error));
        Assert.StartsWith("can't parse entities: ", error, StringComparison.Ordinal);
    }
}
