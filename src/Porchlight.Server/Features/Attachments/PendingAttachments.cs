using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Attachments;

/// <summary>Who is sending a message: only their own unsent uploads to the same conversation can go with it.</summary>
public sealed record Uploader(Guid? AgentId, Guid? ContactId);

/// <summary>The attachments a message names, checked before it is stored.</summary>
public static class PendingAttachments
{
    public const string Field = "attachmentIds";

    /// <summary>Adds field errors for a list that is too long; a message needs text unless it carries attachments.</summary>
    public static void Validate(FieldErrors errors, IReadOnlyCollection<Guid>? attachmentIds)
    {
        if (attachmentIds is { Count: > Attachment.MaxPerMessage })
        {
            errors.Add(Field, $"At most {Attachment.MaxPerMessage} attachments per message.");
        }
    }

    /// <summary>
    /// Picks the named uploads out of <paramref name="loaded"/> (which may hold other messages' uploads too),
    /// in the order they were named: each must be in this conversation, uploaded by <paramref name="uploader"/>,
    /// and not sent yet; otherwise nothing is sent. <see cref="Conversations.MessageWriter"/> loads the uploads
    /// of a whole batch of messages at once and checks each message's here.
    /// </summary>
    public static Result<List<Attachment>> Check(IReadOnlyCollection<Guid> attachmentIds, IEnumerable<Attachment> loaded, Guid conversationId, Uploader uploader) =>
        Verify(attachmentIds, [.. loaded.Where(a => a.ConversationId == conversationId
            && a.UploadedByAgentId == uploader.AgentId && a.UploadedByContactId == uploader.ContactId)],
            "Each id must be a file you uploaded to this conversation.");

    /// <summary>
    /// The uploads a visitor's first message names: each uploaded by this contact into this inbox before the
    /// conversation existed, and not sent yet. Nobody else's upload can be claimed, not even by guessing its id.
    /// </summary>
    public static async Task<Result<List<Attachment>>> FindBeforeConversationAsync(
        AppDbContext db, Guid inboxId, Guid contactId, IReadOnlyCollection<Guid>? attachmentIds, CancellationToken cancellationToken)
    {
        if (attachmentIds is not { Count: > 0 })
        {
            return new List<Attachment>();
        }

        var ids = attachmentIds.Distinct().ToList();
        var owned = await db.Attachments
            .Where(a => ids.Contains(a.Id) && a.ConversationId == null && a.InboxId == inboxId && a.UploadedByAgentId == null && a.UploadedByContactId == contactId)
            .ToListAsync(cancellationToken);
        return Verify(ids, owned, "Each id must be a file you uploaded before starting this conversation.");
    }

    // Every named id among the owned uploads, none sent yet.
    private static Result<List<Attachment>> Verify(IReadOnlyCollection<Guid> attachmentIds, List<Attachment> owned, string notOwned)
    {
        var ids = attachmentIds.Distinct().ToList();
        var found = owned.Where(a => ids.Contains(a.Id)).ToList();
        if (found.Count != ids.Count)
        {
            return Failure.Invalid(Field, notOwned);
        }

        if (found.Any(a => a.MessageId is not null))
        {
            return Failure.Invalid(Field, "A file was already sent with another message; upload it again.");
        }

        return found.OrderBy(a => ids.IndexOf(a.Id)).ToList();
    }
}
