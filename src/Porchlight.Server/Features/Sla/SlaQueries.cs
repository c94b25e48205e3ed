using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Sla;

public enum SlaClockState
{
    Running = 0,
    Paused = 1,
    Met = 2,
    Breached = 3,
    Cancelled = 4,
}

/// <summary>
/// One SLA clock of a conversation as it stands now. <c>UsedMinutes</c> is the counted time so far (business time for
/// a business-hours policy); <c>DueAt</c> is when the target passes if the clock keeps running (null while paused or
/// once stopped); <c>Breached</c> says whether the target passed, also on a clock still running.
/// </summary>
public sealed record SlaClockResponse(
    Guid Id, SlaMetric Metric, Guid? PolicyId, string? PolicyName, SlaClockState State, bool Breached, DateTime StartedAt, int TargetMinutes,
    bool BusinessHoursOnly, double UsedMinutes, DateTime? WarnAt, DateTime? DueAt, DateTime? WarnedAt, DateTime? BreachedAt, DateTime? StoppedAt);

/// <summary>A conversation whose SLA is at risk (warned) or breached and still running.</summary>
public sealed record SlaAtRisk(Guid ConversationId, int Number, Guid? TeamId, Guid InboxId, SlaMetric Metric, bool Breached, DateTime? DueAt, DateTime? BreachedAt);

/// <summary>A conversation with a clock at risk or, when <c>Breached</c>, past its target.</summary>
public sealed record SlaRisk(Guid ConversationId, Guid? TeamId, Guid InboxId, bool Breached);

public sealed class SlaQueries(AppDbContext db, TimeProvider clock)
{
    /// <summary>Every SLA clock of the conversation, oldest first.</summary>
    public async Task<Result<List<SlaClockResponse>>> ClocksAsync(Guid conversationId, CancellationToken cancellationToken)
    {
        if (await db.Conversations.AsNoTracking().Where(c => c.Id == conversationId).Select(c => (Guid?)c.WorkspaceId).FirstOrDefaultAsync(cancellationToken)
            is not { } workspaceId)
        {
            return Failure.NotFound("The conversation");
        }

        var clocks = await db.SlaClocks.AsNoTracking().Where(c => c.ConversationId == conversationId)
            .OrderBy(c => c.StartedAt).ThenBy(c => c.Id).ToListAsync(cancellationToken);
        var policyIds = clocks.Where(c => c.PolicyId is not null).Select(c => c.PolicyId!.Value).Distinct().ToList();
        var names = await db.SlaPolicies.AsNoTracking().Where(p => policyIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken);
        var calendar = (await db.Workspaces.AsNoTracking().FirstAsync(w => w.Id == workspaceId, cancellationToken)).Calendar();
        var now = clock.GetUtcNow().UtcDateTime;
        return clocks.ConvertAll(c => new SlaClockResponse(
            c.Id, c.Metric, c.PolicyId, c.PolicyId is { } id ? names.GetValueOrDefault(id) : null, StateOf(c), c.BreachedAt is not null || c.Outcome == SlaOutcome.Breached,
            c.StartedAt, c.TargetMinutes, c.BusinessHoursOnly, Math.Round(c.UsedAt(now, calendar).TotalMinutes, 2), c.WarnAt, c.DueAt, c.WarnedAt, c.BreachedAt, c.StoppedAt));
    }

    /// <summary>The most urgent of the workspace's running clocks that warned or breached (at most <paramref name="limit"/>), breached first.</summary>
    public async Task<List<SlaAtRisk>> AtRiskAsync(int limit, CancellationToken cancellationToken) =>
        await AtRisk()
            .OrderBy(x => x.Clock.BreachedAt == null).ThenBy(x => x.Clock.DueAt)
            .Take(limit)
            .Select(x => new SlaAtRisk(x.Clock.ConversationId, x.Number, x.TeamId, x.InboxId, x.Clock.Metric, x.Clock.BreachedAt != null, x.Clock.DueAt, x.Clock.BreachedAt))
            .ToListAsync(cancellationToken);

    /// <summary>Every conversation at risk, once per state (at risk, breached), for counts that the shown list's limit does not cut.</summary>
    public async Task<List<SlaRisk>> AtRiskConversationsAsync(CancellationToken cancellationToken) =>
        await AtRisk()
            .Select(x => new SlaRisk(x.Clock.ConversationId, x.TeamId, x.InboxId, x.Clock.BreachedAt != null))
            .Distinct()
            .ToListAsync(cancellationToken);

    private IQueryable<AtRiskRow> AtRisk() =>
        db.SlaClocks.AsNoTracking()
            .Where(c => c.Outcome == null && c.RunningSince != null && (c.WarnedAt != null || c.BreachedAt != null))
            .Join(db.Conversations, c => c.ConversationId, v => v.Id, (c, v) => new AtRiskRow { Clock = c, Number = v.Number, TeamId = v.TeamId, InboxId = v.InboxId });

    // Built by member initialisation, which the database query can still filter and order by (a constructor it could not).
    private sealed class AtRiskRow
    {
        public required SlaClock Clock { get; init; }

        public required int Number { get; init; }

        public required Guid? TeamId { get; init; }

        public required Guid InboxId { get; init; }
    }

    private static SlaClockState StateOf(SlaClock c) => c.Outcome switch
    {
        SlaOutcome.Met => SlaClockState.Met,
        SlaOutcome.Breached => SlaClockState.Breached,
        SlaOutcome.Cancelled => SlaClockState.Cancelled,
        _ => c.RunningSince is null ? SlaClockState.Paused : SlaClockState.Running,
    };
}
