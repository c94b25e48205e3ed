using Microsoft.EntityFrameworkCore;
using Npgsql;
using Porchlight.Server.Data;

namespace Porchlight.Server.Tests.Infrastructure;

/// <summary>
/// A database with the whole schema, migrated once per run and copied for each test server: applying every
/// migration to every test's fresh database cost seconds a server. The copy holds the schema and no rows, as a
/// fresh migration leaves it; starting on it, the server finds nothing pending. Migrating from empty on start
/// keeps tests of its own (<c>emptyDatabase</c>).
/// </summary>
internal static class MigratedTemplates
{
    private static readonly Lock Gate = new();
    private static string? _sqliteTemplate;

    /// <summary>Copies the migrated SQLite template to <paramref name="path"/>.</summary>
    public static void CopySqliteTo(string path)
    {
        lock (Gate)
        {
            _sqliteTemplate ??= CreateSqliteTemplate();
        }

        File.Copy(_sqliteTemplate, path);
    }

    private static string CreateSqliteTemplate()
    {
        var path = Path.Combine(Path.GetTempPath(), $"porchlight-template-{Environment.ProcessId}.db");
        File.Delete(path);
        // Without pooling the file is closed when the context is, and holds everything (no journal beside it).
        var options = new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite($"Data Source={path};Pooling=False").Options;
        using (var db = new SqliteAppDbContext(options, new TenantScope()))
        {
            db.Database.Migrate();
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    }

    /// <summary>
    /// Creates a database named <paramref name="name"/> on <paramref name="postgres"/>, a copy of the migrated template
    /// when <paramref name="migrated"/>: PostgreSQL copies a template (CREATE DATABASE … TEMPLATE) only while nobody
    /// is connected to it, hence no pooled connection stays behind after the template's migration.
    /// </summary>
    public static void CreatePostgresDatabase(PostgresServer postgres, string name, bool migrated)
    {
        const string Template = "porchlight_template";
        if (migrated)
        {
            lock (Gate)
            {
                if (!PostgresTemplates.Contains(postgres))
                {
                    Execute(postgres, $"CREATE DATABASE {Template}");
                    var connectionString = new NpgsqlConnectionStringBuilder(postgres.ConnectionString(Template)) { Pooling = false }.ConnectionString;
                    using (var db = new PostgresAppDbContext(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(connectionString).Options, new TenantScope()))
                    {
                        db.Database.Migrate();
                    }

                    PostgresTemplates.Add(postgres);
                }
            }
        }

        Execute(postgres, migrated ? $"CREATE DATABASE {name} TEMPLATE {Template}" : $"CREATE DATABASE {name}");
    }

    private static readonly HashSet<PostgresServer> PostgresTemplates = [];

    private static void Execute(PostgresServer postgres, string statement)
    {
        using var connection = new NpgsqlConnection(postgres.ConnectionString("postgres"));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = statement;
        command.ExecuteNonQuery();
    }
}
