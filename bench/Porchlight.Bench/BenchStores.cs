using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Testing;

namespace Porchlight.Bench;

/// <summary>Where a run's data lives: the server's database arguments, and a context of the bench's own on it.</summary>
internal sealed record Store(string Name, string Data, string[]? Database, Func<AppDbContext> Context)
{
    public static Store Sqlite(string data) => new("SQLite", data, null, () => new SqliteAppDbContext(
        new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite($"Data Source={Servers.SqlitePath(data)}").Options, new TenantScope()));

    // Not with "Max Auto Prepare": RowStatements binds new parameter objects on every execution, and Npgsql keeps
    // sending an auto-prepared command's first ones (npgsql/npgsql#3850), which loads duplicate rows.
    public static Store Postgres(string data, string connection) => new("PostgreSQL", data, ["--Database:Provider=Postgres", $"--Database:ConnectionString={connection}"],
        () => new PostgresAppDbContext(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(connection).Options, new TenantScope()));

    /// <summary>The database's size on disk.</summary>
    public async Task<long> SizeAsync(AppDbContext db) => db.Database.IsSqlite()
        ? Directory.GetFiles(Data, "porchlight.db*").Sum(f => new FileInfo(f).Length)
        : await db.Database.SqlQueryRaw<long>("SELECT pg_database_size(current_database()) AS \"Value\"").SingleAsync();
}

/// <summary>One series of timed requests: what was asked, the latencies, the server's CPU per request, the answer's size.</summary>
internal sealed record Timing(string What, LatencyRecorder Latencies, string Cpu, int Bytes);

internal static class TimedRequests
{
    public static HttpClient Api(ServerProcess server, string token)
    {
        var api = Servers.Http(server.BaseAddress);
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return api;
    }

    /// <summary>Sequential requests, each timed until its whole answer is read; <paramref name="before"/> runs before each, untimed.</summary>
    public static async Task<Timing> TimeAsync(HttpClient api, ServerProcess server, string what, string path, int requests, Func<Task>? before = null)
    {
        var latencies = new LatencyRecorder();
        var cpu = new ProcessorTime(server.ProcessId);
        var bytes = 0;
        for (var i = 0; i < requests; i++)
        {
            if (before is not null)
            {
                await before();
            }

            var key = i.ToString(CultureInfo.InvariantCulture);
            latencies.Sending(key, Stopwatch.GetTimestamp());
            using var response = await api.GetAsync(new Uri(path, UriKind.Relative));
            bytes = (await response.Content.ReadAsByteArrayAsync()).Length;
            latencies.Received(key);
            response.EnsureSuccessStatusCode();
        }

        return new Timing(what, latencies, cpu.PerItem(requests, "request"), bytes);
    }
}
