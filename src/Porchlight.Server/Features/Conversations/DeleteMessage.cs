using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Conversations;

/// <summary>
/// An agent withdraws their own reply or note within the edit window. The message keeps its place in the
/// thread (its sequence) with empty text and a deletion time, so clients that catch up by sequence see no
/// gap; its text and files are gone. Deleting again answers the deleted message.
/// </summary>
public sealed class DeleteMessage(AppDbContext db, OwnMessages own, ConversationChanges changes, IAttachmentStore store, TimeProvider clock)
{
    public async Task<Result<MessageResponse>> HandleAsync(Guid conversationId, Guid messageId, CancellationToken cancellationToken)
    {
        var found = await own.FindAsync(conversationId, messageId, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure!;
        }

        var (conversation, message) = found.Value!;
        if (message.DeletedAt is not null)
        {
            return await changes.DescribeAsync(conversation, message, cancellationToken);
        }

        if (own.Closed(message) is { } closed)
        {
            return closed;
        }

        var attachments = await db.Attachments.Where(a => a.MessageId == message.Id).ToListAsync(cancellationToken);
        db.Attachments.RemoveRange(attachments);
        message.Delete(clock.GetUtcNow().UtcDateTime);
        var previewChanged = await own.RefreshPreviewAsync(conversation, message, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Deleted by a concurrent request: that one removed the files, and the answer is the same.
            db.ChangeTracker.Clear();
            return await changes.DescribeAsync(conversation, await db.Messages.AsNoTracking().FirstAsync(m => m.Id == messageId, cancellationToken), cancellationToken);
        }

        // The rows are gone, so no link resolves any more; the bytes go after the commit.
        foreach (var attachment in attachments)
        {
            await store.DeleteAsync(attachment.WorkspaceId, attachment.Id, CancellationToken.None);
        }

        return await changes.UpdatedAsync(conversation, message, previewChanged);
    }
}
