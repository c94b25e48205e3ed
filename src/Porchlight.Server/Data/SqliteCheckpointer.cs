using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Read-write without create: before the first migration there is nothing to checkpoint, and no empty file should appear.
        var connectionString = new SqliteConnectionStringBuilder(DataFeature.SqliteConnectionString(options.Value)) { Mode = SqliteOpenMode.ReadWrite }.ToString();
        var failing = false;
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var connection = new SqliteConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                await command.ExecuteNonQueryAsync(stoppingToken);
                failing = false;
            }
            catch (SqliteException e)
            {
                // The next tick tries again; until then the log only grows. Said once, not every second.
                if (!failing)
                {
                    logger.LogWarning(e, "Background WAL checkpoints are failing.");
                }

                failing = true;
            }
        }
    }
}
