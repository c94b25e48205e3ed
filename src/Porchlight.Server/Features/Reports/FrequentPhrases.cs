using System.Globalization;
using System.Text;

namespace Porchlight.Server.Features.Reports;

/// <summary>A conversation shown as an example: its number and how the customer opened it (shortened).</summary>
public sealed record ConversationExample(Guid Id, int Number, string Opening);

/// <summary>
/// A phrase customers used when they opened conversations: in how many of the period's sampled conversations, their
/// share, the same for the period before, whether it is rising or falling, and a few conversations that used it.
/// </summary>
public sealed record PhraseTrend(
    string Phrase, int Conversations, double Share, int PreviousConversations, double PreviousShare, bool Rising, bool Falling, List<ConversationExample> Examples);

/// <summary>
/// Frequent phrases: pairs of neighbouring words (once common words are left out) in the customers' opening messages, counted
/// once per conversation, compared between two periods by their share of the conversations (the samples may differ
/// in size). A phrase is rising with at least <see cref="TrendAtLeast"/> conversations and half again the share it had
/// before, falling when it had at least that many before and now two thirds of the share or less.
/// </summary>
public static class FrequentPhrases
{
    /// <summary>The latest conversations of each period that are read: enough to show what is common, bounded in cost.</summary>
    public const int Sample = 5_000;

    public const int TrendAtLeast = 5;

    private const int ShownAtLeast = 3;
    private const int MostCommon = 15;
    private const int MostChanged = 10;
    private const int ExamplesEach = 3;
    private const int OpeningLength = 140;

    // Words too common to say what a conversation is about (English and German, the widget's languages), without accents.
    private static readonly HashSet<string> Common = new(
        """
        a about above after again all also am an and any are as at be because been before being below between both but by can
        could did do does doing done down during each few for from further had has have having he her here hers him his how
        i if in into is it its itself just me more most my no nor not now of off on once only or other our out over own please
        same she should so some still such than thank thanks that the their them then there these they this those through to
        too under until up very was we were what when where which while who why will with would you your yours hi hello hey
        dear regards get got can't cannot don't i'm it's i've im ive dont cant yes ok okay one two
        der die das und ist nicht ich sie es ein eine einen einem zu mit auf fur von den dem des im in hallo bitte danke mein
        meine wie was wo wann noch schon auch aber oder wir ihr haben habe hat sind war kann konnen
        """.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries),
        StringComparer.Ordinal);

    /// <summary>
    /// The distinct phrases of one message: pairs of words next to each other once common words are left out, lower
    /// case, without accents, never across punctuation or a number.
    /// </summary>
    public static HashSet<string> In(string text)
    {
        var words = Words(text).ToList();
        var phrases = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < words.Count; i++)
        {
            if (words[i].Length > 0 && words[i + 1].Length > 0)
            {
                phrases.Add($"{words[i]} {words[i + 1]}");
            }
        }

        return phrases;
    }

    /// <summary>The phrases worth showing, rising first, then the commonest, then those falling, each with examples.</summary>
    public static List<PhraseTrend> Compare(IReadOnlyList<ConversationExample> now, IReadOnlyList<ConversationExample> before)
    {
        var current = Count(now);
        var previous = Count(before);
        double Share(int count, int of) => of == 0 ? 0 : (double)count / of;
        var trends = current.Where(p => p.Value.Count >= ShownAtLeast)
            .Select(p => Trend(p.Key, p.Value, previous.GetValueOrDefault(p.Key)?.Count ?? 0))
            .Concat(previous.Where(p => p.Value.Count >= TrendAtLeast && !current.ContainsKey(p.Key)).Select(p => Trend(p.Key, [], p.Value.Count)))
            .ToList();
        var shown = trends.Where(t => t.Rising).OrderByDescending(t => t.Conversations)
            .Concat(trends.Where(t => !t.Rising && !t.Falling).OrderByDescending(t => t.Conversations).Take(MostCommon))
            .Concat(trends.Where(t => t.Falling).OrderByDescending(t => t.PreviousConversations).Take(MostChanged))
            .ToList();
        return [.. shown.Take(MostCommon + (2 * MostChanged))];

        PhraseTrend Trend(string phrase, List<ConversationExample> users, int earlier)
        {
            var (share, previousShare) = (Share(users.Count, now.Count), Share(earlier, before.Count));
            return new PhraseTrend(
                phrase, users.Count, share, earlier, previousShare,
                Rising: users.Count >= TrendAtLeast && share >= 1.5 * previousShare,
                Falling: earlier >= TrendAtLeast && share <= previousShare / 1.5,
                [.. users.Take(ExamplesEach).Select(e => e with { Opening = Shortened(e.Opening) })]);
        }
    }

    /// <summary>The opening message as an example shows it: one line, at most <see cref="OpeningLength"/> characters.</summary>
    public static string Shortened(string? text)
    {
        var line = string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= OpeningLength ? line : line[..(OpeningLength - 1)].TrimEnd() + "…";
    }

    // Each phrase and the conversations (latest first, as given) whose opening used it.
    private static Dictionary<string, List<ConversationExample>> Count(IReadOnlyList<ConversationExample> openings)
    {
        var users = new Dictionary<string, List<ConversationExample>>(StringComparer.Ordinal);
        foreach (var opening in openings)
        {
            foreach (var phrase in In(opening.Opening))
            {
                (users.TryGetValue(phrase, out var list) ? list : users[phrase] = []).Add(opening);
            }
        }

        return users;
    }

    // The message's words in order, common words left out; a number or punctuation is an empty gap no phrase spans.
    private static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        foreach (var c in text.Normalize(NormalizationForm.FormD).Append(' '))
        {
            if (char.IsLetterOrDigit(c) || c == '\'')
            {
                word.Append(c == 'ß' ? "ss" : char.ToLowerInvariant(c));
                continue;
            }

            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue; // an accent of the letter before
            }

            if (word.Length > 0)
            {
                var found = word.ToString();
                word.Clear();
                if (found.All(char.IsDigit))
                {
                    yield return "";
                }
                else if (found.Length > 1 && !Common.Contains(found))
                {
                    yield return found;
                }
            }

            if (!char.IsWhiteSpace(c))
            {
                yield return ""; // a sentence or clause ends
            }
        }
    }
}
