namespace MusterBot.Flows.Directory.Roster;

/// <summary>
/// Phone numbers in one canonical form, so that a roster row and a Telegram contact of the same person match:
/// Chinese mobile numbers become <c>+86</c> and 11 digits, other international numbers <c>+</c> and their digits.
/// </summary>
public static class PhoneNumber
{
    /// <summary>
    /// Normalises a phone number as typed in a roster or a form. Accepted: a Chinese mobile number (11 digits starting
    /// with 1 and 3-9), written with spaces, dashes, dots or parentheses and an optional <c>+86</c>, <c>86</c> or
    /// <c>0086</c> prefix; or any number with a leading <c>+</c> and 8 to 15 digits. Full-width digits and signs count
    /// as their ASCII forms. Anything else gives null.
    /// </summary>
    public static string? Normalize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw) || raw.Length > 40)
        {
            return null;
        }

        Span<char> digits = stackalloc char[40];
        var count = 0;
        var plus = false;
        foreach (var original in raw)
        {
            var c = Narrow(original);
            if (c is >= '0' and <= '9')
            {
                digits[count++] = c;
            }
            else if (c == '+')
            {
                if (plus || count > 0)
                {
                    return null; // a plus sign anywhere but at the start
                }

                plus = true;
            }
            else if (!IsSeparator(c))
            {
                return null; // letters, extensions, anything unexpected
            }
        }

        ReadOnlySpan<char> d = digits[..count];
        if (plus)
        {
            if (d.StartsWith("86") && d.Length > 2 && d[2] == '1' && d.Length >= 4 && d[3] is >= '3' and <= '9')
            {
                // +86 followed by what looks like a mobile number: it must be exactly one (catches typos).
                return d.Length == 13 ? string.Concat("+", d) : null;
            }

            return d.Length is >= 8 and <= 15 ? string.Concat("+", d) : null;
        }

        if (d.StartsWith("0086"))
        {
            d = d[4..];
        }
        else if (d.Length == 13 && d.StartsWith("86"))
        {
            d = d[2..];
        }

        return IsChineseMobile(d) ? string.Concat("+86", d) : null;
    }

    /// <summary>
    /// Normalises the <c>phone_number</c> of a contact shared in Telegram. Telegram always sends the number in
    /// international form, with or without the leading <c>+</c> ("8613800138000"), so a missing plus is added.
    /// </summary>
    public static string? FromTelegramContact(string? phoneNumber)
    {
        if (string.IsNullOrWhiteSpace(phoneNumber))
        {
            return null;
        }

        var trimmed = phoneNumber.Trim();
        return Normalize(trimmed[0] is '+' or '\uFF0B' ? trimmed : "+" + trimmed);
    }

    private static bool IsChineseMobile(ReadOnlySpan<char> d) =>
        d.Length == 11 && d[0] == '1' && d[1] is >= '3' and <= '9';

    private static bool IsSeparator(char c) =>
        c is ' ' or '\t' or '-' or '.' or '(' or ')' or '\u00A0' or '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u3000';

    /// <summary>Full-width digits, plus, minus, parentheses and full stop (typed with a Chinese input method) as ASCII.</summary>
    private static char Narrow(char c) => c is >= '\uFF01' and <= '\uFF5E' ? (char)(c - 0xFEE0) : c;
}
