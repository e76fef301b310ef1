using System.Text;
using MusterBot.State.Documents;
using MusterBot.State.Records;

namespace MusterBot.Tests.State;

/// <summary>
/// A document handed over as the UTF-8 bytes a store read is the same document as one made from its text: the same
/// <see cref="StoredDoc.Json"/>, equal, and parsed from its bytes to the same record.
/// </summary>
public sealed class StoredDocTests
{
    private static readonly DocKey Key = DocKeys.Muster(7);

    // Not ASCII (a muster's title in Chinese): the bytes and the text must not be confused for one another.
    private const string Text = "{\"title\":\"\u6d2a\u6c34 \u9632\u6c5b\",\"count\":3}";

    [Fact]
    public void FromBytes_TheTextIsTheSame_AndTheDocsAreEqual()
    {
        var fromBytes = new StoredDoc(Key, Encoding.UTF8.GetBytes(Text), 4);
        var fromText = new StoredDoc(Key, Text, 4);

        Assert.Equal(Text, fromBytes.Json);
        Assert.True(fromText.Utf8.Span.SequenceEqual(fromBytes.Utf8.Span));
        Assert.Equal(fromText, fromBytes);
        Assert.Equal(fromText.GetHashCode(), fromBytes.GetHashCode());
    }

    [Fact]
    public void OtherText_OtherVersion_OrOtherKey_AreNotEqual()
    {
        var doc = new StoredDoc(Key, Encoding.UTF8.GetBytes(Text), 4);

        Assert.NotEqual(doc, new StoredDoc(Key, Text.Replace("3", "4", StringComparison.Ordinal), 4));
        Assert.NotEqual(doc, new StoredDoc(Key, Text, 5));
        Assert.NotEqual(doc, new StoredDoc(DocKeys.Muster(8), Text, 4));
    }

    [Fact]
    public void ParsedFromItsBytes_ReadsTheSameRecordAsFromItsText()
    {
        var doc = new StoredDoc(Key, Encoding.UTF8.GetBytes(Text), 4);

        var fromBytes = RecordJson.Deserialize<Header>(doc.Utf8.Span);
        var fromText = RecordJson.Deserialize<Header>(Text);

        Assert.Equal(fromText, fromBytes);
        Assert.Equal("\u6d2a\u6c34 \u9632\u6c5b", fromBytes.Title);
    }

    [Fact]
    public void WithKey_KeepsTheTextAndVersion()
    {
        var doc = new StoredDoc(Key, Encoding.UTF8.GetBytes(Text), 4);

        var moved = doc.WithKey(DocKeys.Muster(9));

        Assert.Equal(DocKeys.Muster(9), moved.Key);
        Assert.Equal(Text, moved.Json);
        Assert.Equal(4, moved.Version);
    }

    public sealed record Header(string Title, int Count);
}
