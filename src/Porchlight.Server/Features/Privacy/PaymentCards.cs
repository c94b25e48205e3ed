using System.Text.RegularExpressions;

namespace Porchlight.Server.Features.Privacy;

/// <summary>
/// Payment card numbers: 13–19 digits, written together or in groups split by one space or dash, starting with 2–6
/// (the card networks' industry digits) and passing the Luhn check. An order number or a phone number is masked only
/// by the one-in-ten chance of a valid check digit combined with a network's first digit; a run written after a
/// <c>+</c> (an international phone number) is never a card.
/// </summary>
internal static partial class PaymentCards
{
    public const int MinDigits = 13;
    public const int MaxDigits = 19;

    public static List<PiiMatch> Find(string text)
    {
        var found = new List<PiiMatch>();
        foreach (var run in DigitRuns().EnumerateMatches(text))
        {
            var (start, end) = (run.Index, run.Index + run.Length);
            if (PiiRedaction.WordBefore(text, start) || PiiRedaction.WordAfter(text, end) || (start > 0 && text[start - 1] == '+'))
            {
                continue;
            }

            InRun(text, start, end, found);
        }

        return found;
    }

    /// <summary>
    /// The card numbers in a run of digit groups: the whole run, or, when the run is more than a card (a reference
    /// number written before it), the longest valid numbers that start and end on group boundaries.
    /// </summary>
    private static void InRun(string text, int start, int end, List<PiiMatch> found)
    {
        var groups = new List<(int Start, int End)>();
        for (var at = start; at < end;)
        {
            var groupEnd = at;
            while (groupEnd < end && char.IsAsciiDigit(text[groupEnd]))
            {
                groupEnd++;
            }

            groups.Add((at, groupEnd));
            at = groupEnd + 1;
        }

        for (var first = 0; first < groups.Count;)
        {
            var last = -1;
            var digits = 0;
            for (var i = first; i < groups.Count && (digits += groups[i].End - groups[i].Start) <= MaxDigits; i++)
            {
                if (digits >= MinDigits && IsCardNumber(Digits(text, groups[first].Start, groups[i].End)))
                {
                    last = i;
                }
            }

            if (last < 0)
            {
                first++;
                continue;
            }

            var number = Digits(text, groups[first].Start, groups[last].End);
            found.Add(new PiiMatch(groups[first].Start, groups[last].End, $"[redacted card ending {number[^4..]}]"));
            first = last + 1;
        }
    }

    /// <summary>A network's first digit and a valid Luhn check digit.</summary>
    public static bool IsCardNumber(string digits) =>
        digits.Length is >= MinDigits and <= MaxDigits && digits[0] is >= '2' and <= '6' && Luhn(digits);

    public static bool Luhn(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var digit = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }

            sum += digit;
        }

        return sum % 10 == 0;
    }

    private static string Digits(string text, int start, int end) => string.Concat(text[start..end].Where(char.IsAsciiDigit));

    // Digits, each group split from the next by one space or dash: "4242 4242 4242 4242", "4242-4242-…", "4242424242424242".
    [GeneratedRegex("[0-9](?:[ -]?[0-9])*", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex DigitRuns();
}
