using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Attachments;

/// <summary>
/// The files behind attachment rows that a delete takes away by cascade in the database (an inbox with its
/// conversations, messages and uploads). The caller lists them before the delete and removes them after it
/// committed: a file goes only when its row is surely gone. A file missed in between (an upload that arrived
/// meanwhile, a crash) is left to <see cref="AttachmentSweeper"/>, which removes files without a row.
/// </summary>
public sealed class AttachmentFiles(AppDbContext db, IAttachmentStore store)
{
    public Task<List<StoredFile>> OfInboxAsync(Guid inboxId, CancellationToken cancellationToken) =>
        db.Attachments
            .Where(a => a.InboxId == inboxId || db.Conversations.Any(c => c.Id == a.ConversationId && c.InboxId == inboxId))
            .Select(a => new StoredFile(a.WorkspaceId, a.Id))
            .ToListAsync(cancellationToken);

    /// <summary>Removes the files; call only after the transaction that deleted their rows committed.</summary>
    public async Task DeleteAsync(IEnumerable<StoredFile> files)
    {
        foreach (var file in files)
        {
            // Not cancellable: the rows are gone, so leaving the files half deleted would only leave garbage.
            await store.DeleteAsync(file.WorkspaceId, file.AttachmentId, CancellationToken.None);
        }
    }
}
