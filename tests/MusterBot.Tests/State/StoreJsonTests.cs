using System.Text.Json;
using MusterBot.State;
using MusterBot.State.Outbox;
using MusterBot.State.Timers;

namespace MusterBot.Tests.State;

/// <summary>What the stores keep as text: nulls are left out, and both forms (with and without them) read the same.</summary>
public sealed class StoreJsonTests
{
    private static readonly OutboxMessage Edit = new(Lane.Emergency, 42, new EditText(7, "<b>M-1</b>", new InlineMarkup([[new InlineButton("arrived", "mu:ci:1:Arrived"), new InlineButton("map", Url: "https://example.org/m")]])))
    {
        EnqueuedAt = DateTimeOffset.Parse("2026-12-07T12:00:00+00:00", System.Globalization.CultureInfo.InvariantCulture),
    };

    private static readonly JsonSerializerOptions WithNulls = new(StoreJson.Options) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never };

    [Fact]
    public void AnOutboxMessage_IsWrittenWithoutNulls_AndReadsBackTheSame()
    {
        var json = JsonSerializer.Serialize(Edit, StoreJson.Options);
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        var read = JsonSerializer.Deserialize<OutboxMessage>(json, StoreJson.Options)!;
        Assert.Equal(json, JsonSerializer.Serialize(read, StoreJson.Options));
        var action = Assert.IsType<EditText>(read.Action);
        Assert.Null(read.Tag);
        Assert.Null(read.NotBefore);
        Assert.Null(action.TargetTag);
        var buttons = Assert.IsType<InlineMarkup>(action.Markup).Rows[0];
        Assert.Equal(("mu:ci:1:Arrived", (string?)null, (string?)null), (buttons[0].CallbackData, buttons[0].Url, buttons[0].WebApp));
        Assert.Equal(((string?)null, "https://example.org/m"), (buttons[1].CallbackData, buttons[1].Url));
    }

    [Fact]
    public void AnOutboxMessageWrittenWithNulls_ByAnEarlierVersion_ReadsTheSame()
    {
        var withNulls = JsonSerializer.Serialize(Edit, WithNulls);
        Assert.Contains("\"tag\":null", withNulls, StringComparison.Ordinal);
        var read = JsonSerializer.Deserialize<OutboxMessage>(withNulls, StoreJson.Options)!;
        Assert.Equal(JsonSerializer.Serialize(Edit, StoreJson.Options), JsonSerializer.Serialize(read, StoreJson.Options));
    }

    [Fact]
    public void ATimer_RoundTrips_WithItsShard()
    {
        var timer = new TimerEntry("@4:mu:rf:1", DateTimeOffset.UnixEpoch.AddDays(20_000), 0, "mu:rf:1") { Shard = 4 };
        var json = JsonSerializer.Serialize(timer, StoreJson.Options);
        Assert.Equal(timer, JsonSerializer.Deserialize<TimerEntry>(json, StoreJson.Options));
    }
}
