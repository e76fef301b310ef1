using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Texts;
using MusterBot.State.Records;
using MusterBot.State.Records.Households;

namespace MusterBot.Flows.Households;

/// <summary>How households read in chat: their number, one line in a list, and the card.</summary>
public static class HouseholdView
{
    /// <summary>The number people quote on the phone: H-0042.</summary>
    public static string Number(int number) => "H-" + number.ToString("D4", CultureInfo.InvariantCulture);

    public static string Address(Household household, DirectorySnapshot directory)
    {
        ArgumentNullException.ThrowIfNull(household);
        ArgumentNullException.ThrowIfNull(directory);
        return HouseholdFields.Address(directory.BuildingName(household.GridId, household.BuildingId), household.Unit, household.Room);
    }

    /// <summary>One line of a list: the address and the tags (escaped).</summary>
    public static string Line(Household household, DirectorySnapshot directory, Language language, TextCatalog texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var tags = HouseholdFields.TagNames(household, language, texts, texts.Get(language, "hh.tag_separator"));
        return Html.Escape(Address(household, directory)) + (tags.Length == 0 ? string.Empty : " · " + Html.Escape(tags));
    }

    /// <summary>The household's card: number and address first, then tags, people, phones and notes.</summary>
    public static string Card(Household household, DirectorySnapshot directory, Language language, TextCatalog texts, TimeSpan offset)
    {
        ArgumentNullException.ThrowIfNull(household);
        ArgumentNullException.ThrowIfNull(texts);
        var none = texts.Get(language, "hh.card.none");
        var separator = texts.Get(language, "hh.tag_separator");
        var tags = HouseholdFields.TagNames(household, language, texts, separator);
        var sb = new StringBuilder();
        sb.Append(texts.Format(language, "hh.card.title", Number(household.Number), Html.Escape(Address(household, directory)), Html.Escape(directory.GridName(household.GridId))));
        sb.Append('\n').Append(texts.Format(language, "hh.card.tags", tags.Length == 0 ? none : Html.Escape(tags)));
        sb.Append('\n').Append(texts.Format(language, "hh.card.people", household.People.Count == 0 ? none : Html.Escape(string.Join(separator, household.People))));
        sb.Append('\n').Append(texts.Format(language, "hh.card.phones", household.Phones.Count == 0 ? none : string.Join(" ", household.Phones.Select(p => "<code>" + Html.Escape(p) + "</code>"))));
        sb.Append('\n').Append(texts.Format(language, "hh.card.notes", household.Notes is null ? none : Html.Escape(household.Notes)));
        sb.Append('\n').Append(texts.Format(language, "hh.card.updated", household.UpdatedAt.ToOffset(offset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)));
        return sb.ToString();
    }
}
