using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Inboxes;

/// <param name="SeesEveryInbox">Whether their role sees every inbox anyway, member or not.</param>
public sealed record InboxMemberResponse(Guid AgentId, string DisplayName, bool IsMember, bool SeesEveryInbox);

/// <param name="AgentIds">Who works in the inbox from now on; everyone else of the workspace leaves it.</param>
public sealed record SetInboxMembersRequest(List<Guid>? AgentIds);

/// <summary>
/// An inbox's members: listed with every active agent of the workspace (so a page can offer the others), and set as
/// a whole, each change recorded in the audit trail against the inbox. Members see and are routed the inbox's
/// conversations; whoever leaves it stops seeing them with their next request and stops hearing of them live.
/// </summary>
public sealed class InboxMembers(AppDbContext db, AuditActor actor, InboxAudience audience, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<Result<List<InboxMemberResponse>>> ListAsync(Guid inboxId, CancellationToken cancellationToken)
    {
        if (!await db.Inboxes.AnyAsync(i => i.Id == inboxId, cancellationToken))
        {
            return Failure.NotFound("Inbox");
        }

        var members = await db.InboxMembers.Where(m => m.InboxId == inboxId).Select(m => m.AgentId).ToListAsync(cancellationToken);
        var agents = await db.Agents.AsNoTracking().Include(a => a.CustomRole).Where(a => a.IsActive).ToListAsync(cancellationToken);
        return agents
            .OrderBy(a => a.DisplayName, StringComparer.CurrentCultureIgnoreCase).ThenBy(a => a.Id)
            .Select(a => new InboxMemberResponse(a.Id, a.DisplayName, members.Contains(a.Id), a.Holds(Permission.SeeEveryInbox)))
            .ToList();
    }

    public async Task<Result<List<InboxMemberResponse>>> SetAsync(Guid inboxId, SetInboxMembersRequest request, CancellationToken cancellationToken)
    {
        var inbox = await db.Inboxes.AsNoTracking().FirstOrDefaultAsync(i => i.Id == inboxId, cancellationToken);
        if (inbox is null)
        {
            return Failure.NotFound("Inbox");
        }

        if (request.AgentIds is null)
        {
            return Failure.Invalid("agentIds", "List the agents who work in this inbox (an empty list leaves it to those who see every inbox).");
        }

        var wanted = request.AgentIds.ToHashSet();
        var known = await db.Agents.Where(a => wanted.Contains(a.Id)).Select(a => a.Id).ToListAsync(cancellationToken);
        if (known.Count != wanted.Count)
        {
            return Failure.Invalid("agentIds", "Each id must be an agent of this workspace.");
        }

        var current = await db.InboxMembers.Where(m => m.InboxId == inboxId).ToListAsync(cancellationToken);
        var leaving = current.Where(m => !wanted.Contains(m.AgentId)).ToList();
        var joining = wanted.Except(current.Select(m => m.AgentId)).ToList();
        if (leaving.Count > 0 || joining.Count > 0)
        {
            db.InboxMembers.RemoveRange(leaving);
            db.InboxMembers.AddRange(joining.Select(agentId => new InboxMember(inbox.WorkspaceId, inboxId, agentId)));
            db.AuditEntries.Add(AuditEntry.Create(inbox.WorkspaceId, clock.GetUtcNow().UtcDateTime, actor, "inbox.members_changed", "inbox", inboxId.ToString(),
                JsonSerializer.Serialize(new { joined = joining, left = leaving.Select(m => m.AgentId) }, Json)));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                return Failure.Conflict("The inbox's members changed meanwhile; read them again and retry.");
            }

            audience.Forget(inboxId);
        }

        return await ListAsync(inboxId, cancellationToken);
    }
}
