using System.Text.Json;
using System.Text.Json.Nodes;

namespace MusterBot.Tests.Emulator;

internal static class JsonSerializerNodes
{
    public static JsonObject ToObject(object value) => JsonSerializer.SerializeToNode(value)!.AsObject();
}
