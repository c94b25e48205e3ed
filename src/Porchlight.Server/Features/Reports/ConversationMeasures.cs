using Porchlight.Server.Features.Sla;

namespace Porchlight.Server.Features.Reports;

/// <summary>What happened to a conversation, as the metrics read it (docs/metrics.md).</summary>
public enum TimelineKind
{
    /// <summary>The conversation began (people have it from here unless <see cref="AssistantAttended"/> follows at the same moment).</summary>
    Created = 0,

    /// <summary>The assistant took the new conversation: people do not have it yet.</summary>
    AssistantAttended = 1,

    /// <summary>The assistant handed over, or stepped back for an agent: people have it from here.</summary>
    ReachedPeople = 2,

    ContactMessage = 3,

    /// <summary>A reply written by a person (<c>AgentId</c>); notes are not replies.</summary>
    AgentReply = 4,

    /// <summary>A reply written by nobody: the assistant, an automation rule. Never a response.</summary>
    AutomaticReply = 5,

    /// <summary>Nobody is assigned: the conversation waits in a team's queue (<c>TeamId</c>), or in no queue when it has no team.</summary>
    Queued = 6,

    /// <summary>An agent (<c>AgentId</c>) has the conversation, in a team (<c>TeamId</c>) or none.</summary>
    Assigned = 7,

    Resolved = 8,

    Reopened = 9,

    /// <summary>Put aside until later: no agent handles it and it waits in no queue until it wakes (or is resolved).</summary>
    Snoozed = 10,

    /// <summary>A snoozed conversation is open again (its time came, or someone opened it).</summary>
    Woken = 11,
}

/// <summary>One entry of a conversation's event log, as the metrics read it.</summary>
public sealed record TimelineEvent(DateTime At, TimelineKind Kind, Guid? AgentId = null, Guid? TeamId = null);

/// <summary>A length of time counted twice: on the clock, and in the workspace's business hours.</summary>
public readonly record struct Span(TimeSpan Calendar, TimeSpan Business)
{
    public static Span Between(DateTime from, DateTime to, BusinessCalendar calendar) =>
        to <= from ? default : new(to - from, calendar.OpenTimeBetween(from, to));

    public static Span operator +(Span a, Span b) => new(a.Calendar + b.Calendar, a.Business + b.Business);

    public static Span operator -(Span a, Span b) => new(a.Calendar - b.Calendar, a.Business - b.Business);
}

/// <summary>What a report counts (docs/metrics.md). Stored by number: append, never renumber.</summary>
public enum ReportMetric
{
    /// <summary>A conversation began.</summary>
    Conversations = 0,

    /// <summary>The assistant took a new conversation.</summary>
    AssistantAttended = 1,

    /// <summary>A conversation the assistant attended reached people (handover, or a person stepping in).</summary>
    HandedOver = 2,

    /// <summary>The assistant resolved a conversation without people (counted at that resolve, while it stays resolved).</summary>
    Contained = 3,

    /// <summary>A conversation reached people.</summary>
    ReachedPeople = 4,

    FirstResponse = 5,

    NextResponse = 6,

    /// <summary>A response cycle was resolved; its length is the resolution time.</summary>
    Resolution = 7,

    /// <summary>The resolve that left a conversation resolved (one per resolved conversation).</summary>
    ResolvedConversation = 8,

    /// <summary>As <see cref="ResolvedConversation"/>, for a conversation resolved in one contact.</summary>
    ResolvedInOneContact = 9,

    Reopen = 10,

    Transfer = 11,

    /// <summary>A conversation people had moved to another team, the first time; its length is the time to escalate.</summary>
    Escalation = 12,

    /// <summary>Each <see cref="Resolution"/> of a conversation that was escalated, counted again so reports can compare.</summary>
    EscalatedResolution = 13,

    /// <summary>A wait in a team's queue ended; its length is the wait.</summary>
    QueueWait = 14,

    /// <summary>An agent's hold of an open conversation ended; its length is the handle time.</summary>
    HandleTime = 15,

    /// <summary>A satisfaction answer (CSAT); its bucket is the score, 1–5.</summary>
    Satisfaction = 16,

    /// <summary>An effort answer (CES); its bucket is the score, 1 (very difficult) to 7 (very easy).</summary>
    Effort = 17,

    /// <summary>A likelihood-to-recommend answer (NPS); its bucket is the score, 0–10.</summary>
    Recommend = 18,

    /// <summary>
    /// The customer's tone in a conversation: the average sentiment of their messages, once per conversation, on the day
    /// of their first message; the bucket is its <see cref="Assistant.SentimentLabel"/> (neutral 0, negative 1, positive 2).
    /// </summary>
    CustomerTone = 19,

    /// <summary>
    /// The contact came back: they had begun another conversation at most 30 days before this one began; the bucket is
    /// 0 within 7 days, 1 within 30 (<see cref="ReportFact.Returned"/>).
    /// </summary>
    Returned = 20,
}

/// <summary>An agent's hold of an open conversation that has not ended: whose it is and since when.</summary>
public sealed record OpenHold(Guid AgentId, DateTime Since);

/// <summary>One thing a report counts, when it happened and whose it was, and, for a time, how long it took.</summary>
public sealed record MeasuredFact(ReportMetric Metric, DateTime At, Guid? AgentId = null, Guid? TeamId = null, Span? Length = null);

/// <summary>
/// One response cycle: from the moment people had the conversation (or it was reopened) to its resolution. The first
/// response is the first person's reply in the cycle; next responses are the waits that begin when the contact writes
/// after a person's reply. The resolution time leaves out the time the cycle spent snoozed (<see cref="Snoozed"/>).
/// </summary>
public sealed record ResponseCycle(DateTime Start, Span? FirstResponse, IReadOnlyList<Span> NextResponses, Span? Resolution, Guid? ResolvedBy, Span Snoozed = default);

/// <summary>
/// Everything the reports measure about one conversation, worked out from its timeline alone, so recomputing from the
/// event log always gives the same numbers: the conversation's figures, and the <see cref="Facts"/> a report adds up.
/// Definitions in docs/metrics.md.
/// </summary>
public sealed record ConversationMeasures(
    IReadOnlyList<ResponseCycle> Cycles,
    bool ReachedPeople,
    bool Contained,
    bool ResolvedInOneContact,
    IReadOnlyList<MeasuredFact> Facts,
    OpenHold? HeldNow = null)
{
    /// <summary>The conversation's first response time: the first cycle's (null when no person has replied in it, or it never reached people).</summary>
    public Span? FirstResponse => Cycles.Count > 0 ? Cycles[0].FirstResponse : null;

    public int Reopens => Facts.Count(f => f.Metric == ReportMetric.Reopen);

    public int Transfers => Facts.Count(f => f.Metric == ReportMetric.Transfer);

    public Span QueueWait => Total(ReportMetric.QueueWait);

    public Span HandleTime => Total(ReportMetric.HandleTime);

    /// <summary>Measures the timeline, in calendar time and in the business hours of <paramref name="calendar"/>; events in time order.</summary>
    public static ConversationMeasures Of(IReadOnlyList<TimelineEvent> timeline, BusinessCalendar calendar)
    {
        var events = timeline.OrderBy(e => e.At).ThenBy(e => e.Kind == TimelineKind.Created ? 0 : 1).ToList();
        var facts = new List<MeasuredFact>();
        var created = events.FirstOrDefault(e => e.Kind == TimelineKind.Created)?.At;
        var attended = events.Any(e => e.Kind == TimelineKind.AssistantAttended);
        // People have a conversation from its start, or, while the assistant attends it, from the first of: the handover,
        // an agent assigned, an agent's reply, or the contact writing again after the assistant resolved it.
        DateTime? reached = attended ? null : created;
        if (created is { } began)
        {
            // A conversation counts for the first team it reached (on the day it began), so a team's report counts the
            // conversations it handled; it counts for no agent.
            facts.Add(new(ReportMetric.Conversations, began, TeamId: events.Select(e => e.TeamId).FirstOrDefault(t => t is not null)));
            facts.Add(new(attended ? ReportMetric.AssistantAttended : ReportMetric.ReachedPeople, began));
        }

        var cycles = new List<ResponseCycle>();
        DateTime? cycleStart = reached;
        Span? first = null;
        var next = new List<Span>();
        DateTime? waitingSince = null; // the contact's wait for a next response
        var replied = false;
        Guid? owner = null, team = null, lastReplier = null;
        DateTime? queuedSince = null, heldSince = null, escalatedAt = null, lastResolvedAt = null, snoozedSince = null;
        Span snoozed = default; // the current cycle's time snoozed
        var open = true;

        foreach (var e in events)
        {
            var stepsIn = e.Kind is TimelineKind.ReachedPeople or TimelineKind.AgentReply || (e.Kind == TimelineKind.Assigned && e.AgentId is not null)
                || (e.Kind == TimelineKind.Reopened && !open);
            if (reached is null && attended && stepsIn)
            {
                reached = e.At;
                cycleStart = open || e.Kind == TimelineKind.Reopened ? e.At : null;
                facts.Add(new(ReportMetric.HandedOver, e.At));
                facts.Add(new(ReportMetric.ReachedPeople, e.At));
            }

            var withPeople = reached is { } r && e.At >= r;
            switch (e.Kind)
            {
                case TimelineKind.ContactMessage when withPeople && replied && waitingSince is null && open:
                    waitingSince = e.At;
                    break;
                case TimelineKind.AgentReply when withPeople && cycleStart is { } start:
                    lastReplier = e.AgentId ?? lastReplier;
                    if (!replied)
                    {
                        first = Span.Between(start, e.At, calendar);
                        facts.Add(new(ReportMetric.FirstResponse, e.At, e.AgentId, team, first));
                        replied = true;
                    }
                    else if (waitingSince is { } since)
                    {
                        var wait = Span.Between(since, e.At, calendar);
                        next.Add(wait);
                        facts.Add(new(ReportMetric.NextResponse, e.At, e.AgentId, team, wait));
                    }

                    waitingSince = null;
                    break;
                case TimelineKind.Queued:
                    if (team is { } fromTeam && e.TeamId is { } toTeam && toTeam != fromTeam)
                    {
                        Transferred(e);
                    }

                    if (e.TeamId is null)
                    {
                        EndQueueWait(e.At); // released without a team: it waits in no queue
                    }
                    else if (snoozedSince is null)
                    {
                        queuedSince ??= e.At;
                    }

                    EndHold(e.At);
                    team = e.TeamId;
                    owner = null;
                    break;
                case TimelineKind.Assigned:
                    if ((team is { } previousTeam && e.TeamId is { } newTeam && newTeam != previousTeam) || (owner is { } previous && e.AgentId != previous))
                    {
                        Transferred(e);
                    }

                    EndQueueWait(e.At);
                    EndHold(e.At);
                    team = e.TeamId ?? team;
                    owner = e.AgentId;
                    heldSince = open && snoozedSince is null ? e.At : null;
                    break;
                case TimelineKind.Resolved when open:
                    open = false;
                    lastResolvedAt = e.At;
                    EndQueueWait(e.At);
                    EndHold(e.At);
                    Wake(e.At);
                    if (cycleStart is { } cycleBegan)
                    {
                        var resolution = Span.Between(cycleBegan, e.At, calendar) - snoozed;
                        cycles.Add(new ResponseCycle(cycleBegan, first, [.. next], resolution, owner ?? lastReplier, snoozed));
                        facts.Add(new(ReportMetric.Resolution, e.At, owner ?? lastReplier, team, resolution));
                    }

                    cycleStart = null;
                    break;
                case TimelineKind.Reopened when !open:
                    Reopen(e);
                    break;
                case TimelineKind.Snoozed when snoozedSince is null:
                    if (!open)
                    {
                        Reopen(e); // a resolved conversation snoozed is open again, set aside until later
                    }

                    EndQueueWait(e.At);
                    EndHold(e.At);
                    snoozedSince = e.At;
                    break;
                case TimelineKind.Woken when open && snoozedSince is not null:
                    Wake(e.At);
                    heldSince = owner is not null ? e.At : null;
                    queuedSince = owner is null && team is not null ? e.At : null;
                    break;
            }
        }

        if (cycleStart is { } unfinished)
        {
            cycles.Add(new ResponseCycle(unfinished, first, [.. next], null, null, snoozed));
        }

        var contained = attended && reached is null && !open;
        var resolvedInOneContact = reached is not null && !open && !facts.Any(f => f.Metric is ReportMetric.Reopen or ReportMetric.Transfer);
        if (!open && lastResolvedAt is { } resolvedAt)
        {
            // Counted at the resolve that stands: a reopened conversation stops counting where it was resolved before.
            facts.Add(new(contained ? ReportMetric.Contained : ReportMetric.ResolvedConversation, resolvedAt, owner ?? lastReplier, team));
            if (resolvedInOneContact)
            {
                facts.Add(new(ReportMetric.ResolvedInOneContact, resolvedAt, owner ?? lastReplier, team));
            }
        }

        if (escalatedAt is not null)
        {
            facts.AddRange(facts.Where(f => f.Metric == ReportMetric.Resolution).ToList().Select(f => f with { Metric = ReportMetric.EscalatedResolution }));
        }

        // A hold still running has no handle time yet, but workload counts it from its start.
        var heldNow = owner is { } holder && heldSince is { } held ? new OpenHold(holder, held) : null;
        return new ConversationMeasures(cycles, reached is not null, contained, resolvedInOneContact, facts, heldNow);

        void Reopen(TimelineEvent e)
        {
            open = true;
            facts.Add(new(ReportMetric.Reopen, e.At, owner ?? lastReplier, team));
            // A new cycle: its own first response, counted from the reopening, never from the first contact.
            cycleStart = reached is not null ? e.At : null;
            (first, replied, waitingSince, snoozed) = (null, false, null, default);
            next = [];
            heldSince = owner is not null ? e.At : null;
            queuedSince = owner is null && team is not null ? e.At : null;
        }

        // The snooze ends (it woke, or was resolved while snoozed): its time counts as the cycle's time snoozed.
        void Wake(DateTime at)
        {
            if (snoozedSince is { } since)
            {
                snoozed += Span.Between(since, at, calendar);
                snoozedSince = null;
            }
        }

        void Transferred(TimelineEvent e)
        {
            facts.Add(new(ReportMetric.Transfer, e.At, e.AgentId, e.TeamId));
            // An escalation: people had it, and it moves on to another team, the first time.
            if (escalatedAt is null && reached is { } reachedAt && team is not null && e.TeamId is { } to && to != team)
            {
                escalatedAt = e.At;
                facts.Add(new(ReportMetric.Escalation, e.At, e.AgentId, to, Span.Between(reachedAt, e.At, calendar)));
            }
        }

        void EndQueueWait(DateTime until)
        {
            if (queuedSince is { } since)
            {
                facts.Add(new(ReportMetric.QueueWait, until, TeamId: team, Length: Span.Between(since, until, calendar)));
                queuedSince = null;
            }
        }

        void EndHold(DateTime until)
        {
            if (heldSince is { } since)
            {
                facts.Add(new(ReportMetric.HandleTime, until, owner, team, Span.Between(since, until, calendar)));
                heldSince = null;
            }
        }
    }

    private Span Total(ReportMetric metric) =>
        Facts.Where(f => f.Metric == metric).Aggregate(default(Span), (sum, f) => sum + (f.Length ?? default));
}
