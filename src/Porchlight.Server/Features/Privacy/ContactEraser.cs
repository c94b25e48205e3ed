using Porchlight.Server.Features.Inboxes;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Privacy;

/// <summary>What one erasure did: how many rows of each kind it removed or rewrote. Never the erased data itself.</summary>
/// <param name="ContactDeleted">Whether the contact row itself went (<see cref="ErasureMode.Delete"/>).</param>
/// <param name="Conversations">The contact's conversations, anonymized or deleted.</param>
/// <param name="Messages">Messages deleted, or whose text was replaced or scrubbed.</param>
/// <param name="Attachments">Files removed, rows and stored bytes.</param>
/// <param name="EmailMessages">Records of mails received from or sent to the contact, removed.</param>
/// <param name="OtherTexts">Other rows whose text was scrubbed of the contact's name and addresses (reviews, flags, routing and automation logs, events, assistant sessions, proactive messages).</param>
public sealed record ContactErasureReport(
    Guid ContactId,
    ErasureMode Mode,
    bool ContactDeleted,
    DateTime ErasedAt,
    int Conversations,
    int Messages,
    int Attachments,
    int EmailMessages,
    int Notes,
    int SurveyAnswers,
    int TrackedVisitors,
    int TrackedVisits,
    int TrackedEvents,
    int ProactiveMessages,
    int ArticleReads,
    int WebhookDeliveries,
    int OtherTexts);

/// <summary>
/// Erases a contact (a privacy request, docs/privacy.md#privacy-requests): their details, their words and files, the
/// copies of them elsewhere (conversation previews and openings, mail records, webhook deliveries, outbox events, survey
/// comments, the assistant's notes), the tracker's record of their browsers, and in <see cref="ErasureMode.Delete"/> their
/// conversations whole. Every change is in one transaction, made in batches of conversations so that no statement or
/// read grows with the contact; files go after the commit (a crash in between leaves files without rows, which the
/// attachment sweeper removes). Running it again finds nothing more to do. The pieces that work on a set of conversations
/// (<see cref="AnonymizeConversationsAsync"/>, <see cref="DeleteConversationsAsync"/>) are public for other erasures
/// (retention) to use inside their own transaction.
/// </summary>
public sealed class ContactEraser(
    AppDbContext db, IAttachmentStore store, Tracking.LiveVisitors liveVisitors, TimeProvider clock, ILogger<ContactEraser> logger)
{
    /// <summary>Conversations handled per round: bounds the ids in a statement and the rows read at once.</summary>
    public const int BatchSize = 100;

    /// <summary>Rows read at once where text is scrubbed in memory.</summary>
    private const int RowBatch = 500;

    /// <summary>
    /// Erases the contact of the current workspace; null when it has no such contact. <paramref name="alongside"/> adds
    /// rows (an audit entry) to the erasure's own commit, given what was done.
    /// </summary>
    public async Task<ContactErasureReport?> EraseAsync(
        Guid contactId, ErasureMode mode, Action<ContactErasureReport>? alongside, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var counts = new ErasureCounts();
        var files = new List<StoredFile>();
        var browsers = new List<(Guid InboxId, string VisitorKey)>();
        ContactErasureReport? report = null;
        var sqlite = db.Database.IsSqlite();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            if (sqlite)
            {
                // What is deleted or rewritten is overwritten in the file too, not left in free space for a disk reader to find.
                await db.Database.ExecuteSqlRawAsync("PRAGMA secure_delete=ON;", cancellationToken);
            }

            await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
            {
                // Writers to these conversations wait until the erasure commits, and then find them erased.
                await RowLocks.LockAllForDeleteAsync<Conversation>(db, nameof(Conversation.ContactId), contactId, cancellationToken);
                // Read untracked: the batches below clear the change tracker; the row is read again to be changed at the end.
                if (await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId, cancellationToken) is not { } contact)
                {
                    return null;
                }

                var mailSenders = await db.EmailMessages
                    .Where(m => m.Direction == Email.EmailDirection.Received && db.Conversations.AcrossInboxes().Any(c => c.Id == m.ConversationId && c.ContactId == contactId))
                    .Select(m => m.FromAddress).Distinct().ToListAsync(cancellationToken);
                var emails = mailSenders.Append(contact.Email).OfType<string>().Where(e => e.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                var personal = PersonalText.Of(contact, mailSenders);

                var conversationIds = await db.Conversations.AcrossInboxes().Where(c => c.ContactId == contactId).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync(cancellationToken);
                counts.Conversations = conversationIds.Count;
                foreach (var batch in conversationIds.Chunk(BatchSize))
                {
                    files.AddRange(await FilesOfAsync(batch, cancellationToken));
                    if (mode == ErasureMode.Delete)
                    {
                        await DeleteConversationsAsync(contact.WorkspaceId, batch, counts, cancellationToken);
                    }
                    else
                    {
                        await AnonymizeConversationsAsync(batch, personal, counts, cancellationToken);
                    }
                }

                // Files the contact uploaded that no message sent (a widget upload before the first message).
                var unsent = db.Attachments.Where(a => a.UploadedByContactId == contactId);
                files.AddRange(await unsent.Select(a => new StoredFile(a.WorkspaceId, a.Id)).ToListAsync(cancellationToken));
                counts.Attachments += await unsent.ExecuteDeleteAsync(cancellationToken);

                // Mails from the contact that became no conversation (an auto-reply to nothing); the others went with their conversations.
                var lowerEmails = emails.ConvertAll(e => e.ToLowerInvariant());
                counts.EmailMessages += await db.EmailMessages
                    .Where(m => m.WorkspaceId == contact.WorkspaceId && m.ConversationId == null && lowerEmails.Contains(m.FromAddress.ToLower()))
                    .ExecuteDeleteAsync(cancellationToken);
                counts.Notes += await db.ContactNotes.Where(n => n.ContactId == contactId).ExecuteDeleteAsync(cancellationToken);
                browsers = await EraseTrackingAsync(contactId, mode, counts, cancellationToken);
                if (mode == ErasureMode.Delete)
                {
                    counts.ArticleReads += await db.ArticleReads.Where(r => r.ContactId == contactId).ExecuteDeleteAsync(cancellationToken);
                }

                // Deliveries about the contact (contact.created, .updated, .merged) carry their details; replayed they would again.
                counts.WebhookDeliveries += await db.WebhookDeliveries.Where(d => d.OrderingKey == contactId).ExecuteDeleteAsync(cancellationToken);
                counts.OtherTexts += await ScrubOutboxAsync(contact.WorkspaceId, contactId, personal, cancellationToken);

                if (mode == ErasureMode.Delete)
                {
                    await db.Contacts.Where(c => c.Id == contactId).ExecuteDeleteAsync(cancellationToken);
                }
                else
                {
                    (await db.Contacts.FirstAsync(c => c.Id == contactId, cancellationToken)).Erase(now);
                }

                report = counts.ToReport(contactId, mode, now);
                alongside?.Invoke(report);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            if (sqlite)
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA secure_delete=OFF;", CancellationToken.None);
            }

            await db.Database.CloseConnectionAsync();
        }

        // Only once the rows are surely gone; not cancellable, as half the files gone would only leave garbage.
        foreach (var file in files)
        {
            await store.DeleteAsync(file.WorkspaceId, file.AttachmentId, CancellationToken.None);
        }

        foreach (var (inboxId, visitorKey) in browsers)
        {
            liveVisitors.Forget(inboxId, visitorKey);
        }

        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Contact {ContactId} erased ({Mode}): {Conversations} conversations, {Messages} messages, {Attachments} files.",
                contactId, mode, report!.Conversations, report.Messages, report.Attachments);
        }

        return report;
    }

    /// <summary>
    /// Takes the customer's words and details out of these conversations and keeps their shape (who wrote when, statuses,
    /// assignments, scores, the event log): the contact's messages become <see cref="PersonalText.Placeholder"/>; previews,
    /// openings and attributes go; agents' messages and notes, reviews, flags and logs are scrubbed of
    /// <paramref name="personal"/>; files, mail records and webhook deliveries of the conversations are removed. In the
    /// caller's transaction; the caller removes the files (<see cref="FilesOfAsync"/>, read first) after its commit. Saves
    /// as it goes and clears the change tracker: the caller re-reads what it had tracked. Every query names its rows by
    /// id, so it is right in operator scope (a background job) too.
    /// </summary>
    public async Task AnonymizeConversationsAsync(IReadOnlyCollection<Guid> ids, PersonalText personal, ErasureCounts counts, CancellationToken cancellationToken)
    {
        const string placeholder = PersonalText.Placeholder;
        counts.Messages += await db.Messages
            .Where(m => ids.Contains(m.ConversationId) && m.Kind == MessageKind.Incoming && m.Text != "" && m.Text != placeholder)
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.Text, placeholder), cancellationToken);
        counts.Messages += await ScrubAsync(db.Messages.Where(m => ids.Contains(m.ConversationId) && m.Kind != MessageKind.Incoming), m => m.Text, personal,
            (entry, scrub) => entry.Property(m => m.Text).CurrentValue = scrub(entry.Entity.Text)!, cancellationToken);
        var emptyAttributes = new CustomAttributes();
        await db.Conversations.AcrossInboxes().Where(c => ids.Contains(c.Id)).ExecuteUpdateAsync(
            set => set
                .SetProperty(c => c.LastMessagePreview, c => c.LastMessagePreview == "" ? "" : placeholder)
                .SetProperty(c => c.Opening, (string?)null)
                .SetProperty(c => c.Attributes, emptyAttributes),
            cancellationToken);
        counts.SurveyAnswers += await db.SurveyResponses.Where(s => ids.Contains(s.ConversationId) && s.Comment != null && s.Comment != placeholder)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.Comment, placeholder), cancellationToken);
        counts.OtherTexts += await ForgetAssistantNotesAsync(ids, cancellationToken);
        counts.OtherTexts += await ScrubAsync(db.QualityReviews.Where(r => ids.Contains(r.ConversationId)), null, personal, (entry, scrub) =>
        {
            var review = entry.Entity;
            entry.Property(r => r.Comment).CurrentValue = scrub(review.Comment);
            entry.Property(r => r.AgentResponse).CurrentValue = scrub(review.AgentResponse);
            entry.Property(r => r.SampleReason).CurrentValue = scrub(review.SampleReason);
            entry.Property(r => r.Scores).CurrentValue = review.Scores.ConvertAll(s => s with { Comment = scrub(s.Comment) });
            entry.Property(r => r.MessageComments).CurrentValue = review.MessageComments.ConvertAll(c => c with { Text = scrub(c.Text)! });
        }, cancellationToken);
        counts.OtherTexts += await ScrubAsync(db.ConversationFlags.Where(f => ids.Contains(f.ConversationId)), null, personal, (entry, scrub) =>
        {
            entry.Property(f => f.Note).CurrentValue = scrub(entry.Entity.Note)!;
            entry.Property(f => f.Resolution).CurrentValue = scrub(entry.Entity.Resolution);
        }, cancellationToken);
        counts.OtherTexts += await ScrubAsync(db.Calibrations.Where(c => ids.Contains(c.ConversationId)), c => c.Name, personal,
            (entry, scrub) => entry.Property(c => c.Name).CurrentValue = scrub(entry.Entity.Name)!, cancellationToken);
        counts.OtherTexts += await ScrubAsync(db.RoutingDecisions.Where(d => ids.Contains(d.ConversationId)), d => d.Reason, personal,
            (entry, scrub) => entry.Property(d => d.Reason).CurrentValue = scrub(entry.Entity.Reason)!, cancellationToken);
        counts.OtherTexts += await ScrubAsync(db.AutomationRuns.Where(r => ids.Contains(r.ConversationId)), r => r.Summary, personal,
            (entry, scrub) => entry.Property(r => r.Summary).CurrentValue = scrub(entry.Entity.Summary)!, cancellationToken);
        await RemoveCopiesAsync(ids, counts, cancellationToken);
    }

    /// <summary>
    /// Deletes these conversations with everything in them (messages, files' rows, surveys, the event log and report
    /// facts, reviews, mail records), marks the report days they counted in for the rollups, and removes the webhook
    /// deliveries about them. In the caller's transaction; the caller removes the files after its commit.
    /// </summary>
    public async Task DeleteConversationsAsync(Guid workspaceId, IReadOnlyCollection<Guid> ids, ErasureCounts counts, CancellationToken cancellationToken)
    {
        var days = await db.ReportFacts.Where(f => ids.Contains(f.ConversationId)).Select(f => f.Day).Distinct().ToListAsync(cancellationToken);
        counts.Messages += await db.Messages.CountAsync(m => ids.Contains(m.ConversationId), cancellationToken);
        counts.SurveyAnswers += await db.SurveyResponses.CountAsync(s => ids.Contains(s.ConversationId) && s.AnsweredAt != null, cancellationToken);
        await RemoveCopiesAsync(ids, counts, cancellationToken);
        // A proactive message that a conversation answered keeps its figures, without the conversation.
        await db.ProactiveMessages.Where(p => p.ConversationId != null && ids.Contains(p.ConversationId.Value))
            .ExecuteUpdateAsync(set => set.SetProperty(p => p.ConversationId, (Guid?)null), cancellationToken);
        // Report facts outlive a conversation retention deletes (they have no foreign key to it); an erasure takes them
        // too, and the days they counted in are worked out again without them.
        await db.ReportFacts.Where(f => ids.Contains(f.ConversationId)).ExecuteDeleteAsync(cancellationToken);
        // Everything else that hangs on a conversation goes with it by the foreign keys' cascade.
        await db.Conversations.AcrossInboxes().Where(c => ids.Contains(c.Id)).ExecuteDeleteAsync(cancellationToken);
        await Reports.StaleReportDay.MarkAsync(db, workspaceId, days, Reports.StaleReportDay.All, cancellationToken);
    }

    /// <summary>The stored files of these conversations' attachments: read before the rows go, removed after the commit.</summary>
    public Task<List<StoredFile>> FilesOfAsync(IReadOnlyCollection<Guid> conversationIds, CancellationToken cancellationToken) =>
        db.Attachments.Where(a => a.ConversationId != null && conversationIds.Contains(a.ConversationId.Value))
            .Select(a => new StoredFile(a.WorkspaceId, a.Id)).ToListAsync(cancellationToken);

    /// <summary>Files' rows, mail records and webhook deliveries of the conversations: copies of what was said, in both modes.</summary>
    private async Task RemoveCopiesAsync(IReadOnlyCollection<Guid> ids, ErasureCounts counts, CancellationToken cancellationToken)
    {
        counts.Attachments += await db.Attachments.Where(a => a.ConversationId != null && ids.Contains(a.ConversationId.Value)).ExecuteDeleteAsync(cancellationToken);
        counts.EmailMessages += await db.EmailMessages.Where(m => m.ConversationId != null && ids.Contains(m.ConversationId.Value)).ExecuteDeleteAsync(cancellationToken);
        counts.WebhookDeliveries += await db.WebhookDeliveries.Where(d => ids.Contains(d.OrderingKey)).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>The answers the assistant collected and the visitor's words it kept; its outcome, intent and articles stay for the reports.</summary>
    private async Task<int> ForgetAssistantNotesAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        var sessions = await db.AssistantSessions.Where(s => ids.Contains(s.ConversationId)).ToListAsync(cancellationToken);
        var changed = 0;
        foreach (var session in sessions.Where(s => s.State.Fields.Count > 0 || s.State.Words.Length > 0 || s.State.HandoverReason is not null))
        {
            var state = System.Text.Json.JsonSerializer.Deserialize<Assistant.FlowState>(System.Text.Json.JsonSerializer.Serialize(session.State))!;
            (state.Fields, state.Words, state.HandoverReason) = (new Dictionary<string, string>(StringComparer.Ordinal), "", null);
            db.Entry(session).Property(s => s.State).CurrentValue = state;
            changed++;
        }

        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return changed;
    }

    /// <summary>The tracker's record of the contact's browsers: their visitor rows, visits and events; proactive messages kept for the figures, unlinked (anonymize) or removed (delete).</summary>
    private async Task<List<(Guid InboxId, string VisitorKey)>> EraseTrackingAsync(Guid contactId, ErasureMode mode, ErasureCounts counts, CancellationToken cancellationToken)
    {
        var browsers = (await db.TrackedVisitors.Where(v => v.ContactId == contactId).Select(v => new { v.InboxId, v.VisitorKey }).ToListAsync(cancellationToken))
            .ConvertAll(v => (v.InboxId, v.VisitorKey));
        foreach (var (inboxId, key) in browsers)
        {
            counts.TrackedEvents += await db.TrackedEvents.Where(e => e.InboxId == inboxId && e.VisitorKey == key).ExecuteDeleteAsync(cancellationToken);
            counts.TrackedVisits += await db.TrackedSessions.Where(s => s.InboxId == inboxId && s.VisitorKey == key).ExecuteDeleteAsync(cancellationToken);
            var offers = db.ProactiveMessages.Where(p => p.InboxId == inboxId && p.VisitorKey == key);
            counts.ProactiveMessages += mode == ErasureMode.Delete
                ? await offers.ExecuteDeleteAsync(cancellationToken)
                // A key that names no browser, one per row (a campaign is shown once per visitor key).
                : await offers.ExecuteUpdateAsync(set => set.SetProperty(p => p.VisitorKey, p => "erased-" + p.Id.ToString()), cancellationToken);
        }

        counts.TrackedVisitors += await db.TrackedVisitors.Where(v => v.ContactId == contactId).ExecuteDeleteAsync(cancellationToken);
        return browsers;
    }

    /// <summary>
    /// Events not yet dispatched, or dispatched and kept, that name the contact: those that carry details (a merge's
    /// email and external id) are scrubbed of them, so a late dispatch or a look at the table finds nothing.
    /// </summary>
    private async Task<int> ScrubOutboxAsync(Guid workspaceId, Guid contactId, PersonalText personal, CancellationToken cancellationToken)
    {
        var id = contactId.ToString();
        return await ScrubAsync(db.OutboxMessages.Where(m => m.WorkspaceId == workspaceId && m.Payload.Contains(id)), m => m.Payload, personal,
            (entry, scrub) => entry.Property(m => m.Payload).CurrentValue = scrub(entry.Entity.Payload)!, cancellationToken);
    }

    /// <summary>
    /// Reads <paramref name="rows"/> in batches (those whose <paramref name="text"/> may hold a term, when given), lets
    /// <paramref name="scrub"/> set their texts scrubbed, and saves those that changed; answers how many did.
    /// </summary>
    private async Task<int> ScrubAsync<T>(
        IQueryable<T> rows, Expression<Func<T, string?>>? text, PersonalText personal,
        Action<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry<T>, Func<string?, string?>> scrub, CancellationToken cancellationToken)
        where T : class
    {
        if (personal.IsEmpty)
        {
            return 0;
        }

        // The ids first: a scrubbed row may no longer pass the filter, so the rows are not paged by it.
        var ids = await (text is null ? rows : rows.Where(personal.MayHold(text))).Select(r => EF.Property<Guid>(r, "Id")).ToListAsync(cancellationToken);
        var changed = 0;
        foreach (var batch in ids.Chunk(RowBatch))
        {
            foreach (var row in await rows.Where(r => batch.Contains(EF.Property<Guid>(r, "Id"))).ToListAsync(cancellationToken))
            {
                var entry = db.Entry(row);
                scrub(entry, personal.ScrubOrNull);
                changed += entry.State == EntityState.Modified ? 1 : 0;
            }

            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        return changed;
    }
}

/// <summary>Counts an erasure adds up as it goes (its pieces may be used one by one: see <see cref="ContactEraser"/>).</summary>
public sealed class ErasureCounts
{
    public int Conversations { get; set; }

    public int Messages { get; set; }

    public int Attachments { get; set; }

    public int EmailMessages { get; set; }

    public int Notes { get; set; }

    public int SurveyAnswers { get; set; }

    public int TrackedVisitors { get; set; }

    public int TrackedVisits { get; set; }

    public int TrackedEvents { get; set; }

    public int ProactiveMessages { get; set; }

    public int ArticleReads { get; set; }

    public int WebhookDeliveries { get; set; }

    public int OtherTexts { get; set; }

    public ContactErasureReport ToReport(Guid contactId, ErasureMode mode, DateTime at) => new(
        contactId, mode, mode == ErasureMode.Delete, at, Conversations, Messages, Attachments, EmailMessages, Notes, SurveyAnswers, TrackedVisitors,
        TrackedVisits, TrackedEvents, ProactiveMessages, ArticleReads, WebhookDeliveries, OtherTexts);
}
