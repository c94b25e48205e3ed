using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Porchlight.Server.Data;

/// <summary>
/// Locks rows until the caller's transaction ends, so a decision read from them stays true at its commit.
/// PostgreSQL locks the row with FOR NO KEY UPDATE: lockers wait for each other, but an insert that merely refers
/// to the row (a message written by a locked agent) takes a key-share lock and passes, so a path that locks a
/// conversation and then writes an agent's message cannot deadlock with one that locks that agent and then the
/// conversation. On SQLite a transaction here begins IMMEDIATE and already holds the database's write lock.
/// </summary>
public static class RowLocks
{
    /// <summary>What a SELECT appends to lock the rows it reads: nothing on SQLite (see above).</summary>
    public static string Clause(DbContext db) => db.Database.IsSqlite() ? "" : " FOR NO KEY UPDATE";

    /// <summary>Locks the <typeparamref name="TEntity"/> row with this key. Callers that lock several kinds lock them in one order.</summary>
    public static Task LockAsync<TEntity>(DbContext db, Guid key, CancellationToken cancellationToken)
        where TEntity : class =>
        LockWhereAsync<TEntity>(db, property: null, key, Clause(db), cancellationToken);

    /// <summary>
    /// Locks, as a delete would, every <typeparamref name="TEntity"/> row whose <paramref name="property"/> is
    /// <paramref name="value"/>, in key order. A delete that cascades to many rows otherwise locks them in whatever
    /// order the database finds them, and deadlocks with a writer that locks several of them (the message writer's
    /// batches, which lock conversations in key order too).
    /// </summary>
    public static Task LockAllForDeleteAsync<TEntity>(DbContext db, string property, Guid value, CancellationToken cancellationToken)
        where TEntity : class =>
        LockWhereAsync<TEntity>(db, property, value, db.Database.IsSqlite() ? "" : " FOR UPDATE", cancellationToken);

    // SELECT 1 … WHERE <the key, or property> = value [ORDER BY key] <lock clause>; nothing to do on SQLite.
    private static async Task LockWhereAsync<TEntity>(DbContext db, string? property, Guid value, string clause, CancellationToken cancellationToken)
        where TEntity : class
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A row lock lasts until the transaction ends; open one first.");
        }

        if (clause.Length == 0)
        {
            return;
        }

        var type = db.Model.FindEntityType(typeof(TEntity)) ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not mapped.");
        var sql = db.GetService<ISqlGenerationHelper>();
        var keyColumn = sql.DelimitIdentifier(type.FindPrimaryKey()!.Properties.Single().GetColumnName());
        var where = property is null ? keyColumn : sql.DelimitIdentifier(type.FindProperty(property)!.GetColumnName());
        var order = property is null ? "" : $" ORDER BY {keyColumn}";
#pragma warning disable EF1002 // Identifiers come from the model, delimited; the value is a parameter.
        await db.Database.ExecuteSqlRawAsync(
            $"SELECT 1 FROM {sql.DelimitIdentifier(type.GetTableName()!)} WHERE {where} = {{0}}{order}{clause}", [value], cancellationToken);
#pragma warning restore EF1002
    }

    /// <summary>Keys in the order the database sorts them (a uuid sorts by its bytes, as its text does), the order locks are taken in.</summary>
    public static IEnumerable<Guid> InLockOrder(IEnumerable<Guid> keys) => keys.OrderBy(key => key.ToString("N"), StringComparer.Ordinal);
}
