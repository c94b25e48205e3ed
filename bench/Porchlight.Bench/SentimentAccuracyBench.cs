using System.Globalization;
using Porchlight.Server.Features.Assistant;

namespace Porchlight.Bench;

/// <summary>
/// "Sentiment … evaluated on a labeled set with the accuracy reported": the scorer on hand-labelled support
/// messages, with AFINN-165 alone and with the support words added, next to the baseline of calling everything
/// neutral. The first set was labelled before the scorer ran; the support words were written while it existed, so
/// the second set, written and labelled after the scorer was settled, is the honest figure.
/// </summary>
internal static class SentimentAccuracyBench
{
    private static readonly SentimentLabel[] Labels = [SentimentLabel.Negative, SentimentLabel.Neutral, SentimentLabel.Positive];

    public static Task<int> RunAsync()
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# Message sentiment: AFINN-165 with VADER's rules, {Sentiment.WordCount} words rated, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));
        foreach (var file in new[] { "SentimentSamples.tsv", "SentimentHeldOut.tsv" })
        {
            var samples = Load(file);
            Console.WriteLine();
            Console.WriteLine($"## {file}: {samples.Count} messages ({string.Join(", ", Labels.Select(l => $"{samples.Count(s => s.Label == l)} {l.ToString().ToLowerInvariant()}"))})");
            Console.WriteLine();
            Console.WriteLine("| scorer | accuracy | negative recall | negative precision |");
            Console.WriteLine("|---|---|---|---|");
            Row("everything neutral (baseline)", samples, _ => SentimentLabel.Neutral);
            Row("AFINN-165 alone", samples, text => Sentiment.Of(text, supportWords: false).Label);
            var confusion = Row("AFINN-165 + support words", samples, text => Sentiment.Of(text).Label);
            Console.WriteLine();
            Console.WriteLine("Confusion of AFINN-165 + support words (rows: the label people gave; columns: the scorer's):");
            Console.WriteLine();
            Console.WriteLine("| | negative | neutral | positive |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var actual in Labels)
            {
                Console.WriteLine($"| {actual.ToString().ToLowerInvariant()} | " + string.Join(" | ", Labels.Select(p => confusion[(actual, p)])) + " |");
            }
        }

        return Task.FromResult(0);
    }

    private static Dictionary<(SentimentLabel Actual, SentimentLabel Scored), int> Row(
        string name, List<(SentimentLabel Label, string Text)> samples, Func<string, SentimentLabel> score)
    {
        var confusion = Labels.SelectMany(a => Labels.Select(p => (a, p))).ToDictionary(k => k, _ => 0);
        foreach (var (label, text) in samples)
        {
            confusion[(label, score(text))]++;
        }

        var correct = Labels.Sum(l => confusion[(l, l)]);
        var negatives = samples.Count(s => s.Label == SentimentLabel.Negative);
        var scoredNegative = Labels.Sum(a => confusion[(a, SentimentLabel.Negative)]);
        var precision = scoredNegative == 0 ? "—" : ((double)confusion[(SentimentLabel.Negative, SentimentLabel.Negative)] / scoredNegative).ToString("P0", CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {correct} of {samples.Count} = {(double)correct / samples.Count:P1} | {(double)confusion[(SentimentLabel.Negative, SentimentLabel.Negative)] / negatives:P0} | {precision} |"));
        return confusion;
    }

    private static List<(SentimentLabel Label, string Text)> Load(string file)
    {
        var path = Path.Combine(Servers.Root, "tests", "Porchlight.Server.Tests", "Features", "Assistant", file);
        return
        [
            .. File.ReadLines(path)
                .Where(line => line.Length > 0 && !line.StartsWith('#') && !line.StartsWith("label\t", StringComparison.Ordinal))
                .Select(line => line.Split('\t'))
                .Select(columns => (Enum.Parse<SentimentLabel>(columns[0], ignoreCase: true), columns[1])),
        ];
    }
}
