using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Texts;
using MusterBot.State.Records;
using MusterBot.State.Records.Wishes;

namespace MusterBot.Flows.Wishes;

/// <summary>
/// How a wish reads for each audience: members before claiming see the wish and the grid, never who filed it; the
/// claimer sees what they need to help (name, phone, building); administrators see everything.
/// </summary>
public static class WishView
{
    public static string Status(TextCatalog texts, Language language, WishStatus status) => texts.Get(language, "wi.status." + status);

    public static string Category(TextCatalog texts, Language language, WishCategory category) => texts.Get(language, "wi.cat." + category);

    /// <summary>For members who may claim it: no name, no phone.</summary>
    public static string Public(TextCatalog texts, Language language, Wish wish, DirectorySnapshot directory)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(wish);
        ArgumentNullException.ThrowIfNull(directory);
        var sb = new StringBuilder();
        sb.Append(texts.Format(language, "wi.card.head", wish.Code, Category(texts, language, wish.Category), Html.Escape(directory.GridName(wish.GridId)))).Append('\n');
        sb.Append(Html.Escape(wish.Text));
        if (wish.WantedBy is { } by)
        {
            sb.Append('\n').Append(texts.Format(language, "wi.card.wanted_by", by.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        }

        if (wish.PhotoFileId is not null)
        {
            sb.Append('\n').Append(texts.Get(language, "wi.card.has_photo"));
        }

        return sb.ToString();
    }

    /// <summary>For the member who claimed it: the wish plus who to contact and where.</summary>
    public static string ForClaimer(TextCatalog texts, Language language, Wish wish, UserProfile? resident, DirectorySnapshot directory)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var sb = new StringBuilder(Public(texts, language, wish, directory));
        sb.Append("\n\n").Append(texts.Format(language, "wi.card.contact",
            Html.Escape(resident is null ? "—" : Name(resident)),
            resident?.Phone is { } phone ? "<code>" + Html.Escape(phone) + "</code>" : texts.Get(language, "wi.card.no_phone"),
            Html.Escape(directory.BuildingName(resident?.GridId, resident?.BuildingId))));
        return sb.ToString();
    }

    /// <summary>For administrators and grid workers: everything, with the status.</summary>
    public static string ForStaff(TextCatalog texts, Language language, Wish wish, UserProfile? resident, UserProfile? claimer, DirectorySnapshot directory)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(wish);
        var sb = new StringBuilder(ForClaimer(texts, language, wish, resident, directory));
        sb.Append('\n').Append(texts.Format(language, "wi.card.status", Status(texts, language, wish.Status)));
        if (claimer is not null)
        {
            sb.Append('\n').Append(texts.Format(language, "wi.card.claimer", Html.Escape(Name(claimer))));
        }

        if (wish.RejectReason is { } reason)
        {
            sb.Append('\n').Append(texts.Format(language, "wi.card.reject_reason", Html.Escape(reason)));
        }

        if (wish.Rating is { } rating)
        {
            sb.Append('\n').Append(texts.Format(language, "wi.card.rating", Stars(rating), Html.Escape(wish.RatingComment ?? string.Empty)).TrimEnd());
        }

        return sb.ToString();
    }

    public static string Stars(int rating) => string.Concat(Enumerable.Repeat("\u2B50", Math.Clamp(rating, 0, 5)));

    public static string Name(UserProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return profile.LastName is null ? profile.FirstName : profile.FirstName + " " + profile.LastName;
    }

    /// <summary>The skills whose members are asked first for a wish of this category (empty: none in particular).</summary>
    public static IReadOnlyList<Skill> SkillsFor(WishCategory category) => category switch
    {
        WishCategory.Health => [Skill.Medical, Skill.Nursing],
        WishCategory.ElderlyCare => [Skill.Nursing, Skill.Counselling],
        WishCategory.Repairs => [Skill.Electrician, Skill.Plumbing],
        WishCategory.Study => [Skill.Translation, Skill.IT],
        _ => [],
    };
}
