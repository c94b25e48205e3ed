using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Reports;

/// <summary>A length of time in seconds, on the clock and in business hours.</summary>
public sealed record SpanResponse(double CalendarSeconds, double BusinessSeconds)
{
    public static SpanResponse? From(Span? span) => span is { } s ? new(s.Calendar.TotalSeconds, s.Business.TotalSeconds) : null;
}

public sealed record ResponseCycleResponse(DateTime Start, SpanResponse? FirstResponse, List<SpanResponse> NextResponses, SpanResponse? Resolution, SpanResponse Snoozed);

/// <summary>What the reports measure about one conversation (docs/metrics.md), worked out from its event log.</summary>
public sealed record ConversationMeasuresResponse(
    Guid ConversationId,
    bool ReachedPeople,
    bool Contained,
    SpanResponse? FirstResponse,
    int Reopens,
    int Transfers,
    SpanResponse QueueWait,
    SpanResponse HandleTime,
    bool ResolvedInOneContact,
    List<ResponseCycleResponse> Cycles,
    List<TimelineEvent> Timeline);

/// <summary>One conversation's measures, recomputed from its event log in the workspace's business hours.</summary>
public sealed class MeasureConversation(AppDbContext db)
{
    public async Task<Result<ConversationMeasuresResponse>> HandleAsync(Guid conversationId, CancellationToken cancellationToken)
    {
        if (await db.Conversations.AsNoTracking().Where(c => c.Id == conversationId).Select(c => new { c.WorkspaceId }).FirstOrDefaultAsync(cancellationToken) is not { } conversation)
        {
            return Failure.NotFound("The conversation");
        }

        var timeline = (await db.ConversationEvents.AsNoTracking().Where(e => e.ConversationId == conversationId)
            .OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync(cancellationToken)).ConvertAll(e => e.ToTimeline());
        var calendar = (await db.Workspaces.AsNoTracking().FirstAsync(w => w.Id == conversation.WorkspaceId, cancellationToken)).Calendar();
        var measures = ConversationMeasures.Of(timeline, calendar);
        return new ConversationMeasuresResponse(
            conversationId, measures.ReachedPeople, measures.Contained, SpanResponse.From(measures.FirstResponse), measures.Reopens, measures.Transfers,
            SpanResponse.From(measures.QueueWait)!, SpanResponse.From(measures.HandleTime)!, measures.ResolvedInOneContact,
            [.. measures.Cycles.Select(c => new ResponseCycleResponse(
                c.Start, SpanResponse.From(c.FirstResponse), [.. c.NextResponses.Select(n => SpanResponse.From(n)!)], SpanResponse.From(c.Resolution),
                SpanResponse.From(c.Snoozed)!))],
            timeline);
    }
}
