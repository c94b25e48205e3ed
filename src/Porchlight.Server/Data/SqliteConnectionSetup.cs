using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Porchlight.Server.Data;

/// <summary>
/// Per-connection SQLite settings. WAL lets readers proceed while one writer commits; NORMAL
/// synchronous (the default, <c>Database:SqliteSynchronous</c>) is durable across application crashes in WAL
/// mode and avoids an fsync per commit, FULL also across power loss;
/// foreign keys are off by default in SQLite; checkpoints run in the background (<see cref="SqliteCheckpointer"/>),
/// not inside the commit that fills the log. The settings belong to the native connection, which the
/// pool keeps open between uses, so they run once per native connection, not on every logical open
/// (EF Core opens a pooled connection for each query).
/// </summary>
internal sealed class SqliteConnectionSetup(IOptions<DatabaseOptions> options) : DbConnectionInterceptor
{
    private readonly string _pragmas =
        $"PRAGMA journal_mode=WAL; PRAGMA synchronous={options.Value.SqliteSynchronous.ToString().ToUpperInvariant()}; "
        + "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; PRAGMA wal_autocheckpoint=0;";

    private readonly ConditionalWeakTable<object, object> _configured = [];

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (NeedsSetup(connection))
        {
            using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            command.ExecuteNonQuery();
            Configured(connection);
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (NeedsSetup(connection))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
            Configured(connection);
        }
    }

    private bool NeedsSetup(DbConnection connection) =>
        connection is SqliteConnection { Handle: { } handle } && !_configured.TryGetValue(handle, out _);

    private void Configured(DbConnection connection) => _configured.AddOrUpdate(((SqliteConnection)connection).Handle!, this);

    /// <summary>Makes sure the folder of a file database exists, so a fresh clone needs no set-up.</summary>
    public static void EnsureDirectory(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:")
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }
}
