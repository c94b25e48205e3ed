using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using Porchlight.Testing;

namespace Porchlight.Bench;

/// <summary>
/// Tracker ingestion through the real endpoint with durable storage (SQLite with synchronous=FULL, and with
/// <c>--postgres</c> PostgreSQL with fsync on), next to Kestrel's empty endpoint answering the same requests in the
/// same run: first closed loops (as many requests as the clients can make in a fixed time), then open loops at rising
/// rates where each step runs the empty endpoint, Porchlight answering a crawler and Porchlight storing back to back,
/// so the three are compared on a machine whose speed drifts by the minute. Every count of what was stored is
/// checked against what got a 2xx.
/// </summary>
internal static class TrackingIngestion
{
    private const string UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    private const string CrawlerAgent = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

    // What the empty endpoint's requests name as their site: it does not read them, but they carry the same page views.
    private const string NoSite = "bench-empty-endpoint";

    public static async Task<int> RunAsync(Options options)
    {
        var data = Directory.CreateTempSubdirectory("porchlight-bench-").FullName;
        Console.WriteLine($"# Tracking ingestion: {options.Concurrency} concurrent clients, {options.Seconds} s each, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}");
        await using (var bare = await Servers.StartBareAsync(data))
        {
            using var bareHttp = Servers.Http(bare.BaseAddress);
            var empty = new Uri("/empty", UriKind.Relative);
            var sqlite = Path.Combine(data, "porchlight.db");
            if (!options.PostgresOnly)
            {
                await PorchlightAsync(options, bareHttp, empty, bare.ProcessId, "SQLite, synchronous=FULL", data, null,
                    () => CountAsync(new SqliteConnection($"Data Source={sqlite};Mode=ReadOnly")), "--Database:SqliteSynchronous=Full");
            }

            if (options.Postgres || options.PostgresOnly)
            {
                var (postgres, connection) = await Servers.StartPostgresAsync();
                await using var running = postgres;
                await PorchlightAsync(options, bareHttp, empty, bare.ProcessId, "PostgreSQL, fsync on", data,
                    ["--Database:Provider=Postgres", $"--Database:ConnectionString={connection}"], () => CountAsync(new NpgsqlConnection(connection)));
            }

            // With --nodes, the same on PostgreSQL with that many nodes sharing it and a Redis, requests spread over them
            // in turn as a load balancer would.
            foreach (var nodes in options.Nodes.Where(n => n > 1))
            {
                await using var cluster = await BenchCluster.StartAsync(nodes, data, Limitless);
                var connection = cluster.PostgresConnectionString;
                using var http = new HttpClient(new RoundRobin([.. cluster.Servers.Select(s => s.BaseAddress)])) { BaseAddress = cluster.Servers[0].BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
                await MeasureAsync(options, bareHttp, empty, bare.ProcessId, $"PostgreSQL, fsync on, {nodes} nodes and Redis",
                    http, [.. cluster.Servers.Select(s => s.ProcessId)], await SiteAsync(cluster.Servers[0], cluster.Token), () => CountAsync(new NpgsqlConnection(connection)));
            }
        }

        Directory.Delete(data, recursive: true);
        return 0;
    }

    // The per-site rate limit would otherwise answer most of the bench's page views with 429.
    private static readonly string[] Limitless = ["--Tracking:RequestsPerMinutePerSite=100000000"];

    private static async Task PorchlightAsync(
        Options options, HttpClient bareHttp, Uri empty, int bareProcessId, string storage, string data, string[]? database, Func<Task<long>> stored, params string[] settings)
    {
        var (server, token) = await Servers.StartPorchlightAsync(data, database, [.. settings, .. Limitless]);
        await using (server)
        {
            using var http = Servers.Http(server.BaseAddress);
            await MeasureAsync(options, bareHttp, empty, bareProcessId, storage, http, [server.ProcessId], await SiteAsync(server, token), stored);
        }
    }

    /// <summary>The public token of a new web-widget inbox: the site the page views are for.</summary>
    private static async Task<string> SiteAsync(ServerProcess server, string token)
    {
        using var agent = Servers.Http(server.BaseAddress);
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var inbox = await (await agent.PostAsJsonAsync("/api/v1/inboxes", new { name = "Bench", channel = "WebWidget" })).Content.ReadFromJsonAsync<JsonElement>();
        return inbox.GetProperty("publicToken").GetString()!;
    }

    /// <summary>The closed loop and the open-loop ladders against <paramref name="http"/> (one node, or several in turn), beside the empty endpoint.</summary>
    private static async Task MeasureAsync(
        Options options, HttpClient bareHttp, Uri empty, int bareProcessId, string storage, HttpClient http, int[] serverProcessIds, string site, Func<Task<long>> stored)
    {
        var endpoint = new Uri("/t/v1/events", UriKind.Relative);

        Console.WriteLine($"\n## {storage}\n");
        Console.WriteLine("| server, closed loop | requests/s | acknowledged (2xx)/s | p50 | p99 | non-2xx | server CPU per request | stored / acknowledged |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        await LoadAsync(bareHttp, empty, NoSite, TimeSpan.FromSeconds(3), options.Concurrency, [bareProcessId]); // warm-up
        // Kestrel's empty endpoint as the earlier runs measured it, with requests that carry no body, for comparison.
        var bodiless = await LoadAsync(bareHttp, empty, "", TimeSpan.FromSeconds(options.Seconds), options.Concurrency, [bareProcessId]);
        Console.WriteLine($"| Kestrel empty endpoint (POST, 202), requests without a body | {bodiless.Line} | — |");
        var emptyClosed = await LoadAsync(bareHttp, empty, NoSite, TimeSpan.FromSeconds(options.Seconds), options.Concurrency, [bareProcessId]);
        var ceiling = emptyClosed.PerSecond;
        Console.WriteLine($"| Kestrel empty endpoint (POST, 202), the same page views (not read) | {emptyClosed.Line} | — |");
        await LoadAsync(http, endpoint, site, TimeSpan.FromSeconds(3), options.Concurrency, serverProcessIds); // warm-up
        var before = await SettledAsync(stored);
        // What got a 2xx must all be stored: the server's time includes the writer catching up after the load.
        var tracked = await LoadAsync(http, endpoint, site, TimeSpan.FromSeconds(options.Seconds), options.Concurrency, serverProcessIds,
            afterLoad: accepted => WaitForStoredAsync(stored, before + accepted));
        var count = await WaitForStoredAsync(stored, before + tracked.Accepted);
        Console.WriteLine($"| Porchlight `POST /t/v1/events`, stored ({storage}) | {tracked.Line} | {count - before} / {tracked.Accepted} |");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"\nClosed loop: Porchlight acknowledged and stored {tracked.AcceptedPerSecond / ceiling:P0} of the empty endpoint's rate.\n"));

        // A crawler's page views go through the whole endpoint (limits, site, origin, user agent) and are
        // answered 202, but nothing is built or stored: the endpoint's own ceiling on this machine.
        Ladder[] ladders =
        [
            new("Kestrel empty endpoint", bareHttp, empty, NoSite, null, [bareProcessId], UserAgent),
            new("Porchlight, crawler (answered, not stored)", http, endpoint, site, null, serverProcessIds, CrawlerAgent),
            new($"Porchlight, stored ({storage})", http, endpoint, site, stored, serverProcessIds, UserAgent),
        ];
        await SustainedAsync(options, ceiling, ladders);
        var (emptySustained, answered, kept) = (ladders[0].Highest, ladders[1].Highest, ladders[2].Highest);
        string OfEmpty(double rate) => emptySustained > 0 ? (rate / emptySustained).ToString("P0", CultureInfo.InvariantCulture) : "none";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"\nHighest rate sustained: Kestrel's empty endpoint {emptySustained:0}/s ({emptySustained / ceiling:P1} of its closed-loop rate); " +
            $"Porchlight answering a crawler {answered:0}/s ({OfEmpty(answered)} of the empty endpoint's); " +
            $"Porchlight storing page views ({storage}) {kept:0}/s ({OfEmpty(kept)} of the empty endpoint's, {kept / ceiling:P1} of its closed-loop rate).\n"));
    }

    /// <summary>One server and kind of request climbing the open-loop steps; <see cref="Highest"/> is its highest sustained rate so far.</summary>
    /// <param name="Stored">Counts what is stored; null where nothing is expected to be (the baselines).</param>
    private sealed record Ladder(string Name, HttpClient Http, Uri Endpoint, string Site, Func<Task<long>>? Stored, int[] ProcessIds, string UserAgent)
    {
        public double Highest { get; set; }

        public bool Failed { get; set; }
    }

    /// <summary>
    /// Open loop, as browsers send: requests at a fixed rate whatever the answers, a share of the empty endpoint's
    /// closed-loop rate per step, rising until no ladder sustains a step (a failed step is tried once more). At each
    /// step the ladders still climbing run one after another, so each ratio compares runs a minute or two apart. A step
    /// is sustained when at most 0.1% of its requests got no 2xx, the 99th percentile of latency (from when each
    /// request was due, so a client held up by a slow server is counted as waiting) is within 50 ms, and the writer has
    /// stored everything acknowledged within 5 s of the end.
    /// </summary>
    private static async Task SustainedAsync(Options options, double ceiling, Ladder[] ladders)
    {
        Console.WriteLine("| share of the empty endpoint | server | offered/s | acknowledged (2xx)/s | p50 | p99 | non-2xx | server CPU per request | stored within 5 s / acknowledged | sustained |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var share in options.Shares)
        {
            if (ladders.All(l => l.Failed))
            {
                break;
            }

            var rate = ceiling * share / 100;
            foreach (var ladder in ladders.Where(l => !l.Failed))
            {
                // A step can fail on a stall of a quarter of a second, which this machine has every few minutes
                // whatever runs: a failed step is tried once more before its ladder stops.
                ladder.Failed = !await StepAsync(options, rate, share, ladder) && !await StepAsync(options, rate, share, ladder);
            }
        }
    }

    /// <summary>Runs one step of <paramref name="ladder"/>, prints it and answers whether it was sustained.</summary>
    private static async Task<bool> StepAsync(Options options, double rate, double share, Ladder ladder)
    {
        var stored = ladder.Stored;
        var before = stored is null ? 0 : await SettledAsync(stored);
        var step = await OpenLoopAsync(ladder.Http, ladder.Endpoint, ladder.Site, rate, TimeSpan.FromSeconds(options.Seconds), ladder.ProcessIds, ladder.UserAgent);
        var deadline = Stopwatch.GetTimestamp() + 5 * Stopwatch.Frequency;
        var count = before + step.Accepted;
        while (stored is not null && (count = await stored()) < before + step.Accepted && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(100);
        }

        var sustained = step.Failed <= step.Sent / 1000 && step.P99 <= 50 && count >= before + step.Accepted;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {share}% | {ladder.Name} | {step.Sent / step.Seconds:0} | {step.Accepted / step.Seconds:0} | {step.P50:0.00} ms | {step.P99:0.00} ms | {step.Failed} | {step.CpuMsPerRequest:0.000} ms | {(stored is null ? "—" : $"{count - before} / {step.Accepted}")} | {(sustained ? "yes" : "no")} |"));
        if (sustained)
        {
            ladder.Highest = rate;
        }
        else if (stored is not null)
        {
            await WaitForStoredAsync(stored, before + step.Accepted);
        }

        return sustained;
    }

    private sealed record Step(int Sent, int Accepted, int Failed, double Seconds, double P50, double P99, double CpuMsPerRequest);

    /// <summary>Sends a request each time one is due, every millisecond those whose time has come, without waiting for answers.</summary>
    private static async Task<Step> OpenLoopAsync(HttpClient http, Uri endpoint, string site, double rate, TimeSpan duration, int[] serverProcessIds, string userAgent)
    {
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var (accepted, failed, sent) = (0, 0, 0);
        var random = new Random(7);
        var inFlight = new List<Task>();
        var cpuBefore = ProcessorTime.Of(serverProcessIds);
        var start = Stopwatch.GetTimestamp();
        var total = (int)(rate * duration.TotalSeconds);
        while (sent < total)
        {
            var dueNow = Math.Min(total, (int)(Stopwatch.GetElapsedTime(start).TotalSeconds * rate) + 1);
            for (; sent < dueNow; sent++)
            {
                var due = start + (long)(sent / rate * Stopwatch.Frequency);
                inFlight.Add(SendAsync(PageView(site, random), due));
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(inFlight);
        var cpu = (ProcessorTime.Of(serverProcessIds) - cpuBefore).TotalMilliseconds;
        var all = latencies.Order().ToArray();
        double Percentile(double p) => all[Math.Min(all.Length - 1, (int)Math.Ceiling(p / 100 * all.Length) - 1)];
        return new Step(sent, accepted, failed, duration.TotalSeconds, Percentile(50), Percentile(99), cpu / sent);

        async Task SendAsync(string body, long due)
        {
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "text/plain");
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
                request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
                request.Headers.TryAddWithoutValidation("Origin", "https://shop.example");
                using var response = await http.SendAsync(request);
                Interlocked.Increment(ref response.StatusCode == HttpStatusCode.Accepted ? ref accepted : ref failed);
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref failed);
            }

            latencies.Add(Stopwatch.GetElapsedTime(due).TotalMilliseconds);
        }
    }

    private sealed record Result(double PerSecond, double AcceptedPerSecond, double P50, double P99, int Failed, int Accepted, double CpuMsPerRequest)
    {
        public string Line => string.Create(CultureInfo.InvariantCulture,
            $"{PerSecond:0} | {AcceptedPerSecond:0} | {P50:0.00} ms | {P99:0.00} ms | {Failed} | {CpuMsPerRequest:0.000} ms");
    }

    /// <summary>Closed loop: each client sends its next request when the previous one was answered.</summary>
    private static async Task<Result> LoadAsync(
        HttpClient http, Uri endpoint, string site, TimeSpan duration, int concurrency, int[] serverProcessIds, Func<int, Task<long>>? afterLoad = null)
    {
        var latencies = new List<double>[concurrency];
        var failed = 0;
        var accepted = 0;
        var cpuBefore = ProcessorTime.Of(serverProcessIds);
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async client =>
        {
            var mine = latencies[client] = [];
            var random = new Random(client);
            while (Stopwatch.GetTimestamp() < end)
            {
                using var content = new StringContent(PageView(site, random), Encoding.UTF8, "text/plain");
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
                request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
                request.Headers.TryAddWithoutValidation("Origin", "https://shop.example");
                var sent = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                mine.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    Interlocked.Increment(ref accepted);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }));
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (afterLoad is not null)
        {
            await afterLoad(accepted);
        }

        var cpu = (ProcessorTime.Of(serverProcessIds) - cpuBefore).TotalMilliseconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => all[Math.Min(all.Length - 1, (int)Math.Ceiling(p / 100 * all.Length) - 1)];
        return new Result(all.Length / elapsed, accepted / elapsed, Percentile(50), Percentile(99), failed, accepted, cpu / all.Length);
    }

    /// <summary>A page view as the loader sends it, from one of 10,000 visitors.</summary>
    private static string PageView(string site, Random random)
    {
        var visitor = random.Next(10_000);
        var page = random.Next(200);
        return site.Length == 0 ? "" : $$"""
            {"site":"{{site}}","visitor":"bench-visitor-{{visitor}}","session":"bench-visit-{{visitor}}","at":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"events":[{"type":"pageview","url":"https://shop.example/products/item-{{page}}?utm_source=newsletter&utm_campaign=winter-sale&ref=abc","title":"Item {{page}} – Acme Outdoor","referrer":"https://www.search.example/","screen":"1920x1080","language":"de-DE","timeZone":"Europe/Berlin"}]}
            """;
    }

    private static async Task<long> CountAsync(System.Data.Common.DbConnection connection)
    {
        await using (connection)
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM \"TrackedEvents\"";
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The count once the writer has stored what the warm-up sent.</summary>
    private static async Task<long> SettledAsync(Func<Task<long>> stored)
    {
        long previous = -1, now;
        while ((now = await stored()) != previous)
        {
            previous = now;
            await Task.Delay(1000);
        }

        return now;
    }

    private static async Task<long> WaitForStoredAsync(Func<Task<long>> stored, long expected)
    {
        var deadline = Stopwatch.GetTimestamp() + 60 * Stopwatch.Frequency;
        long count;
        while ((count = await stored()) < expected && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(200);
        }

        return count;
    }

    /// <summary>Sends each request to the next node in turn, as a load balancer does.</summary>
    private sealed class RoundRobin(Uri[] nodes) : DelegatingHandler(new SocketsHttpHandler { MaxConnectionsPerServer = 512 })
    {
        private int _next;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var node = nodes[(int)((uint)Interlocked.Increment(ref _next) % nodes.Length)];
            request.RequestUri = new Uri(node, request.RequestUri!.PathAndQuery);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
