using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Porchlight.Server.Features.Assistant;

public enum SentimentLabel
{
    Neutral = 0,
    Negative = 1,
    Positive = 2,
}

/// <summary>How a text sounds: <see cref="Compound"/> from −1 (most negative) to 1, and the label it falls under.</summary>
public sealed record SentimentScore(double Compound, SentimentLabel Label);

/// <summary>
/// Scores the sentiment of a visitor's message with the AFINN-165 lexicon (3,382 English words rated −5 to +5,
/// published by Finn Årup Nielsen) and the rules VADER (Hutto and Gilbert, 2014) found to matter: a negation in
/// the three words before flips and damps a word, an intensifier strengthens it, the words after a "but" count
/// more than those before, exclamation marks add emphasis. The sum is squashed to −1…1 as VADER does, and ±0.05
/// are the bounds of neutral (VADER's). A few words of customer support that the general lexicon lacks are added
/// (<see cref="SupportWords"/>). English only: other languages score neutral. Accuracy on a labelled set of
/// support messages is in docs/assistant.md.
/// </summary>
public static partial class Sentiment
{
    public const double NeutralBound = 0.05;
    private const double NegationScalar = -0.74;
    private const double Intensifier = 0.293;
    private const double ExclamationBoost = 0.292;
    private const double Alpha = 15;

    /// <summary>Support words absent from AFINN-165 (or rated for another context), with valences in its scale.</summary>
    private static readonly Dictionary<string, int> SupportWords = new(StringComparer.Ordinal)
    {
        ["broke"] = -2, ["broken"] = -2, ["damaged"] = -2, ["defective"] = -2, ["faulty"] = -2, ["leak"] = -2, ["leaks"] = -2,
        ["ripped"] = -2, ["torn"] = -2, ["stuck"] = -1, ["missing"] = -1, ["lost"] = -2, ["delayed"] = -1, ["wrong"] = -2,
        ["useless"] = -2, ["unacceptable"] = -3, ["rude"] = -2, ["nightmare"] = -3, ["cheated"] = -3, ["scam"] = -3,
        ["faded"] = -1, ["crashing"] = -2, ["ignored"] = -2, ["empty"] = -1, ["hurt"] = -2, ["worst"] = -3, ["poor"] = -2,
        ["solved"] = 2, ["sturdy"] = 2, ["comfortable"] = 2, ["warm"] = 1, ["relief"] = 2, ["appreciate"] = 2,
    };

    private static readonly FrozenSet<string> Negations = FrozenSet.ToFrozenSet(
    [
        "not", "no", "never", "nothing", "nobody", "none", "neither", "nor", "without", "cannot", "don't", "doesn't", "didn't", "isn't", "wasn't",
        "aren't", "weren't", "won't", "can't", "couldn't", "shouldn't", "wouldn't", "haven't", "hasn't", "hadn't", "dont", "doesnt", "didnt", "isnt",
        "cant", "wont", "hasnt", "havent",
    ], StringComparer.Ordinal);

    private static readonly FrozenSet<string> Intensifiers = FrozenSet.ToFrozenSet(
    [
        "very", "really", "so", "extremely", "super", "totally", "absolutely", "incredibly", "completely", "utterly", "truly", "most",
    ], StringComparer.Ordinal);

    private static readonly Lazy<FrozenDictionary<string, int>> Afinn = new(() => Load(withSupportWords: false));
    private static readonly Lazy<FrozenDictionary<string, int>> Lexicon = new(() => Load(withSupportWords: true));

    /// <summary>The number of words rated, AFINN's and the support words together.</summary>
    public static int WordCount => Lexicon.Value.Count;

    /// <summary>The message's sentiment; <paramref name="supportWords"/> false scores with AFINN-165 alone (to measure what the additions do).</summary>
    public static SentimentScore Of(string text, bool supportWords = true)
    {
        var lexicon = supportWords ? Lexicon.Value : Afinn.Value;
        // The typographic apostrophe of phone keyboards is the plain one: "didn’t" is a negation too.
        var words = WordPattern().Matches(text.Replace('’', '\'')).Select(m => m.Value.ToLowerInvariant()).ToList();
        var lastBut = words.LastIndexOf("but");
        var sum = 0.0;
        for (var i = 0; i < words.Count; i++)
        {
            if (!lexicon.TryGetValue(words[i], out var rated) || rated == 0)
            {
                continue;
            }

            var valence = (double)rated;
            if (i > 0 && Intensifiers.Contains(words[i - 1]))
            {
                valence += Math.Sign(valence) * Intensifier * Math.Abs(valence);
            }

            if (words.Skip(Math.Max(0, i - 3)).Take(Math.Min(3, i)).Any(Negations.Contains))
            {
                valence *= NegationScalar;
            }

            if (lastBut >= 0)
            {
                valence *= i < lastBut ? 0.5 : 1.5;
            }

            sum += valence;
        }

        if (sum != 0)
        {
            sum += Math.Sign(sum) * Math.Min(4, text.Count(c => c == '!')) * ExclamationBoost;
        }

        return Labelled(Math.Round(Math.Clamp(sum / Math.Sqrt((sum * sum) + Alpha), -1, 1), 4));
    }

    /// <summary>A stored compound score with the label it falls under.</summary>
    public static SentimentScore Labelled(double compound) => new(
        compound, compound >= NeutralBound ? SentimentLabel.Positive : compound <= -NeutralBound ? SentimentLabel.Negative : SentimentLabel.Neutral);

    private static FrozenDictionary<string, int> Load(bool withSupportWords)
    {
        using var stream = typeof(Sentiment).Assembly.GetManifestResourceStream("afinn-165.json")
            ?? throw new InvalidOperationException("afinn-165.json is not embedded (clients/lexicons is built with the server).");
        var words = JsonSerializer.Deserialize<Dictionary<string, int>>(stream) ?? [];
        foreach (var (word, valence) in withSupportWords ? SupportWords : [])
        {
            words[word] = valence;
        }

        return words.ToFrozenDictionary(StringComparer.Ordinal);
    }

    [GeneratedRegex(@"[\p{L}]+(?:'[\p{L}]+)?")]
    private static partial Regex WordPattern();
}
