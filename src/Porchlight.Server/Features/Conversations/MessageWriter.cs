using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Features.Contacts;
using Porchlight.Server.Features.Privacy;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Conversations;

/// <summary>The contact a visitor's message must belong to: only their own conversations in their inbox.</summary>
public sealed record ConversationOwner(Guid InboxId, Guid ContactId);

/// <summary>
/// A message a sender asks to store in a conversation of <see cref="WorkspaceId"/>. With an
/// <see cref="Owner"/> the conversation must be that contact's (a visitor's message, or one an integration relays);
/// without one, any conversation of the workspace (an agent's reply or note). <see cref="RelayedByAgentId"/>: the
/// agent whose token relays a contact's message from an API inbox; the files it carries are that agent's uploads.
/// </summary>
public sealed record MessageDraft(
    Guid WorkspaceId,
    Guid ConversationId,
    ConversationOwner? Owner,
    string ClientId,
    MessageKind Kind,
    Guid? AuthorAgentId,
    string Text,
    IReadOnlyList<Guid> AttachmentIds,
    Guid? RelayedByAgentId = null)
{
    public Uploader Uploader => RelayedByAgentId is { } relay ? new(relay, null) : new(AuthorAgentId, Owner?.ContactId);
}

/// <summary>A stored message, described, with its conversation as it is now; <c>Created</c> is false when a retry found the earlier one.</summary>
public sealed record WrittenMessage(MessageResponse Message, ConversationResponse Conversation, bool Created);

/// <summary>
/// Stores the messages senders hand in with group commit: whatever is queued when the writer is free goes
/// into one transaction (no fixed wait, so a lone message is written at once), then each stored message
/// is announced in sequence order while the next batch is written. A sender is answered only after the
/// commit, so what it was told is stored survives a crash. The batch is written with compiled look-ups and
/// plain statements on a context and connection the writer keeps (decisions/0010): on SQLite the cost of a
/// message is then mostly the statements themselves, not the data-access framework around them.
/// </summary>
public sealed class MessageWriter(IServiceScopeFactory scopes, MessageWriteGate gate, TimeProvider clock, ILogger<MessageWriter> logger)
    : IHostedService, IAsyncDisposable
{
    /// <summary>Large enough that a burst drains in a few commits, small enough to keep one commit short.</summary>
    public const int MaxBatch = 256;

    private readonly Channel<PendingWrite> _queue = Channel.CreateBounded<PendingWrite>(
        new BoundedChannelOptions(20_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    // Resends are rare, so looking for one stays a query (compiled: LINQ translation would cost more than the
    // statement). Per writer, not static: a compiled query keeps the first model it ran with, and one process
    // can host both providers.
    private readonly Func<AppDbContext, Guid, string, Task<Message?>> _storedCopy =
        EF.CompileAsyncQuery((AppDbContext db, Guid conversationId, string clientId) =>
            db.Messages.AsNoTracking().FirstOrDefault(m => m.ConversationId == conversationId && m.ClientId == clientId));

    private readonly Lock _starting = new();
    private Task? _loop;

    // Kept from batch to batch: creating a scope, a context and statements for every batch cost more than
    // writing a small one. Only the loop touches it.
    private WriterSession? _session;

    // The announcement of the last batch, which may still run while the next batch is written.
    private Task _announcing = Task.CompletedTask;

    /// <summary>Stores <paramref name="draft"/> (or finds the earlier copy with its client id) and answers after the commit.</summary>
    public async Task<Result<WrittenMessage>> WriteAsync(MessageDraft draft, CancellationToken cancellationToken)
    {
        // Started by the first message, so command-line tools that write messages without running the host work too.
        if (Volatile.Read(ref _loop) is null)
        {
            lock (_starting)
            {
                _loop ??= Task.Run(LoopAsync, CancellationToken.None);
            }
        }

        var pending = new PendingWrite(draft);
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        // A sender that stops waiting does not withdraw the message: it is stored and announced, and a retry finds it.
        return await pending.Completion.Task.WaitAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Writes what was accepted before stopping; new senders are refused.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (Volatile.Read(ref _loop) is { } loop)
        {
            await loop.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    private async Task LoopAsync()
    {
        while (await _queue.Reader.WaitToReadAsync())
        {
            // A new list each time: the previous batch may still be being announced.
            var batch = new List<PendingWrite>(MaxBatch);
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            await WriteAndAnnounceAsync(batch);
        }

        await AnnouncedAsync();
        await ForgetSessionAsync();
    }

    private async Task WriteAndAnnounceAsync(List<PendingWrite> batch)
    {
        using var writing = await gate.EnterAsync(CancellationToken.None);
        var drafts = batch.ConvertAll(p => p.Draft);
        List<Result<WrittenMessage>> results;
        try
        {
            results = await WriteBatchAsync(drafts, lookForResends: false);
        }
#pragma warning disable CA1031 // Most often a resend; any failure is retried below with the look-up.
        catch (Exception first)
#pragma warning restore CA1031
        {
            if (logger.IsEnabled(LogLevel.Debug))
            {
                logger.LogDebug(first, "A batch of {Count} messages failed; writing it again looking for resends.", batch.Count);
            }

            try
            {
                results = await WriteBatchAsync(drafts, lookForResends: true);
            }
#pragma warning disable CA1031 // One bad message must not fail the others: each is written on its own.
            catch (Exception e) when (batch.Count > 1)
#pragma warning restore CA1031
            {
                logger.LogWarning(e, "A batch of {Count} messages failed; writing them one at a time.", batch.Count);
                await WriteOneByOneAsync(batch);
                return;
            }
#pragma warning disable CA1031 // The failure goes to the one sender it belongs to.
            catch (Exception e)
#pragma warning restore CA1031
            {
                batch[0].Completion.TrySetException(e);
                return;
            }
        }

        // Announced while the next batch is written (in commit order: see MessageWriteGate.Announce). At most
        // one batch waits to be announced: a writer faster than its announcements waits for the earlier one.
        await AnnouncedAsync();
        _announcing = AnswerAndAnnounceAsync(batch, results);
    }

    /// <summary>Waits for the last batch's announcement; one that failed is logged, and the writer goes on.</summary>
    private async Task AnnouncedAsync()
    {
        try
        {
            await _announcing;
        }
#pragma warning disable CA1031 // The messages are stored and answered; listeners catch up on reconnect.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogWarning(e, "Stored messages could not be announced.");
        }
    }

    private async Task WriteOneByOneAsync(List<PendingWrite> batch)
    {
        foreach (var pending in batch)
        {
            try
            {
                var results = await WriteBatchAsync([pending.Draft], lookForResends: true);
                await AnswerAndAnnounceAsync([pending], results);
            }
#pragma warning disable CA1031 // The failure goes to the one sender it belongs to.
            catch (Exception e)
#pragma warning restore CA1031
            {
                pending.Completion.TrySetException(e);
            }
        }
    }

    /// <summary>Answers the senders at once, and has the stored messages announced after every earlier announcement.</summary>
    private Task AnswerAndAnnounceAsync(List<PendingWrite> batch, List<Result<WrittenMessage>> results)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Completion.TrySetResult(results[i]);
        }

        return gate.Announce(() => AnnounceAsync(batch, results));
    }

    private async Task AnnounceAsync(List<PendingWrite> batch, List<Result<WrittenMessage>> results)
    {
        // Announced as a request of the message's workspace would: the broadcaster and what it consults
        // (names, mentions) see only that workspace. One scope per workspace in the batch, in batch order.
        var workspaces = new Dictionary<Guid, AsyncServiceScope>();
        try
        {
            for (var i = 0; i < batch.Count; i++)
            {
                if (results[i] is not { Succeeded: true, Value: { Created: true } written })
                {
                    continue;
                }

                var workspaceId = batch[i].Draft.WorkspaceId;
                if (!workspaces.TryGetValue(workspaceId, out var scope))
                {
                    scope = workspaces[workspaceId] = scopes.CreateAsyncScope();
                    scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
                }

                await scope.ServiceProvider.GetRequiredService<ConversationBroadcaster>().MessageCreatedAsync(written.Conversation, written.Message);
            }
        }
        finally
        {
            foreach (var scope in workspaces.Values)
            {
                await scope.DisposeAsync();
            }
        }
    }

    /// <summary>Writes the drafts in one transaction in the writer's session; a failed batch's session is not reused.</summary>
    private async Task<List<Result<WrittenMessage>>> WriteBatchAsync(List<MessageDraft> drafts, bool lookForResends)
    {
        _session ??= await WriterSession.OpenAsync(scopes);
        try
        {
            var results = await WriteBatchAsync(_session, drafts, lookForResends);
            _session.Db.ChangeTracker.Clear();
            return results;
        }
        catch
        {
            await ForgetSessionAsync();
            throw;
        }
    }

    private async Task ForgetSessionAsync()
    {
        if (_session is { } session)
        {
            _session = null;
            await session.DisposeAsync();
        }
    }

    /// <summary>Writes the drafts in one transaction; answers in their order.</summary>
    private async Task<List<Result<WrittenMessage>>> WriteBatchAsync(WriterSession session, List<MessageDraft> drafts, bool lookForResends)
    {
        var (services, db, commands) = (session.Scope.ServiceProvider, session.Db, session.Commands);
        var links = services.GetRequiredService<AttachmentLinks>();
        // On SQLite this is BEGIN IMMEDIATE: the write lock is held from the first look-up to the commit.
        await using var transaction = await db.Database.BeginTransactionAsync();
        var conversations = new Dictionary<Guid, Conversation>();
        var contacts = new Dictionary<Guid, ContactSummary>();
        // In key order, as every path that locks several conversations does, so two such paths cannot deadlock.
        foreach (var conversationId in RowLocks.InLockOrder(drafts.Select(d => d.ConversationId).Distinct()))
        {
            if (await session.Conversations.FindForUpdateAsync(commands, conversationId, CancellationToken.None) is { } found)
            {
                var contact = await session.ContactNames.FindAsync(commands, found.ContactId, CancellationToken.None);
                conversations[conversationId] = found;
                contacts[conversationId] = ContactSummary.Of(found.ContactId, (string?)contact?[0], (string?)contact?[1]);
            }
        }

        // Resends are rare: a batch is first written without looking for them, and the unique index on
        // (conversation, client id) turns one into a failed batch, written again with the look-up. A draft
        // with files is always looked up: a resend of it would otherwise be refused for reusing its files.
        var earlier = new Dictionary<(Guid, string), Message>();
        var lookUp = drafts.Where(d => conversations.ContainsKey(d.ConversationId) && (lookForResends || d.AttachmentIds.Count > 0));
        foreach (var key in lookUp.Select(d => (d.ConversationId, d.ClientId)).Distinct())
        {
            if (await _storedCopy(db, key.ConversationId, key.ClientId) is { } copy)
            {
                earlier[key] = copy;
            }
        }

        var attachmentIds = drafts.SelectMany(d => d.AttachmentIds).Distinct().ToList();
        var uploads = attachmentIds.Count == 0 ? [] : await db.Attachments.Where(a => attachmentIds.Contains(a.Id)).ToListAsync();

        var plans = new Plan?[drafts.Count];
        var results = new Result<WrittenMessage>?[drafts.Count];
        var newMessages = new Dictionary<(Guid, string), int>();
        var claimed = new HashSet<Guid>();
        for (var i = 0; i < drafts.Count; i++)
        {
            var draft = drafts[i];
            if (!conversations.TryGetValue(draft.ConversationId, out var conversation) || !Belongs(conversation, draft))
            {
                results[i] = Failure.NotFound("The conversation");
                continue;
            }

            var key = (conversation.Id, draft.ClientId);
            if (earlier.ContainsKey(key) || newMessages.ContainsKey(key))
            {
                // A retry: answered below with the copy that is (or is about to be) stored.
                plans[i] = new Plan(conversation, [], Retry: true);
                continue;
            }

            var attachments = PendingAttachments.Check(draft.AttachmentIds, uploads, conversation.Id, draft.Uploader);
            if (!attachments.Succeeded)
            {
                results[i] = attachments.Failure!;
                continue;
            }

            if (attachments.Value!.Any(a => !claimed.Add(a.Id)))
            {
                results[i] = Failure.Conflict("An attachment was sent with another message meanwhile.");
                continue;
            }

            plans[i] = new Plan(conversation, attachments.Value!, Retry: false);
            newMessages[key] = i;
        }

        // The conversations were read locked until the commit, so their last sequences are current: numbers are
        // handed out here, and the conversation's update below raises its last sequence with them.
        var nextSequence = plans.Where(p => p is { Retry: false }).Select(p => p!.Conversation).Distinct()
            .ToDictionary(c => c.Id, c => c.LastSequence + 1);

        // Each workspace's detectors, read in the transaction like the conversations: a setting switched on is obeyed
        // from the next batch on, on every node, with nothing cached to go stale.
        var redaction = new Dictionary<Guid, PiiDetectors>();
        foreach (var workspaceId in nextSequence.Keys.Select(id => conversations[id].WorkspaceId).Distinct())
        {
            redaction[workspaceId] = (await session.Redaction.FindAsync(commands, workspaceId, CancellationToken.None))?[0] as PiiDetectors? ?? PiiDetectors.None;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var stored = new Message?[drafts.Count];
        var before = nextSequence.Keys.ToDictionary(id => id, id => session.Conversations.Snapshot(conversations[id]));
        for (var i = 0; i < drafts.Count; i++)
        {
            if (plans[i] is not { Retry: false } plan)
            {
                continue;
            }

            var draft = drafts[i];
            var message = Message.Create(
                plan.Conversation, nextSequence[plan.Conversation.Id]++, draft.ClientId, draft.Kind, draft.AuthorAgentId, draft.Text, now, redaction[plan.Conversation.WorkspaceId]);
            foreach (var attachment in plan.Attachments)
            {
                attachment.AttachTo(message);
            }

            plan.Conversation.Record(message, MessageLog.AttachmentSummary(plan.Attachments));
            stored[i] = message;
        }

        // A message that reopened its conversation raised an event; it is stored in this commit, like the replies below.
        var outboxed = false;
        foreach (var conversation in before.Keys.Select(id => conversations[id]).Where(c => c.DomainEvents.Count > 0))
        {
            db.AddRange(conversation.DomainEvents.SelectMany(e => OutboxMessage.RowsFor(e, now)));
            conversation.ClearDomainEvents();
            outboxed = true;
        }

        await session.Messages.InsertAsync(commands, [.. stored.OfType<Message>()], CancellationToken.None);
        foreach (var (conversationId, snapshot) in before)
        {
            await session.Conversations.UpdateChangedAsync(commands, conversations[conversationId], snapshot, CancellationToken.None);
        }

        // Replies that go out by email have their events stored in this commit (see OfflineReplyWritten).
        for (var i = 0; i < drafts.Count; i++)
        {
            if (stored[i] is { } message && OfflineReplyWritten.For(plans[i]!.Conversation, message) is { } reply)
            {
                db.OutboxMessages.Add(OutboxMessage.For(reply, now));
                outboxed = true;
            }
        }

        // The uploads the messages carry and those events are tracked: SaveChanges writes only them.
        if (db.ChangeTracker.HasChanges())
        {
            await db.SaveChangesAsync();
        }

        // The authors' names, read in the transaction like everything the statements need.
        var agentNames = new Dictionary<Guid, string>();
        foreach (var agentId in stored.Where(m => m?.AuthorAgentId is not null).Select(m => m!.AuthorAgentId!.Value).Distinct())
        {
            if ((await session.AgentNames.FindAsync(commands, agentId, CancellationToken.None))?[0] is string name)
            {
                agentNames[agentId] = name;
            }
        }

        await transaction.CommitAsync();
        if (outboxed)
        {
            services.GetRequiredService<OutboxSignal>().Notify();
        }

        // Describe from what this batch holds; only retries (rare) are described by a look-up.
        var views = services.GetRequiredService<MessageViews>();
        for (var i = 0; i < drafts.Count; i++)
        {
            if (plans[i] is not { } plan)
            {
                continue;
            }

            var contact = contacts[plan.Conversation.Id];
            var conversation = ConversationResponse.From(plan.Conversation, contact);
            var key = (plan.Conversation.Id, drafts[i].ClientId);
            if (stored[i] is { } message)
            {
                var described = MessageViews.Describe(
                    message,
                    MessageViews.AuthorOf(plan.Conversation, message, contact.Name, agentNames),
                    [.. plan.Attachments.Select(a => AttachmentResponse.From(a, links))]);
                results[i] = new WrittenMessage(described, conversation, Created: true);
            }
            else if (newMessages.TryGetValue(key, out var first) && first < i)
            {
                results[i] = results[first]!.Value.Value! with { Created = false };
            }
            else
            {
                var described = (await views.DescribeAsync(plan.Conversation, [earlier[key]], CancellationToken.None))[0];
                results[i] = new WrittenMessage(described, conversation, Created: false);
            }
        }

        return [.. results.Select(r => r!.Value)];
    }

    private static bool Belongs(Conversation conversation, MessageDraft draft) =>
        conversation.WorkspaceId == draft.WorkspaceId
        && (draft.Owner is not { } owner || (conversation.InboxId == owner.InboxId && conversation.ContactId == owner.ContactId));

    /// <summary>
    /// The writer's scope, context and connection, held open for the writer's life so no batch pays for taking
    /// a connection from the pool, and the statements it keeps prepared on that connection (decisions/0012).
    /// </summary>
    private sealed class WriterSession(AsyncServiceScope scope, AppDbContext db) : IAsyncDisposable
    {
        public AsyncServiceScope Scope { get; } = scope;

        public AppDbContext Db { get; } = db;

        public PreparedCommands Commands { get; } = new(db);

        public RowStatements<Conversation> Conversations { get; } = new(db);

        public RowStatements<Message> Messages { get; } = new(db);

        public ColumnLookup<Contact> ContactNames { get; } = new(db, nameof(Contact.Name), nameof(Contact.Email));

        public ColumnLookup<Agents.Agent> AgentNames { get; } = new(db, nameof(Agents.Agent.DisplayName));

        public ColumnLookup<Workspaces.Workspace> Redaction { get; } = new(db, nameof(Workspaces.Workspace.Redaction));

        public static async Task<WriterSession> OpenAsync(IServiceScopeFactory scopes)
        {
            var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            await db.Database.OpenConnectionAsync();
            return new WriterSession(scope, db);
        }

        public async ValueTask DisposeAsync()
        {
            await Commands.DisposeAsync();
            await Scope.DisposeAsync();
        }
    }

    private sealed record Plan(Conversation Conversation, List<Attachment> Attachments, bool Retry);

    private sealed class PendingWrite(MessageDraft draft)
    {
        public MessageDraft Draft { get; } = draft;

        // Continuations run off the writer's loop, so answering a sender never delays the next batch.
        public TaskCompletionSource<Result<WrittenMessage>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
