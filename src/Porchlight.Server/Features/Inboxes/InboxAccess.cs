using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Inboxes;

/// <summary>
/// Who may see an inbox's conversations: its members, and whoever holds <see cref="Permission.SeeEveryInbox"/>. For
/// the acting agent it is enforced by the context's <see cref="AppDbContext.InboxAccessFilter"/>, so every query of
/// conversations answers as if the others did not exist (a foreign id is a 404); this class answers it for others.
/// </summary>
public static class InboxAccess
{
    /// <summary>
    /// Conversations of every inbox of the workspace, for work an agent starts that must see them all whatever their
    /// own access: another agent's load, a contact's move, export or erasure, a workspace's report.
    /// </summary>
    public static IQueryable<Conversation> AcrossInboxes(this IQueryable<Conversation> conversations) =>
        conversations.IgnoreQueryFilters([AppDbContext.InboxAccessFilter]);

    /// <summary>Whether <paramref name="agentId"/> may see the conversations of <paramref name="inboxId"/>.</summary>
    public static async Task<bool> CanSeeAsync(AppDbContext db, Guid agentId, Guid inboxId, CancellationToken cancellationToken)
    {
        var agent = await db.Agents.AsNoTracking().Include(a => a.CustomRole).FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        return agent is not null
            && (agent.Holds(Permission.SeeEveryInbox) || await db.InboxMembers.AnyAsync(m => m.InboxId == inboxId && m.AgentId == agentId, cancellationToken));
    }
}
