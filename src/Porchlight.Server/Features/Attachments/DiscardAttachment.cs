using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Attachments;

/// <summary>
/// An agent takes back a file they uploaded but have not sent (the composer's remove on a pending file):
/// the row and the bytes go. A sent file belongs to its message and is removed only with it.
/// </summary>
public sealed class DiscardAttachment(AppDbContext db, ActingAgent actor, IAttachmentStore store)
{
    public async Task<Result<Done>> HandleAsync(Guid conversationId, Guid attachmentId, CancellationToken cancellationToken)
    {
        if (await db.Attachments.FirstOrDefaultAsync(
                a => a.Id == attachmentId && a.ConversationId == conversationId && a.UploadedByAgentId == actor.AgentId, cancellationToken)
            is not { } attachment)
        {
            return Failure.NotFound("The attachment");
        }

        if (attachment.MessageId is not null)
        {
            return AlreadySent;
        }

        db.Attachments.Remove(attachment);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // A message claimed it meanwhile (its message id is the concurrency token): it stays with that message.
            return AlreadySent;
        }

        await store.DeleteAsync(attachment.WorkspaceId, attachment.Id, CancellationToken.None);
        return new Done();
    }

    private static Failure AlreadySent => Failure.Conflict("The file was sent with a message; delete the message to remove it.");
}
