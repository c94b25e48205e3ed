using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Porchlight.Server.Data;

namespace Porchlight.Server.Tests.Data;

/// <summary>
/// Every model change needs a migration for each provider; these fail when one is missing. And a migration must not
/// break the version before it, which runs on the new schema during a rolling upgrade.
/// </summary>
public sealed class MigrationsTests
{
    // Nodes of two versions share one PostgreSQL database during a rolling upgrade from the first clustered release
    // on, whose migration this is; the migrations before it were applied with every node stopped.
    private const string FirstSideBySideMigration = "20261207113523_JobLeases";

    [Fact]
    public void SqliteMigrations_CurrentModel_HaveNoPendingChanges() =>
        AssertNoPendingChanges<SqliteAppDbContext>("Migrations.Sqlite");

    [Fact]
    public void PostgresMigrations_CurrentModel_HaveNoPendingChanges() =>
        AssertNoPendingChanges<PostgresAppDbContext>("Migrations.Postgres");

    /// <summary>
    /// The previous version keeps reading and writing the tables it knows after the next one migrated: nothing it uses
    /// is dropped, renamed or narrowed, and a column it does not know takes a value of its own when it inserts a row
    /// (nullable or with a default). What must go goes a release later, once no node of the old version is left.
    /// </summary>
    [Fact]
    public void PostgresMigrations_SinceNodesRunSideBySide_OnlyAddToTheSchema()
    {
        using var db = DesignTimeContext<PostgresAppDbContext>();
        var assembly = db.GetService<IMigrationsAssembly>();
        Assert.Contains(FirstSideBySideMigration, assembly.Migrations.Keys);
        var breaking = assembly.Migrations
            .Where(m => string.CompareOrdinal(m.Key, FirstSideBySideMigration) >= 0)
            .SelectMany(m => assembly.CreateMigration(m.Value, db.Database.ProviderName!).UpOperations
                .Select(operation => (Migration: m.Key, Breaks: BreaksThePreviousVersion(operation))))
            .Where(m => m.Breaks is not null)
            .Select(m => $"{m.Migration}: {m.Breaks}");
        Assert.Empty(breaking);
    }

    private static string? BreaksThePreviousVersion(MigrationOperation operation) => operation switch
    {
        DropTableOperation drop => $"drops table {drop.Name}",
        RenameTableOperation rename => $"renames table {rename.Name}",
        DropColumnOperation drop => $"drops column {drop.Table}.{drop.Name}",
        RenameColumnOperation rename => $"renames column {rename.Table}.{rename.Name}",
        AddColumnOperation add when !add.IsNullable && add.DefaultValue is null && add.DefaultValueSql is null && add.ComputedColumnSql is null =>
            $"adds {add.Table}.{add.Name} without a default: the previous version's inserts fail",
        AlterColumnOperation alter when alter.ClrType != alter.OldColumn.ClrType => $"changes the type of {alter.Table}.{alter.Name}",
        AlterColumnOperation alter when !alter.IsNullable && alter.OldColumn.IsNullable => $"makes {alter.Table}.{alter.Name} required",
        _ => null,
    };

    private static void AssertNoPendingChanges<TContext>(string migrationsNamespace)
        where TContext : AppDbContext
    {
        using var db = DesignTimeContext<TContext>();
        var migrations = db.Database.GetMigrations().ToList();

        Assert.NotEmpty(migrations);
        Assert.All(db.GetService<IMigrationsAssembly>().Migrations.Values,
            type => Assert.Contains(migrationsNamespace, type.Namespace, StringComparison.Ordinal));
        Assert.False(db.Database.HasPendingModelChanges(), $"{typeof(TContext).Name} has model changes without a migration. See src/Porchlight.Server/Data/README.md.");
    }

    private static TContext DesignTimeContext<TContext>()
        where TContext : AppDbContext
    {
        var factoryType = typeof(AppDbContext).Assembly.GetTypes()
            .Single(t => typeof(IDesignTimeDbContextFactory<TContext>).IsAssignableFrom(t));
        var factory = (IDesignTimeDbContextFactory<TContext>)Activator.CreateInstance(factoryType, nonPublic: true)!;
        return factory.CreateDbContext([]);
    }
}
