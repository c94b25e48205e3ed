using System.Collections.Concurrent;
using System.Text.Json;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Conversations;

/// <summary>
/// Records in the audit trail that someone who leads others (a Supervisor, Admin or Owner) opened a conversation that is
/// not assigned to them: who read which customer's conversation is a question an auditor asks. Agents opening their own
/// queue's work are not recorded. One entry per person and conversation in an hour, so moving back and forth between
/// conversations does not flood the trail.
/// </summary>
public sealed class ConversationViews(AppDbContext db, ActingAgent actor, AuditActor auditActor, TimeProvider clock, RecentConversationViews recent)
{
    /// <returns>Whether the view was recorded.</returns>
    public async Task<bool> RecordAsync(ConversationResponse conversation, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (actor.Role == AgentRole.Agent || conversation.AssigneeId == actor.AgentId || !recent.TryStart(actor.AgentId, conversation.Id, now))
        {
            return false;
        }

        db.AuditEntries.Add(AuditEntry.Create(actor.WorkspaceId, now, auditActor, "conversation.viewed", "conversation", conversation.Id.ToString(),
            JsonSerializer.Serialize(new { number = conversation.Number, assigneeId = conversation.AssigneeId, role = actor.Role.ToString() })));
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }
}

/// <summary>Who viewed which conversation in the last hour, on this node (a restart or another node may record a view again).</summary>
public sealed class RecentConversationViews
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    // Bounded: past this many viewer-conversation pairs, the ones older than the window are dropped.
    private const int PruneAbove = 10_000;

    private readonly ConcurrentDictionary<(Guid Viewer, Guid Conversation), DateTime> _views = new();

    /// <summary>True when the viewer has not viewed the conversation within the window (and the view is remembered).</summary>
    public bool TryStart(Guid viewer, Guid conversationId, DateTime now)
    {
        if (_views.Count > PruneAbove)
        {
            foreach (var (key, at) in _views)
            {
                if (now - at >= Window)
                {
                    _views.TryRemove(key, out _);
                }
            }
        }

        var recorded = false;
        _views.AddOrUpdate((viewer, conversationId), _ => { recorded = true; return now; }, (_, at) =>
        {
            recorded = now - at >= Window;
            return recorded ? now : at;
        });
        return recorded;
    }
}
