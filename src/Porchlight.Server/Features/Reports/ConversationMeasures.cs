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
}

/// <summary>One entry of a conversation's event log, as the metrics read it.</summary>
public sealed record TimelineEvent(DateTime At, TimelineKind Kind, Guid? AgentId = null, Guid? TeamId = null);

/// <summary>A length of time counted twice: on the clock, and in the workspace's business hours.</summary>
public readonly record struct Span(TimeSpan Calendar, TimeSpan Business)
{
    public static Span Between(DateTime from, DateTime to, BusinessCalendar calendar) =>
        to <= from ? default : new(to - from, calendar.OpenTimeBetween(from, to));

    public static Span operator +(Span a, Span b) => new(a.Calendar + b.Calendar, a.Business + b.Business);
}

/// <summary>
/// One response cycle: from the moment people had the conversation (or it was reopened) to its resolution. The first
/// response is the first person's reply in the cycle; next responses are the waits that begin when the contact writes
/// after a person's reply.
/// </summary>
public sealed record ResponseCycle(DateTime Start, Span? FirstResponse, IReadOnlyList<Span> NextResponses, Span? Resolution, Guid? ResolvedBy);

/// <summary>
/// Everything the reports measure about one conversation, worked out from its timeline alone, so recomputing from the
/// event log always gives the same numbers. Definitions in docs/metrics.md.
/// </summary>
public sealed record ConversationMeasures(
    IReadOnlyList<ResponseCycle> Cycles,
    bool ReachedPeople,
    bool Contained,
    int Reopens,
    int Transfers,
    Span QueueWait,
    Span HandleTime,
    bool ResolvedInOneContact)
{
    /// <summary>The conversation's first response time: the first cycle's (null when no person has replied in it, or it never reached people).</summary>
    public Span? FirstResponse => Cycles.Count > 0 ? Cycles[0].FirstResponse : null;

    /// <summary>Measures the timeline, in calendar time and in the business hours of <paramref name="calendar"/>; events in time order.</summary>
    public static ConversationMeasures Of(IReadOnlyList<TimelineEvent> timeline, BusinessCalendar calendar)
    {
        var events = timeline.OrderBy(e => e.At).ThenBy(e => e.Kind == TimelineKind.Created ? 0 : 1).ToList();
        var created = events.FirstOrDefault(e => e.Kind == TimelineKind.Created)?.At;
        var attended = events.Any(e => e.Kind == TimelineKind.AssistantAttended);
        // People have a conversation from its start, or, while the assistant attends it, from the first of: the handover,
        // an agent assigned, an agent's reply, or the contact writing again after the assistant resolved it.
        DateTime? reached = attended ? null : created;

        var cycles = new List<ResponseCycle>();
        DateTime? cycleStart = reached;
        Span? first = null;
        var next = new List<Span>();
        DateTime? waitingSince = null; // the contact's wait for a next response
        var replied = false;
        Guid? owner = null, team = null;
        DateTime? queuedSince = null, heldSince = null;
        var queueWait = default(Span);
        var handle = default(Span);
        var transfers = 0;
        var reopens = 0;
        var open = true;

        foreach (var e in events)
        {
            var stepsIn = e.Kind is TimelineKind.ReachedPeople or TimelineKind.AgentReply || (e.Kind == TimelineKind.Assigned && e.AgentId is not null)
                || (e.Kind == TimelineKind.Reopened && !open);
            if (reached is null && attended && stepsIn)
            {
                reached = e.At;
                cycleStart = open || e.Kind == TimelineKind.Reopened ? e.At : null;
            }

            var withPeople = reached is { } r && e.At >= r;
            switch (e.Kind)
            {
                case TimelineKind.ContactMessage when withPeople && replied && waitingSince is null && open:
                    waitingSince = e.At;
                    break;
                case TimelineKind.AgentReply when withPeople && cycleStart is { } start:
                    if (!replied)
                    {
                        first = Span.Between(start, e.At, calendar);
                        replied = true;
                    }
                    else if (waitingSince is { } since)
                    {
                        next.Add(Span.Between(since, e.At, calendar));
                    }

                    waitingSince = null;
                    break;
                case TimelineKind.Queued:
                    transfers += team is { } fromTeam && e.TeamId is { } toTeam && toTeam != fromTeam ? 1 : 0;
                    team = e.TeamId;
                    if (e.TeamId is null)
                    {
                        queueWait += Waited(ref queuedSince, e.At); // released without a team: it waits in no queue
                    }
                    else
                    {
                        queuedSince ??= e.At;
                    }

                    handle += Held(ref heldSince, e.At);
                    owner = null;
                    break;
                case TimelineKind.Assigned:
                    transfers += (team is { } previousTeam && e.TeamId is { } newTeam && newTeam != previousTeam) || (owner is { } previous && e.AgentId != previous) ? 1 : 0;
                    team = e.TeamId ?? team;
                    queueWait += Waited(ref queuedSince, e.At);
                    handle += Held(ref heldSince, e.At);
                    owner = e.AgentId;
                    heldSince = open ? e.At : null;
                    break;
                case TimelineKind.Resolved when open:
                    open = false;
                    queueWait += Waited(ref queuedSince, e.At);
                    handle += Held(ref heldSince, e.At);
                    if (cycleStart is { } began)
                    {
                        cycles.Add(new ResponseCycle(began, first, [.. next], Span.Between(began, e.At, calendar), owner));
                    }

                    cycleStart = null;
                    break;
                case TimelineKind.Reopened when !open:
                    open = true;
                    reopens++;
                    // A new cycle: its own first response, counted from the reopening, never from the first contact.
                    cycleStart = reached is not null ? e.At : null;
                    (first, replied, waitingSince) = (null, false, null);
                    next = [];
                    heldSince = owner is not null ? e.At : null;
                    queuedSince = owner is null && team is not null ? e.At : null;
                    break;
            }
        }

        if (cycleStart is { } unfinished)
        {
            cycles.Add(new ResponseCycle(unfinished, first, [.. next], null, null));
        }

        var contained = attended && reached is null && !open;
        return new ConversationMeasures(cycles, reached is not null, contained, reopens, transfers, queueWait, handle,
            ResolvedInOneContact: reached is not null && !open && reopens == 0 && transfers == 0);

        Span Waited(ref DateTime? since, DateTime until)
        {
            var waited = since is { } from ? Span.Between(from, until, calendar) : default;
            since = null;
            return waited;
        }

        Span Held(ref DateTime? since, DateTime until) => Waited(ref since, until);
    }
}
