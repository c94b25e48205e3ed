using System.Text.RegularExpressions;

namespace Porchlight.Server.Features.Privacy;

/// <summary>
/// National identity numbers with a shape distinctive enough to find in free text, and nothing more:
/// <list type="bullet">
/// <item>US Social Security numbers written AAA-GG-SSSS, without the numbers never issued (area 000, 666 or 900–999,
/// group 00, serial 0000) and the one printed on a sample card (078-05-1120). Nine digits without dashes are any
/// number at all, so they are left alone.</item>
/// <item>UK National Insurance numbers: two capital letters of an allocated prefix, six digits (in pairs or together)
/// and a suffix A–D, e.g. "AB 12 34 56 C".</item>
/// </list>
/// Numbers with a check digit but no distinctive shape (a Dutch BSN, a German tax id) would mask ordinary numbers,
/// so they are not covered.
/// </summary>
internal static partial class NationalIds
{
    public static List<PiiMatch> Find(string text)
    {
        var found = new List<PiiMatch>();
        foreach (var ssn in SocialSecurityNumbers().EnumerateMatches(text))
        {
            var (start, end) = (ssn.Index, ssn.Index + ssn.Length);
            // A longer dashed number (a part number, a date-like code) is not an SSN.
            if (!Continues(text, start - 1) && !Continues(text, end) && IsSocialSecurityNumber(text.AsSpan(start, ssn.Length)))
            {
                found.Add(new PiiMatch(start, end, "[redacted SSN]"));
            }
        }

        foreach (var nino in InsuranceNumbers().EnumerateMatches(text))
        {
            if (IsInsuranceNumberPrefix(text[nino.Index], text[nino.Index + 1]))
            {
                found.Add(new PiiMatch(nino.Index, nino.Index + nino.Length, "[redacted NI number]"));
            }
        }

        return found;
    }

    public static bool IsSocialSecurityNumber(ReadOnlySpan<char> ssn)
    {
        var area = int.Parse(ssn[..3], provider: System.Globalization.CultureInfo.InvariantCulture);
        return area is not (0 or 666 or >= 900) && ssn.Slice(4, 2) is not "00" && ssn[7..] is not "0000" && ssn is not "078-05-1120";
    }

    /// <summary>HMRC never allocates D, F, I, Q, U or V first, D, F, I, O, Q, U or V second, nor the prefixes BG, GB, KN, NK, NT, TN and ZZ.</summary>
    public static bool IsInsuranceNumberPrefix(char first, char second) =>
        !"DFIQUV".Contains(first, StringComparison.Ordinal)
        && !"DFIOQUV".Contains(second, StringComparison.Ordinal)
        && string.Concat(first, second) is not ("BG" or "GB" or "KN" or "NK" or "NT" or "TN" or "ZZ");

    private static bool Continues(string text, int at) => at >= 0 && at < text.Length && (PiiRedaction.IsWordChar(text[at]) || text[at] == '-');

    [GeneratedRegex(@"[0-9]{3}-[0-9]{2}-[0-9]{4}", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex SocialSecurityNumbers();

    [GeneratedRegex(@"\b[A-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]\b", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex InsuranceNumbers();
}
