using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Data;

/// <summary>
/// Moves committed pages from SQLite's write-ahead log into the database file from its own connection.
/// SQLite would otherwise run this checkpoint inside whichever commit pushes the log past 1,000 pages,
/// which made those commits the slowest of all; writers turn that off (<see cref="SqliteConnectionSetup"/>)
/// and this job does it in the background. A passive checkpoint never waits for readers or writers.
/// </summary>
internal sealed class SqliteCheckpointer(IOptions<DatabaseOptions> options, TimeProvider clock, ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    // Read-write without create: no empty database file should appear before the first migration.
    private readonly SqliteConnectionStringBuilder _database = new(DataFeature.SqliteConnectionString(options.Value)) { Mode = SqliteOpenMode.ReadWrite };

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicJob.RunAsync(Interval, clock, logger, "A background WAL checkpoint", CheckpointAsync, stoppingToken);

    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        // Before the first migration there is nothing to checkpoint (and nothing to warn about every second).
        if (!File.Exists(_database.DataSource))
        {
            return;
        }

        await using var connection = new SqliteConnection(_database.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
