using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Inboxes;

/// <param name="Everyone">Whether every active agent of the workspace may see the inbox (the usual case).</param>
/// <param name="AgentIds">The active agents who may see it: its members and those whose role sees every inbox.</param>
public sealed record InboxViewers(bool Everyone, IReadOnlySet<Guid> AgentIds);

/// <summary>
/// Who hears an inbox's conversations live, read again at most every few seconds per inbox on each node: a broadcast
/// goes out with every chat message, and reading the members for each one would cost a query per message. A change
/// of members made on this node is heard at once; one made on another node within <see cref="Freshness"/>. A change
/// of role needs nothing here: it ends the agent's sessions.
/// </summary>
public sealed class InboxAudience(IServiceScopeFactory scopes, TimeProvider clock)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Guid, (InboxViewers Viewers, long ReadAt)> _read = new();

    public async ValueTask<InboxViewers> OfAsync(Guid inboxId, CancellationToken cancellationToken)
    {
        if (_read.TryGetValue(inboxId, out var read) && clock.GetElapsedTime(read.ReadAt) < Freshness)
        {
            return read.Viewers;
        }

        var readAt = clock.GetTimestamp();
        var viewers = await ReadAsync(inboxId, cancellationToken);
        _read[inboxId] = (viewers, readAt);
        return viewers;
    }

    public void Forget(Guid inboxId) => _read.TryRemove(inboxId, out _);

    private async Task<InboxViewers> ReadAsync(Guid inboxId, CancellationToken cancellationToken)
    {
        // Its own scope, outside any agent's: the audience is the same whoever's change is being announced.
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var workspaceId = await db.Inboxes.IgnoreQueryFilters().Where(i => i.Id == inboxId).Select(i => (Guid?)i.WorkspaceId).FirstOrDefaultAsync(cancellationToken);
        if (workspaceId is null)
        {
            return new InboxViewers(false, new HashSet<Guid>());
        }

        var members = await db.InboxMembers.IgnoreQueryFilters().Where(m => m.InboxId == inboxId).Select(m => m.AgentId).ToListAsync(cancellationToken);
        var agents = await db.Agents.IgnoreQueryFilters().AsNoTracking().Include(a => a.CustomRole)
            .Where(a => a.WorkspaceId == workspaceId && a.IsActive).ToListAsync(cancellationToken);
        var viewers = agents.Where(a => members.Contains(a.Id) || a.Holds(Permission.SeeEveryInbox)).Select(a => a.Id).ToHashSet();
        return new InboxViewers(viewers.Count == agents.Count, viewers);
    }
}
