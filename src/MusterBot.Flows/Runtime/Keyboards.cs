using MusterBot.State.Outbox;

namespace MusterBot.Flows.Runtime;

/// <summary>Lays buttons out in rows of a fixed width (the rows stay mutable so callers can add navigation rows).</summary>
public static class Keyboards
{
    public static List<IReadOnlyList<InlineButton>> Rows(this IEnumerable<InlineButton> buttons, int perRow) =>
        buttons.Chunk(perRow).Select(r => (IReadOnlyList<InlineButton>)r).ToList();
}
