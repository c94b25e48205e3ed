using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Features.Reports;
using Porchlight.Server.Features.Routing;

namespace Porchlight.Server.Features.Workforce;

/// <summary>
/// The conversations an agent held and when, from the event log: the same holds the reports' handle time counts, replayed
/// by <see cref="ConversationMeasures"/>, and the ones still running. Counts and times only; it reads across inboxes.
/// </summary>
public sealed class AgentHolds(AppDbContext db)
{
    /// <summary>
    /// The agent's holds that overlap [<paramref name="from"/>, <paramref name="to"/>): every conversation they were given
    /// before the window ends that either changed in it or is still theirs, its log replayed.
    /// </summary>
    public async Task<List<HeldConversation>> ReadAsync(Guid agentId, DateTime from, DateTime to, DateTime now, Sla.BusinessCalendar calendar, CancellationToken cancellationToken)
    {
        var given = db.ConversationEvents.Where(e => e.Kind == TimelineKind.Assigned && e.AgentId == agentId && e.At < to).Select(e => e.ConversationId);
        var conversations = await db.Conversations.AcrossInboxes().AsNoTracking()
            .Where(c => given.Contains(c.Id)
                && (db.ConversationEvents.Any(e => e.ConversationId == c.Id && e.At >= from)
                    || (c.AssigneeId == agentId && (c.Status == ConversationStatus.Open || c.Status == ConversationStatus.Pending))))
            .Select(c => new { c.Id, c.Origin }).ToListAsync(cancellationToken);
        var ids = conversations.ConvertAll(c => c.Id);
        var timelines = (await db.ConversationEvents.AsNoTracking().Where(e => ids.Contains(e.ConversationId)).OrderBy(e => e.At).ThenBy(e => e.Id)
            .ToListAsync(cancellationToken)).ToLookup(e => e.ConversationId, e => e.ToTimeline());

        var holds = new List<HeldConversation>();
        foreach (var conversation in conversations)
        {
            var channel = ConcurrencyCaps.ChannelOf(conversation.Origin);
            var measures = ConversationMeasures.Of([.. timelines[conversation.Id]], calendar);
            holds.AddRange(measures.Facts
                .Where(f => f.Metric == ReportMetric.HandleTime && f.AgentId == agentId && f.Length is not null)
                .Select(f => new HeldConversation(conversation.Id, channel, f.At - f.Length!.Value.Calendar, f.At, StillHeld: false)));
            if (measures.HeldNow is { } open && open.AgentId == agentId)
            {
                holds.Add(new HeldConversation(conversation.Id, channel, open.Since, now, StillHeld: true));
            }
        }

        return [.. holds.Where(h => h.To > from && h.From < to)];
    }

}
