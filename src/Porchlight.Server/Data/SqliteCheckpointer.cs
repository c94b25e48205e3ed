using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Data;

/// <summary>
/// Moves committed pages from SQLite's write-ahead log into the database file from its own connection,
/// and has the log start over from its beginning once it has grown. SQLite would otherwise checkpoint
/// inside whichever commit pushes the log past 1,000 pages, which made those commits the slowest of all;
/// writers turn that off (<see cref="SqliteConnectionSetup"/>) and this job does it in the background.
/// </summary>
/// <remarks>
/// A passive checkpoint copies beside the writers and never waits for anyone, but on its own it does not
/// keep the log small: SQLite starts the log over only when a write begins after everything was copied and
/// no reader still looks at the log, which under a steady stream of messages did not happen once (the log
/// grew by a gigabyte in 40 seconds at 1,000 messages a second). So once the log holds
/// <see cref="StartOverAfterPages"/>, passive checkpoints catch up with what arrived meanwhile, and the
/// last few pages are copied by a restart checkpoint while message writes wait at their gate: without new
/// pages, readers arriving then read the database file, and the next write starts the log over. The wait
/// is usually under 0.2 ms, once a second at most (decisions/0013).
/// </remarks>
internal sealed class SqliteCheckpointer(IOptions<DatabaseOptions> options, MessageWriteGate messageWrites, TimeProvider clock, ILogger<SqliteCheckpointer> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>SQLite's own default for when a log is due for a checkpoint, about 4 MB.</summary>
    public const long StartOverAfterPages = 1000;

    // Few enough pages that copying them while message writes wait is quick; catching up stops below this.
    private const long ShortTail = 32;
    private const int MostCatchUps = 3;

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
        var pages = await CheckpointAsync(connection, "PASSIVE", cancellationToken);
        if (pages < StartOverAfterPages)
        {
            return;
        }

        for (var catchUp = 0; catchUp < MostCatchUps; catchUp++)
        {
            var previous = pages;
            pages = await CheckpointAsync(connection, "PASSIVE", cancellationToken);
            if (pages - previous < ShortTail)
            {
                break;
            }
        }

        // Without a busy handler, a restart that finds a reader still in the log returns at once instead of
        // waiting while message writes are held; the next round tries again.
        await using (var noWaiting = connection.CreateCommand())
        {
            noWaiting.CommandText = "PRAGMA busy_timeout=0;";
            await noWaiting.ExecuteNonQueryAsync(cancellationToken);
        }

        using var holdingMessageWrites = await messageWrites.EnterAsync(cancellationToken);
        await CheckpointAsync(connection, "RESTART", cancellationToken);
    }

    /// <summary>Runs a checkpoint and returns how many pages the log holds.</summary>
    private static async Task<long> CheckpointAsync(SqliteConnection connection, string mode, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA wal_checkpoint({mode});";
        await using var result = await command.ExecuteReaderAsync(cancellationToken);
        // One row: whether the checkpoint was blocked, the pages in the log, and the pages copied so far.
        return await result.ReadAsync(cancellationToken) ? result.GetInt64(1) : 0;
    }
}
