using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Hosting.Cluster;

namespace Porchlight.Server.Features.Retention;

/// <summary>
/// Applies every workspace's retention policies, on a timer (<c>Retention:Interval</c>, an hour by default): each class
/// past its time is deleted or anonymized in small batches (<c>Retention:BatchSize</c> rows, a fifth of that for
/// conversations), each batch its own short transaction, so neither the message writer nor the app waits for long.
/// Legal holds are read in every batch's own query: held data is never touched. Each run over a workspace writes a
/// <see cref="RetentionRun"/> with what it did. Files leave the store after the commit that removed their rows.
/// </summary>
public sealed class RetentionJob(
    IServiceScopeFactory scopes, IAttachmentStore files, JobLeases leases, TimeProvider clock, IConfiguration configuration, ILogger<RetentionJob> logger)
    : BackgroundService
{
    /// <summary>What an anonymized message, and its conversation's preview, say instead of what was written.</summary>
    public const string Placeholder = "[Removed by the retention policy]";

    /// <summary>Reports older than this are removed by the run itself.</summary>
    public static readonly TimeSpan ReportsKeptFor = TimeSpan.FromDays(90);

    private readonly SemaphoreSlim _oneRunAtATime = new(1, 1);

    private int BatchSize => Math.Clamp(configuration.GetValue("Retention:BatchSize", 500), 1, 10_000);

    private int ConversationBatchSize => Math.Max(1, BatchSize / 5);

    public override void Dispose()
    {
        _oneRunAtATime.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        leases.RunAsync(
            nameof(RetentionJob), configuration.GetValue("Retention:Interval", TimeSpan.FromHours(1)), logger, "Applying retention policies",
            ct => RunAsync(workspaceId: null, ct), stoppingToken);

    /// <summary>Applies the policies of every workspace that has one, or of one workspace; answers the runs' reports.</summary>
    public async Task<List<RetentionRun>> RunAsync(Guid? workspaceId, CancellationToken cancellationToken)
    {
        await _oneRunAtATime.WaitAsync(cancellationToken);
        try
        {
            List<RetentionPolicy> policies;
            await using (var scope = scopes.CreateAsyncScope())
            {
                // Operator scope: every workspace's policies that act.
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                var query = db.RetentionPolicies.IgnoreQueryFilters().AsNoTracking().Where(p => p.Days != null);
                query = workspaceId is { } only ? query.Where(p => p.WorkspaceId == only) : query;
                policies = await query.ToListAsync(cancellationToken);
                await db.RetentionRuns.IgnoreQueryFilters().Where(r => r.StartedAt < clock.GetUtcNow().UtcDateTime - ReportsKeptFor)
                    .ExecuteDeleteAsync(cancellationToken);
            }

            var runs = new List<RetentionRun>();
            foreach (var workspace in policies.GroupBy(p => p.WorkspaceId))
            {
                runs.Add(await RunWorkspaceAsync(workspace.Key, [.. workspace.OrderBy(p => p.DataClass)], cancellationToken));
            }

            return runs;
        }
        finally
        {
            _oneRunAtATime.Release();
        }
    }

    private async Task<RetentionRun> RunWorkspaceAsync(Guid workspaceId, List<RetentionPolicy> policies, CancellationToken cancellationToken)
    {
        var run = RetentionRun.Start(workspaceId, clock.GetUtcNow().UtcDateTime);
        await SaveRunAsync(run, added: true, cancellationToken);
        var outcomes = new List<RetentionClassOutcome>();
        string? problem = null;
        foreach (var policy in policies)
        {
            var tally = new Tally(policy, clock.GetUtcNow().UtcDateTime.AddDays(-policy.Days!.Value));
            try
            {
                await (policy.DataClass switch
                {
                    RetentionDataClass.Conversations => ConversationsAsync(workspaceId, tally, cancellationToken),
                    RetentionDataClass.Attachments => AttachmentsAsync(workspaceId, tally, cancellationToken),
                    RetentionDataClass.TrackingEvents => TrackingEventsAsync(workspaceId, tally, cancellationToken),
                    RetentionDataClass.AuditEntries => AuditEntriesAsync(workspaceId, tally, cancellationToken),
                    _ => SurveyAnswersAsync(workspaceId, tally, cancellationToken),
                });
            }
#pragma warning disable CA1031 // One class that fails must not keep the others, or other workspaces, from their retention; the report says why.
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                logger.LogWarning(e, "Retention of {DataClass} in workspace {WorkspaceId} stopped.", policy.DataClass, workspaceId);
                problem = (problem is null ? "" : problem + " ") + $"{policy.DataClass}: {(e is RetentionStoppedException ? e.Message : "failed; tried again on the next run.")}";
            }

            outcomes.Add(tally.Outcome);
        }

        run.End(outcomes, problem, clock.GetUtcNow().UtcDateTime);
        await SaveRunAsync(run, added: false, cancellationToken);
        if (logger.IsEnabled(LogLevel.Information) && outcomes.Any(o => o.Deleted + o.Anonymized > 0))
        {
            logger.LogInformation(
                "Retention in workspace {WorkspaceId}: {Deleted} deleted, {Anonymized} anonymized, {Held} kept by legal holds.",
                workspaceId, outcomes.Sum(o => o.Deleted), outcomes.Sum(o => o.Anonymized), outcomes.Sum(o => o.SkippedByHold));
        }

        return run;
    }

    private async Task SaveRunAsync(RetentionRun run, bool added, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        if (added)
        {
            db.RetentionRuns.Add(run);
        }
        else
        {
            db.RetentionRuns.Update(run);
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    // ---- Conversations ----

    private async Task ConversationsAsync(Guid workspaceId, Tally tally, CancellationToken cancellationToken)
    {
        var anonymize = tally.Policy.Action == RetentionAction.Anonymize;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var holds = Holds(db, workspaceId);
            tally.SkippedByHold = await DueConversations(db, workspaceId, tally.Cutoff, anonymize)
                .CountAsync(c => holds.Any(h => h.ConversationId == c.Id || h.ContactId == c.ContactId), cancellationToken);
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var removedFiles = new List<StoredFile>();
            int picked;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                var batch = await NotHeld(db, workspaceId, DueConversations(db, workspaceId, tally.Cutoff, anonymize))
                    .OrderBy(c => c.Id).Select(c => c.Id).Take(ConversationBatchSize).ToListAsync(cancellationToken);
                picked = batch.Count;
                if (picked == 0)
                {
                    return;
                }

                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                // Locked as the message writer locks them (key order), then read again: a conversation the contact wrote to
                // meanwhile is open again, one held meanwhile is held, and either is left alone.
                foreach (var id in RowLocks.InLockOrder(batch))
                {
                    await RowLocks.LockAsync<Conversation>(db, id, cancellationToken);
                }

                var due = await NotHeld(db, workspaceId, DueConversations(db, workspaceId, tally.Cutoff, anonymize))
                    .Where(c => batch.Contains(c.Id)).Select(c => new { c.Id, c.ContactId }).ToListAsync(cancellationToken);
                var ids = due.ConvertAll(c => c.Id);
                removedFiles = await db.Attachments.IgnoreQueryFilters().Where(a => a.ConversationId != null && ids.Contains(a.ConversationId.Value))
                    .Select(a => new StoredFile(a.WorkspaceId, a.Id)).ToListAsync(cancellationToken);
                // The webhook log's copies of these conversations' texts; deliveries still to be made go out first.
                await db.WebhookDeliveries.IgnoreQueryFilters()
                    .Where(d => d.WorkspaceId == workspaceId && ids.Contains(d.OrderingKey) && d.State != Webhooks.WebhookDeliveryState.Pending)
                    .ExecuteDeleteAsync(cancellationToken);
                if (anonymize)
                {
                    await AnonymizeConversationsAsync(db, workspaceId, ids, cancellationToken);
                    tally.Anonymized += ids.Count;
                }
                else
                {
                    // Messages, files' rows, events, clocks, reviews, the survey and the mail records go by cascade; the
                    // report facts stay (no foreign key), so the reports' figures do not change.
                    // The statement states the conditions once more, so it removes nothing that stopped being due.
                    tally.Deleted += await NotHeld(db, workspaceId, DueConversations(db, workspaceId, tally.Cutoff, anonymize))
                        .Where(c => ids.Contains(c.Id)).ExecuteDeleteAsync(cancellationToken);
                }

                tally.ContactsAnonymized += await AnonymizeContactsAsync(db, workspaceId, [.. due.Select(c => c.ContactId).Distinct()], cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            await DeleteFilesAsync(removedFiles);
            if (picked < ConversationBatchSize)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Resolved conversations whose last activity is before the cutoff; for anonymizing, those not anonymized since their
    /// last activity (a contact who wrote to an anonymized conversation again started new text, which ages in its turn).
    /// </summary>
    private static IQueryable<Conversation> DueConversations(AppDbContext db, Guid workspaceId, DateTime cutoff, bool anonymize)
    {
        var due = db.Conversations.IgnoreQueryFilters()
            .Where(c => c.WorkspaceId == workspaceId && c.Status == ConversationStatus.Resolved && c.LastActivityAt < cutoff);
        return anonymize ? due.Where(c => !db.AnonymizedConversations.Any(a => a.ConversationId == c.Id && a.AnonymizedAt >= c.LastActivityAt)) : due;
    }

    private static IQueryable<Conversation> NotHeld(AppDbContext db, Guid workspaceId, IQueryable<Conversation> conversations)
    {
        var holds = Holds(db, workspaceId);
        return conversations.Where(c => !holds.Any(h => h.ConversationId == c.Id || h.ContactId == c.ContactId));
    }

    private async Task AnonymizeConversationsAsync(AppDbContext db, Guid workspaceId, List<Guid> ids, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // What people wrote (the contact's messages, replies, notes); activities ("resolved by …") say nothing of the contact.
        await db.Messages.IgnoreQueryFilters()
            .Where(m => m.WorkspaceId == workspaceId && ids.Contains(m.ConversationId) && m.Kind != MessageKind.Activity && m.Text != "")
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.Text, Placeholder), cancellationToken);
        await db.Conversations.IgnoreQueryFilters().Where(c => c.WorkspaceId == workspaceId && ids.Contains(c.Id))
            .ExecuteUpdateAsync(
                set => set.SetProperty(c => c.LastMessagePreview, Placeholder).SetProperty(c => c.Opening, (string?)null)
                    .SetProperty(c => c.Attributes, new CustomAttributes()),
                cancellationToken);
        // Files say what the messages said: they go, rows and (after the commit) bytes.
        await db.Attachments.IgnoreQueryFilters().Where(a => a.ConversationId != null && ids.Contains(a.ConversationId.Value)).ExecuteDeleteAsync(cancellationToken);
        // The mail records keep their thread headers (a reply still finds its conversation), not the mail.
        await db.EmailMessages.IgnoreQueryFilters().Where(m => m.ConversationId != null && ids.Contains(m.ConversationId.Value))
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.Subject, "").SetProperty(m => m.FullText, "").SetProperty(m => m.FromAddress, ""), cancellationToken);
        await db.AnonymizedConversations.Where(a => ids.Contains(a.ConversationId)).ExecuteDeleteAsync(cancellationToken);
        db.AnonymizedConversations.AddRange(ids.Select(id => AnonymizedConversation.Of(workspaceId, id, now)));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Removes the personal details of those contacts that have no conversation left other than anonymized ones and are
    /// not held: name, email, external id, attributes, tags, company and the team's notes on them. The row stays (an
    /// anonymous visitor), so what refers to it still does. Answers how many.
    /// </summary>
    private static async Task<int> AnonymizeContactsAsync(AppDbContext db, Guid workspaceId, List<Guid> contactIds, CancellationToken cancellationToken)
    {
        var holds = Holds(db, workspaceId);
        var contacts = await db.Contacts.IgnoreQueryFilters()
            .Where(k => k.WorkspaceId == workspaceId && contactIds.Contains(k.Id)
                && !holds.Any(h => h.ContactId == k.Id)
                && !db.Conversations.Any(c => c.ContactId == k.Id
                    && !db.AnonymizedConversations.Any(a => a.ConversationId == c.Id && a.AnonymizedAt >= c.LastActivityAt)))
            .ToListAsync(cancellationToken);
        foreach (var contact in contacts)
        {
            var entry = db.Entry(contact);
            entry.Property(k => k.Name).CurrentValue = null;
            entry.Property(k => k.Email).CurrentValue = null;
            entry.Property(k => k.ExternalId).CurrentValue = null;
            entry.Property(k => k.Attributes).CurrentValue = new CustomAttributes();
            entry.Property(k => k.Tags).CurrentValue = [];
            entry.Property(k => k.CompanyId).CurrentValue = null;
        }

        var ids = contacts.ConvertAll(k => k.Id);
        await db.ContactNotes.IgnoreQueryFilters().Where(n => ids.Contains(n.ContactId)).ExecuteDeleteAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return contacts.Count;
    }

    // ---- Attachments ----

    private async Task AttachmentsAsync(Guid workspaceId, Tally tally, CancellationToken cancellationToken)
    {
        var cutoff = tally.Cutoff;
        IQueryable<Attachment> Due(AppDbContext db) => db.Attachments.IgnoreQueryFilters()
            .Where(a => a.WorkspaceId == workspaceId && a.MessageId != null && a.CreatedAt < cutoff);
        IQueryable<Attachment> Held(AppDbContext db)
        {
            var holds = Holds(db, workspaceId);
            var conversations = db.Conversations.IgnoreQueryFilters();
            return Due(db).Where(a => holds.Any(h => h.ConversationId == a.ConversationId
                || conversations.Any(c => c.Id == a.ConversationId && c.ContactId == h.ContactId)));
        }

        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            tally.SkippedByHold = await Held(db).CountAsync(cancellationToken);
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            List<StoredFile> batch;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                var held = Held(db);
                batch = await Due(db).Where(a => !held.Any(h => h.Id == a.Id)).OrderBy(a => a.Id).Take(BatchSize)
                    .Select(a => new StoredFile(a.WorkspaceId, a.Id)).ToListAsync(cancellationToken);
                var ids = batch.ConvertAll(f => f.AttachmentId);
                // One statement: its own short transaction. The hold is read again in it.
                tally.Deleted += await Due(db).Where(a => ids.Contains(a.Id) && !held.Any(h => h.Id == a.Id)).ExecuteDeleteAsync(cancellationToken);
            }

            // A file whose row a hold placed meanwhile kept is left; one whose row went goes (a sweep would find it anyway).
            await DeleteFilesAsync(await StillWithoutRowAsync(batch, cancellationToken));
            if (batch.Count < BatchSize)
            {
                return;
            }
        }
    }

    private async Task<List<StoredFile>> StillWithoutRowAsync(List<StoredFile> candidates, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0)
        {
            return candidates;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var ids = candidates.ConvertAll(f => f.AttachmentId);
        var kept = await db.Attachments.IgnoreQueryFilters().Where(a => ids.Contains(a.Id)).Select(a => a.Id).ToListAsync(cancellationToken);
        return candidates.FindAll(f => !kept.Contains(f.AttachmentId));
    }

    private async Task DeleteFilesAsync(IEnumerable<StoredFile> removed)
    {
        foreach (var file in removed)
        {
            // Not cancellable: the rows are gone, so leaving the files half deleted would only leave garbage.
            await files.DeleteAsync(file.WorkspaceId, file.AttachmentId, CancellationToken.None);
        }
    }

    // ---- Tracking events ----

    private async Task TrackingEventsAsync(Guid workspaceId, Tally tally, CancellationToken cancellationToken)
    {
        List<Guid> inboxes;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            inboxes = await db.Inboxes.IgnoreQueryFilters().Where(i => i.WorkspaceId == workspaceId && i.Channel == InboxChannel.WebWidget)
                .Select(i => i.Id).ToListAsync(cancellationToken);
        }

        foreach (var inboxId in inboxes)
        {
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                tally.SkippedByHold += await TrackingRetentionRules.HeldEvents(db, inboxId, tally.Cutoff).CountAsync(cancellationToken);
            }

            int deleted;
            do
            {
                cancellationToken.ThrowIfCancellationRequested();
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                deleted = await TrackingRetentionRules.DeleteBatchAsync(db, inboxId, tally.Cutoff, BatchSize, cancellationToken);
                tally.Deleted += deleted;
            }
            while (deleted == BatchSize);
        }
    }

    // ---- Audit entries ----

    private async Task AuditEntriesAsync(Guid workspaceId, Tally tally, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var anchor = await db.AuditChainAnchors.IgnoreQueryFilters().FirstOrDefaultAsync(a => a.WorkspaceId == workspaceId, cancellationToken);
            var start = anchor?.Sequence ?? 0;
            var batch = await db.AuditEntries.IgnoreQueryFilters().AsNoTracking()
                .Where(e => e.WorkspaceId == workspaceId && e.Sequence > start).OrderBy(e => e.Sequence).Take(BatchSize).ToListAsync(cancellationToken);
            // Only sealed entries, oldest first and without a gap, each checked as verification checks it: an entry that
            // was changed is evidence, and retention does not remove evidence of tampering.
            var removed = new List<AuditEntry>();
            var previous = anchor?.Hash;
            foreach (var entry in batch)
            {
                if (entry.At >= tally.Cutoff)
                {
                    break;
                }

                var expected = start + removed.Count + 1;
                if (entry.Sequence != expected || entry.PreviousHash != previous || entry.Hash != AuditChain.HashOf(entry, expected, previous))
                {
                    throw new RetentionStoppedException($"the audit chain does not hold at entry {expected}; no entry is removed until it is looked into (porchlight audit verify).");
                }

                removed.Add(entry);
                previous = entry.Hash;
            }

            if (removed.Count == 0)
            {
                return;
            }

            var (first, last) = (removed[0].Sequence, removed[^1].Sequence);
            await db.AuditEntries.IgnoreQueryFilters().Where(e => e.WorkspaceId == workspaceId && e.Sequence >= first && e.Sequence <= last)
                .ExecuteDeleteAsync(cancellationToken);
            var before = anchor is null ? null : new { anchor.Sequence, anchor.Hash };
            anchor ??= db.AuditChainAnchors.Add(AuditChainAnchor.For(workspaceId)).Entity;
            anchor.MoveTo(removed[^1], removed.Count, clock.GetUtcNow().UtcDateTime);
            // The move of the anchor is itself in the trail, sealed after it: a later anchor that names another place or hash
            // than the trail says was not moved by retention.
            var actor = scope.ServiceProvider.GetRequiredService<AuditActor>();
            actor.Set(null, "retention", null);
            var changes = new Dictionary<string, AuditChange>
            {
                ["anchorSequence"] = new(before?.Sequence, anchor.Sequence),
                ["anchorHash"] = new(before?.Hash, anchor.Hash),
                ["removedEntries"] = new(null, removed.Count),
            };
            db.AuditEntries.Add(AuditEntry.Create(
                workspaceId, clock.GetUtcNow().UtcDateTime, actor, "audit.entries_removed", "audit_chain", workspaceId.ToString(),
                JsonSerializer.Serialize(changes, JsonSerializerOptions.Web)));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            tally.Deleted += removed.Count;
            if (removed.Count < BatchSize)
            {
                return;
            }
        }
    }

    // ---- Survey answers ----

    private async Task SurveyAnswersAsync(Guid workspaceId, Tally tally, CancellationToken cancellationToken)
    {
        var anonymize = tally.Policy.Action == RetentionAction.Anonymize;
        var cutoff = tally.Cutoff;
        IQueryable<Surveys.SurveyResponse> Due(AppDbContext db)
        {
            var due = db.SurveyResponses.IgnoreQueryFilters().Where(s => s.WorkspaceId == workspaceId && s.AnsweredAt != null && s.AnsweredAt < cutoff);
            return anonymize ? due.Where(s => s.Comment != null) : due;
        }

        IQueryable<Surveys.SurveyResponse> NotHeldAnswers(AppDbContext db)
        {
            var holds = Holds(db, workspaceId);
            var conversations = db.Conversations.IgnoreQueryFilters();
            return Due(db).Where(s => !holds.Any(h => h.ConversationId == s.ConversationId
                || conversations.Any(c => c.Id == s.ConversationId && c.ContactId == h.ContactId)));
        }

        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            tally.SkippedByHold = await Due(db).CountAsync(cancellationToken) - await NotHeldAnswers(db).CountAsync(cancellationToken);
        }

        int done;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var ids = await NotHeldAnswers(db).OrderBy(s => s.Id).Select(s => s.Id).Take(BatchSize).ToListAsync(cancellationToken);
            var batch = NotHeldAnswers(db).Where(s => ids.Contains(s.Id));
            if (anonymize)
            {
                // The scores stay, for the reports; what the contact wrote goes.
                done = await batch.ExecuteUpdateAsync(set => set.SetProperty(s => s.Comment, (string?)null), cancellationToken);
                tally.Anonymized += done;
            }
            else
            {
                done = await batch.ExecuteDeleteAsync(cancellationToken);
                tally.Deleted += done;
            }

            if (ids.Count < BatchSize)
            {
                return;
            }
        }
        while (done > 0);
    }

    /// <summary>The workspace's legal holds, for a batch's own query.</summary>
    private static IQueryable<LegalHold> Holds(AppDbContext db, Guid workspaceId) => db.LegalHolds.IgnoreQueryFilters().Where(h => h.WorkspaceId == workspaceId);

    /// <summary>What one class's retention did so far.</summary>
    private sealed class Tally(RetentionPolicy policy, DateTime cutoff)
    {
        public RetentionPolicy Policy { get; } = policy;

        /// <summary>Items whose date is before this are past their time.</summary>
        public DateTime Cutoff { get; } = cutoff;

        public int Deleted { get; set; }

        public int Anonymized { get; set; }

        public int SkippedByHold { get; set; }

        public int ContactsAnonymized { get; set; }

        public RetentionClassOutcome Outcome =>
            new(Policy.DataClass, Policy.Action, Policy.Days ?? 0, Deleted, Anonymized, SkippedByHold, ContactsAnonymized);
    }
}

/// <summary>A class's retention stopped for a reason the report gives as it is.</summary>
public sealed class RetentionStoppedException(string message) : Exception(message);
