using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Workspaces;

namespace Porchlight.Server.Tests.Data;

/// <summary>
/// The tenant filter as the database sees it: a workspace's query selects by plain equality on the workspace, which an
/// index whose first column is the workspace answers; the operator's query sees every workspace.
/// </summary>
public sealed class TenantFilterTests : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public TenantFilterTests()
    {
        _connection.Open();
        using var db = Context(new TenantScope());
        db.Database.EnsureCreated();
    }

    [Fact]
    public void Query_InAWorkspace_SelectsByWorkspaceEqualityWithoutAnOr()
    {
        var tenant = new TenantScope();
        tenant.Enter(Guid.NewGuid());
        using var db = Context(tenant);

        var sql = LatestConversations(db).ToQueryString();

        Assert.Contains("WHERE \"c\".\"WorkspaceId\" = @", sql, StringComparison.Ordinal);
        Assert.DoesNotContain(" OR ", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_OperatorScope_NoWorkspaceCondition()
    {
        using var db = Context(new TenantScope());

        var sql = LatestConversations(db).ToQueryString();

        Assert.DoesNotContain("WorkspaceId", sql.Split("WHERE")[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Query_SameQueryInTurnsOfScope_EachSeesItsOwnRows()
    {
        var (first, second) = (Workspace.Create("First", "UTC", DateTime.UtcNow), Workspace.Create("Second", "UTC", DateTime.UtcNow));
        using (var setup = Context(new TenantScope()))
        {
            setup.Workspaces.AddRange(first, second);
            setup.SaveChanges();
        }

        // One query shape, run in turns, so a command cached for one scope would show up in the next.
        Assert.Equal([first.Id], Ids(first.Id));
        Assert.Equal([first.Id, second.Id], Ids(null).Order());
        Assert.Equal([second.Id], Ids(second.Id));
        Assert.Equal([first.Id, second.Id], Ids(null).Order());

        List<Guid> Ids(Guid? workspaceId)
        {
            var tenant = new TenantScope();
            if (workspaceId is { } id)
            {
                tenant.Enter(id);
            }

            using var db = Context(tenant);
            return [.. db.Workspaces.Where(w => w.Name != "").Select(w => w.Id)];
        }
    }

    private static IQueryable<Guid> LatestConversations(AppDbContext db)
    {
        var since = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        return db.Conversations.Where(c => c.CreatedAt >= since).OrderByDescending(c => c.CreatedAt).Select(c => c.Id);
    }

    private SqliteAppDbContext Context(TenantScope tenant) =>
        new(new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(_connection).Options, tenant);

    public void Dispose() => _connection.Dispose();
}
