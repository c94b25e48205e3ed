using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Tracking;

namespace Porchlight.Server.Features.Retention;

/// <summary>
/// What the inbox's own tracking retention (<see cref="TrackingRetention"/>) and the workspace's policy for tracking
/// events share: the workspace's policy caps the inbox's days (the shorter one applies), and the events of a browser
/// linked to a held contact are never removed by either (decisions/0024).
/// </summary>
public static class TrackingRetentionRules
{
    /// <summary>The days an inbox's raw events are kept: its own setting, or the workspace's policy when that is shorter.</summary>
    public static async Task<int> EffectiveDaysAsync(AppDbContext db, Guid workspaceId, int inboxDays, CancellationToken cancellationToken)
    {
        var cap = await db.RetentionPolicies.IgnoreQueryFilters().AsNoTracking()
            .Where(p => p.WorkspaceId == workspaceId && p.DataClass == RetentionDataClass.TrackingEvents)
            .Select(p => p.Days).FirstOrDefaultAsync(cancellationToken);
        return cap is { } days && days < inboxDays ? days : inboxDays;
    }

    /// <summary>The inbox's events received before the cutoff.</summary>
    public static IQueryable<TrackedEvent> Older(AppDbContext db, Guid inboxId, DateTime cutoff) =>
        db.TrackedEvents.IgnoreQueryFilters().Where(e => e.InboxId == inboxId && e.ReceivedAt < cutoff);

    /// <summary>Of those, the events of browsers linked to a contact under a legal hold.</summary>
    public static IQueryable<TrackedEvent> HeldEvents(AppDbContext db, Guid inboxId, DateTime cutoff) =>
        Older(db, inboxId, cutoff).Where(e => db.TrackedVisitors.IgnoreQueryFilters().Any(v => v.InboxId == inboxId && v.VisitorKey == e.VisitorKey
            && v.ContactId != null && db.LegalHolds.IgnoreQueryFilters().Any(h => h.ContactId == v.ContactId)));

    /// <summary>Deletes up to <paramref name="batchSize"/> of the oldest events before the cutoff that no hold keeps, in one statement; answers how many.</summary>
    public static Task<int> DeleteBatchAsync(AppDbContext db, Guid inboxId, DateTime cutoff, int batchSize, CancellationToken cancellationToken)
    {
        var batch = Older(db, inboxId, cutoff)
            .Where(e => !db.TrackedVisitors.IgnoreQueryFilters().Any(v => v.InboxId == inboxId && v.VisitorKey == e.VisitorKey
                && v.ContactId != null && db.LegalHolds.IgnoreQueryFilters().Any(h => h.ContactId == v.ContactId)))
            .OrderBy(e => e.ReceivedAt).Take(batchSize).Select(e => e.Id);
        return db.TrackedEvents.IgnoreQueryFilters().Where(e => batch.Contains(e.Id)).ExecuteDeleteAsync(cancellationToken);
    }
}
