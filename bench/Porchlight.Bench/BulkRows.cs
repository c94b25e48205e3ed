using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using Porchlight.Server.Data;

namespace Porchlight.Bench;

/// <summary>
/// Rows of one entity type loaded as fast as each database takes them, with the values EF Core would store (its
/// value conversions applied): PostgreSQL's binary COPY, one stream per batch, where row-by-row inserts would take
/// an hour and a half for a year of history; SQLite's prepared inserts of the message path (RowStatements), which
/// already run at memory speed. Bench only: nothing here runs the server's interceptors.
/// </summary>
internal sealed class BulkRows<TEntity>
    where TEntity : class
{
    private readonly IProperty[] _columns;
    private readonly string _copy;
    private readonly RowStatements<TEntity>? _statements;

    public BulkRows(DbContext db)
    {
        var type = db.Model.FindEntityType(typeof(TEntity)) ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not mapped.");
        _columns = [.. type.GetProperties()];
        _copy = $"COPY \"{type.GetTableName()}\" ({string.Join(", ", _columns.Select(c => $"\"{c.GetColumnName()}\""))}) FROM STDIN (FORMAT BINARY)";
        _statements = db.Database.IsSqlite() ? new RowStatements<TEntity>(db) : null;
    }

    /// <summary>Writes the rows in the context's current transaction.</summary>
    public async Task WriteAsync(DbContext db, PreparedCommands commands, IReadOnlyList<TEntity> rows)
    {
        if (_statements is not null)
        {
            await _statements.InsertAsync(commands, rows, CancellationToken.None);
            return;
        }

        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var importer = await connection.BeginBinaryImportAsync(_copy);
        foreach (var row in rows)
        {
            await importer.StartRowAsync();
            foreach (var column in _columns)
            {
                var mapping = column.GetRelationalTypeMapping();
                var value = column.GetGetter().GetClrValue(row);
                if (value is not null && mapping.Converter is { } converter)
                {
                    value = converter.ConvertToProvider(value);
                }

                if (value is null)
                {
                    await importer.WriteNullAsync();
                }
                else
                {
                    await importer.WriteAsync(value, mapping.StoreTypeNameBase);
                }
            }
        }

        await importer.CompleteAsync();
    }
}
