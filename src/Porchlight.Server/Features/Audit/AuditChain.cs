using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting.Cluster;

namespace Porchlight.Server.Features.Audit;

/// <summary>
/// The audit trail as a hash chain per workspace: each sealed entry carries the SHA-256 of its own fields and of the
/// entry before it, so changing, removing or reordering a sealed entry breaks every hash after it.
/// </summary>
public static class AuditChain
{
    /// <summary>
    /// The hash of an entry at a place in the chain. The fields are written as one JSON array (unambiguous, whatever
    /// they hold), the time to the microsecond: PostgreSQL keeps no finer, so the hash is the same before and after a
    /// round trip through either database. Version 1 of this layout is the first element.
    /// </summary>
    public static string HashOf(AuditEntry entry, long sequence, string? previousHash)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteNumberValue(1);
            json.WriteStringValue(entry.WorkspaceId.ToString("D"));
            json.WriteNumberValue(sequence);
            json.WriteStringValue(new DateTime(entry.At.Ticks - entry.At.Ticks % 10).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            json.WriteStringValue(entry.ActorAgentId?.ToString("D"));
            json.WriteStringValue(entry.ActorName);
            json.WriteStringValue(entry.Action);
            json.WriteStringValue(entry.EntityType);
            json.WriteStringValue(entry.EntityId);
            json.WriteStringValue(entry.Changes);
            json.WriteStringValue(entry.IpAddress);
            json.WriteStringValue(previousHash);
            json.WriteEndArray();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }
}

/// <summary>
/// Seals new audit entries into their workspace's chain, oldest id first, shortly after they are committed. Writers
/// never wait for it, and never contend for the chain's head: entries are written in the same transaction as the change
/// they record, and sealed here in the order this job finds them. Two sealers (two nodes) cannot fork a chain: the
/// unique (workspace, sequence) index refuses the second one's batch, and its next pass starts from the new head.
/// </summary>
public sealed class AuditSealer(IServiceScopeFactory scopes, JobLeases leases, IConfiguration configuration, ILogger<AuditSealer> logger)
    : BackgroundService
{
    private const int BatchSize = 500;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        leases.RunAsync(
            nameof(AuditSealer), configuration.GetValue("Audit:SealInterval", TimeSpan.FromSeconds(1)), logger, "Sealing audit entries", SealAsync, stoppingToken);

    /// <summary>Seals every unsealed entry of every workspace; answers how many.</summary>
    public async Task<int> SealAsync(CancellationToken cancellationToken)
    {
        List<Guid> workspaces;
        await using (var scope = scopes.CreateAsyncScope())
        {
            // Operator scope: every workspace with entries to seal. Asked workspace by workspace, each question is one seek
            // in the (WorkspaceId, Sequence) index, however long the chains grow; a DISTINCT over the entries would read
            // the whole index every second on SQLite.
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var entries = db.AuditEntries.IgnoreQueryFilters();
            workspaces = await db.Workspaces.IgnoreQueryFilters().Where(w => entries.Any(e => e.WorkspaceId == w.Id && e.Sequence == null))
                .Select(w => w.Id).ToListAsync(cancellationToken);
        }

        var sealedCount = 0;
        foreach (var workspaceId in workspaces)
        {
            int batch;
            do
            {
                batch = await SealBatchAsync(workspaceId, cancellationToken);
                sealedCount += batch;
            }
            while (batch == BatchSize);
        }

        return sealedCount;
    }

    private async Task<int> SealBatchAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var entries = db.AuditEntries.IgnoreQueryFilters().Where(e => e.WorkspaceId == workspaceId);
        var head = await entries.Where(e => e.Sequence != null).OrderByDescending(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Hash }).FirstOrDefaultAsync(cancellationToken);
        var pending = await entries.Where(e => e.Sequence == null).OrderBy(e => e.Id).Take(BatchSize).ToListAsync(cancellationToken);
        var sequence = head?.Sequence ?? 0;
        var previous = head?.Hash;
        if (head is null
            && await db.AuditChainAnchors.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(a => a.WorkspaceId == workspaceId, cancellationToken) is { } anchor)
        {
            // Retention removed every sealed entry: the chain goes on after the last one removed.
            (sequence, previous) = (anchor.Sequence, anchor.Hash);
        }

        foreach (var entry in pending)
        {
            entry.Seal(++sequence, previous);
            previous = entry.Hash;
        }

        await db.SaveChangesAsync(cancellationToken);
        return pending.Count;
    }
}

/// <summary>What a check of a workspace's chain found.</summary>
/// <param name="Intact">Every sealed entry's hash is right, links to the one before, and no place in the chain is missing.</param>
/// <param name="SealedEntries">Entries checked, from the first (after the anchor, if any) to <see cref="HeadSequence"/>.</param>
/// <param name="UnsealedEntries">Entries written in the last moments, not sealed yet (not covered by the check).</param>
/// <param name="HeadSequence">The last sealed entry's place: note it with <see cref="HeadHash"/> to detect later truncation.</param>
/// <param name="BrokenAtSequence">The first place where the chain does not hold, and why.</param>
/// <param name="AnchorSequence">
/// Where the check started when retention removed the oldest entries: the place of the last removed entry, whose hash
/// (<see cref="AnchorHash"/>) the first remaining entry must name. Null when no entry was ever removed (the check starts at 1).
/// </param>
/// <param name="RemovedEntries">How many of the oldest entries retention removed.</param>
public sealed record AuditChainReport(
    bool Intact, long SealedEntries, int UnsealedEntries, long? HeadSequence, string? HeadHash, long? BrokenAtSequence, Guid? BrokenEntryId, string? Problem,
    long? AnchorSequence = null, string? AnchorHash = null, long RemovedEntries = 0);

/// <summary>Checks a workspace's audit chain from its first entry to its head.</summary>
public sealed class VerifyAuditChain(AppDbContext db)
{
    private const int BatchSize = 1_000;

    /// <summary>The current workspace's chain (the tenant filter applies).</summary>
    public Task<AuditChainReport> HandleAsync(CancellationToken cancellationToken) => VerifyAsync(db.AuditEntries, db.AuditChainAnchors, cancellationToken);

    /// <summary>Any workspace's chain, for the operator's command line.</summary>
    public Task<AuditChainReport> HandleAsync(Guid workspaceId, CancellationToken cancellationToken) =>
        VerifyAsync(
            db.AuditEntries.IgnoreQueryFilters().Where(e => e.WorkspaceId == workspaceId),
            db.AuditChainAnchors.IgnoreQueryFilters().Where(a => a.WorkspaceId == workspaceId),
            cancellationToken);

    private static async Task<AuditChainReport> VerifyAsync(IQueryable<AuditEntry> entries, IQueryable<AuditChainAnchor> anchors, CancellationToken cancellationToken)
    {
        var unsealed = await entries.CountAsync(e => e.Sequence == null, cancellationToken);
        // Retention removed the oldest entries: the chain starts after the last one removed, whose hash the next one names.
        var anchor = await anchors.AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        var start = anchor?.Sequence ?? 0;
        long expected = start + 1;
        string? previous = anchor?.Hash;
        AuditChainReport Report(bool intact, long? brokenAt = null, Guid? brokenEntry = null, string? problem = null) => new(
            intact, expected - 1 - start, unsealed, expected > 1 ? expected - 1 : null, previous, brokenAt, brokenEntry, problem,
            anchor?.Sequence, anchor?.Hash, anchor?.RemovedEntries ?? 0);
        while (true)
        {
            var after = expected - 1;
            var batch = await entries.AsNoTracking().Where(e => e.Sequence > after).OrderBy(e => e.Sequence).Take(BatchSize).ToListAsync(cancellationToken);
            foreach (var entry in batch)
            {
                var problem = entry.Sequence != expected ? $"Entry {expected} is missing: the next one is {entry.Sequence}."
                    : entry.PreviousHash != previous ? $"Entry {expected} does not follow the entry before it."
                    : entry.Hash != AuditChain.HashOf(entry, expected, previous) ? $"Entry {expected} was changed after it was sealed."
                    : null;
                if (problem is not null)
                {
                    return Report(false, expected, entry.Id, problem);
                }

                previous = entry.Hash;
                expected++;
            }

            if (batch.Count < BatchSize)
            {
                // Entries at or before the anchor were to be removed; one still there was put back or never removed.
                if (anchor is not null && await entries.AsNoTracking().Where(e => e.Sequence <= anchor.Sequence).OrderBy(e => e.Sequence)
                        .Select(e => new { e.Id, e.Sequence }).FirstOrDefaultAsync(cancellationToken) is { } early)
                {
                    return Report(false, early.Sequence, early.Id, $"Entry {early.Sequence} is before the chain's anchor ({anchor.Sequence}), where retention removed entries.");
                }

                return Report(true);
            }
        }
    }
}
