using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Sla;

/// <summary>
/// Keeps a conversation's SLA clocks in line with its state. It does not replay what happened; it reads where the
/// conversation stands (who waits since when, its status, the policy that covers it now) and starts, pauses,
/// resumes, retargets or stops clocks to match. So running it twice changes nothing, and an event handled late
/// still leaves the right clocks: a response clock stops at the reply that ended its wait, a resolution clock at
/// the resolve. <c>at</c> is when the change that asks for the sync happened: a clock that pauses because of it
/// pauses there, not when the sync runs. Then, still under the conversation's lock, each clock whose warning or
/// target has come is warned or breached, once: the timer runs this same sync, so a breach is only ever announced
/// for a conversation whose state was read first, and two nodes take turns.
/// </summary>
public sealed class SlaClocks(AppDbContext db, TimeProvider time, PorchlightMetrics metrics)
{
    private static readonly SlaMetric[] ResponseMetrics = [SlaMetric.FirstResponse, SlaMetric.NextResponse];

    public Task<int> SyncAsync(Guid conversationId, DateTime? at, CancellationToken cancellationToken) =>
        SyncAsync(conversationId, at, time.GetUtcNow().UtcDateTime, cancellationToken);

    /// <summary>Syncs as of <paramref name="now"/>: the timer's time, which announces what is due by then.</summary>
    /// <returns>How many warnings and breaches it announced.</returns>
    public Task<int> SyncAsync(Guid conversationId, DateTime? at, DateTime now, CancellationToken cancellationToken) =>
        SyncAsync(conversationId, at, now, started: false, cancellationToken);

    /// <summary>
    /// The first sync of a new conversation. An agent can answer before it runs (the outbox hands events over a
    /// moment later): then the wait is already over, and the first response is measured after the fact, from the
    /// contact's first message to that reply, instead of never. Only here: a policy that covers the conversation
    /// later, say after its priority rose, did not cover the reply it never promised.
    /// </summary>
    public Task<int> StartAsync(Guid conversationId, CancellationToken cancellationToken) =>
        SyncAsync(conversationId, null, time.GetUtcNow().UtcDateTime, started: true, cancellationToken);

    private async Task<int> SyncAsync(Guid conversationId, DateTime? at, DateTime now, bool started, CancellationToken cancellationToken)
    {
        var when = at ?? now;
        // A workspace without SLAs costs two small reads and no lock (on SQLite a lock is the database's write lock).
        if (!await db.SlaPolicies.AnyAsync(p => p.IsEnabled, cancellationToken)
            && !await db.SlaClocks.AnyAsync(c => c.ConversationId == conversationId && c.Outcome == null, cancellationToken))
        {
            return 0;
        }

        db.ChangeTracker.Clear(); // Clocks an earlier handler of this event read may be stale by now.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Under the conversation's lock, so two nodes handling two events of one conversation take turns.
        await RowLocks.LockAsync<Conversation>(db, conversationId, cancellationToken);
        if (await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == conversationId, cancellationToken) is not { } conversation)
        {
            return 0;
        }

        var policies = await db.SlaPolicies.AsNoTracking().Where(p => p.IsEnabled).OrderBy(p => p.Position).ThenBy(p => p.Id).ToListAsync(cancellationToken);
        var running = await db.SlaClocks.Where(c => c.ConversationId == conversationId && c.Outcome == null).ToListAsync(cancellationToken);

        var calendar = (await db.Workspaces.AsNoTracking().FirstAsync(w => w.Id == conversation.WorkspaceId, cancellationToken)).Calendar();
        // The team's promises start when the conversation reaches people: none runs while the assistant attends it,
        // and a conversation it handed over is measured from the handover.
        var assistant = await db.AssistantSessions.AsNoTracking().Where(s => s.ConversationId == conversationId)
            .Select(s => new { s.Outcome, s.EndedAt }).FirstOrDefaultAsync(cancellationToken);
        var policy = assistant?.Outcome == Assistant.FlowOutcome.Active
            ? null
            : policies.FirstOrDefault(p => p.Covers(conversation.InboxId, conversation.TeamId, conversation.Priority));
        var reachedPeopleAt = assistant?.Outcome == Assistant.FlowOutcome.HandedOver ? assistant.EndedAt : null;

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
        await SyncResponseAsync(conversation, policy, running, when, calendar, cancellationToken);
        if (started)
        {
            await CatchUpFirstResponseAsync(conversation, policy, reachedPeopleAt ?? conversation.CreatedAt, calendar, cancellationToken);
        }

        await SyncResolutionAsync(conversation, policy, running, when, reachedPeopleAt ?? conversation.CreatedAt, calendar, cancellationToken);

        // Warnings and breaches of the clocks that still run, now that they match the conversation.
        var announced = new List<(SlaMetric Metric, bool Breach)>();
        foreach (var clock in db.ChangeTracker.Entries<SlaClock>().Select(e => e.Entity).Where(c => c.Outcome is null))
        {
            // A clock that passed both moments between two checks breaches without a warning first: the warning would be stale.
            if (clock.Breach(now))
            {
                announced.Add((clock.Metric, true));
            }
            else if (clock.Warn(now))
            {
                announced.Add((clock.Metric, false));
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var (metric, breach) in announced)
        {
            (breach ? metrics.SlaBreaches : metrics.SlaWarnings).Add(1, new TagList { { "metric", metric.ToString() } });
        }

        return announced.Count;
    }

    /// <summary>
    /// The workspace's business time changed: its running business-hours clocks keep what they used under the old
    /// hours and count the rest under the new ones, warning and falling due when the new hours say. Saved by the caller
    /// with the change.
    /// </summary>
    public async Task FollowCalendarAsync(BusinessCalendar before, BusinessCalendar after, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var clock in await db.SlaClocks.Where(c => c.Outcome == null && c.RunningSince != null && c.BusinessHoursOnly).ToListAsync(cancellationToken))
        {
            clock.Reschedule(now, before, after);
        }
    }

    // A response clock runs while the contact waits; it stops when the wait ends: at the first agent reply after the
    // wait began, or at the resolve that ended it.
    private async Task SyncResponseAsync(
        Conversation conversation, SlaPolicy? policy, List<SlaClock> running, DateTime at, BusinessCalendar calendar, CancellationToken cancellationToken)
    {
        var waitingSince = conversation.AwaitingReplySince;
        foreach (var clock in running.Where(c => ResponseMetrics.Contains(c.Metric) && c.StartedAt != waitingSince))
        {
            var started = clock.StartedAt;
            var replied = await db.Messages.AsNoTracking()
                .Where(m => m.ConversationId == conversation.Id && m.Kind == MessageKind.Outgoing && m.AuthorAgentId != null && m.CreatedAt >= started)
                .MinAsync(m => (DateTime?)m.CreatedAt, cancellationToken);
            var resolved = conversation.ResolvedAt >= started ? conversation.ResolvedAt : null;
            var ended = (replied, resolved) switch
            {
                ({ } r, { } s) => r < s ? r : s,
                _ => replied ?? resolved ?? at,
            };
            clock.Stop(ended < started ? started : ended, calendar);
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

    // A first reply that came before the first sync: its clock runs from the contact's first message to it and stops there.
    private async Task CatchUpFirstResponseAsync(
        Conversation conversation, SlaPolicy? policy, DateTime reachedPeople, BusinessCalendar calendar, CancellationToken cancellationToken)
    {
        if (conversation.FirstAgentReplyAt is not { } replied || policy?.TargetFor(SlaMetric.FirstResponse) is null
            || await db.SlaClocks.AnyAsync(c => c.ConversationId == conversation.Id && c.Metric == SlaMetric.FirstResponse, cancellationToken))
        {
            return;
        }

        var waited = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversation.Id && m.Kind == MessageKind.Incoming && m.CreatedAt >= reachedPeople && m.CreatedAt <= replied)
            .MinAsync(m => (DateTime?)m.CreatedAt, cancellationToken);
        if (waited is { } since)
        {
            var clock = SlaClock.Start(conversation.WorkspaceId, conversation.Id, SlaMetric.FirstResponse, policy, since, calendar);
            clock.Stop(replied, calendar);
            db.SlaClocks.Add(clock);
        }
    }

    // The resolution clock runs while the conversation is open or pending, pauses while it is snoozed, and stops when
    // it is resolved; it starts when the conversation reached people (created, or handed over by the assistant). A
    // conversation reopened after that starts a new resolution cycle from the moment it reopened.
    private async Task SyncResolutionAsync(
        Conversation conversation, SlaPolicy? policy, List<SlaClock> running, DateTime at, DateTime reachedPeople, BusinessCalendar calendar,
        CancellationToken cancellationToken)
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
        db.SlaClocks.Add(SlaClock.Start(conversation.WorkspaceId, conversation.Id, SlaMetric.Resolution, policy, earlierCycle ? at : reachedPeople, calendar));
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
        clocks.StartAsync(domainEvent.ConversationId, cancellationToken);

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
