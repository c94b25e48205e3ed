using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Porchlight.Server.Data;

/// <summary>
/// A read-only transaction in which every query sees the database as of the first: for answers put together from
/// several queries (a count beside the list it counts) while writers commit between them. PostgreSQL reads at
/// REPEATABLE READ; SQLite begins DEFERRED, which in WAL mode reads a snapshot without taking the write lock that
/// EF Core's IMMEDIATE transactions take.
/// </summary>
public static class SnapshotReads
{
    /// <summary>Begins the snapshot; null when the caller's transaction is open already (its reads are the caller's to choose).</summary>
    public static async Task<IAsyncDisposable?> BeginAsync(DbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            return null;
        }

        if (!db.Database.IsSqlite())
        {
            return await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        var transaction = ((SqliteConnection)db.Database.GetDbConnection()).BeginTransaction(deferred: true);
        await db.Database.UseTransactionAsync(transaction, cancellationToken);
        return new SqliteSnapshot(db, transaction);
    }

    private sealed class SqliteSnapshot(DbContext db, SqliteTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await db.Database.UseTransactionAsync(null);
            await transaction.DisposeAsync(); // Rolls back: nothing was written.
            await db.Database.CloseConnectionAsync();
        }
    }
}
