using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Routing;

/// <summary>
/// A person assigns or transfers a conversation: to an agent (within the agent's cap, unless a supervisor
/// overrides it), to a team (into its queue, served by its strategy), or back to nobody, with an optional note
/// for whoever picks it up. The decision is logged like the queue's own.
/// </summary>
public sealed class AssignConversation(
    AppDbContext db, ActingAgent actor, AgentCapacity capacity, ConversationChanges changes, AssignmentAuthority authority, PorchlightMetrics metrics, TimeProvider clock)
{
    public const int MaxNoteLength = 500;

    public async Task<Result<ConversationResponse>> HandleAsync(Guid conversationId, AssignRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().MaxLength("note", request.Note, MaxNoteLength);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (request.OverCap == true && !actor.Can(Permission.ManageRouting))
        {
            return Failure.Forbidden("Only supervisors can assign beyond an agent's cap.");
        }

        if (request.AssigneeId is { } assigneeId && !await db.Agents.AnyAsync(a => a.Id == assigneeId && a.IsActive, cancellationToken))
        {
            return Failure.Invalid("assigneeId", "No active agent of this workspace has this id.");
        }

        string? teamName = null;
        if (request.TeamId is { } teamId)
        {
            teamName = await db.Teams.Where(t => t.Id == teamId).Select(t => t.Name).FirstOrDefaultAsync(cancellationToken);
            if (teamName is null)
            {
                return Failure.Invalid("teamId", "No team of this workspace has this id.");
            }
        }

        Failure? refused = null;
        Guid? previousAssignee = null;
        Guid? leftQueueOf = null;
        var assigned = false;
        var changed = await changes.DecideAsync(async ct =>
        {
            var seen = await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == conversationId, ct);
            if (seen is null)
            {
                refused = Failure.NotFound("The conversation");
                return null;
            }

            if (request.AssigneeId is { } assignee && assignee != seen.AssigneeId && !await InboxAccess.CanSeeAsync(db, assignee, seen.InboxId, ct))
            {
                refused = Failure.Invalid("assigneeId", "This agent does not work in the conversation's inbox. Make them a member of the inbox first.");
                return null;
            }

            // Agent before conversation, the order every assignment locks in (see TeamDispatch).
            var load = request.AssigneeId is { } newAssignee ? await capacity.LockAndReadAsync(newAssignee, ConcurrencyCaps.ChannelOf(seen.Origin), ct) : null;
            await RowLocks.LockAsync<Conversation>(db, conversationId, ct);
            var conversation = await db.Conversations.FirstAsync(c => c.Id == conversationId, ct);
            if (conversation.AssigneeId == request.AssigneeId && conversation.TeamId == request.TeamId)
            {
                return null;
            }

            // Read after both locks: an agent who already holds it adds nothing to their load.
            var overCap = load is { HasRoom: false } && conversation.IsActive && conversation.AssigneeId != request.AssigneeId;
            if (overCap && request.OverCap != true)
            {
                refused = Failure.Conflict($"{load!.Name} is at their cap ({load.Describe()}). A supervisor can assign over the cap.");
                return null;
            }

            var now = clock.GetUtcNow().UtcDateTime;
            previousAssignee = conversation.AssigneeId;
            leftQueueOf = conversation.IsWaiting ? conversation.TeamId : null;
            conversation.Assign(request.AssigneeId, request.TeamId, now);
            assigned = conversation.AssigneeId is not null && conversation.AssigneeId != previousAssignee;
            if (Decision(conversation, load, overCap, now) is { } decision)
            {
                db.RoutingDecisions.Add(decision);
            }

            return (conversation, Activity(load?.Name, teamName, request.Note));
        }, actor.AgentId, cancellationToken);

        if (refused is not null)
        {
            return refused;
        }

        changed ??= await db.Conversations.AsNoTracking().FirstAsync(c => c.Id == conversationId, cancellationToken);
        if (assigned)
        {
            metrics.Assignments.Add(1, new KeyValuePair<string, object?>("by", "person"));
        }

        if (previousAssignee is { } previous && previous != changed.AssigneeId)
        {
            authority.AgentMayTakeMore(changed.WorkspaceId, previous);
        }

        if (changed.IsWaiting)
        {
            authority.TeamMayAssign(changed.WorkspaceId, changed.TeamId!.Value);
        }

        if (leftQueueOf is { } team && !(changed.IsWaiting && changed.TeamId == team))
        {
            authority.TeamMayAssign(changed.WorkspaceId, team); // Everyone behind it in that queue moved up.
        }

        return await changes.DescribeAsync(changed, cancellationToken);
    }

    private RoutingDecision? Decision(Conversation conversation, AgentLoad? load, bool overCap, DateTime now)
    {
        if (conversation.AssigneeId is { } agentId)
        {
            var after = load is null ? "" : $" ({(load with { Active = load.Active + (conversation.IsActive ? 1 : 0) }).Describe()})";
            var reason = $"assigned by {actor.Name}{(overCap ? " over the cap" : "")}{after}";
            return RoutingDecision.Of(conversation.WorkspaceId, conversation.Id, RoutingOutcome.Assigned, conversation.TeamId, agentId, reason, now);
        }

        return conversation.TeamId is { } teamId
            ? RoutingDecision.Of(conversation.WorkspaceId, conversation.Id, RoutingOutcome.Queued, teamId, null, $"transferred by {actor.Name}", now)
            : null;
    }

    private string Activity(string? assigneeName, string? teamName, string? note)
    {
        var to = (assigneeName, teamName) switch
        {
            (null, null) => null,
            ({ } agent, null) => agent,
            (null, { } team) => $"team {team}",
            ({ } agent, { } team) => $"{agent} ({team})",
        };
        var activity = to is null ? $"{actor.Name} unassigned the conversation" : $"{actor.Name} assigned the conversation to {to}";
        return string.IsNullOrWhiteSpace(note) ? activity : $"{activity}: “{note.Trim()}”";
    }
}
