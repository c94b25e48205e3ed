using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Porchlight.Server.Features.Agents;

namespace Porchlight.Server.Features.Inboxes;

/// <summary>
/// A new inbox is open to every agent of its workspace, and a new agent joins every inbox: a team that never narrows
/// access works as before, and narrowing it is an admin's deliberate act. Done in the same SaveChanges as the
/// creation, whichever path creates the row (setup, an invitation, the demo, the command line).
/// </summary>
internal sealed class InboxMemberDefaults : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        AddMembersAsync(eventData.Context, sync: true, CancellationToken.None).GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await AddMembersAsync(eventData.Context, sync: false, cancellationToken);
        return result;
    }

    private static async Task AddMembersAsync(DbContext? context, bool sync, CancellationToken cancellationToken)
    {
        if (context is null)
        {
            return;
        }

        // One pass over what is tracked (each call of Entries looks for changes again), on every save of every context.
        var added = context.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        var newAgents = added.OfType<Agent>().ToList();
        var newInboxes = added.OfType<Inbox>().ToList();
        if (newAgents.Count == 0 && newInboxes.Count == 0)
        {
            return;
        }

        var members = context.Set<InboxMember>();
        foreach (var workspaceId in newAgents.Select(a => a.WorkspaceId).Concat(newInboxes.Select(i => i.WorkspaceId)).Distinct())
        {
            // Those already stored; the ones added in this change are paired with each other below.
            var inboxQuery = context.Set<Inbox>().IgnoreQueryFilters().Where(i => i.WorkspaceId == workspaceId).Select(i => i.Id);
            var agentQuery = context.Set<Agent>().IgnoreQueryFilters().Where(a => a.WorkspaceId == workspaceId).Select(a => a.Id);
            var storedInboxes = newAgents.Any(a => a.WorkspaceId == workspaceId)
                ? sync ? [.. inboxQuery] : await inboxQuery.ToListAsync(cancellationToken)
                : [];
            var storedAgents = newInboxes.Any(i => i.WorkspaceId == workspaceId)
                ? sync ? [.. agentQuery] : await agentQuery.ToListAsync(cancellationToken)
                : [];
            var agents = newAgents.Where(a => a.WorkspaceId == workspaceId).Select(a => a.Id).ToList();
            var inboxes = newInboxes.Where(i => i.WorkspaceId == workspaceId).Select(i => i.Id).ToList();
            var pairs = agents.SelectMany(_ => storedInboxes.Concat(inboxes), (agent, inbox) => (agent, inbox))
                .Concat(inboxes.SelectMany(_ => storedAgents, (inbox, agent) => (agent, inbox)))
                .Distinct();
            foreach (var (agentId, inboxId) in pairs)
            {
                members.Add(new InboxMember(workspaceId, inboxId, agentId));
            }
        }
    }
}
