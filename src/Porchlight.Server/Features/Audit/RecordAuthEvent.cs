using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;

namespace Porchlight.Server.Features.Audit;

/// <summary>
/// Records authentication events, which change no audited entity. Attempts for an email that matches
/// no agent belong to no workspace; they are logged and counted in metrics instead.
/// </summary>
public sealed class RecordAuthEvent(AppDbContext db, AuditActor actor, TimeProvider clock)
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <param name="details">What else the entry tells, as changes are told: a name and its value before and after.</param>
    public async Task HandleAsync(Agent agent, string action, CancellationToken cancellationToken, IReadOnlyDictionary<string, AuditChange>? details = null)
    {
        var changes = details is null ? null : System.Text.Json.JsonSerializer.Serialize(details, Json);
        var entry = AuditEntry.Create(agent.WorkspaceId, clock.GetUtcNow().UtcDateTime, actor, action, "agent", agent.Id.ToString(), changes);
        db.AuditEntries.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
    }
}
