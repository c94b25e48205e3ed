using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Data;

/// <summary>
/// Answers put together from several queries agree with each other: a snapshot sees none of what writers commit
/// between its queries, and does not hold writers up meanwhile. Runs against SQLite and PostgreSQL.
/// </summary>
public abstract class SnapshotReadsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract PorchlightFactory CreateFactory();

    [Fact]
    public async Task Snapshot_WorkspaceCreatedBetweenTwoReads_BothReadsCountTheSameAndTheNextReadSeesIt()
    {
        await using var factory = CreateFactory();
        await factory.CreateWorkspaceAsync();
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();

        int first, second;
        await using (await SnapshotReads.BeginAsync(db, Ct))
        {
            first = await db.Workspaces.CountAsync(Ct);
            await factory.CreateWorkspaceAsync("Globex"); // Commits while the snapshot is open: it is not held up.
            second = await db.Workspaces.CountAsync(Ct);
        }

        Assert.Equal(first, second);
        Assert.Equal(first + 1, await db.Workspaces.CountAsync(Ct));
        Assert.Null(db.Database.CurrentTransaction);
    }

    [Fact]
    public async Task Snapshot_InsideTheCallersTransaction_LeavesThatTransactionInCharge()
    {
        await using var factory = CreateFactory();
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(Ct);

        Assert.Null(await SnapshotReads.BeginAsync(db, Ct));
        Assert.Same(transaction, db.Database.CurrentTransaction);
    }
}

public sealed class SqliteSnapshotReadsTests : SnapshotReadsTests
{
    protected override PorchlightFactory CreateFactory() => new();
}

public sealed class PostgresSnapshotReadsTests(PostgresServer postgres) : SnapshotReadsTests
{
    protected override PorchlightFactory CreateFactory() => new(TestDatabase.Postgres, postgres);
}
