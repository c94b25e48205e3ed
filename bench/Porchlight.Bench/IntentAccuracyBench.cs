using System.Diagnostics;
using System.Globalization;
using Porchlight.Server.Features.Assistant;

namespace Porchlight.Bench;

/// <summary>
/// "Intent accuracy on a held-out labeled set … report accuracy and confusion": the demo shop's intents
/// (DemoIntents.tsv) trained on their "train" rows and measured on the "test" rows, which were written separately
/// and never trained on, next to the baseline a classifier must beat (always answering the most common intent).
/// Training time and prediction latency come from the same run.
/// </summary>
internal static class IntentAccuracyBench
{
    public static Task<int> RunAsync()
    {
        var (training, test) = DemoIntents.Load();
        var intents = training.Select(e => e.Intent).Distinct().Order(StringComparer.Ordinal).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# Intent classification: {intents.Count} intents, {training.Count} training phrases, {test.Count} held-out phrases, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));

        var trainingTime = Stopwatch.StartNew();
        using var classifier = IntentClassifier.Train(training);
        trainingTime.Stop();
        var evaluation = IntentClassifier.Evaluate(training, test);
        var mostCommon = training.GroupBy(e => e.Intent).OrderByDescending(g => g.Count()).First().Key;
        var baseline = (double)test.Count(e => e.Intent == mostCommon) / test.Count;

        var latencies = new List<double>();
        for (var round = 0; round < 20; round++)
        {
            foreach (var example in test)
            {
                var started = Stopwatch.GetTimestamp();
                classifier.Predict(example.Text);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        latencies.Sort();
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Accuracy {evaluation.Correct} of {evaluation.Examples} = {evaluation.Accuracy:P1}; baseline (always `{mostCommon}`) {baseline:P1}."));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Training {trainingTime.Elapsed.TotalMilliseconds:0} ms; prediction p50 {latencies[latencies.Count / 2]:0.000} ms, p99 {latencies[(int)(latencies.Count * 0.99)]:0.000} ms over {latencies.Count} predictions."));
        Console.WriteLine();
        Console.WriteLine("| intent | held out | right | accuracy |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var intent in evaluation.PerIntent)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {intent.Intent} | {intent.Examples} | {intent.Correct} | {intent.Accuracy:P0} |"));
        }

        Console.WriteLine();
        Console.WriteLine("Confusion (rows: the phrase's intent; columns: what it was classified as):");
        Console.WriteLine();
        Console.WriteLine("| | " + string.Join(" | ", intents) + " |");
        Console.WriteLine("|---|" + string.Concat(intents.Select(_ => "---|")));
        foreach (var actual in intents)
        {
            var row = evaluation.Confusion.GetValueOrDefault(actual) ?? [];
            Console.WriteLine($"| {actual} | " + string.Join(" | ", intents.Select(p => row.GetValueOrDefault(p) is var n and > 0 ? n.ToString(CultureInfo.InvariantCulture) : "·")) + " |");
        }

        return Task.FromResult(0);
    }
}
