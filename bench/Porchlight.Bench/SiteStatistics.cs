using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Tracking;
using Porchlight.Testing;

namespace Porchlight.Bench;

/// <summary>
/// "Site statistics for 30 days over 10 million events answer in ≤ 300 ms (pre-aggregated rollups, kept exact under
/// late events)", on the real server. A month of traffic (<see cref="SiteTraffic"/>) is written straight into the
/// database with the server's own row statements while the server is stopped: through the ingestion endpoint it
/// would take hours (about 5,000 events/s, docs/benchmarks.md). The 30 days are then marked stale as the tracking
/// writer marks them, and the restarted server's rollup job rolls them up; the statistics endpoint is timed for 30, 7
/// and 1 day next to <c>GET /health/live</c> in the same run. Last, a few late page views are added to a rolled-up
/// visit of day 15 as the writer would add them, and the day's figures must grow by exactly that many.
/// </summary>
internal static class SiteStatistics
{
    private const int Days = 30;
    private const int LateEvents = 5;
    private const int WarmUpRequests = 10;

    // The job looks for stale days every second instead of every minute, so the time measured is the rollup's own.
    private static readonly string[] Settings = ["--Tracking:RollupInterval=00:00:01"];

    public static async Task<int> RunAsync(Options options)
    {
        var last = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        var first = last.AddDays(-(Days - 1));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# Site statistics: {options.Events:N0} page views over {Days} days ({first:yyyy-MM-dd} to {last:yyyy-MM-dd}), {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}"));
        var root = Directory.CreateTempSubdirectory("porchlight-bench-").FullName;
        var runs = new List<Run>();
        try
        {
            var sqlite = Path.Combine(root, "sqlite");
            runs.Add(await RunAsync(Store.Sqlite(sqlite), options, first));
            Directory.Delete(sqlite, recursive: true); // gigabytes at 10M events, freed before the PostgreSQL run

            if (options.Postgres)
            {
                var (postgres, connection) = await Servers.StartPostgresAsync();
                await using var running = postgres;
                runs.Add(await RunAsync(Store.Postgres(Path.Combine(root, "postgres"), connection), options, first));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        Summarize(runs, first);
        return runs.All(r => r.Checks.All(c => c.Passed)) ? 0 : 1;
    }

    private static async Task<Run> RunAsync(Store store, Options options, DateOnly first)
    {
        Directory.CreateDirectory(store.Data);
        var (server, token) = await Servers.StartPorchlightAsync(store.Data, store.Database, Settings);
        Guid inboxId;
        await using (server)
        {
            using var api = TimedRequests.Api(server, token);
            using var created = await api.PostAsJsonAsync("/api/v1/inboxes", new { name = "Acme Outdoor", channel = "WebWidget" });
            inboxId = (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }

        // Loaded while the server is stopped: nothing waits on the load's long transactions, and the measurements
        // start from a server that has never seen these rows, as after an operator's restart.
        Guid workspaceId;
        await using (var db = store.Context())
        {
            workspaceId = await db.Inboxes.Where(i => i.Id == inboxId).Select(i => i.WorkspaceId).SingleAsync();
        }

        var site = new TrackingSite(workspaceId, inboxId, TrackingSettings.Default);
        var traffic = new SiteTraffic(site, first, Days, options.Events);
        var load = await LoadAsync(store, traffic);

        Rollup rollup;
        await using (server = await Servers.RestartPorchlightAsync(store.Data, store.Database, Settings))
        {
            var cpu = new ProcessorTime(server.ProcessId);
            var marked = Stopwatch.GetTimestamp();
            await MarkStaleAsync(store, Enumerable.Range(0, Days).Select(d => (inboxId, first.AddDays(d))));
            await WaitForRollupAsync(store, server, inboxId);
            rollup = new Rollup(Stopwatch.GetElapsedTime(marked).TotalSeconds, cpu.PerItem(Days, "day"));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{store.Name}: {Days} days rolled up in {rollup.Seconds:0.0} s"));
        }

        // Measured after a restart, as when an operator upgrades a server whose sites have figures; the first request
        // comes a few seconds after the start, as a person opening the analytics page would.
        await using (server = await Servers.RestartPorchlightAsync(store.Data, store.Database, Settings))
        {
            using var api = TimedRequests.Api(server, token);
            await Task.Delay(TimeSpan.FromSeconds(5));

            // The machine is shared (the load generator too runs on it): its load when measuring is part of the figures.
            var loadAverage = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            var timings = await MeasureAsync(api, server, inboxId, first, options.Requests);
            var checks = new List<Check>
            {
                await TotalsCheckAsync(store, api, inboxId, first, load),
                await DayCheckAsync(store, api, inboxId, first.AddDays(14)),
                await LateEventsCheckAsync(store, server, api, site, first),
                await DayCheckAsync(store, api, inboxId, first.AddDays(14)),
            };
            return new Run(store.Name, load, rollup, timings, checks, loadAverage);
        }
    }

    /// <summary>
    /// Writes the traffic with the statements the tracking writer uses (RowStatements), a day per transaction; the
    /// next day is generated on the other core meanwhile. Visitors go last, each once, in its final state.
    /// </summary>
    private static async Task<Load> LoadAsync(Store store, SiteTraffic traffic)
    {
        await using var db = store.Context();
        await db.Database.OpenConnectionAsync();
        if (db.Database.IsSqlite())
        {
            // A load that fails is started again, so it needs no durability; the large cache keeps the index by
            // visitor key, whose inserts land anywhere in it, in memory.
            await db.Database.ExecuteSqlRawAsync("PRAGMA synchronous=OFF; PRAGMA cache_size=-4000000; PRAGMA temp_store=MEMORY;");
        }

        await using var commands = new PreparedCommands(db);
        var eventRows = new RowStatements<TrackedEvent>(db);
        var sessionRows = new RowStatements<TrackedSession>(db);
        var visitorRows = new RowStatements<TrackedVisitor>(db);
        var started = Stopwatch.GetTimestamp();
        long events = 0, sessions = 0, returning = 0;
        var days = Channel.CreateBounded<DayOfTraffic>(1);
        var generator = Task.Run(async () =>
        {
            try
            {
                foreach (var day in traffic.Days())
                {
                    await days.Writer.WriteAsync(day);
                }
            }
            finally
            {
                days.Writer.Complete();
            }
        });
        await foreach (var day in days.Reader.ReadAllAsync())
        {
            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                await eventRows.InsertAsync(commands, day.Events, CancellationToken.None);
                await sessionRows.InsertAsync(commands, day.Sessions, CancellationToken.None);
                await transaction.CommitAsync();
            }

            events += day.Events.Count;
            sessions += day.Sessions.Count;
            returning += day.Sessions.Count(s => s.IsReturning);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{store.Name}: {day.Day:yyyy-MM-dd} loaded, {events:N0} page views and {sessions:N0} visits so far, {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s"));
        }

        await generator; // a failure to generate surfaces here

        foreach (var chunk in traffic.Visitors.Chunk(100_000))
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await visitorRows.InsertAsync(commands, chunk, CancellationToken.None);
            await transaction.CommitAsync();
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new Load(events, sessions, returning, traffic.VisitorCount, seconds, await store.SizeAsync(db));
    }

    /// <summary>Marks days stale with the writer's own statement, in one transaction, as a batch of events would.</summary>
    private static async Task MarkStaleAsync(Store store, IEnumerable<(Guid InboxId, DateOnly Day)> days)
    {
        await using var db = store.Context();
        await db.Database.OpenConnectionAsync();
        await using var commands = new PreparedCommands(db);
        await using var transaction = await db.Database.BeginTransactionAsync();
        await StaleSiteDay.MarkAsync(db, commands.For(StaleSiteDay.MarkStatement(db)), days, CancellationToken.None);
        await transaction.CommitAsync();
    }

    /// <summary>Until the server's rollup job has cleared every stale day of the inbox.</summary>
    private static async Task WaitForRollupAsync(Store store, ServerProcess server, Guid inboxId)
    {
        var started = Stopwatch.GetTimestamp();
        var reported = started;
        while (true)
        {
            int stale;
            await using (var db = store.Context())
            {
                stale = await db.StaleSiteDays.CountAsync(d => d.InboxId == inboxId);
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

    /// <summary>
    /// Sequential requests, each timed until its whole answer is read: the baseline, then the statistics of 30, 7 and 1
    /// day(s) ending on the period's last day. The first statistics request after the start is timed on its own.
    /// </summary>
    private static async Task<List<Timing>> MeasureAsync(HttpClient api, ServerProcess server, Guid inboxId, DateOnly first, int requests)
    {
        var last = first.AddDays(Days - 1);
        string Statistics(int days) => string.Create(CultureInfo.InvariantCulture,
            $"/api/v1/inboxes/{inboxId}/statistics?from={last.AddDays(1 - days):yyyy-MM-dd}&to={last:yyyy-MM-dd}");
        (string What, string Path)[] series =
        [
            ("`GET /health/live` (baseline)", "/health/live"),
            ($"**statistics, {Days} days**", Statistics(Days)),
            ("statistics, 7 days", Statistics(7)),
            ("statistics, 1 day", Statistics(1)),
        ];

        var timings = new List<Timing> { await TimedRequests.TimeAsync(api, server, "statistics, 30 days, first request after the start", series[1].Path, 1) };
        foreach (var (what, path) in series)
        {
            await TimedRequests.TimeAsync(api, server, what, path, WarmUpRequests);
        }

        foreach (var (what, path) in series)
        {
            timings.Add(await TimedRequests.TimeAsync(api, server, what, path, requests));
        }

        return timings;
    }

    /// <summary>
    /// The 30 days' totals are the loaded data's: every page view and every visit counted once (no visit begins before
    /// the period, no page view falls after it). Visitors are estimated for a period this large; the exact count is beside it.
    /// </summary>
    private static async Task<Check> TotalsCheckAsync(Store store, HttpClient api, Guid inboxId, DateOnly first, Load load)
    {
        var statistics = await StatisticsAsync(api, inboxId, first, first.AddDays(Days - 1));
        var totals = statistics.GetProperty("totals");
        var (start, end) = (Start(first), Start(first.AddDays(Days)));
        long visitors;
        await using (var db = store.Context())
        {
            visitors = await db.TrackedSessions.Where(s => s.InboxId == inboxId && s.StartedAt >= start && s.StartedAt < end).Select(s => s.VisitorKey).Distinct().CountAsync();
        }

        var estimate = totals.GetProperty("visitors").GetInt64();
        var passed = totals.GetProperty("pageViews").GetInt64() == load.Events && totals.GetProperty("visits").GetInt64() == load.Sessions
            && statistics.GetProperty("upToDate").GetBoolean();
        return new Check(store.Name, passed, string.Create(CultureInfo.InvariantCulture,
            $"{Days}-day totals against the loaded rows: page views {totals.GetProperty("pageViews").GetInt64():N0} / {load.Events:N0}, visits {totals.GetProperty("visits").GetInt64():N0} / {load.Sessions:N0}, up to date {statistics.GetProperty("upToDate").GetBoolean()}; visitors {estimate:N0} (estimated: {totals.GetProperty("visitorsEstimated").GetBoolean()}) against {visitors:N0} distinct ({(estimate - visitors) * 100.0 / visitors:+0.00;-0.00}%)"));
    }

    /// <summary>
    /// One day as the endpoint answers it and as stored in the rollup table, against a direct count of the raw visits
    /// begun that day and of the page views that happened on it.
    /// </summary>
    private static async Task<Check> DayCheckAsync(Store store, HttpClient api, Guid inboxId, DateOnly day)
    {
        var totals = (await StatisticsAsync(api, inboxId, day, day)).GetProperty("totals");
        var visits = totals.GetProperty("visits").GetInt32();
        var answered = (Visits: visits, PageViews: totals.GetProperty("pageViews").GetInt32(),
            Bounces: (int)Math.Round(totals.GetProperty("bounceRate").GetDouble() * visits), Visitors: totals.GetProperty("visitors").GetInt32());
        var (start, end) = (Start(day), Start(day.AddDays(1)));
        await using var db = store.Context();
        var sessions = db.TrackedSessions.Where(s => s.InboxId == inboxId && s.StartedAt >= start && s.StartedAt < end);
        var raw = (Visits: await sessions.CountAsync(), PageViews: await sessions.SumAsync(s => s.PageViews),
            Bounces: await sessions.CountAsync(s => s.PageViews <= 1), Visitors: await sessions.Select(s => s.VisitorKey).Distinct().CountAsync());
        var rolled = await db.SiteDailyStats.AsNoTracking().SingleAsync(s => s.InboxId == inboxId && s.Day == day && s.Dimension == SiteDimension.Site);
        var stored = (rolled.Visits, rolled.PageViews, rolled.Bounces, rolled.Visitors);
        var pageRows = await db.SiteDailyStats.Where(s => s.InboxId == inboxId && s.Day == day && s.Dimension == SiteDimension.Page).SumAsync(s => s.PageViews);
        var pageEvents = await db.TrackedEvents.CountAsync(e => e.InboxId == inboxId && e.Type == TrackedEventType.PageView && e.ReceivedAt >= start && e.ReceivedAt < end);
        return new Check(store.Name, answered == raw && stored == raw && pageRows == pageEvents, string.Create(CultureInfo.InvariantCulture,
            $"{day:yyyy-MM-dd} (visits, page views, bounces, visitors): endpoint {answered}, rollup row {stored}, raw visits {raw}; page views by page: rollup {pageRows:N0}, raw events {pageEvents:N0}"));
    }

    /// <summary>
    /// Late page views of a rolled-up day, stored as the tracking writer stores a batch: the events, the visit and the
    /// visitor brought up to date by the writer's domain methods, and the day marked stale, in one transaction. Once the
    /// job has rolled the day up again its page views must have grown by exactly that many, its visits and bounces not
    /// at all (the visit already had two page views or more), and the 30 days' page views by as many.
    /// </summary>
    private static async Task<Check> LateEventsCheckAsync(Store store, ServerProcess server, HttpClient api, TrackingSite site, DateOnly first)
    {
        var (day, last) = (first.AddDays(14), first.AddDays(Days - 1));
        var before = (await StatisticsAsync(api, site.InboxId, day, day)).GetProperty("totals");
        var periodBefore = (await StatisticsAsync(api, site.InboxId, first, last)).GetProperty("totals").GetProperty("pageViews").GetInt32();
        await using (var db = store.Context())
        {
            var noon = Start(day).AddHours(12);
            var visit = await db.TrackedSessions.AsNoTracking()
                .Where(s => s.InboxId == site.InboxId && s.StartedAt >= noon && s.StartedAt < noon.AddHours(1) && s.PageViews >= 2 && s.LastSeenAt < noon.AddHours(6))
                .OrderBy(s => s.StartedAt).FirstAsync();
            var visitor = await db.TrackedVisitors.AsNoTracking().SingleAsync(v => v.InboxId == site.InboxId && v.VisitorKey == visit.VisitorKey);
            var (visits, visitors) = (new RowStatements<TrackedSession>(db), new RowStatements<TrackedVisitor>(db));
            var (visitBefore, visitorBefore) = (visits.Snapshot(visit), visitors.Snapshot(visitor));
            var software = new UserAgentFacts(visit.Browser, visit.Os, visit.Device, IsBot: false);
            var late = Enumerable.Range(1, LateEvents).Select(i => TrackedEvent.From(site, visit.VisitorKey, visit.SessionKey, software,
                new TrackerEvent("pageview", $"https://shop.example/late/page-{i}", $"Late {i}", visit.ExitUrl, null, null, null, null, null, null),
                visit.LastSeenAt.AddSeconds(30 * i))).ToList();
            foreach (var done in late)
            {
                visit.Saw(done);
            }

            await db.Database.OpenConnectionAsync();
            await using var commands = new PreparedCommands(db);
            await using var transaction = await db.Database.BeginTransactionAsync();
            await new RowStatements<TrackedEvent>(db).InsertAsync(commands, late, CancellationToken.None);
            await visits.UpdateChangedAsync(commands, visit, visitBefore, CancellationToken.None);
            await visitors.UpdateChangedAsync(commands, visitor, visitorBefore, CancellationToken.None);
            await StaleSiteDay.MarkAsync(db, commands.For(StaleSiteDay.MarkStatement(db)), [(site.InboxId, day)], CancellationToken.None);
            await transaction.CommitAsync();
        }

        var marked = Stopwatch.GetTimestamp();
        await WaitForRollupAsync(store, server, site.InboxId);
        var seconds = Stopwatch.GetElapsedTime(marked).TotalSeconds;
        var after = (await StatisticsAsync(api, site.InboxId, day, day)).GetProperty("totals");
        var periodAfter = (await StatisticsAsync(api, site.InboxId, first, last)).GetProperty("totals").GetProperty("pageViews").GetInt32();
        int Of(JsonElement totals, string name) => totals.GetProperty(name).GetInt32();
        var grown = Of(after, "pageViews") - Of(before, "pageViews");
        var passed = grown == LateEvents && periodAfter - periodBefore == LateEvents && Of(after, "visits") == Of(before, "visits")
            && after.GetProperty("bounceRate").GetDouble() == before.GetProperty("bounceRate").GetDouble();
        return new Check(store.Name, passed, string.Create(CultureInfo.InvariantCulture,
            $"{LateEvents} late page views added to a visit of {day:yyyy-MM-dd}: the day's page views {Of(before, "pageViews"):N0} → {Of(after, "pageViews"):N0} (+{grown}), visits {Of(before, "visits"):N0} → {Of(after, "visits"):N0}, {Days} days' page views +{periodAfter - periodBefore}; rolled up again {seconds:0.0} s after the commit"));
    }

    private static async Task<JsonElement> StatisticsAsync(HttpClient api, Guid inboxId, DateOnly from, DateOnly to)
    {
        using var response = await api.GetAsync(new Uri(string.Create(CultureInfo.InvariantCulture,
            $"/api/v1/inboxes/{inboxId}/statistics?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}"), UriKind.Relative));
        return await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
    }

    private static DateTime Start(DateOnly day) => day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    /// <summary>Markdown for docs/benchmarks.md: the command, the data, the latencies against the baseline, the checks.</summary>
    private static void Summarize(List<Run> runs, DateOnly first)
    {
        var command = "dotnet bench/Porchlight.Bench/bin/Release/net10.0/Porchlight.Bench.dll " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
        var text = new System.Text.StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));
        Line($"\n```bash\n{command}\n```\n");
        Line($"Period {first:yyyy-MM-dd} to {first.AddDays(Days - 1):yyyy-MM-dd}, {Environment.ProcessorCount} cores, measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.\n");
        Line($"| store | page views | visits (returning) | visitors | load (rows/s) | database | rollup of {Days} days | per day | rollup CPU |");
        Line($"|---|---|---|---|---|---|---|---|---|");
        foreach (var run in runs)
        {
            var load = run.Load;
            var rows = load.Events + load.Sessions + load.Visitors;
            Line($"| {run.Store} | {load.Events:N0} | {load.Sessions:N0} ({load.Returning * 100.0 / load.Sessions:0.0}%) | {load.Visitors:N0} | {load.Seconds:0} s ({rows / load.Seconds:N0}/s) | {load.Bytes / 1e9:0.00} GB | {run.Rollup.Seconds:0.0} s | {run.Rollup.Seconds / Days:0.00} s | {run.Rollup.Cpu} |");
        }

        Line($"\n| store | request | p50 | p95 | p99 | max | answer | CPU of Porchlight (server) and the bench (PostgreSQL's own not counted) |");
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
            var month = run.Timings.Single(t => t.What.StartsWith("**", StringComparison.Ordinal)).Latencies;
            var verdict = month.Percentile(99) <= 300 ? "met at p99" : month.Percentile(95) <= 300 ? "met at p95, not at p99" : month.Percentile(50) <= 300 ? "met at p50 only" : "NOT met";
            Line($"- {run.Store}: {Days} days p50 {month.Percentile(50):0.0} ms ({month.Percentile(50) / baseline:0}× `/health/live`), p95 {month.Percentile(95):0.0} ms, p99 {month.Percentile(99):0.0} ms against ≤ 300 ms: {verdict}. Machine load average (1 min) when measuring began: {run.LoadAverage}.");
            foreach (var check in run.Checks)
            {
                Line($"- {run.Store}: {(check.Passed ? "PASS" : "FAIL")}: {check.Text}");
            }
        }

        Console.WriteLine(text);
    }

    private sealed record Load(long Events, long Sessions, long Returning, long Visitors, double Seconds, long Bytes);

    private sealed record Rollup(double Seconds, string Cpu);

    private sealed record Check(string Store, bool Passed, string Text);

    private sealed record Run(string Store, Load Load, Rollup Rollup, List<Timing> Timings, List<Check> Checks, string LoadAverage);
}
