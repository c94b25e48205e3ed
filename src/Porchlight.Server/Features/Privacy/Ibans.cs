using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;

namespace Porchlight.Server.Features.Privacy;

/// <summary>
/// IBANs (ISO 13616): a country code of the registry, two check digits and the country's fixed length of account
/// characters, written together or with single spaces anywhere ("DE89 3704 0044 0532 0130 00"), in either case, and
/// passing the mod-97 check. The country's length says where the IBAN ends, so a word after it is never taken in.
/// </summary>
internal static partial class Ibans
{
    /// <summary>The length of each registry country's IBANs (SWIFT's IBAN registry).</summary>
    public static readonly FrozenDictionary<string, int> Lengths = new Dictionary<string, int>
    {
        ["AD"] = 24, ["AE"] = 23, ["AL"] = 28, ["AT"] = 20, ["AZ"] = 28, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22, ["BH"] = 22,
        ["BI"] = 27, ["BR"] = 29, ["BY"] = 28, ["CH"] = 21, ["CR"] = 22, ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22, ["DJ"] = 27,
        ["DK"] = 18, ["DO"] = 28, ["EE"] = 20, ["EG"] = 29, ["ES"] = 24, ["FI"] = 18, ["FK"] = 18, ["FO"] = 18, ["FR"] = 27,
        ["GB"] = 22, ["GE"] = 22, ["GI"] = 23, ["GL"] = 18, ["GR"] = 27, ["GT"] = 28, ["HN"] = 28, ["HR"] = 21, ["HU"] = 28,
        ["IE"] = 22, ["IL"] = 23, ["IQ"] = 23, ["IS"] = 26, ["IT"] = 27, ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28,
        ["LC"] = 32, ["LI"] = 21, ["LT"] = 20, ["LU"] = 20, ["LV"] = 21, ["LY"] = 25, ["MC"] = 27, ["MD"] = 24, ["ME"] = 22,
        ["MK"] = 19, ["MN"] = 20, ["MR"] = 27, ["MT"] = 31, ["MU"] = 30, ["NI"] = 28, ["NL"] = 18, ["NO"] = 15, ["OM"] = 23,
        ["PK"] = 24, ["PL"] = 28, ["PS"] = 29, ["PT"] = 25, ["QA"] = 29, ["RO"] = 24, ["RS"] = 22, ["RU"] = 33, ["SA"] = 24,
        ["SC"] = 31, ["SD"] = 18, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["SO"] = 23, ["ST"] = 25, ["SV"] = 28,
        ["TL"] = 23, ["TN"] = 24, ["TR"] = 26, ["UA"] = 29, ["VA"] = 22, ["VG"] = 24, ["XK"] = 20, ["YE"] = 30,
    }.ToFrozenDictionary();

    public static List<PiiMatch> Find(string text)
    {
        var found = new List<PiiMatch>();
        // Only where an IBAN could begin; the rest is read character by character, as far as the country's length.
        foreach (var start in Starts().EnumerateMatches(text))
        {
            if (Read(text, start.Index) is { } iban)
            {
                found.Add(iban);
            }
        }

        return found;
    }

    private static PiiMatch? Read(string text, int start)
    {
        if (!Lengths.TryGetValue(text.Substring(start, 2).ToUpperInvariant(), out var length))
        {
            return null;
        }

        var iban = new StringBuilder(length);
        var at = start;
        while (iban.Length < length)
        {
            if (at < text.Length && text[at] == ' ' && iban.Length > 0)
            {
                at++;
            }

            if (at >= text.Length || !char.IsAsciiLetterOrDigit(text[at]))
            {
                return null;
            }

            iban.Append(char.ToUpperInvariant(text[at++]));
        }

        var value = iban.ToString();
        return PiiRedaction.WordAfter(text, at) || !IsValid(value) ? null : new PiiMatch(start, at, $"[redacted IBAN ending {value[^4..]}]");
    }

    /// <summary>The ISO 13616 check: the account part, then the country and check digits, as one number with A=10 … Z=35, leaves 1 modulo 97.</summary>
    public static bool IsValid(string iban)
    {
        var remainder = 0;
        foreach (var c in iban[4..] + iban[..4])
        {
            remainder = char.IsAsciiDigit(c)
                ? ((remainder * 10) + (c - '0')) % 97
                : ((remainder * 100) + (c - 'A' + 10)) % 97;
        }

        return remainder == 1;
    }

    [GeneratedRegex(@"\b[A-Za-z]{2}[0-9]{2}", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex Starts();
}
