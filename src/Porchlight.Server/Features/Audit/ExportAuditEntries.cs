using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Audit;

public enum AuditExportFormat
{
    Csv,
    Json,
}

/// <summary>
/// The workspace's audit trail as one file, in chain order, with each entry's place and hashes: the JSON file is what an
/// auditor re-hashes to check the chain outside Porchlight (the CSV disarms spreadsheet formulas, which changes text).
/// Taking the trail out is itself recorded.
/// </summary>
public sealed class ExportAuditEntries(AppDbContext db, ActingAgent actor, AuditActor auditActor, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task<Result<string>> HandleAsync(AuditExportFormat format, DateTime? from, DateTime? to, CancellationToken cancellationToken)
    {
        if (from is { } start && to is { } end && end < start)
        {
            return new FieldErrors().Add("to", "Must not be before 'from'.").ToFailure();
        }

        var query = db.AuditEntries.AsNoTracking();
        query = from is { } after ? query.Where(e => e.At >= after) : query;
        query = to is { } before ? query.Where(e => e.At < before) : query;
        // Sealed entries in chain order, then the few not sealed yet in the order they were written.
        var entries = (await query.OrderBy(e => e.Sequence == null).ThenBy(e => e.Sequence).ThenBy(e => e.Id).ToListAsync(cancellationToken))
            .ConvertAll(AuditEntryResponse.From);
        var text = format == AuditExportFormat.Json ? JsonSerializer.Serialize(entries, Json) : Csv(entries);

        db.AuditEntries.Add(AuditEntry.Create(actor.WorkspaceId, clock.GetUtcNow().UtcDateTime, auditActor, "audit.exported", "audit_entry", null,
            JsonSerializer.Serialize(new { format = format.ToString().ToLowerInvariant(), count = entries.Count, from, to })));
        await db.SaveChangesAsync(cancellationToken);
        return text;
    }

    private static string Csv(List<AuditEntryResponse> entries)
    {
        var csv = new CsvText().Row(
            "sequence", "id", "at", "actorAgentId", "actorName", "action", "entityType", "entityId", "ipAddress", "changes", "previousHash", "hash");
        foreach (var e in entries)
        {
            csv.Row(e.Sequence, e.Id, e.At.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture), e.ActorAgentId, e.ActorName, e.Action,
                e.EntityType, e.EntityId, e.IpAddress, e.Changes?.GetRawText(), e.PreviousHash, e.Hash);
        }

        return csv.ToString();
    }
}
