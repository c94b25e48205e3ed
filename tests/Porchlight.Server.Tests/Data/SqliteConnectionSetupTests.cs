using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Data;

/// <summary>Every SQLite connection the server opens is set up the same way, with the durability the operator chose.</summary>
public sealed class SqliteConnectionSetupTests
{
    [Theory]
    [InlineData(null, 1L)] // NORMAL: survives a crash of the process
    [InlineData("Full", 2L)] // FULL: also survives power loss
    public async Task Connection_SqliteSynchronousSetting_IsWhatSqliteUses(string? setting, long expected)
    {
        await using var factory = new PorchlightFactory(settings: setting is null ? null : new Dictionary<string, string?> { ["Database:SqliteSynchronous"] = setting });
        await factory.CreateWorkspaceAsync();
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();

        await db.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA synchronous;";
        var synchronous = (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
        command.CommandText = "PRAGMA journal_mode;";
        var journal = (string)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;

        Assert.Equal(expected, synchronous);
        Assert.Equal("wal", journal);
    }
}
