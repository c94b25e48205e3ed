using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Reports;
using Porchlight.Testing;

namespace Porchlight.Bench;

/// <summary>
/// "With 1 million conversations and 10 million messages of generated history, the overview dashboard and each report
/// for a 30-day period answer in ≤ 500 ms on SQLite and on PostgreSQL", on the real server. A year of history
/// (<see cref="GeneratedHistory"/>) is written straight into the database while the server is stopped (the values EF Core
/// would store, see <see cref="BulkRows{TEntity}"/>): conversations with their topic labels, messages, the event log,
/// survey answers for a fifth of them, and each conversation's facts as the server computes them. Every day is then marked stale as a fact refresh marks it, and the restarted server's rollup job rolls the
/// year up. The reports are timed next to <c>GET /health/live</c> in the same run, once with nothing stale and once
/// with the last day marked stale before every request (a busy day's figures change all the time, and a report rolls
/// a stale day up before it reads). Checks compare the answers with the loaded facts.
/// </summary>
internal static class ReportSpeed
{
    private const int Days = 365;
    private const int WarmUpRequests = 5;
    private static readonly string[] Settings = ["--Reports:RollupInterval=00:00:01"];

    public static async Task<int> RunAsync(Options options)
    {
        var last = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        var first = last.AddDays(-(Days - 1));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# Reports: {options.Conversations:N0} conversations over {Days} days ({first:yyyy-MM-dd} to {last:yyyy-MM-dd}), {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}"));
        var root = Directory.CreateTempSubdirectory("porchlight-bench-").FullName;
        var runs = new List<Run>();
        try
        {
            var sqlite = Path.Combine(root, "sqlite");
            if (!options.PostgresOnly)
            {
                runs.Add(await RunAsync(Store.Sqlite(sqlite), options, first, last));
                if (!options.Keep)
                {
                    Directory.Delete(sqlite, recursive: true);
                }
            }

            if (options.Postgres || options.PostgresOnly)
            {
                var (postgres, connection) = await Servers.StartPostgresAsync();
                await using var running = postgres;
                runs.Add(await RunAsync(Store.Postgres(Path.Combine(root, "postgres"), connection), options, first, last));
            }
        }
        finally
        {
            // Kept, the data lets a slow report be looked into: start the server on it with the database's command log.
            if (options.Keep)
            {
                Console.Error.WriteLine($"The data is kept in {root}.");
            }
            else
            {
                Directory.Delete(root, recursive: true);
            }
        }

        Summarize(runs, first, last);
        return runs.All(r => r.Checks.All(c => c.Passed)) ? 0 : 1;
    }

    private static async Task<Run> RunAsync(Store store, Options options, DateOnly first, DateOnly last)
    {
        Directory.CreateDirectory(store.Data);
        var (server, token) = await Servers.StartPorchlightAsync(store.Data, store.Database, Settings);
        var inboxIds = new List<Guid>();
        var teamIds = new List<Guid>();
        await using (server)
        {
            using var api = TimedRequests.Api(server, token);
            foreach (var name in new[] { "Website chat", "Shop app", "Partner portal", "Help email" })
            {
                inboxIds.Add(await CreateAsync(api, "/api/v1/inboxes", new { name, channel = "WebWidget" }));
            }

            foreach (var name in new[] { "Orders", "Billing", "Returns", "Product experts", "Partners", "Tier 2" })
            {
                teamIds.Add(await CreateAsync(api, "/api/v1/teams", new { name }));
            }
        }

        var (history, workspaceId) = await PrepareAsync(store, inboxIds, teamIds, first, options.Conversations);
        var load = await LoadAsync(store, history);

        Rollup rollup;
        await using (server = await Servers.RestartPorchlightAsync(store.Data, store.Database, Settings))
        {
            var cpu = new ProcessorTime(server.ProcessId);
            var marked = Stopwatch.GetTimestamp();
            await MarkStaleAsync(store, workspaceId, Enumerable.Range(0, Days + 1).Select(first.AddDays));
            await WaitForRollupAsync(store, server, workspaceId);
            rollup = new Rollup(Stopwatch.GetElapsedTime(marked).TotalSeconds, cpu.PerItem(Days, "day"));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{store.Name}: {Days} days rolled up in {rollup.Seconds:0.0} s"));
        }

        await using (server = await Servers.RestartPorchlightAsync(store.Data, store.Database, Settings))
        {
            using var api = TimedRequests.Api(server, token);
            await Task.Delay(TimeSpan.FromSeconds(5));
            var loadAverage = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            var timings = await MeasureAsync(store, api, server, workspaceId, last, options.Requests);
            var checks = new List<Check>
            {
                await PeriodCheckAsync(store, api, history, workspaceId, last.AddDays(-29), last),
                await PeriodCheckAsync(store, api, history, workspaceId, first, last),
                await BreakdownCheckAsync(store, api, last),
            };
            return new Run(store.Name, load, rollup, timings, checks, loadAverage);
        }
    }

    private static async Task<Guid> CreateAsync(HttpClient api, string path, object body)
    {
        using var created = await api.PostAsJsonAsync(path, body);
        return (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>The workspace's agents, ten a team (inserted as the server would keep them; they never sign in), and the generator.</summary>
    private static async Task<(GeneratedHistory History, Guid WorkspaceId)> PrepareAsync(Store store, List<Guid> inboxIds, List<Guid> teamIds, DateOnly first, int conversations)
    {
        await using var db = store.Context();
        var workspace = await db.Workspaces.SingleAsync();
        var agents = Enumerable.Range(1, 60).Select(i =>
        {
            var agent = Agent.Create(workspace.Id, $"agent{i}@shop.example", $"Agent {i:00}", AgentRole.Agent, DateTime.UtcNow);
            agent.ClearDomainEvents();
            return agent;
        }).ToList();
        db.Agents.AddRange(agents);
        await db.SaveChangesAsync();
        var cast = new HistoryCast(workspace.Id, workspace.Calendar(), [.. inboxIds], [.. teamIds.Select((team, i) => (team, agents.Skip(i * 10).Take(10).Select(a => a.Id).ToArray()))]);
        return (new GeneratedHistory(cast, first, Days, conversations, seed: 1, surveyPercent: 20, customerTone: true), workspace.Id);
    }

    /// <summary>Writes the history (<see cref="BulkRows{TEntity}"/>), a chunk per transaction; the next chunk is generated meanwhile.</summary>
    private static async Task<Load> LoadAsync(Store store, GeneratedHistory history)
    {
        await using var db = store.Context();
        await db.Database.OpenConnectionAsync();
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA synchronous=OFF; PRAGMA cache_size=-4000000; PRAGMA temp_store=MEMORY;");
        }

        await using var commands = new PreparedCommands(db);
        var contacts = new BulkRows<Porchlight.Server.Features.Contacts.Contact>(db);
        var conversations = new BulkRows<Porchlight.Server.Features.Conversations.Conversation>(db);
        var messages = new BulkRows<Porchlight.Server.Features.Conversations.Message>(db);
        var events = new BulkRows<ConversationEvent>(db);
        var facts = new BulkRows<ReportFact>(db);
        var surveys = new BulkRows<Porchlight.Server.Features.Surveys.SurveyResponse>(db);
        var started = Stopwatch.GetTimestamp();
        var counts = new long[5];
        var chunks = Channel.CreateBounded<HistoryChunk>(1);
        var generator = Task.Run(async () =>
        {
            try
            {
                foreach (var chunk in history.Chunks(10_000))
                {
                    await chunks.Writer.WriteAsync(chunk);
                }
            }
            finally
            {
                chunks.Writer.Complete();
            }
        });
        await foreach (var chunk in chunks.Reader.ReadAllAsync())
        {
            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                await contacts.WriteAsync(db, commands, chunk.Contacts);
                await conversations.WriteAsync(db, commands, chunk.Conversations);
                await messages.WriteAsync(db, commands, chunk.Messages);
                await events.WriteAsync(db, commands, chunk.Events);
                await facts.WriteAsync(db, commands, chunk.Facts);
                await surveys.WriteAsync(db, commands, chunk.Surveys);
                await transaction.CommitAsync();
            }

            counts[0] += chunk.Contacts.Count;
            counts[1] += chunk.Conversations.Count;
            counts[2] += chunk.Messages.Count;
            counts[3] += chunk.Events.Count;
            counts[4] += chunk.Facts.Count;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{store.Name}: {counts[1]:N0} conversations, {counts[2]:N0} messages, {counts[3]:N0} log entries, {counts[4]:N0} facts loaded, {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s"));
        }

        await generator;
        return new Load(counts[0], counts[1], counts[2], counts[3], counts[4], Stopwatch.GetElapsedTime(started).TotalSeconds, await store.SizeAsync(db));
    }

    private static async Task MarkStaleAsync(Store store, Guid workspaceId, IEnumerable<DateOnly> days)
    {
        await using var db = store.Context();
        await db.Database.OpenConnectionAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await StaleReportDay.MarkAsync(db, workspaceId, days, StaleReportDay.All, CancellationToken.None);
        await transaction.CommitAsync();
    }

    private static async Task WaitForRollupAsync(Store store, ServerProcess server, Guid workspaceId)
    {
        var started = Stopwatch.GetTimestamp();
        var reported = started;
        while (true)
        {
            int stale;
            await using (var db = store.Context())
            {
                stale = await db.StaleReportDays.CountAsync(d => d.WorkspaceId == workspaceId);
            }

            if (stale == 0)
            {
                return;
            }

            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromHours(1))
            {
                throw new TimeoutException($"The stale days were not rolled up within an hour:\n{string.Join('\n', server.Output.Split('\n').TakeLast(40))}");
            }

            if (Stopwatch.GetElapsedTime(reported) > TimeSpan.FromSeconds(15))
            {
                reported = Stopwatch.GetTimestamp();
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{store.Name}: {stale} days wait to be rolled up, {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s"));
            }

            await Task.Delay(100);
        }
    }

    private static async Task<List<Timing>> MeasureAsync(Store store, HttpClient api, ServerProcess server, Guid workspaceId, DateOnly last, int requests)
    {
        string Report(string report, int days) => string.Create(CultureInfo.InvariantCulture, $"/api/v1/reports/{report}?days={days}&to={last:yyyy-MM-dd}");
        (string What, string Path)[] series =
        [
            ("`GET /health/live` (baseline)", "/health/live"),
            ("**overview, 30 days**", Report("overview", 30)),
            ("**agents, 30 days**", Report("agents", 30)),
            ("**teams, 30 days**", Report("teams", 30)),
            ("**inboxes, 30 days**", Report("inboxes", 30)),
            ("**SLA, 30 days**", Report("sla", 30)),
            ("**surveys, 30 days**", Report("surveys", 30)),
            ("**self-service, 30 days**", Report("self-service", 30)),
            ("**customers who came back, 30 days**", Report("repeat-contacts", 30)),
            ("**customers' activity, 30 days**", Report("customer-activity", 30)),
            ("**labels, 30 days**", Report("labels", 30)),
            ("**intents, 30 days**", Report("intents", 30)),
            ("**insights, 30 days**", Report("insights", 30)),
            ("overview, 30 days, CSV", Report("overview.csv", 30)),
            ("overview, 7 days", Report("overview", 7)),
            ("overview, 365 days", Report("overview", 365)),
            ("agents, 365 days", Report("agents", 365)),
        ];

        var timings = new List<Timing> { await TimedRequests.TimeAsync(api, server, "overview, 30 days, first request after the start", series[1].Path, 1) };
        foreach (var (what, path) in series)
        {
            await TimedRequests.TimeAsync(api, server, what, path, WarmUpRequests);
        }

        foreach (var (what, path) in series)
        {
            timings.Add(await TimedRequests.TimeAsync(api, server, what, path, requests));
        }

        // The last day's figures changed before every request: the report rolls that day up again first.
        Task StaleLastDay() => MarkStaleAsync(store, workspaceId, [last]);
        timings.Add(await TimedRequests.TimeAsync(api, server, "**overview, 30 days, the last day stale**", Report("overview", 30), requests, StaleLastDay));
        timings.Add(await TimedRequests.TimeAsync(api, server, "**agents, 30 days, the last day stale**", Report("agents", 30), requests, StaleLastDay));
        return timings;
    }

    /// <summary>A period's overview against the facts themselves: conversations, first responses and their total, resolved conversations.</summary>
    private static async Task<Check> PeriodCheckAsync(Store store, HttpClient api, GeneratedHistory history, Guid workspaceId, DateOnly from, DateOnly to)
    {
        using var response = await api.GetAsync(new Uri(string.Create(CultureInfo.InvariantCulture, $"/api/v1/reports/overview?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}"), UriKind.Relative));
        var figures = (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("figures");
        await using var db = store.Context();
        var facts = db.ReportFacts.Where(f => f.WorkspaceId == workspaceId && f.Day >= from && f.Day <= to);
        var raw = (
            Conversations: await facts.CountAsync(f => f.Metric == ReportMetric.Conversations),
            FirstResponses: await facts.CountAsync(f => f.Metric == ReportMetric.FirstResponse),
            FirstResponseSeconds: Math.Round(await facts.Where(f => f.Metric == ReportMetric.FirstResponse).SumAsync(f => f.Milliseconds) / 1000.0),
            Resolved: await facts.CountAsync(f => f.Metric == ReportMetric.ResolvedConversation));
        var answered = (
            Conversations: figures.GetProperty("conversations").GetInt32(),
            FirstResponses: figures.GetProperty("firstResponse").GetProperty("count").GetInt32(),
            FirstResponseSeconds: Math.Round(figures.GetProperty("firstResponse").GetProperty("totalSeconds").GetDouble()),
            Resolved: figures.GetProperty("resolvedConversations").GetInt32());
        var generated = history.ConversationsBegun(from, to);
        return new Check(store.Name, answered == raw && raw.Conversations == generated, string.Create(CultureInfo.InvariantCulture,
            $"{from:yyyy-MM-dd} to {to:yyyy-MM-dd} (conversations, first responses, their seconds, resolved): overview {answered}, facts {raw}; conversations generated {generated:N0}"));
    }

    /// <summary>Each breakdown's total is the overview's figures, to the last digit.</summary>
    private static async Task<Check> BreakdownCheckAsync(Store store, HttpClient api, DateOnly last)
    {
        async Task<JsonElement> Get(string report)
        {
            using var response = await api.GetAsync(new Uri(string.Create(CultureInfo.InvariantCulture, $"/api/v1/reports/{report}?days=30&to={last:yyyy-MM-dd}"), UriKind.Relative));
            return await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        }

        var overview = (await Get("overview")).GetProperty("figures").GetRawText();
        var totals = new List<bool>();
        foreach (var report in new[] { "agents", "teams", "inboxes", "labels", "intents" })
        {
            totals.Add((await Get(report)).GetProperty("total").GetRawText() == overview);
        }

        return new Check(store.Name, totals.All(t => t), $"30 days: the agents', teams', inboxes', labels' and intents' totals equal the overview: {string.Join(", ", totals)}");
    }

    private static void Summarize(List<Run> runs, DateOnly first, DateOnly last)
    {
        var command = "dotnet bench/Porchlight.Bench/bin/Release/net10.0/Porchlight.Bench.dll " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
        var text = new System.Text.StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));
        Line($"\n```bash\n{command}\n```\n");
        Line($"History {first:yyyy-MM-dd} to {last:yyyy-MM-dd}, {Environment.ProcessorCount} cores, measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.\n");
        Line($"| store | conversations | messages | log entries | facts | contacts | load (rows/s) | database | rollup of {Days} days | rollup CPU |");
        Line($"|---|---|---|---|---|---|---|---|---|---|");
        foreach (var run in runs)
        {
            var load = run.Load;
            var rows = load.Contacts + load.Conversations + load.Messages + load.Events + load.Facts;
            Line($"| {run.Store} | {load.Conversations:N0} | {load.Messages:N0} | {load.Events:N0} | {load.Facts:N0} | {load.Contacts:N0} | {load.Seconds:0} s ({rows / load.Seconds:N0}/s) | {load.Bytes / 1e9:0.00} GB | {run.Rollup.Seconds:0.0} s | {run.Rollup.Cpu} |");
        }

        Line($"\n| store | request | p50 | p95 | p99 | max | answer | CPU of Porchlight (server) and the bench |");
        Line($"|---|---|---|---|---|---|---|---|");
        foreach (var run in runs)
        {
            foreach (var timing in run.Timings)
            {
                var l = timing.Latencies;
                Line($"| {run.Store} | {timing.What} ({l.ReceivedCount}×) | {l.Percentile(50):0.00} ms | {l.Percentile(95):0.00} ms | {l.Percentile(99):0.00} ms | {l.Percentile(100):0.00} ms | {timing.Bytes / 1024.0:0.0} KB | {timing.Cpu} |");
            }
        }

        Line($"");
        foreach (var run in runs)
        {
            var baseline = run.Timings.Single(t => t.What.Contains("/health/live", StringComparison.Ordinal)).Latencies.Percentile(50);
            foreach (var timing in run.Timings.Where(t => t.What.StartsWith("**", StringComparison.Ordinal)))
            {
                var l = timing.Latencies;
                var verdict = l.Percentile(99) <= 500 ? "met at p99" : l.Percentile(95) <= 500 ? "met at p95, not at p99" : l.Percentile(50) <= 500 ? "met at p50 only" : "NOT met";
                Line($"- {run.Store}: {timing.What.Trim('*')}: p50 {l.Percentile(50):0.0} ms ({l.Percentile(50) / baseline:0}× `/health/live`), p99 {l.Percentile(99):0.0} ms against ≤ 500 ms: {verdict}.");
            }

            Line($"- {run.Store}: machine load average (1 min) when measuring began: {run.LoadAverage}.");
            foreach (var check in run.Checks)
            {
                Line($"- {run.Store}: {(check.Passed ? "PASS" : "FAIL")}: {check.Text}");
            }
        }

        Console.WriteLine(text);
    }

    private sealed record Load(long Contacts, long Conversations, long Messages, long Events, long Facts, double Seconds, long Bytes);

    private sealed record Rollup(double Seconds, string Cpu);

    private sealed record Check(string Store, bool Passed, string Text);

    private sealed record Run(string Store, Load Load, Rollup Rollup, List<Timing> Timings, List<Check> Checks, string LoadAverage);
}
