using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms.Text;

namespace Porchlight.Server.Features.Assistant;

/// <summary>One labelled phrase: what a visitor might write, and the intent it expresses.</summary>
public sealed record IntentExample(string Intent, string Text);

/// <summary>The intent a text most likely expresses, with the model's probability for it (0–1).</summary>
public sealed record IntentPrediction(string Intent, float Confidence);

/// <summary>How many held-out phrases of one intent there were and how many were classified right.</summary>
public sealed record IntentAccuracy(string Intent, int Examples, int Correct)
{
    public double Accuracy => Examples == 0 ? 0 : (double)Correct / Examples;
}

/// <summary>
/// A classifier measured on phrases it was not trained on: overall and per intent, and the confusion (for each
/// intent, what its phrases were classified as).
/// </summary>
public sealed record IntentEvaluation(int Examples, int Correct, List<IntentAccuracy> PerIntent, Dictionary<string, Dictionary<string, int>> Confusion)
{
    public double Accuracy => Examples == 0 ? 0 : (double)Correct / Examples;
}

/// <summary>
/// A text classifier trained with ML.NET on a workspace's intent examples: word unigrams and bigrams (English stop
/// words left out) plus character n-grams of one to four letters (so a misspelling, an inflection or a German
/// compound still shares most features), lower-cased without accents, into a maximum-entropy model (SDCA) whose
/// scores are probabilities. Deterministic for the same examples (fixed seed, one training thread).
/// Prediction engines are not thread-safe, so predictions take turns; a prediction takes well under a millisecond.
/// </summary>
public sealed class IntentClassifier : IDisposable
{
    private const int Seed = 1;
    private readonly PredictionEngine<Phrase, Scored> _engine;
    private readonly string[] _intents;
    private readonly Lock _turn = new();

    private IntentClassifier(MLContext ml, ITransformer model, DataViewSchema inputSchema)
    {
        Model = model;
        InputSchema = inputSchema;
        _engine = ml.Model.CreatePredictionEngine<Phrase, Scored>(model, inputSchema);
        // Score[i] is the probability of the label whose key is i + 1, in the order MapValueToKey gave the keys.
        var keys = default(VBuffer<ReadOnlyMemory<char>>);
        model.GetOutputSchema(inputSchema)["Label"].GetKeyValues(ref keys);
        _intents = [.. keys.DenseValues().Select(k => k.ToString())];
    }

    public ITransformer Model { get; }

    public DataViewSchema InputSchema { get; }

    /// <summary>The intents this classifier knows, in its score order.</summary>
    public IReadOnlyList<string> Intents => _intents;

    public static IntentClassifier Train(IReadOnlyCollection<IntentExample> examples)
    {
        if (examples.Select(e => e.Intent).Distinct().Count() < 2)
        {
            throw new ArgumentException("A classifier needs examples of at least two intents.", nameof(examples));
        }

        var ml = new MLContext(Seed);
        var data = ml.Data.LoadFromEnumerable(examples.Select(e => new Phrase { Text = e.Text, Intent = e.Intent }));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Phrase.Intent))
            .Append(ml.Transforms.Text.FeaturizeText("Features", new TextFeaturizingEstimator.Options
            {
                CaseMode = TextNormalizingEstimator.CaseMode.Lower,
                KeepDiacritics = false,
                KeepPunctuations = false,
                KeepNumbers = true,
                WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = 2, UseAllLengths = true },
                CharFeatureExtractor = new WordBagEstimator.Options { NgramLength = 4, UseAllLengths = true },
                StopWordsRemoverOptions = new StopWordsRemovingEstimator.Options { Language = TextFeaturizingEstimator.Language.English },
                Norm = TextFeaturizingEstimator.NormFunction.L2,
            }, nameof(Phrase.Text)))
            // One thread: SDCA's result depends on how the work is shared out, and the same examples must give the same model.
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = "Label",
                FeatureColumnName = "Features",
                NumberOfThreads = 1,
            }));
        return new IntentClassifier(ml, pipeline.Fit(data), data.Schema);
    }

    public static IntentClassifier Load(byte[] saved)
    {
        var ml = new MLContext(Seed);
        using var stream = new MemoryStream(saved);
        var model = ml.Model.Load(stream, out var schema);
        return new IntentClassifier(ml, model, schema);
    }

    public byte[] Save()
    {
        using var stream = new MemoryStream();
        new MLContext(Seed).Model.Save(Model, InputSchema, stream);
        return stream.ToArray();
    }

    /// <summary>The most likely intent of <paramref name="text"/>.</summary>
    public IntentPrediction Predict(string text) => Rank(text)[0];

    /// <summary>Every intent with its probability for <paramref name="text"/>, most likely first.</summary>
    public List<IntentPrediction> Rank(string text)
    {
        float[] scores;
        lock (_turn)
        {
            scores = _engine.Predict(new Phrase { Text = text }).Score;
        }

        return [.. scores.Select((score, i) => new IntentPrediction(_intents[i], score)).OrderByDescending(p => p.Confidence).ThenBy(p => p.Intent, StringComparer.Ordinal)];
    }

    /// <summary>Trains on <paramref name="training"/> and classifies every phrase of <paramref name="heldOut"/>.</summary>
    public static IntentEvaluation Evaluate(IReadOnlyCollection<IntentExample> training, IReadOnlyCollection<IntentExample> heldOut)
    {
        using var classifier = Train(training);
        var confusion = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var example in heldOut)
        {
            var predicted = classifier.Predict(example.Text).Intent;
            var row = confusion.TryGetValue(example.Intent, out var existing) ? existing : confusion[example.Intent] = new(StringComparer.Ordinal);
            row[predicted] = row.GetValueOrDefault(predicted) + 1;
        }

        var perIntent = confusion.OrderBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => new IntentAccuracy(r.Key, r.Value.Values.Sum(), r.Value.GetValueOrDefault(r.Key))).ToList();
        return new IntentEvaluation(heldOut.Count, perIntent.Sum(i => i.Correct), perIntent, confusion);
    }

    /// <summary>
    /// A held-out split for examples entered in the app, where no separate test set exists: every fifth example of
    /// each intent (in the order given) is held out, so every intent is measured and still trains on the other four.
    /// </summary>
    public static (List<IntentExample> Training, List<IntentExample> HeldOut) Split(IEnumerable<IntentExample> examples)
    {
        var training = new List<IntentExample>();
        var heldOut = new List<IntentExample>();
        foreach (var intent in examples.GroupBy(e => e.Intent))
        {
            foreach (var (example, i) in intent.Select((e, i) => (e, i)))
            {
                (i % 5 == 4 ? heldOut : training).Add(example);
            }
        }

        return (training, heldOut);
    }

    public void Dispose() => _engine.Dispose();

    private sealed class Phrase
    {
        public string Text { get; set; } = "";

        public string Intent { get; set; } = "";
    }

    private sealed class Scored
    {
        public float[] Score { get; set; } = [];
    }
}

/// <summary>The demo business's labelled phrases (DemoIntents.tsv): "train" rows to learn from, "test" rows held out to measure.</summary>
public static class DemoIntents
{
    public static (List<IntentExample> Training, List<IntentExample> Test) Load()
    {
        using var stream = typeof(DemoIntents).Assembly.GetManifestResourceStream("DemoIntents.tsv")
            ?? throw new InvalidOperationException("DemoIntents.tsv is not embedded.");
        using var reader = new StreamReader(stream);
        var training = new List<IntentExample>();
        var test = new List<IntentExample>();
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith('#') || line.StartsWith("set\t", StringComparison.Ordinal) || line.Length == 0)
            {
                continue;
            }

            var columns = line.Split('\t');
            (columns[0] == "test" ? test : training).Add(new IntentExample(columns[1], columns[2]));
        }

        return (training, test);
    }

    /// <summary>Teaches the demo workspace its ten intents from the "train" rows (trained in the background once saved).</summary>
    public static void AddTo(Data.AppDbContext db, Guid workspaceId, DateTime now)
    {
        foreach (var intent in Load().Training.GroupBy(e => e.Intent))
        {
            var taught = Intent.Create(workspaceId);
            taught.Change(intent.Key, "", intent.Select(e => e.Text), now);
            db.Intents.Add(taught);
        }
    }
}
