using Porchlight.Server.Features.Inboxes;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Privacy;

/// <summary>An erasure as asked: <c>mode</c> left out (or the body) takes the workspace's <c>erasureMode</c>.</summary>
public sealed record ContactErasureRequest(ErasureMode? Mode = null);

/// <summary>What an erasure of the contact would take, for the confirmation that names it.</summary>
public sealed record ContactErasurePreview(
    Guid ContactId, string DisplayName, ErasureMode DefaultMode, DateTime? ErasedAt, int Conversations, int Messages, int ContactMessages, int Attachments,
    int EmailMessages, int Notes, int SurveyAnswers, int TrackedVisits, int TrackedEvents);

/// <summary>
/// Privacy requests about a contact (docs/privacy.md#privacy-requests): export everything kept about them, and erase them.
/// Only those who hold <see cref="Permission.HandlePrivacyRequests"/> (Owners and Admins); each is recorded in the audit
/// trail (<c>contact.exported</c>, <c>contact.erased</c>) with what was done in numbers, never the data itself.
/// </summary>
public sealed class PrivacyRequests(
    AppDbContext db, ActingAgent actor, Audit.AuditActor auditActor, ContactExporter exporter, ContactEraser eraser, TimeProvider clock)
{
    private static Failure NotAllowed => Failure.Forbidden("Only Owners and Admins may answer privacy requests.");

    /// <summary>The contact's archive, recorded as taken out; the caller disposes it (which deletes its temporary file).</summary>
    public async Task<Result<ContactArchive>> ExportAsync(Guid contactId, CancellationToken cancellationToken)
    {
        if (!actor.Can(Permission.HandlePrivacyRequests))
        {
            return NotAllowed;
        }

        if (await exporter.ExportAsync(contactId, cancellationToken) is not { } archive)
        {
            return Failure.NotFound("The contact");
        }

        try
        {
            var s = archive.Summary;
            db.AuditEntries.Add(Audit.AuditEntry.Create(actor.WorkspaceId, clock.GetUtcNow().UtcDateTime, auditActor, "contact.exported", "contact", contactId.ToString(),
                JsonSerializer.Serialize(new
                {
                    conversations = s.Conversations, messages = s.Messages, attachments = s.Attachments, missingFiles = s.MissingFiles, emails = s.EmailMessages,
                    trackedEvents = s.TrackedEvents, bytes = s.Bytes,
                })));
            await db.SaveChangesAsync(cancellationToken);
            return archive;
        }
        catch
        {
            await archive.DisposeAsync();
            throw;
        }
    }

    /// <summary>What an erasure would remove, counted now.</summary>
    public async Task<Result<ContactErasurePreview>> PreviewAsync(Guid contactId, CancellationToken cancellationToken)
    {
        if (!actor.Can(Permission.HandlePrivacyRequests))
        {
            return NotAllowed;
        }

        if (await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId, cancellationToken) is not { } contact)
        {
            return Failure.NotFound("The contact");
        }

        var conversations = db.Conversations.AcrossInboxes().Where(c => c.ContactId == contactId).Select(c => c.Id);
        var visitors = db.TrackedVisitors.Where(v => v.ContactId == contactId);
        return new ContactErasurePreview(
            contactId,
            contact.DisplayName,
            await db.Workspaces.Where(w => w.Id == actor.WorkspaceId).Select(w => w.ErasureMode).SingleAsync(cancellationToken),
            contact.ErasedAt,
            await conversations.CountAsync(cancellationToken),
            await db.Messages.CountAsync(m => conversations.Contains(m.ConversationId), cancellationToken),
            await db.Messages.CountAsync(m => conversations.Contains(m.ConversationId) && m.Kind == Conversations.MessageKind.Incoming, cancellationToken),
            await db.Attachments.CountAsync(a => (a.ConversationId != null && conversations.Contains(a.ConversationId.Value)) || a.UploadedByContactId == contactId, cancellationToken),
            await db.EmailMessages.CountAsync(m => m.ConversationId != null && conversations.Contains(m.ConversationId.Value), cancellationToken),
            await db.ContactNotes.CountAsync(n => n.ContactId == contactId, cancellationToken),
            await db.SurveyResponses.CountAsync(s => conversations.Contains(s.ConversationId) && s.AnsweredAt != null, cancellationToken),
            await db.TrackedSessions.CountAsync(s => visitors.Any(v => v.InboxId == s.InboxId && v.VisitorKey == s.VisitorKey), cancellationToken),
            await db.TrackedEvents.CountAsync(e => visitors.Any(v => v.InboxId == e.InboxId && v.VisitorKey == e.VisitorKey), cancellationToken));
    }

    /// <summary>
    /// Erases the contact in the mode asked, else the workspace's; recorded in the audit trail in the erasure's own commit,
    /// with the mode and the counts. Asked again, it finds nothing more to do (or, after a deletion, no contact).
    /// </summary>
    public async Task<Result<ContactErasureReport>> EraseAsync(Guid contactId, ContactErasureRequest? request, CancellationToken cancellationToken)
    {
        if (!actor.Can(Permission.HandlePrivacyRequests))
        {
            return NotAllowed;
        }

        if (request?.Mode is { } asked && !Enum.IsDefined(asked))
        {
            return Failure.Invalid("mode", $"One of {string.Join(", ", Enum.GetNames<ErasureMode>())}.");
        }

        var mode = request?.Mode ?? await db.Workspaces.AsNoTracking().Where(w => w.Id == actor.WorkspaceId).Select(w => w.ErasureMode).SingleAsync(cancellationToken);
        var report = await eraser.EraseAsync(contactId, mode, done => db.AuditEntries.Add(Audit.AuditEntry.Create(
            actor.WorkspaceId, done.ErasedAt, auditActor, "contact.erased", "contact", contactId.ToString(), JsonSerializer.Serialize(new
            {
                mode = done.Mode.ToString(), contactDeleted = done.ContactDeleted, conversations = done.Conversations, messages = done.Messages,
                attachments = done.Attachments, emails = done.EmailMessages, notes = done.Notes, surveyAnswers = done.SurveyAnswers,
                trackedVisitors = done.TrackedVisitors, trackedVisits = done.TrackedVisits, trackedEvents = done.TrackedEvents,
                proactiveMessages = done.ProactiveMessages, articleReads = done.ArticleReads, webhookDeliveries = done.WebhookDeliveries, otherTexts = done.OtherTexts,
            }))), cancellationToken);
        return report is null ? Failure.NotFound("The contact") : report;
    }
}
