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

    /// <summary>The workspace's conversations with a running clock that warned or breached, most urgent first.</summary>
    public async Task<List<SlaAtRisk>> AtRiskAsync(CancellationToken cancellationToken) =>
        await db.SlaClocks.AsNoTracking()
            .Where(c => c.Outcome == null && c.RunningSince != null && (c.WarnedAt != null || c.BreachedAt != null))
            .Join(db.Conversations, c => c.ConversationId, v => v.Id, (c, v) => new { Clock = c, v.Number, v.TeamId, v.InboxId })
            .OrderBy(x => x.Clock.BreachedAt == null).ThenBy(x => x.Clock.DueAt)
            .Take(200)
            .Select(x => new SlaAtRisk(x.Clock.ConversationId, x.Number, x.TeamId, x.InboxId, x.Clock.Metric, x.Clock.BreachedAt != null, x.Clock.DueAt, x.Clock.BreachedAt))
            .ToListAsync(cancellationToken);

    private static SlaClockState StateOf(SlaClock c) => c.Outcome switch
    {
        SlaOutcome.Met => SlaClockState.Met,
        SlaOutcome.Breached => SlaClockState.Breached,
        SlaOutcome.Cancelled => SlaClockState.Cancelled,
        _ => c.RunningSince is null ? SlaClockState.Paused : SlaClockState.Running,
    };
}
