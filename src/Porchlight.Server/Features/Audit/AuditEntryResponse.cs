using System.Text.Json;

namespace Porchlight.Server.Features.Audit;

/// <param name="Sequence">The entry's place in the workspace's hash chain; null for the moment before it is sealed.</param>
public sealed record AuditEntryResponse(
    Guid Id, DateTime At, Guid? ActorAgentId, string ActorName, string Action, string EntityType, string? EntityId,
    JsonElement? Changes, string? IpAddress, long? Sequence, string? PreviousHash, string? Hash)
{
    public static AuditEntryResponse From(AuditEntry entry) => new(
        entry.Id, entry.At, entry.ActorAgentId, entry.ActorName, entry.Action, entry.EntityType, entry.EntityId,
        entry.Changes is null ? null : JsonDocument.Parse(entry.Changes).RootElement.Clone(),
        entry.IpAddress, entry.Sequence, entry.PreviousHash, entry.Hash);
}
