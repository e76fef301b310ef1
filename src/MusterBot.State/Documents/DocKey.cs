namespace MusterBot.State.Documents;

/// <summary>
/// Address of one stored document: a kind (a short lowercase word such as <c>user</c> or <c>conv</c>)
/// and an id inside that kind. Telegram ids are 64-bit: format them with <see cref="ForLong"/>.
/// </summary>
public readonly record struct DocKey(string Kind, string Id)
{
    public static DocKey ForLong(string kind, long id) =>
        new(kind, id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public override string ToString() => $"{Kind}:{Id}";
}
