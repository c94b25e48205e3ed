using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Porchlight.Server.Data;

public static class RowStatements
{
    /// <summary>Binds <paramref name="value"/> for <paramref name="property"/> the way EF Core does (SQLite keeps Guids and times as text, enums here as names).</summary>
    /// <param name="name">As the statement writes it, "@" included: SQLite finds a name without it only after trying each prefix in turn.</param>
    public static DbParameter Parameter(DbCommand command, IProperty property, string name, object? value) =>
        property.GetRelationalTypeMapping().CreateParameter(command, name, value, property.IsNullable);

    /// <summary>
    /// A look-up of whole rows by the columns of a unique index (for <see cref="RowStatements{TEntity}.FindAsync"/>): one index seek per row,
    /// on a statement kept prepared, where a query through EF Core costs more than the seek.
    /// </summary>
    public static ColumnLookup<TEntity> UniqueLookup<TEntity>(DbContext db, params string[] properties)
        where TEntity : class
    {
        var type = db.Model.FindEntityType(typeof(TEntity)) ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not mapped.");
        var by = properties.Select(p => type.FindProperty(p) ?? throw new InvalidOperationException($"{typeof(TEntity).Name}.{p} is not mapped.")).ToArray();
        if (type.GetIndexes().All(i => !i.IsUnique || !i.Properties.SequenceEqual(by)))
        {
            throw new InvalidOperationException($"{typeof(TEntity).Name} has no unique index on ({string.Join(", ", properties)}).");
        }

        return new ColumnLookup<TEntity>(db, [.. type.GetProperties()], by, lockForUpdate: false);
    }
}

/// <summary>
/// Plain SELECT, INSERT and UPDATE commands for one entity type, built from the EF Core model: its table,
/// its columns and each column's value conversion, so a row written here reads back through EF Core
/// exactly as if <c>SaveChanges</c> had written it, and a row read here is the entity EF Core would
/// materialize. Only for the message write path, where the query and update pipelines cost several times
/// the statements themselves (decisions/0010); the commands are kept prepared (decisions/0012). Nothing
/// here goes through the interceptors: audited types are refused, and a row with unsaved domain events
/// is refused (its events would never reach the outbox).
/// </summary>
public sealed class RowStatements<TEntity>
    where TEntity : class
{
    private readonly IProperty _key;
    private readonly IProperty[] _columns;
    private readonly ColumnLookup<TEntity> _lockedRow;
    private readonly string _table;
    private readonly string _insert;
    private readonly string[] _names;
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

        _lockedRow = new ColumnLookup<TEntity>(db, _columns, [_key], lockForUpdate: true);
        _sql = db.GetService<ISqlGenerationHelper>();
        _table = _sql.DelimitIdentifier(type.GetTableName()!);
        _names = [.. _columns.Select((_, i) => "@p" + i)];
        _insert = $"INSERT INTO {_table} ({string.Join(", ", _columns.Select(Column))}) VALUES ({string.Join(", ", _names)})";
    }

    /// <summary>
    /// The row with this key, as the entity EF Core would read (not tracked), or null; nobody else can change
    /// it until the caller's transaction ends, so what the caller computes from it stays true.
    /// </summary>
    public Task<TEntity?> FindForUpdateAsync(PreparedCommands commands, object key, CancellationToken cancellationToken) =>
        FindAsync(commands, _lockedRow, [key], cancellationToken);

    /// <summary>The row <paramref name="lookup"/> finds with these values, as the entity EF Core would read (not tracked), or null.</summary>
    public async Task<TEntity?> FindAsync(PreparedCommands commands, ColumnLookup<TEntity> lookup, object[] values, CancellationToken cancellationToken) =>
        (await FindEachAsync(commands, lookup, [values], cancellationToken))[0];

    /// <summary>The row each of <paramref name="keys"/> finds (null where none), in one round trip where the provider allows.</summary>
    public async Task<List<TEntity?>> FindEachAsync(PreparedCommands commands, ColumnLookup<TEntity> lookup, IReadOnlyList<object[]> keys, CancellationToken cancellationToken)
    {
        var rows = await lookup.FindEachAsync(commands, keys, cancellationToken);
        return rows.ConvertAll(read =>
        {
            if (read is null)
            {
                return null;
            }

            // Entities keep a private constructor for EF Core; their properties are set as EF Core sets them.
            var entity = (TEntity)Activator.CreateInstance(typeof(TEntity), nonPublic: true)!;
            for (var i = 0; i < read.Length; i++)
            {
                lookup.Columns[i].Set(entity, read[i]);
            }

            return entity;
        });
    }

    /// <summary>The entity's column values, to find what a domain method changed.</summary>
    public object?[] Snapshot(TEntity entity) => [.. _columns.Select(p => p.GetGetter().GetClrValue(entity))];

    /// <summary>Inserts the rows, one execution of the same statement each, in the context's transaction (gathered, see <see cref="PreparedCommands.Gather"/>).</summary>
    public async Task InsertAsync(PreparedCommands commands, IReadOnlyList<TEntity> rows, CancellationToken cancellationToken)
    {
        foreach (var row in rows)
        {
            WithoutEvents(row);
            await commands.ExecuteAsync(_insert, (command, parameters) =>
            {
                for (var i = 0; i < _columns.Length; i++)
                {
                    parameters.Add(RowStatements.Parameter(command, _columns[i], _names[i], _columns[i].GetGetter().GetClrValue(row)));
                }
            }, oneRowOf: null, cancellationToken);
        }
    }

    /// <summary>
    /// Updates the columns whose values differ from <paramref name="before"/> (a <see cref="Snapshot"/>), and
    /// only those, so a column another writer changed meanwhile is left as it is, as SaveChanges would.
    /// </summary>
    public async Task UpdateChangedAsync(PreparedCommands commands, TEntity row, object?[] before, CancellationToken cancellationToken)
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
        await commands.ExecuteAsync(text, (command, parameters) =>
        {
            foreach (var i in Changed(changed))
            {
                parameters.Add(RowStatements.Parameter(command, _columns[i], _names[i], _columns[i].GetGetter().GetClrValue(row)));
            }

            parameters.Add(RowStatements.Parameter(command, _key, "@key", _key.GetGetter().GetClrValue(row)));
        }, oneRowOf: $"{typeof(TEntity).Name} {_key.GetGetter().GetClrValue(row)}", cancellationToken);
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

/// <summary>
/// Some columns of one row by its key, read as EF Core reads them: for what the message path only needs
/// to show (a contact's name, an agent's), where reading the whole entity would be waste; and, with every
/// column (by the key, locked, or by a unique index), the rows <see cref="RowStatements{TEntity}"/> materializes.
/// </summary>
public sealed class ColumnLookup<TEntity>
    where TEntity : class
{
    private readonly IProperty[] _by;
    private readonly string[] _names;
    private readonly ColumnValue[] _values;
    private readonly string _select;

    public ColumnLookup(DbContext db, params string[] properties)
        : this(db, [.. properties.Select(p => EntityType(db).FindProperty(p) ?? throw new InvalidOperationException($"{typeof(TEntity).Name}.{p} is not mapped."))],
            [EntityType(db).FindPrimaryKey()!.Properties.Single()], lockForUpdate: false)
    {
    }

    /// <summary>Reads <paramref name="columns"/> of the row whose <paramref name="by"/> columns hold the values given; with <paramref name="lockForUpdate"/>, the row stays locked until the caller's transaction ends.</summary>
    internal ColumnLookup(DbContext db, IProperty[] columns, IProperty[] by, bool lockForUpdate)
    {
        var type = EntityType(db);
        var sql = db.GetService<ISqlGenerationHelper>();
        _by = by;
        _names = [.. by.Select((_, i) => by.Length == 1 ? "@key" : "@key" + i)];
        _values = [.. columns.Select(c => new ColumnValue(c))];
        _select = $"SELECT {string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.GetColumnName())))} " +
            $"FROM {sql.DelimitIdentifier(type.GetTableName()!)} WHERE {string.Join(" AND ", by.Select((c, i) => $"{sql.DelimitIdentifier(c.GetColumnName())} = {_names[i]}"))}" +
            (lockForUpdate ? RowLocks.Clause(db) : "");
    }

    /// <summary>The columns read, in order, each able to set its value on an entity.</summary>
    public IReadOnlyList<ColumnValue> Columns => _values;

    /// <summary>The columns' values in the order they were named, or null when there is no such row.</summary>
    public Task<object?[]?> FindAsync(PreparedCommands commands, object key, CancellationToken cancellationToken) => FindAsync(commands, [key], cancellationToken);

    /// <summary>The columns' values of the row whose look-up columns hold <paramref name="keys"/> (in their order), or null.</summary>
    public async Task<object?[]?> FindAsync(PreparedCommands commands, object[] keys, CancellationToken cancellationToken) =>
        (await FindEachAsync(commands, [keys], cancellationToken))[0];

    /// <summary>The columns' values of the row each of <paramref name="keys"/> finds (null where none), in one round trip where the provider allows.</summary>
    public Task<List<object?[]?>> FindEachAsync(PreparedCommands commands, IReadOnlyList<object[]> keys, CancellationToken cancellationToken) =>
        commands.ReadEachAsync<object?[]>(
            _select,
            [.. keys.Select(values => (Action<DbCommand, DbParameterCollection>)((command, parameters) =>
            {
                for (var i = 0; i < _by.Length; i++)
                {
                    parameters.Add(RowStatements.Parameter(command, _by[i], _names[i], values[i]));
                }
            }))],
            reader => [.. _values.Select((v, i) => v.Read(reader, i))],
            cancellationToken);

    private static IEntityType EntityType(DbContext db) =>
        db.Model.FindEntityType(typeof(TEntity)) ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not mapped.");
}

/// <summary>One column read and set as EF Core would: the provider's value, then the property's value conversion.</summary>
public sealed class ColumnValue
{
    private static readonly System.Reflection.MethodInfo ReadAs =
        typeof(ColumnValue).GetMethod(nameof(ReadProviderValue), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;

    private readonly Func<DbDataReader, int, object> _read;
    private readonly ValueConverter? _converter;
    private readonly IProperty _property;

    public ColumnValue(IProperty property)
    {
        _property = property;
        var mapping = property.GetRelationalTypeMapping();
        _converter = mapping.Converter;
        var providerType = _converter?.ProviderClrType ?? mapping.ClrType;
        _read = ReadAs.MakeGenericMethod(Nullable.GetUnderlyingType(providerType) ?? providerType).CreateDelegate<Func<DbDataReader, int, object>>();
    }

    public object? Read(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : _converter is null ? _read(reader, ordinal) : _converter.ConvertFromProvider(_read(reader, ordinal));

    /// <summary>Sets the value where EF Core keeps it: the backing field when there is one, else the property.</summary>
    public void Set(object entity, object? value)
    {
        if (_property.FieldInfo is { } field)
        {
            field.SetValue(entity, value);
        }
        else
        {
            _property.PropertyInfo!.SetValue(entity, value);
        }
    }

    private static object ReadProviderValue<T>(DbDataReader reader, int ordinal) => reader.GetFieldValue<T>(ordinal)!;
}
