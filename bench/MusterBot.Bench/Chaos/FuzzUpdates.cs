using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MusterBot.Bench.Chaos;

/// <summary>
/// Odd and malformed updates, as JSON text (the emulator delivers them byte for byte): issue #13's reproductions, random
/// mutations of valid updates, wrong types, huge strings, unknown kinds, deep nesting, forged callback data, stale
/// buttons and wrong-role commands. Seeded: the same seed gives the same updates.
/// </summary>
public sealed class FuzzUpdates(int seed, int maxDepth, IReadOnlyList<long> users, IReadOnlyList<long> members, IReadOnlyDictionary<long, int> orderMessageIds)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] Emoji = ["😀", "🚨", "✅"];
    private static readonly string[] StaffCommands = ["/muster", "/admin", "/rollcall", "/mode", "/stats", "/muster@OtherBot", "/start a:b:c", "/close 1"];
    private readonly Random _random = new(seed);

    /// <summary>The kinds generated, with how many of each.</summary>
    public SortedDictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

    public string Next()
    {
        var (kind, json) = _random.Next(12) switch
        {
            0 => ("issue13", Issue13()),
            1 or 2 => ("mutation", Mutation()),
            3 => ("wrong-type", WrongType()),
            4 => ("huge-string", HugeString()),
            5 => ("unknown-kind", UnknownKind()),
            6 => ("deep-nesting", DeepNesting()),
            7 or 8 => ("forged-callback", ForgedCallback()),
            9 => ("stale-button", StaleButton()),
            10 => ("wrong-role", WrongRoleCommand()),
            _ => ("odd-message", OddMessage()),
        };
        Counts[kind] = Counts.GetValueOrDefault(kind) + 1;
        return json;
    }

    private long User() => users[_random.Next(users.Count)];

    private static string From(long id) => $$$$$"""{"id":{{{{{id}}}}},"is_bot":false,"first_name":"F{{{{{id % 1000}}}}}","language_code":"en"}""";

    private static string Chat(long id) => $$$$$"""{"id":{{{{{id}}}}},"type":"private","first_name":"F{{{{{id % 1000}}}}}"}""";

    private static string Message(long user, string text) =>
        $$$$$"""{"message":{"message_id":{{{{{user % 100_000}}}}},"date":1700000000,"chat":{{{{{Chat(user)}}}}},"from":{{{{{From(user)}}}}},"text":{{{{{text}}}}}}}""";

    private static string Callback(long user, int messageId, string data) =>
        $$$$$"""{"callback_query":{"id":"fz{{{{{Guid.NewGuid():N}}}}}","chat_instance":"c","from":{{{{{From(user)}}}}},"message":{"message_id":{{{{{messageId}}}}},"date":1700000000,"chat":{{{{{Chat(user)}}}}},"text":"x"},"data":{{{{{JsonValue.Create(data).ToJsonString()}}}}}}}""";

    private string Issue13()
    {
        var u = User();
        return _random.Next(8) switch
        {
            0 => """{"callback_query":{"id":"q","chat_instance":"c","data":"mu:ci:1:Arrived"}}""",
            1 => Message(u, "\"hi\"").Replace($"\"id\":{u}", "\"id\":18446744073709551615", StringComparison.Ordinal),
            2 => Message(u, "\"hi\"").Replace("1700000000", "1000000000000000", StringComparison.Ordinal),
            3 => Message(u, "12345"),
            4 => Message(u, "\"hi\"").Replace($"\"message_id\":{u % 100_000}", "\"message_id\":2147483648", StringComparison.Ordinal),
            5 => Message(u, "\"lone \\ud800 surrogate\""),
            6 => $$$$$"""{"message":{"message_id":1,"date":1700000000,"from":{{{{{From(u)}}}}},"text":"no chat"}}""",
            _ => $$$$$"""{"my_chat_member":{"chat":{{{{{Chat(u)}}}}},"from":{{{{{From(u)}}}}},"date":1700000000,"old_chat_member":{"status":"member","user":{{{{{From(u)}}}}}}}}""",
        };
    }

    /// <summary>A valid message or press with one value somewhere replaced by a random value of any type.</summary>
    private string Mutation()
    {
        var u = User();
        var update = JsonNode.Parse(_random.Next(2) == 0 ? Message(u, "\"/help\"") : Callback(u, 1, "main:help"))!;
        var containers = new List<JsonObject>();
        Collect(update, containers);
        var target = containers[_random.Next(containers.Count)];
        var keys = target.Select(p => p.Key).ToList();
        var key = _random.Next(5) == 0 ? "x" + _random.Next(100).ToString(Inv) : keys[_random.Next(keys.Count)];
        if (_random.Next(6) == 0)
        {
            target.Remove(key);
        }
        else
        {
            target[key] = RandomValue(3);
        }

        return update.ToJsonString();
    }

    private static void Collect(JsonNode node, List<JsonObject> into)
    {
        if (node is JsonObject obj)
        {
            into.Add(obj);
            foreach (var (_, child) in obj)
            {
                if (child is not null)
                {
                    Collect(child, into);
                }
            }
        }
    }

    private JsonNode? RandomValue(int depth) => _random.Next(depth > 0 ? 12 : 9) switch
    {
        0 => null,
        1 => JsonValue.Create(_random.Next(2) == 0),
        2 => JsonValue.Create(_random.NextInt64(long.MinValue, long.MaxValue)),
        3 => JsonValue.Create(_random.NextDouble() * 1e300),
        4 => JsonValue.Create(-1),
        5 => JsonValue.Create(string.Empty),
        6 => JsonValue.Create(RandomText(_random.Next(1, 40))),
        7 => JsonValue.Create(int.MaxValue + 1L),
        8 => JsonValue.Create("/" + RandomText(5)),
        9 => new JsonArray(RandomValue(depth - 1), RandomValue(depth - 1)),
        10 => new JsonObject { ["id"] = RandomValue(depth - 1), ["type"] = RandomValue(depth - 1) },
        _ => new JsonObject(),
    };

    private string RandomText(int length)
    {
        var sb = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            sb.Append(_random.Next(6) switch
            {
                0 => (char)_random.Next(0x4E00, 0x9FFF), // CJK
                1 => (char)_random.Next(0x20, 0x7F),
                2 => "<b>&amp;</i>"[_random.Next(12)],
                3 => (char)_random.Next(0x1, 0x20), // control characters
                4 => Emoji[_random.Next(Emoji.Length)], // pairs (an unpaired half is an issue #13 case)
                _ => (char)_random.Next(0xA0, 0x2FFF),
            });
        }

        return sb.ToString();
    }

    private string WrongType()
    {
        var u = User();
        return _random.Next(8) switch
        {
            0 => $$$$$"""{"message":{"message_id":"1","date":"now","chat":{{{{{Chat(u)}}}}},"from":{{{{{From(u)}}}}},"text":"hi"}}""",
            1 => $$$$$"""{"message":{"message_id":1,"date":1700000000,"chat":"{{{{{u}}}}}","from":{{{{{From(u)}}}}},"text":"hi"}}""",
            2 => $$$$$"""{"message":{"message_id":1,"date":1700000000,"chat":{{{{{Chat(u)}}}}},"from":[{{{{{u}}}}}],"text":"hi"}}""",
            3 => $$$$$"""{"message":{"message_id":1,"date":1700000000,"chat":{{{{{Chat(u)}}}}},"from":{{{{{From(u)}}}}},"text":["a","b"]}}""",
            4 => $$$$$"""{"callback_query":{"id":5,"chat_instance":"c","from":{{{{{From(u)}}}}},"data":{"x":1}}}""",
            5 => $$$$$"""{"message":{"message_id":1,"date":1700000000,"chat":{"id":1.5,"type":"private"},"from":{"id":-7,"is_bot":"no","first_name":null},"text":"hi"}}""",
            6 => """{"message":null}""",
            _ => $$$$$"""{"message":{"message_id":1,"date":1700000000,"chat":{{{{{Chat(u)}}}}},"from":{{{{{From(u)}}}}},"location":{"latitude":"north","longitude":1e999}}}""",
        };
    }

    private string HugeString()
    {
        var u = User();
        var text = new string("长xy"[_random.Next(3)], _random.Next(5_000, 60_000));
        return _random.Next(3) switch
        {
            0 => Message(u, JsonValue.Create(text).ToJsonString()),
            1 => Callback(u, 1, text),
            _ => Message(u, JsonValue.Create("/" + text).ToJsonString()),
        };
    }

    private string UnknownKind()
    {
        var u = User();
        return _random.Next(4) switch
        {
            0 => """{"brand_new_kind":{"a":[1,2,{"b":null}]}}""",
            1 => $$$$$"""{"message_reaction":{"chat":{{{{{Chat(u)}}}}},"message_id":1,"date":0,"new_reaction":[]}}""",
            2 => Message(u, "\"/help\"").TrimEnd('}') + "},\"future_kind\":{\"z\":1}}",
            _ => $$$$$"""{"edited_message":{"message_id":1,"date":1700000000,"edit_date":1700000001,"chat":{{{{{Chat(u)}}}}},"from":{{{{{From(u)}}}}},"text":"edited"}}""",
        };
    }

    /// <summary>Nesting of 10 to maxDepth levels (by default 58 + 3, under the JSON readers' default limit of 64).</summary>
    private string DeepNesting()
    {
        var u = User();
        var depth = _random.Next(10, maxDepth + 1);
        var open = _random.Next(2) == 0 ? "[" : "{\"a\":";
        var close = open == "[" ? "]" : "}";
        var nested = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
        return $$$$$"""{"message":{"message_id":1,"date":1700000000,"chat":{{{{{Chat(u)}}}}},"from":{{{{{From(u)}}}}},"text":"deep","entities":{{{{{nested}}}}}}}""";
    }

    private string ForgedCallback()
    {
        var u = _random.Next(2) == 0 ? User() : members[_random.Next(members.Count)];
        var data = _random.Next(10) switch
        {
            0 => "mu:ci:999:Arrived",
            1 => "mu:ci:1:Bogus",
            2 => "mu:ci:01:Arrived",
            3 => "mu:rel:1:r1",
            4 => "mu:pb:1:" + members[_random.Next(members.Count)].ToString(Inv) + ":Arrived",
            5 => "a:" + RandomText(10),
            6 => "mu:cly:1",
            7 => "mu:wgo",
            8 => string.Empty,
            _ => RandomText(_random.Next(1, 64)),
        };
        return Callback(u, _random.Next(1, 5000), data);
    }

    /// <summary>A member presses a button of their order again (a second press, or another message's id).</summary>
    private string StaleButton()
    {
        var m = members[_random.Next(members.Count)];
        var messageId = orderMessageIds.TryGetValue(m, out var id) ? id : 1;
        return _random.Next(3) switch
        {
            0 => Callback(m, messageId, "mu:ci:1:Arrived"),
            1 => Callback(m, messageId + 1000, "mu:ci:1:Arrived"),
            _ => Callback(m, messageId, "wi:old:1"),
        };
    }

    private string WrongRoleCommand()
    {
        var u = _random.Next(2) == 0 ? User() : members[_random.Next(members.Count)];
        var command = StaffCommands[_random.Next(StaffCommands.Length)];
        return Message(u, JsonValue.Create(command).ToJsonString());
    }

    private string OddMessage()
    {
        var u = User();
        return _random.Next(6) switch
        {
            0 => Message(u, "\"\""),
            1 => Message(u, "\"/\""),
            2 => Message(u, JsonValue.Create(RandomText(_random.Next(1, 300))).ToJsonString()),
            3 => $$$$$"""{"message":{"message_id":1,"date":1700000000,"chat":{"id":-100123,"type":"supergroup","title":"g"},"from":{{{{{From(u)}}}}},"text":"/help"}}""",
            4 => $$$$$"""{"message":{"message_id":1,"date":1700000000,"chat":{{{{{Chat(u)}}}}},"from":{"id":{{{{{u}}}}},"is_bot":true,"first_name":"Bot"},"text":"/help"}}""",
            _ => $$$$$"""{"message":{"message_id":1,"date":1700000000,"chat":{{{{{Chat(u)}}}}},"from":{{{{{From(u)}}}}},"sticker":{"file_id":"x","width":1,"height":1}}}""",
        };
    }
}
