using System.Text.Json;

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
