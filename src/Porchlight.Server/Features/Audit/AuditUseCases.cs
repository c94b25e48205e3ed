using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Audit;

public sealed record AuditEntryResponse(
    Guid Id, DateTime At, Guid? ActorAgentId, string ActorName, string Action, string EntityType, string? EntityId,
    JsonElement? Changes, string? IpAddress)
{
    public static AuditEntryResponse From(AuditEntry entry) => new(
        entry.Id, entry.At, entry.ActorAgentId, entry.ActorName, entry.Action, entry.EntityType, entry.EntityId,
        entry.Changes is null ? null : JsonDocument.Parse(entry.Changes).RootElement.Clone(),
        entry.IpAddress);
}

/// <summary>The workspace's audit trail, newest first, optionally narrowed to one action.</summary>
public sealed class ListAuditEntries(AppDbContext db)
{
    public async Task<Result<Page<AuditEntryResponse>>> HandleAsync(PageRequest page, string? action, CancellationToken cancellationToken)
    {
        var query = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(action))
        {
            query = query.Where(e => e.Action == action);
        }

        return await query.ToPageAsync(page, e => e.Id, AuditEntryResponse.From, cancellationToken, newestFirst: true);
    }
}

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
