using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Porchlight.Server.Data;

namespace Porchlight.Server.Tests.Data;

/// <summary>Every model change needs a migration for each provider; these fail when one is missing.</summary>
public sealed class MigrationsTests
{
    [Fact]
    public void SqliteMigrations_CurrentModel_HaveNoPendingChanges() =>
        AssertNoPendingChanges<SqliteAppDbContext>("Migrations.Sqlite");

    [Fact]
    public void PostgresMigrations_CurrentModel_HaveNoPendingChanges() =>
        AssertNoPendingChanges<PostgresAppDbContext>("Migrations.Postgres");

    private static void AssertNoPendingChanges<TContext>(string migrationsNamespace)
        where TContext : AppDbContext
    {
        var factoryType = typeof(AppDbContext).Assembly.GetTypes()
            .Single(t => typeof(IDesignTimeDbContextFactory<TContext>).IsAssignableFrom(t));
        var factory = (IDesignTimeDbContextFactory<TContext>)Activator.CreateInstance(factoryType, nonPublic: true)!;
        using var db = factory.CreateDbContext([]);

        var migrations = db.Database.GetMigrations().ToList();

        Assert.NotEmpty(migrations);
        Assert.All(db.GetService<IMigrationsAssembly>().Migrations.Values,
            type => Assert.Contains(migrationsNamespace, type.Namespace, StringComparison.Ordinal));
        Assert.False(db.Database.HasPendingModelChanges(), $"{typeof(TContext).Name} has model changes without a migration. See src/Porchlight.Server/Data/README.md.");
    }
}
