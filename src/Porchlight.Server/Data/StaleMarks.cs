using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Porchlight.Server.Data;

/// <summary>
/// Marks of work to redo (a day whose figures must be rolled up again): a row per key with a <c>Version</c> that
/// grows with every mark, so the job that clears a mark clears only the version it saw, and a mark made while it
/// worked survives. Marking is one upsert, so writers in concurrent transactions never collide on the key.
/// </summary>
public static class StaleMarks
{
    /// <summary>The statement that marks a key (parameters <c>@k0</c>, <c>@k1</c>, …), for both providers.</summary>
    public static string Statement<TEntity>(DbContext db, params string[] keyProperties)
        where TEntity : class
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        var type = db.Model.FindEntityType(typeof(TEntity)) ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not mapped.");
        var table = sql.DelimitIdentifier(type.GetTableName()!);
        string Column(string property) => sql.DelimitIdentifier(type.FindProperty(property)!.GetColumnName());
        var keys = string.Join(", ", keyProperties.Select(Column));
        var version = Column("Version");
        return $"INSERT INTO {table} ({keys}, {version}) VALUES ({string.Join(", ", keyProperties.Select((_, i) => "@k" + i))}, 1) "
            + $"ON CONFLICT ({keys}) DO UPDATE SET {version} = {table}.{version} + 1";
    }

    /// <summary>Marks each key (values in the order of <paramref name="keyProperties"/>) with <paramref name="command"/> of <see cref="Statement"/>, in its transaction.</summary>
    public static async Task MarkAsync<TEntity>(DbContext db, DbCommand command, string[] keyProperties, IEnumerable<object[]> keys, CancellationToken cancellationToken)
        where TEntity : class
    {
        var type = db.Model.FindEntityType(typeof(TEntity))!;
        var properties = keyProperties.Select(p => type.FindProperty(p)!).ToArray();
        foreach (var key in keys)
        {
            command.Parameters.Clear();
            for (var i = 0; i < properties.Length; i++)
            {
                command.Parameters.Add(RowStatements.Parameter(command, properties[i], "@k" + i, key[i]));
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Marks the keys in the context's open transaction.</summary>
    public static async Task MarkAsync<TEntity>(DbContext db, string[] keyProperties, IEnumerable<object[]> keys, CancellationToken cancellationToken)
        where TEntity : class
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = Statement<TEntity>(db, keyProperties);
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("A mark belongs to the transaction of the change it marks; open one first.");
        await MarkAsync<TEntity>(db, command, keyProperties, keys, cancellationToken);
    }
}
