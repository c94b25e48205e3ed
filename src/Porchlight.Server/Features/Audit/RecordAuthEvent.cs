using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;

namespace Porchlight.Server.Features.Audit;

/// <summary>
/// Records authentication events, which change no audited entity. Attempts for an email that matches
/// no agent belong to no workspace; they are logged and counted in metrics instead.
/// </summary>
public sealed class RecordAuthEvent(AppDbContext db, AuditActor actor, TimeProvider clock)
{
    public async Task HandleAsync(Agent agent, string action, CancellationToken cancellationToken)
    {
        var entry = AuditEntry.Create(agent.WorkspaceId, clock.GetUtcNow().UtcDateTime, actor, action, "agent", agent.Id.ToString(), null);
        db.AuditEntries.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
    }
}
