using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Tracking;

/// <summary>
/// Ties the tracker's id for a browser to the contact its chat visitor is, so agents see that browser's pages
/// beside the conversation. The widget reports the id each time it starts a session; the last contact wins (a
/// shared computer on which another user signs in). Identify moves the links of an anonymous visitor along with
/// its conversations (see IdentifyVisitor).
/// </summary>
public sealed class LinkTrackedVisitor(AppDbContext db, TimeProvider clock)
{
    public async Task LinkAsync(Guid workspaceId, Guid inboxId, string visitorKey, Guid contactId, CancellationToken cancellationToken)
    {
        if (!TrackerBatch.IsKey(visitorKey))
        {
            return; // Not an id the tracker makes; nothing of it can be in the events.
        }

        for (var attempt = 1; ; attempt++)
        {
            var visitor = await db.TrackedVisitors.FirstOrDefaultAsync(v => v.InboxId == inboxId && v.VisitorKey == visitorKey, cancellationToken);
            if (visitor?.ContactId == contactId)
            {
                return;
            }

            visitor ??= db.TrackedVisitors.Add(TrackedVisitor.Create(workspaceId, inboxId, visitorKey, clock.GetUtcNow().UtcDateTime)).Entity;
            visitor.BelongsTo(contactId);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // The tracking writer stored this browser's first events in the meantime: link the row it made.
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>An anonymous visitor became <paramref name="knownContactId"/>: its browsers' pages go along.</summary>
    public static Task MoveAsync(AppDbContext db, Guid anonymousContactId, Guid knownContactId, CancellationToken cancellationToken) =>
        db.TrackedVisitors.Where(v => v.ContactId == anonymousContactId)
            .ExecuteUpdateAsync(set => set.SetProperty(v => v.ContactId, knownContactId), cancellationToken);
}
