using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory.Roster;
using MusterBot.Flows.Texts;
using MusterBot.State.Records;
using MusterBot.State.Records.Households;

namespace MusterBot.Flows.Households;

/// <summary>
/// How a household's fields are written and read, the same by chat and in a CSV file: the address (unit and room), the
/// people, the tags, the phones and the notes, each with its limits. Pure: no I/O.
/// </summary>
public static class HouseholdFields
{
    public const int MaxUnitLength = 10;
    public const int MaxRoomLength = 10;
    public const int MaxPeople = 10;
    public const int MaxPersonLength = 30;
    public const int MaxPhones = 3;
    public const int MaxNotesLength = 200;
    public const int MaxCustomTags = 20;
    public const int MaxCustomTagLength = 10;

    /// <summary>What separates several people, tags or phones in one cell or message (as for skills in a roster).</summary>
    public static ReadOnlySpan<char> Separators => SkillNames.Separators;

    /// <summary>Unit ("dan yuan") and room ("shi") words people write after the numbers, and the separators between them.</summary>
    private const string UnitWord = "\u5355\u5143";
    private const string RoomWord = "\u5BA4";

    /// <summary>
    /// Reads an address typed in chat: "2-301" (unit 2, room 301), "2 301", "2/301", "2 dan yuan 301 shi" or just
    /// "301" (no unit). False when the room is missing or a part is too long.
    /// </summary>
    public static bool TryParseAddress(string text, out string? unit, out string room)
    {
        ArgumentNullException.ThrowIfNull(text);
        unit = null;
        room = string.Empty;
        var t = OneLine(text).Replace(UnitWord, "-", StringComparison.Ordinal).Replace(RoomWord, string.Empty, StringComparison.Ordinal);
        var parts = t.Split(['-', '\uFF0D', '\u2014', '/', '\uFF0F', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        switch (parts.Length)
        {
            case 1:
                room = parts[0];
                break;
            case 2:
                unit = parts[0];
                room = parts[1];
                break;
            default:
                return false;
        }

        return Length(room) is > 0 and <= MaxRoomLength && (unit is null || Length(unit) <= MaxUnitLength);
    }

    /// <summary>The address as people read it: "Building 3 · 2-301" / "3 lou · 2-301".</summary>
    public static string Address(string buildingName, string? unit, string room) =>
        buildingName + " \u00B7 " + (unit is null ? room : unit + "-" + room);

    /// <summary>The key two households share when they are the same address of a grid (case, width and spaces ignored).</summary>
    public static string AddressKey(string buildingId, string? unit, string room) =>
        buildingId + "|" + Fold(unit ?? string.Empty) + "|" + Fold(room);

    public static string AddressKey(Household household)
    {
        ArgumentNullException.ThrowIfNull(household);
        return AddressKey(household.BuildingId, household.Unit, household.Room);
    }

    /// <summary>The list of people in a cell or message; false (with the offending part) when one is too long or there are too many.</summary>
    public static bool TryParsePeople(string text, out IReadOnlyList<string> people, out string? problem)
    {
        var list = Split(text);
        people = list;
        problem = list.FirstOrDefault(p => Length(p) > MaxPersonLength);
        return problem is null && list.Count <= MaxPeople;
    }

    /// <summary>
    /// Phones in a cell or message: Chinese mobiles (to +86 form), international numbers, or landlines of 7 to 12 digits
    /// with an optional area code ("0571-88881234"). Returns the numbers and puts every other part into <paramref name="bad"/>.
    /// </summary>
    public static IReadOnlyList<string> ParsePhones(string text, ICollection<string> bad)
    {
        ArgumentNullException.ThrowIfNull(bad);
        var phones = new List<string>();
        foreach (var part in Split(text))
        {
            var phone = Phone(part);
            if (phone is null)
            {
                bad.Add(part);
            }
            else if (!phones.Contains(phone))
            {
                phones.Add(phone);
            }
        }

        return phones;
    }

    /// <summary>One phone number in stored form, or null.</summary>
    public static string? Phone(string raw)
    {
        if (PhoneNumber.Normalize(raw) is { } mobile)
        {
            return mobile;
        }

        // A landline: digits with spaces, dashes or parentheses; an area code starts with 0.
        var digits = new StringBuilder();
        foreach (var c in raw)
        {
            var n = c is >= '\uFF10' and <= '\uFF19' ? (char)(c - '\uFF10' + '0') : c;
            if (n is >= '0' and <= '9')
            {
                digits.Append(n);
            }
            else if (n is not (' ' or '-' or '(' or ')' or '\uFF0D' or '\uFF08' or '\uFF09'))
            {
                return null;
            }
        }

        var d = digits.ToString();
        if (d.Length is >= 7 and <= 8 && d[0] != '0' && d[0] != '1')
        {
            return d;
        }

        if (d.Length is >= 10 and <= 12 && d[0] == '0' && d[1] != '0')
        {
            // Area codes are 3 digits for 010 and 02x, 4 digits otherwise.
            var area = d[1] is '1' or '2' ? 3 : 4;
            return d[..area] + "-" + d[area..];
        }

        return null;
    }

    /// <summary>Notes on one line (line breaks kept as spaces), or false when longer than <see cref="MaxNotesLength"/>.</summary>
    public static bool TryParseNotes(string text, out string? notes)
    {
        var n = OneLine(text);
        notes = n.Length == 0 ? null : n;
        return Length(n) <= MaxNotesLength;
    }

    /// <summary>
    /// Tags in a cell: built-in tags by their English name, or their name in either language, and the community's own
    /// tags by name. Unknown names go into <paramref name="unknown"/>.
    /// </summary>
    public static (IReadOnlyList<HouseholdTag> Tags, IReadOnlyList<string> Custom) ParseTags(string text, IReadOnlyList<string> customTags, TextCatalog texts, ICollection<string> unknown)
    {
        ArgumentNullException.ThrowIfNull(customTags);
        ArgumentNullException.ThrowIfNull(unknown);
        var tags = new List<HouseholdTag>();
        var custom = new List<string>();
        foreach (var token in Split(text))
        {
            if (TryParseTag(token, texts, out var tag))
            {
                if (!tags.Contains(tag))
                {
                    tags.Add(tag);
                }
            }
            else if (customTags.FirstOrDefault(c => string.Equals(c, token, StringComparison.OrdinalIgnoreCase)) is { } name)
            {
                if (!custom.Contains(name))
                {
                    custom.Add(name);
                }
            }
            else
            {
                unknown.Add(token);
            }
        }

        return (tags, custom);
    }

    public static bool TryParseTag(string token, TextCatalog texts, out HouseholdTag tag)
    {
        ArgumentNullException.ThrowIfNull(texts);
        foreach (var t in Enum.GetValues<HouseholdTag>())
        {
            if (string.Equals(token, t.ToString(), StringComparison.OrdinalIgnoreCase)
                || string.Equals(token, texts.Get(Language.Zh, TagKey(t)), StringComparison.Ordinal)
                || string.Equals(token, texts.Get(Language.En, TagKey(t)), StringComparison.OrdinalIgnoreCase))
            {
                tag = t;
                return true;
            }
        }

        tag = default;
        return false;
    }

    /// <summary>The text key of a built-in tag's name.</summary>
    public static string TagKey(HouseholdTag tag) => "hh.tag." + tag;

    /// <summary>A household's tags, built-in first, in the person's language, joined for one line.</summary>
    public static string TagNames(Household household, Language language, TextCatalog texts, string separator)
    {
        ArgumentNullException.ThrowIfNull(household);
        ArgumentNullException.ThrowIfNull(texts);
        return string.Join(separator, household.Tags.Select(t => texts.Get(language, TagKey(t))).Concat(household.CustomTags));
    }

    /// <summary>
    /// A custom tag name: one line, 1 to <see cref="MaxCustomTagLength"/> characters, none of the list separators and no
    /// ':' (the name rides in callback data, where ':' separates fields).
    /// </summary>
    public static bool IsValidCustomTag(string name) =>
        Length(name) is > 0 and <= MaxCustomTagLength && name.Length <= MaxCustomTagLength * 2 && name.AsSpan().IndexOfAny(Separators) < 0
        && !name.Contains(':', StringComparison.Ordinal) && !name.AsSpan().ContainsAnyInRange('\0', '\u001F');

    /// <summary>The parts of a list, trimmed, without empty ones or repeats.</summary>
    public static List<string> Split(string? text)
    {
        var list = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return list;
        }

        var line = OneLine(text);
        foreach (var range in line.AsSpan().SplitAny(Separators))
        {
            var part = line.AsSpan()[range].Trim().ToString();
            if (part.Length > 0 && !list.Contains(part, StringComparer.Ordinal))
            {
                list.Add(part);
            }
        }

        return list;
    }

    /// <summary>Line breaks and other control characters become single spaces; the result is trimmed.</summary>
    public static string OneLine(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return RosterParser.OneLine(text);
    }

    /// <summary>Length in text elements (what a person counts as characters).</summary>
    public static int Length(string text) => new StringInfo(text).LengthInTextElements;

    private static string Fold(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            if (!char.IsWhiteSpace(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
        }

        return sb.ToString();
    }
}
