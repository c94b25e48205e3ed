using System.Text.RegularExpressions;

namespace Porchlight.Server.Features.Conversations;

/// <summary>A run of message text: plain, or a link whose address is an absolute http, https or mailto URL.</summary>
public sealed record TextSegment(string Text, string? Href);

/// <summary>
/// Splits message text into plain runs and links, so the inbox can render links without ever turning message
/// content into markup: every run is rendered as escaped text, and only http, https and mailto addresses become
/// hrefs (a <c>javascript:</c> or <c>data:</c> "link" stays text).
/// </summary>
public static partial class MessageLinks
{
    // Sentence punctuation, and formatting marks closed right after an address ("**https://example.com**").
    private const string TrailingPunctuation = ".,;:!?'\"”’»*~";

    public static IReadOnlyList<TextSegment> Split(string text)
    {
        var segments = new List<TextSegment>();
        var position = 0;
        foreach (Match match in Candidate().Matches(text))
        {
            var candidate = Trim(match.Value);
            if (match.Index < position || !TryHref(candidate, out var href))
            {
                continue;
            }

            if (match.Index > position)
            {
                segments.Add(new TextSegment(text[position..match.Index], null));
            }

            segments.Add(new TextSegment(candidate, href));
            position = match.Index + candidate.Length;
        }

        if (position < text.Length)
        {
            segments.Add(new TextSegment(text[position..], null));
        }

        return segments;
    }

    // "See https://example.com/a." ends the sentence, not the address; "(https://example.com/a)" closes a
    // parenthesis the address did not open, while "https://en.wikipedia.org/wiki/Bar_(band)" keeps its own.
    private static string Trim(string candidate)
    {
        while (candidate.Length > 0)
        {
            var last = candidate[^1];
            if (TrailingPunctuation.Contains(last, StringComparison.Ordinal)
                || (last == ')' && candidate.Count(c => c == ')') > candidate.Count(c => c == '('))
                || (last == ']' && candidate.Count(c => c == ']') > candidate.Count(c => c == '[')))
            {
                candidate = candidate[..^1];
                continue;
            }

            break;
        }

        return candidate;
    }

    private static bool TryHref(string candidate, out string href)
    {
        href = "";
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri))
        {
            return false;
        }

        var web = uri.Scheme is "http" or "https" && uri.Host.Length > 0;
        var mail = uri.Scheme == "mailto" && uri.OriginalString.Length > "mailto:".Length;
        if (!web && !mail)
        {
            return false;
        }

        href = uri.AbsoluteUri;
        return true;
    }

    [GeneratedRegex(@"\b(?:https?://|mailto:)[^\s<>""]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Candidate();
}
