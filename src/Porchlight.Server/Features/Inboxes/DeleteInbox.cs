using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Inboxes;

/// <summary>Deletes an inbox with its conversations, messages and files (the rows by cascade, the files after the commit).</summary>
public sealed class DeleteInbox(AppDbContext db, AttachmentFiles files)
{
    public async Task<Result<Done>> HandleAsync(Guid inboxId, CancellationToken cancellationToken)
    {
        var inbox = await db.Inboxes.FirstOrDefaultAsync(i => i.Id == inboxId, cancellationToken);
        if (inbox is null)
        {
            return Failure.NotFound("Inbox");
        }

        var stored = await files.OfInboxAsync(inboxId, cancellationToken);
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // The delete cascades to the inbox's conversations: they are locked first, in key order, as the message writer locks them.
            await RowLocks.LockAllForDeleteAsync<Conversation>(db, nameof(Conversation.InboxId), inboxId, cancellationToken);
            db.Inboxes.Remove(inbox);
            await db.SaveChangesAsync(cancellationToken);
            // Report facts outlive a conversation that retention deletes (no foreign key), not the inbox they were counted in.
            await db.ReportFacts.Where(f => f.InboxId == inboxId).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await files.DeleteAsync(stored);
        return default(Done);
    }
}
