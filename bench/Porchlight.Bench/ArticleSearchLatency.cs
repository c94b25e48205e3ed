using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Porchlight.Bench;

/// <summary>
/// "Search across articles … ≤ 50 ms for 10,000 articles", on the real server: a knowledge base of generated
/// articles (titles of 3–8 words and bodies of 150–450 words drawn from a vocabulary of 6,000 words with a Zipf-like
/// spread, so some words are in most articles and most words in few) is written through the API, then each kind of
/// query is timed one request after another next to <c>GET /health/live</c> in the same run.
/// </summary>
internal static class ArticleSearchLatency
{
    private const int Vocabulary = 6_000;
    private const int WarmUp = 20;

    public static async Task<int> RunAsync(Options options)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# Knowledge-base search: {options.Articles:N0} articles, {options.Requests} requests per query, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));
        var root = Directory.CreateTempSubdirectory("porchlight-bench-").FullName;
        try
        {
            await RunStoreAsync("SQLite", Path.Combine(root, "sqlite"), null, options);
            if (options.Postgres)
            {
                var (postgres, connection) = await Servers.StartPostgresAsync();
                await using var running = postgres;
                await RunStoreAsync("PostgreSQL", Path.Combine(root, "postgres"), ["--Database:Provider=Postgres", $"--Database:ConnectionString={connection}"], options);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        return 0;
    }

    private static async Task RunStoreAsync(string name, string data, string[]? database, Options options)
    {
        Directory.CreateDirectory(data);
        var (server, token) = await Servers.StartPorchlightAsync(data, database);
        await using (server)
        {
            using var api = Servers.Http(server.BaseAddress);
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var words = Words();
            var loaded = Stopwatch.GetTimestamp();
            try
            {
                await LoadAsync(api, words, options.Articles);
            }
            catch (HttpRequestException)
            {
                // What the server said about the failed write, for whoever reads the bench's error output.
                var log = server.Output;
                Console.Error.WriteLine(log[Math.Max(0, log.Length - 6000)..]);
                throw;
            }
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {options.Articles:N0} articles written in {Stopwatch.GetElapsedTime(loaded).TotalSeconds:0} s"));

            (string What, string Path)[] series =
            [
                ("`GET /health/live` (baseline)", "/health/live"),
                ($"one common word (`{words[0]}`, in most articles)", Search(words[0])),
                ($"one rare word (`{words[3_000]}`)", Search(words[3_000])),
                ($"two words (`{words[5]} {words[40]}`)", Search($"{words[5]} {words[40]}")),
                ($"three words as typed (`{words[12]} {words[80]} {words[200][..3]}`)", Search($"{words[12]} {words[80]} {words[200][..3]}")),
                ($"a beginning of two letters (`{words[7][..2]}`)", Search(words[7][..2])),
                ("a word no article has (`zzzzqx`)", Search("zzzzqx")),
                ($"a misspelt word, two letters swapped (`{Misspelt(words[300])}` for `{words[300]}`)", Search(Misspelt(words[300]))),
                ($"a misspelt rare word (`{Misspelt(words[4_000])}` for `{words[4_000]}`)", Search(Misspelt(words[4_000]))),
            ];
            foreach (var (_, path) in series)
            {
                await TimeAsync(api, path, WarmUp);
            }

            var loadAverage = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"## {name} (load average {loadAverage} when measuring)"));
            Console.WriteLine();
            Console.WriteLine("| request | p50 | p99 | max | results |");
            Console.WriteLine("|---|---|---|---|---|");
            foreach (var (what, path) in series)
            {
                var (latencies, results) = await TimeAsync(api, path, options.Requests);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {what} | {latencies.Percentile(50):0.00} ms | {latencies.Percentile(99):0.00} ms | {latencies.Percentile(100):0.00} ms | {results} |"));
            }
        }
    }

    // The second and third letters swapped: the first letter stays right, as typo correction requires.
    private static string Misspelt(string word) => $"{word[0]}{word[2]}{word[1]}{word[3..]}";

    private static string Search(string query) => $"/api/v1/knowledge-base/search?q={Uri.EscapeDataString(query)}&limit=10";

    private static async Task<(LatencyRecorder Latencies, string Results)> TimeAsync(HttpClient api, string path, int requests)
    {
        var latencies = new LatencyRecorder();
        var results = "";
        for (var i = 0; i < requests; i++)
        {
            var key = i.ToString(CultureInfo.InvariantCulture);
            latencies.Sending(key, Stopwatch.GetTimestamp());
            using var response = await api.GetAsync(new Uri(path, UriKind.Relative));
            var body = await response.Content.ReadAsByteArrayAsync();
            latencies.Received(key);
            response.EnsureSuccessStatusCode();
            results = path.StartsWith("/health", StringComparison.Ordinal) ? "—" : JsonDocument.Parse(body).RootElement.GetProperty("hits").GetArrayLength().ToString(CultureInfo.InvariantCulture);
        }

        return (latencies, results);
    }

    /// <summary>Writes the articles through the API, eight at a time, half of them published.</summary>
    private static async Task LoadAsync(HttpClient api, string[] words, int count)
    {
        var random = new Random(1);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                string title, body;
                lock (random)
                {
                    title = Sentence(random, words, random.Next(3, 9));
                    body = string.Join("\n\n", Enumerable.Range(0, random.Next(3, 10)).Select(_ => Sentence(random, words, random.Next(40, 60))));
                }

                using var response = await api.PostAsJsonAsync("/api/v1/knowledge-base/articles", new
                {
                    title = $"{title} {i}", body, status = i % 2 == 0 ? "Published" : "Draft",
                });
                response.EnsureSuccessStatusCode();
            }
        })));
    }

    // Word k is drawn with a weight of 1 / (k + 1): a few words are everywhere, most are rare, as in prose.
    private static string Sentence(Random random, string[] words, int length)
    {
        var text = new StringBuilder();
        for (var w = 0; w < length; w++)
        {
            var k = (int)Math.Min(words.Length - 1, Math.Floor(Math.Exp(random.NextDouble() * Math.Log(words.Length + 1)) - 1));
            text.Append(w == 0 ? "" : " ").Append(words[k]);
        }

        return text.ToString();
    }

    // Pronounceable made-up words (distinct, 4–9 letters), so no word is a prefix-collision artefact of a real dictionary.
    private static string[] Words()
    {
        var random = new Random(7);
        const string Consonants = "bcdfghklmnprstvz";
        const string Vowels = "aeiou";
        var words = new HashSet<string>();
        while (words.Count < Vocabulary)
        {
            var word = new StringBuilder();
            var length = random.Next(4, 10);
            for (var c = 0; c < length; c++)
            {
                word.Append(c % 2 == 0 ? Consonants[random.Next(Consonants.Length)] : Vowels[random.Next(Vowels.Length)]);
            }

            words.Add(word.ToString());
        }

        return [.. words];
    }
}
