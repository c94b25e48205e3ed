namespace Porchlight.Server.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>When SQLite makes a commit durable (its <c>synchronous</c> setting in WAL mode).</summary>
public enum SqliteSynchronous
{
    /// <summary>Survives the server process crashing; the last commits can be lost if the machine loses power or the OS crashes.</summary>
    Normal,

    /// <summary>Also survives power loss and OS crashes: every commit waits for the disk (one sync per batch of messages).</summary>
    Full,
}

/// <summary>The <c>Database</c> configuration section.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public const string DefaultSqliteConnectionString = "Data Source=data/porchlight.db";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Optional for SQLite (defaults to a file under ./data/); required for PostgreSQL.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>SQLite only: Normal (the default) or Full; see <see cref="Data.SqliteSynchronous"/> and docs/deploy.md.</summary>
    public SqliteSynchronous SqliteSynchronous { get; set; } = SqliteSynchronous.Normal;

    /// <summary>Apply pending migrations when the server starts.</summary>
    public bool MigrateOnStart { get; set; } = true;
}
