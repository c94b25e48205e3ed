using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Sla;

/// <summary>
/// Keeps a conversation's SLA clocks in line with its state. It does not replay what happened; it reads where the
/// conversation stands (who waits since when, its status, the policy that covers it now) and starts, pauses,
/// resumes, retargets or stops clocks to match. So running it twice changes nothing, and an event handled late
/// still leaves the right clocks. <c>at</c> is when the change that asks for the sync happened: a clock that stops
/// or pauses because of it stops there, not when the sync runs.
/// </summary>
public sealed class SlaClocks(AppDbContext db, TimeProvider time)
{
    private static readonly SlaMetric[] ResponseMetrics = [SlaMetric.FirstResponse, SlaMetric.NextResponse];

    public async Task SyncAsync(Guid conversationId, DateTime? at, CancellationToken cancellationToken)
    {
        var when = at ?? time.GetUtcNow().UtcDateTime;
        // A workspace without SLAs costs two small reads and no lock (on SQLite a lock is the database's write lock).
        if (!await db.SlaPolicies.AnyAsync(p => p.IsEnabled, cancellationToken)
            && !await db.SlaClocks.AnyAsync(c => c.ConversationId == conversationId && c.Outcome == null, cancellationToken))
        {
            return;
        }

        db.ChangeTracker.Clear(); // Clocks an earlier handler of this event read may be stale by now.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Under the conversation's lock, so two nodes handling two events of one conversation take turns.
        await RowLocks.LockAsync<Conversation>(db, conversationId, cancellationToken);
        if (await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == conversationId, cancellationToken) is not { } conversation)
        {
            return;
        }

        var policies = await db.SlaPolicies.AsNoTracking().Where(p => p.IsEnabled).OrderBy(p => p.Position).ThenBy(p => p.Id).ToListAsync(cancellationToken);
        var running = await db.SlaClocks.Where(c => c.ConversationId == conversationId && c.Outcome == null).ToListAsync(cancellationToken);

        var calendar = (await db.Workspaces.AsNoTracking().FirstAsync(w => w.Id == conversation.WorkspaceId, cancellationToken)).Calendar();
        var policy = policies.FirstOrDefault(p => p.Covers(conversation.InboxId, conversation.TeamId, conversation.Priority));

        foreach (var clock in running)
        {
            if (policy?.TargetFor(clock.Metric) is null)
            {
                clock.Cancel(when, calendar);
            }
            else if (clock.PolicyId != policy.Id)
            {
                clock.Follow(policy, when, calendar);
            }
        }

        running.RemoveAll(c => c.Outcome is not null);
        SyncResponse(conversation, policy, running, when, calendar);
        await SyncResolutionAsync(conversation, policy, running, when, calendar, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    // A response clock runs while the contact waits; it stops when the wait ends (a reply, or resolving).
    private void SyncResponse(Conversation conversation, SlaPolicy? policy, List<SlaClock> running, DateTime at, BusinessCalendar calendar)
    {
        var waitingSince = conversation.AwaitingReplySince;
        foreach (var clock in running.Where(c => ResponseMetrics.Contains(c.Metric) && c.StartedAt != waitingSince))
        {
            clock.Stop(at < clock.StartedAt ? clock.StartedAt : at, calendar);
        }

        if (waitingSince is not { } since || policy is null || running.Any(c => ResponseMetrics.Contains(c.Metric) && c.StartedAt == since && c.Outcome is null))
        {
            return;
        }

        // The first wait is for the first response; every later one, after a reply, is for a next response.
        var metric = conversation.FirstAgentReplyAt is null ? SlaMetric.FirstResponse : SlaMetric.NextResponse;
        if (policy.TargetFor(metric) is not null)
        {
            db.SlaClocks.Add(SlaClock.Start(conversation.WorkspaceId, conversation.Id, metric, policy, since, calendar));
        }
    }

    // The resolution clock runs while the conversation is open or pending, pauses while it is snoozed, and stops when
    // it is resolved. A conversation reopened after that starts a new resolution cycle from the moment it reopened.
    private async Task SyncResolutionAsync(
        Conversation conversation, SlaPolicy? policy, List<SlaClock> running, DateTime at, BusinessCalendar calendar, CancellationToken cancellationToken)
    {
        var clock = running.FirstOrDefault(c => c.Metric == SlaMetric.Resolution);
        switch (conversation.Status)
        {
            case ConversationStatus.Resolved:
                clock?.Stop(conversation.ResolvedAt ?? at, calendar);
                return;
            case ConversationStatus.Snoozed:
                clock?.Pause(at, calendar);
                return;
        }

        if (clock is not null)
        {
            clock.Resume(at, calendar);
            return;
        }

        if (policy?.TargetFor(SlaMetric.Resolution) is null)
        {
            return;
        }

        var earlierCycle = await db.SlaClocks.AnyAsync(c => c.ConversationId == conversation.Id && c.Metric == SlaMetric.Resolution, cancellationToken);
        db.SlaClocks.Add(SlaClock.Start(conversation.WorkspaceId, conversation.Id, SlaMetric.Resolution, policy, earlierCycle ? at : conversation.CreatedAt, calendar));
    }
}

/// <summary>The conversation changes an SLA depends on, each answered by a sync of its clocks.</summary>
public sealed class SyncSlaClocks(SlaClocks clocks) :
    IDomainEventHandler<ConversationStarted>,
    IDomainEventHandler<ReplyAwaited>,
    IDomainEventHandler<ReplyGiven>,
    IDomainEventHandler<ConversationStatusChanged>,
    IDomainEventHandler<ConversationPriorityChanged>,
    IDomainEventHandler<ConversationAssigned>
{
    public Task HandleAsync(ConversationStarted domainEvent, CancellationToken cancellationToken) =>
        clocks.SyncAsync(domainEvent.ConversationId, null, cancellationToken);

    public Task HandleAsync(ReplyAwaited domainEvent, CancellationToken cancellationToken) =>
        clocks.SyncAsync(domainEvent.ConversationId, domainEvent.Since, cancellationToken);

    public Task HandleAsync(ReplyGiven domainEvent, CancellationToken cancellationToken) =>
        clocks.SyncAsync(domainEvent.ConversationId, domainEvent.At, cancellationToken);

    public Task HandleAsync(ConversationStatusChanged domainEvent, CancellationToken cancellationToken) =>
        clocks.SyncAsync(domainEvent.ConversationId, domainEvent.At, cancellationToken);

    public Task HandleAsync(ConversationPriorityChanged domainEvent, CancellationToken cancellationToken) =>
        clocks.SyncAsync(domainEvent.ConversationId, null, cancellationToken);

    public Task HandleAsync(ConversationAssigned domainEvent, CancellationToken cancellationToken) =>
        clocks.SyncAsync(domainEvent.ConversationId, null, cancellationToken);
}
