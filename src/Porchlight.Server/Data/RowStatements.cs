using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Porchlight.Server.Data;

public static class RowStatements
{
    /// <summary>Binds <paramref name="value"/> for <paramref name="property"/> the way EF Core does (SQLite keeps Guids and times as text, enums here as names).</summary>
    public static DbParameter Parameter(DbCommand command, IProperty property, string name, object? value) =>
        property.GetRelationalTypeMapping().CreateParameter(command, name, value, property.IsNullable);

    /// <summary>A command on the context's connection, in its transaction: plain statements never run on their own.</summary>
    public static DbCommand Command(DbContext db, string text)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Plain statements run inside the caller's transaction.");
        command.CommandText = text;
        return command;
    }
}

/// <summary>
/// Plain INSERT and UPDATE commands for one entity type, built from the EF Core model: its table, its
/// columns and each column's value conversion, so a row written here reads back through EF Core exactly
/// as if <c>SaveChanges</c> had written it. Only for the message write path, where change tracking and
/// the update pipeline cost several times the statements themselves (decisions/0010). Nothing here goes
/// through the interceptors: audited types are refused, and a row with unsaved domain events is refused
/// (its events would never reach the outbox).
/// </summary>
public sealed class RowStatements<TEntity>
    where TEntity : class
{
    private readonly IProperty _key;
    private readonly IProperty[] _columns;
    private readonly string _table;
    private readonly string _insert;
    private readonly ISqlGenerationHelper _sql;

    // One UPDATE text per set of changed columns (a bit per column); the message path produces a handful.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, string> _updates = new();

    public RowStatements(DbContext db)
    {
        if (typeof(Features.Audit.IAudited).IsAssignableFrom(typeof(TEntity)))
        {
            throw new InvalidOperationException($"{typeof(TEntity).Name} is audited; write it with SaveChanges.");
        }

        var type = db.Model.FindEntityType(typeof(TEntity)) ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not mapped.");
        _key = type.FindPrimaryKey()!.Properties.Single();
        _columns = [.. type.GetProperties()];
        if (_columns.Length > 64 || _columns.Any(p => p.IsShadowProperty()))
        {
            throw new InvalidOperationException($"{typeof(TEntity).Name} has shadow or too many columns for plain statements.");
        }

        _sql = db.GetService<ISqlGenerationHelper>();
        _table = _sql.DelimitIdentifier(type.GetTableName()!);
        _insert = $"INSERT INTO {_table} ({string.Join(", ", _columns.Select(Column))}) VALUES ({string.Join(", ", _columns.Select((_, i) => "@p" + i))})";
    }

    /// <summary>The entity's column values, to find what a domain method changed.</summary>
    public object?[] Snapshot(TEntity entity) => [.. _columns.Select(p => p.GetGetter().GetClrValue(entity))];

    /// <summary>Inserts the rows with one command, bound again for each row, in the context's transaction.</summary>
    public async Task InsertAsync(DbContext db, IReadOnlyList<TEntity> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using var command = RowStatements.Command(db, _insert);
        foreach (var row in rows)
        {
            WithoutEvents(row);
            command.Parameters.Clear();
            for (var i = 0; i < _columns.Length; i++)
            {
                command.Parameters.Add(RowStatements.Parameter(command, _columns[i], "p" + i, _columns[i].GetGetter().GetClrValue(row)));
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Updates the columns whose values differ from <paramref name="before"/> (a <see cref="Snapshot"/>), and
    /// only those, so a column another writer changed meanwhile is left as it is, as SaveChanges would.
    /// </summary>
    public async Task UpdateChangedAsync(DbContext db, TEntity row, object?[] before, CancellationToken cancellationToken)
    {
        WithoutEvents(row);
        var changed = 0UL;
        for (var i = 0; i < _columns.Length; i++)
        {
            if (!Equals(before[i], _columns[i].GetGetter().GetClrValue(row)))
            {
                changed |= 1UL << i;
            }
        }

        if (changed == 0)
        {
            return;
        }

        var text = _updates.GetOrAdd(changed, bits =>
            $"UPDATE {_table} SET {string.Join(", ", Changed(bits).Select(i => $"{Column(_columns[i])} = @p{i}"))} WHERE {Column(_key)} = @key");
        await using var command = RowStatements.Command(db, text);
        foreach (var i in Changed(changed))
        {
            command.Parameters.Add(RowStatements.Parameter(command, _columns[i], "p" + i, _columns[i].GetGetter().GetClrValue(row)));
        }

        command.Parameters.Add(RowStatements.Parameter(command, _key, "key", _key.GetGetter().GetClrValue(row)));
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new DbUpdateConcurrencyException($"{typeof(TEntity).Name} {_key.GetGetter().GetClrValue(row)} was not found to update.");
        }
    }

    private static void WithoutEvents(TEntity row)
    {
        if (row is IHasDomainEvents { DomainEvents.Count: > 0 })
        {
            throw new InvalidOperationException($"This {typeof(TEntity).Name} raised domain events; write it with SaveChanges so they reach the outbox.");
        }
    }

    private IEnumerable<int> Changed(ulong bits) => Enumerable.Range(0, _columns.Length).Where(i => (bits & (1UL << i)) != 0);

    private string Column(IProperty property) => _sql.DelimitIdentifier(property.GetColumnName());
}
