using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Widget;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Attachments;

/// <summary>An uploaded file as the endpoint received it; <paramref name="Content"/> must be seekable (the type is read from it first).</summary>
public sealed record UploadedFile(string? FileName, long Length, Stream Content);

/// <summary>
/// Stores a file in a conversation for its uploader to send with a message: an agent of the workspace, or
/// the visitor whose conversation it is; or, for a visitor's first message, in the visitor's inbox before the
/// conversation exists. The type is decided by the bytes; the size and type limits answer 413 and 415 before
/// anything is stored.
/// </summary>
public sealed class UploadAttachment(
    AppDbContext db, TenantScope tenant, ActingAgent actor, IAttachmentStore store, AttachmentLinks links, IOptions<AttachmentOptions> options, TimeProvider clock)
{
    public async Task<Result<AttachmentResponse>> ByAgentAsync(Guid conversationId, UploadedFile? file, CancellationToken cancellationToken)
    {
        var checkedType = Check(file);
        if (!checkedType.Succeeded)
        {
            return checkedType.Failure!;
        }

        if (!await db.Conversations.AnyAsync(c => c.Id == conversationId, cancellationToken))
        {
            return Failure.NotFound("The conversation");
        }

        return await StoreAsync(actor.WorkspaceId, conversationId, null, file!, checkedType.Value!, actor.AgentId, null, cancellationToken);
    }

    /// <summary>
    /// A visitor's upload into one of their conversations, or with no <paramref name="conversationId"/> for the
    /// message that starts a conversation: then only this visitor can send it, and only to start one in this inbox.
    /// </summary>
    public async Task<Result<AttachmentResponse>> ByVisitorAsync(VisitorIdentity visitor, Guid? conversationId, UploadedFile? file, CancellationToken cancellationToken)
    {
        var checkedType = Check(file);
        if (!checkedType.Succeeded)
        {
            return checkedType.Failure!;
        }

        tenant.Enter(visitor.WorkspaceId);
        if (conversationId is null)
        {
            return await db.Inboxes.AnyAsync(i => i.Id == visitor.InboxId, cancellationToken)
                ? await StoreAsync(visitor.WorkspaceId, null, visitor.InboxId, file!, checkedType.Value!, null, visitor.ContactId, cancellationToken)
                : Failure.NotFound("The inbox");
        }

        if (!await VisitorRules.OwnConversation(db, visitor, conversationId.Value).AnyAsync(cancellationToken))
        {
            return Failure.NotFound("The conversation");
        }

        return await StoreAsync(visitor.WorkspaceId, conversationId, null, file!, checkedType.Value!, null, visitor.ContactId, cancellationToken);
    }

    /// <summary>
    /// A file that came with an email, stored as the sender's: in the conversation the mail joins, or with no
    /// <paramref name="conversationId"/> in the inbox, for the message that starts one (as a visitor's first files).
    /// The same size and type limits apply as to any upload.
    /// </summary>
    public async Task<Result<AttachmentResponse>> FromEmailAsync(
        Guid workspaceId, Guid inboxId, Guid? conversationId, Guid contactId, UploadedFile file, CancellationToken cancellationToken)
    {
        var checkedType = Check(file);
        return checkedType.Succeeded
            ? await StoreAsync(workspaceId, conversationId, conversationId is null ? inboxId : null, file, checkedType.Value!, null, contactId, cancellationToken)
            : checkedType.Failure!;
    }

    private Result<AttachmentType> Check(UploadedFile? file)
    {
        var maxBytes = options.Value.MaxAttachmentBytes;
        if (file is null)
        {
            return Failure.Invalid("file", "Send the file as multipart/form-data in a field named 'file'.");
        }

        if (file.Length == 0)
        {
            return Failure.Invalid("file", "The file is empty.");
        }

        if (file.Length > maxBytes)
        {
            return Failure.TooLarge($"Files of at most {Megabytes(maxBytes)} are accepted; this one has {Megabytes(file.Length)}.");
        }

        return AttachmentTypes.Detect(file.Content, file.FileName ?? "") is { } type
            ? type
            : Failure.UnsupportedType($"This kind of file is not accepted. Send {AttachmentTypes.Allowed}.");
    }

    private async Task<Result<AttachmentResponse>> StoreAsync(
        Guid workspaceId, Guid? conversationId, Guid? inboxId, UploadedFile file, AttachmentType type, Guid? agentId, Guid? contactId,
        CancellationToken cancellationToken)
    {
        var attachment = Attachment.Upload(
            workspaceId, conversationId, inboxId, AttachmentTypes.FileNameFor(file.FileName, type), type.ContentType, file.Length, agentId, contactId,
            clock.GetUtcNow().UtcDateTime);
        file.Content.Position = 0;
        // Bytes first, then the row: a crash in between leaves an unreferenced file, never a row without one.
        await store.SaveAsync(workspaceId, attachment.Id, file.Content, cancellationToken);
        db.Attachments.Add(attachment);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch
        {
            await store.DeleteAsync(workspaceId, attachment.Id, CancellationToken.None);
            throw;
        }

        return AttachmentResponse.From(attachment, links);
    }

    private static string Megabytes(long bytes) => $"{bytes / (1024.0 * 1024.0):0.#} MB";
}
