using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;

namespace Porchlight.Server.Features.Contacts;

/// <summary>
/// Everything that hangs on a contact, moved to another when two turn out to be one customer (identify, a merge): the
/// one list of what refers to a contact, so neither way leaves something behind.
/// </summary>
public static class ContactHistory
{
    /// <summary>
    /// Moves conversations (tracked, for the caller to announce), notes, files uploaded, the tracker's browsers and
    /// articles read from <paramref name="fromContactId"/> to <paramref name="to"/>. The caller saves, in its transaction.
    /// </summary>
    public static async Task<List<Conversation>> MoveAsync(AppDbContext db, Guid fromContactId, Contact to, CancellationToken cancellationToken)
    {
        var conversations = await db.Conversations.AcrossInboxes().Where(c => c.ContactId == fromContactId).ToListAsync(cancellationToken);
        foreach (var conversation in conversations)
        {
            conversation.MoveTo(to);
        }

        // Files uploaded but not yet sent go along, so the customer can still send them (also those uploaded for a
        // first message, before an anonymous visitor had a contact row).
        await db.Attachments.Where(a => a.UploadedByContactId == fromContactId)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.UploadedByContactId, to.Id), cancellationToken);
        await db.ContactNotes.Where(n => n.ContactId == fromContactId).ExecuteUpdateAsync(set => set.SetProperty(n => n.ContactId, to.Id), cancellationToken);
        await Tracking.LinkTrackedVisitor.MoveAsync(db, fromContactId, to.Id, cancellationToken);
        await db.ArticleReads.Where(r => r.ContactId == fromContactId).ExecuteUpdateAsync(set => set.SetProperty(r => r.ContactId, to.Id), cancellationToken);
        return conversations;
    }
}
