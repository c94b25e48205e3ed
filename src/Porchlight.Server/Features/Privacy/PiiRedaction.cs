using System.Text;
using System.Text.RegularExpressions;

namespace Porchlight.Server.Features.Privacy;

/// <summary>A sensitive value found in a text: where it is, and the marker that replaces it.</summary>
public readonly record struct PiiMatch(int Start, int End, string Marker);

/// <summary>
/// Masks the sensitive values that the chosen detectors find in a text (docs/privacy.md). Pure: the same text and
/// detectors always give the same result, so masking can happen inside the entities that store the text. The
/// markers hold nothing a detector finds again, so masked text masks to itself.
/// </summary>
/// <remarks>
/// The text is anyone's: every pattern runs on the non-backtracking engine (time linear in the text, whatever it
/// holds), and what the patterns cannot say (check digits, neighbours) is checked in code that looks at each
/// candidate once.
/// </remarks>
public static partial class PiiRedaction
{
    /// <summary><paramref name="text"/> with every value the <paramref name="detectors"/> find replaced by its marker.</summary>
    public static string Mask(string text, PiiDetectors detectors)
    {
        var matches = Find(text, detectors);
        if (matches.Count == 0)
        {
            return text;
        }

        var masked = new StringBuilder(text.Length);
        var at = 0;
        foreach (var match in matches)
        {
            masked.Append(text, at, match.Start - at).Append(match.Marker);
            at = match.End;
        }

        return masked.Append(text, at, text.Length - at).ToString();
    }

    /// <summary>
    /// <see cref="Mask(string, PiiDetectors)"/> within <paramref name="maxLength"/> characters: a marker is longer than
    /// a short value it replaces, and the column the text goes to has its limit. Only masked text is cut, so no part of
    /// a value comes back, and never between the two halves of a character (PostgreSQL refuses half of one).
    /// </summary>
    public static string Mask(string text, PiiDetectors detectors, int maxLength)
    {
        var masked = Mask(text, detectors);
        if (masked.Length <= maxLength)
        {
            return masked;
        }

        return masked[..(char.IsHighSurrogate(masked[maxLength - 1]) ? maxLength - 1 : maxLength)];
    }

    /// <summary>
    /// The values the detectors find, in order and never overlapping: matches that overlap (a key inside a private
    /// key block, a card number inside a longer token) become one, so no part of either is left unmasked.
    /// </summary>
    public static List<PiiMatch> Find(string text, PiiDetectors detectors)
    {
        if (detectors == PiiDetectors.None || text.Length == 0)
        {
            return [];
        }

        var found = new List<PiiMatch>();
        // Numbers in links are order, tracking and page ids far more often than a card someone typed into a URL,
        // and masking them breaks the link; secrets in a link (an access token in a query) are masked all the same.
        var links = (detectors & ~PiiDetectors.Secret) == 0 ? [] : Links().EnumerateMatches(text).ToSpans();
        if (detectors.HasFlag(PiiDetectors.PaymentCard))
        {
            found.AddRange(PaymentCards.Find(text).Where(m => !Inside(links, m)));
        }

        if (detectors.HasFlag(PiiDetectors.Iban))
        {
            found.AddRange(Ibans.Find(text).Where(m => !Inside(links, m)));
        }

        if (detectors.HasFlag(PiiDetectors.NationalId))
        {
            found.AddRange(NationalIds.Find(text).Where(m => !Inside(links, m)));
        }

        if (detectors.HasFlag(PiiDetectors.Secret))
        {
            found.AddRange(Secrets.Find(text));
        }

        return Merge(found);
    }

    /// <summary>Whether <paramref name="c"/> continues a word: a value next to one is part of something longer.</summary>
    internal static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    internal static bool WordBefore(string text, int start) => start > 0 && IsWordChar(text[start - 1]);

    internal static bool WordAfter(string text, int end) => end < text.Length && IsWordChar(text[end]);

    private static List<PiiMatch> Merge(List<PiiMatch> found)
    {
        found.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.End.CompareTo(a.End));
        var merged = new List<PiiMatch>(found.Count);
        foreach (var match in found)
        {
            if (merged.Count > 0 && match.Start < merged[^1].End)
            {
                // One marker for both: the earlier value's (the longer, when both start together) names the whole.
                var last = merged[^1];
                merged[^1] = last with { End = Math.Max(last.End, match.End) };
            }
            else
            {
                merged.Add(match);
            }
        }

        return merged;
    }

    private static bool Inside(List<Range> links, PiiMatch match) =>
        links.Exists(link => match.Start >= link.Start.Value && match.Start < link.End.Value);

    private static List<Range> ToSpans(this Regex.ValueMatchEnumerator matches)
    {
        var spans = new List<Range>();
        foreach (var match in matches)
        {
            spans.Add(new Range(match.Index, match.Index + match.Length));
        }

        return spans;
    }

    [GeneratedRegex(@"(?:https?://|www\.)\S+", RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Links();
}
