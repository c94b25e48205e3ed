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
    /// The named uploads, tracked for <see cref="Conversations.MessageLog"/> to attach. Each must be in this
    /// conversation, uploaded by <paramref name="uploader"/>, and not sent yet; otherwise nothing is sent.
    /// </summary>
    public static async Task<Result<List<Attachment>>> FindAsync(
        AppDbContext db, Guid conversationId, IReadOnlyCollection<Guid>? attachmentIds, Uploader uploader, CancellationToken cancellationToken)
    {
        if (attachmentIds is not { Count: > 0 })
        {
            return new List<Attachment>();
        }

        var ids = attachmentIds.Distinct().ToList();
        var found = await db.Attachments
            .Where(a => ids.Contains(a.Id) && a.ConversationId == conversationId
                && a.UploadedByAgentId == uploader.AgentId && a.UploadedByContactId == uploader.ContactId)
            .ToListAsync(cancellationToken);
        return Check(ids, found, conversationId, uploader);
    }

    /// <summary>
    /// Picks the named uploads out of <paramref name="loaded"/> (which may hold other messages' uploads too),
    /// in the order they were named, with the same rules as <see cref="FindAsync"/>.
    /// </summary>
    public static Result<List<Attachment>> Check(IReadOnlyCollection<Guid> attachmentIds, IEnumerable<Attachment> loaded, Guid conversationId, Uploader uploader)
    {
        var ids = attachmentIds.Distinct().ToList();
        var found = loaded.Where(a => ids.Contains(a.Id) && a.ConversationId == conversationId
            && a.UploadedByAgentId == uploader.AgentId && a.UploadedByContactId == uploader.ContactId).ToList();
        if (found.Count != ids.Count)
        {
            return Failure.Invalid(Field, "Each id must be a file you uploaded to this conversation.");
        }

        if (found.Any(a => a.MessageId is not null))
        {
            return Failure.Invalid(Field, "A file was already sent with another message; upload it again.");
        }

        return found.OrderBy(a => ids.IndexOf(a.Id)).ToList();
    }
}
