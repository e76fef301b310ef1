using MusterBot.Flows.Runtime;
using MusterBot.State.Documents;
using MusterBot.State.Records;

namespace MusterBot.Tests.Flows;

public sealed class ParsedDocCacheTests
{
    [Fact]
    public void TheSameVersionAndText_IsParsedOnce_AndOtherTextUnderTheSameVersionIsParsedAgain()
    {
        var cache = new ParsedDocCache();
        var key = DocKeys.Muster(1);
        StoredDoc Doc(string title) => new(key, RecordJson.Serialize(new Header(title)), 3);

        var first = cache.Get<Header>(key, Doc("flood"));
        var again = cache.Get<Header>(key, Doc("flood"));
        // Erased and written again: the same version number, other content.
        var rewritten = cache.Get<Header>(key, Doc("fire"));

        Assert.Same(first, again);
        Assert.Equal("fire", rewritten?.Title);
        Assert.Equal("flood", first?.Title);
    }

    public sealed record Header(string Title);
}
