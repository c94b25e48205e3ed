using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Assistant;
using Porchlight.Server.Features.Reports;
using Porchlight.Server.Features.Routing;
using Porchlight.Server.Hosting;
using Porchlight.Server.Hosting.Cluster;

namespace Porchlight.Server.Features.Workforce;

/// <param name="CapLowered">Whether the alert lowered the agent's cap in <c>Channel</c> by one (until it ends or is dismissed).</param>
public sealed record WorkloadAlertResponse(
    Guid Id, Guid AgentId, string AgentName, WorkloadAlertKind Kind, RoutingChannel Channel, int Count, DateTime Since, DateTime RaisedAt,
    DateTime? EndedAt, DateTime? DismissedAt, bool CapLowered);

/// <summary>
/// Watches each agent's load for sustained overload and tells supervisors: at a cap for longer than the workspace's
/// <see cref="StaffingSettings.OverloadMinutes"/>, or <see cref="StaffingSettings.DifficultRun"/> conversations in a row
/// with an upset customer. Optionally lowers the agent's cap in the channel by one while the overload lasts.
/// </summary>
public sealed class WorkloadAlerts(
    AppDbContext db, AgentHolds holds, AgentCapacity capacity, Agents.IPresenceStore presence, ActingAgent actor, TenantScope tenant, TimeProvider clock)
{
    /// <summary>How far back a run of difficult conversations is looked for: a working day.</summary>
    public static readonly TimeSpan DifficultRunWindow = TimeSpan.FromHours(10);

    /// <summary>A moment below the cap shorter than this does not break a stretch at it (events land a little apart).</summary>
    public static readonly TimeSpan AtCapGrace = TimeSpan.FromMinutes(1);

    public async Task<List<WorkloadAlertResponse>> ListAsync(CancellationToken cancellationToken) =>
        await ResponsesAsync(db.WorkloadAlerts.Where(a => a.DismissedAt == null), cancellationToken);

    /// <summary>One agent's live alerts: on their own page, what their supervisors were told.</summary>
    public async Task<List<WorkloadAlertResponse>> ForAgentAsync(Guid agentId, CancellationToken cancellationToken) =>
        await ResponsesAsync(db.WorkloadAlerts.Where(a => a.DismissedAt == null && a.AgentId == agentId), cancellationToken);

    public async Task<Result<WorkloadAlertResponse>> DismissAsync(Guid alertId, CancellationToken cancellationToken)
    {
        if (await db.WorkloadAlerts.FirstOrDefaultAsync(a => a.Id == alertId && a.DismissedAt == null, cancellationToken) is not { } alert)
        {
            return Failure.NotFound("The alert");
        }

        alert.Dismiss(actor.AgentId, clock.GetUtcNow().UtcDateTime);
        await PutCapBackAsync(alert, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Failure.Conflict("The alert changed as you dismissed it; look again and dismiss it then.");
        }

        return (await ResponsesAsync(db.WorkloadAlerts.Where(a => a.Id == alertId), cancellationToken))[0];
    }

    /// <summary>Raises, extends and ends the workspace's alerts as its agents' load stands now.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var workspaceId = tenant.WorkspaceId!.Value;
        var settings = await StaffingTargets.CurrentAsync(db, workspaceId, cancellationToken);
        var workspace = await db.Workspaces.AsNoTracking().FirstAsync(cancellationToken);
        var calendar = workspace.Calendar();
        var live = await db.WorkloadAlerts.Where(a => a.DismissedAt == null).ToListAsync(cancellationToken);
        // Those at work now, and those with an alert to end: an agent gone home or deactivated needs no new alert.
        var watched = (await presence.ConnectedAgentsAsync(workspaceId)).Union(live.Select(a => a.AgentId)).ToList();
        var agents = await db.Agents.Where(a => watched.Contains(a.Id)).ToListAsync(cancellationToken);

        var loads = await capacity.ReadLoadsAsync([.. agents.Select(a => a.Id)], cancellationToken);
        foreach (var agent in agents)
        {
            var alert = live.FirstOrDefault(a => a.AgentId == agent.Id && a.Kind == WorkloadAlertKind.AtCap);
            // Measured against the agent's own caps, not one the alert lowered: else the lowered cap, always full, would keep itself.
            var own = alert is { CapLowered: true } ? alert.CapsBefore : agent.Caps;
            var caps = Enum.GetValues<RoutingChannel>().ToDictionary(c => c, c => ConcurrencyCaps.Effective(own, workspace.Caps, c));
            var atCap = settings.OverloadMinutes > 0 && agent.IsActive
                ? caps.Where(c => c.Value > 0 && loads.GetValueOrDefault((agent.Id, c.Key)) >= c.Value).Select(c => (RoutingChannel?)c.Key).FirstOrDefault()
                : null;
            if (atCap is not { } channel)
            {
                await EndAsync(alert, now, cancellationToken);
                continue;
            }

            var window = TimeSpan.FromMinutes(settings.OverloadMinutes);
            var held = await holds.ReadAsync(agent.Id, now - window, now, now, calendar, cancellationToken);
            var figures = Workload.Of(held, caps, [], new HashSet<Guid>(), null, TimeZoneInfo.Utc, now - window, now);
            if (figures.MinutesAtCap < (window - AtCapGrace).TotalMinutes || alert is { EndedAt: null } || await DismissedWithinAsync(agent.Id, now - window, cancellationToken))
            {
                continue;
            }

            if (alert is null)
            {
                alert = WorkloadAlert.Raise(workspaceId, agent.Id, WorkloadAlertKind.AtCap, channel, now - window, caps[channel], now);
                db.WorkloadAlerts.Add(alert);
            }
            else
            {
                alert.RaiseAgain(now - window, caps[channel], now);
            }

            if (settings.ReduceCapOnOverload && caps[channel] > 1)
            {
                alert.LoweredCap(agent.Caps);
                agent.SetCaps(agent.Caps.With(channel, caps[channel] - 1));
            }
        }

        if (settings.DifficultRun > 0)
        {
            await CheckDifficultRunsAsync(settings.DifficultRun, live, watched, workspaceId, calendar, now, cancellationToken);
        }
        else
        {
            live.Where(a => a.Kind == WorkloadAlertKind.DifficultRun).ToList().ForEach(a => a.End(now));
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>For each agent given conversations lately: the run of upset customers their latest conversations make.</summary>
    private async Task CheckDifficultRunsAsync(
        int length, List<WorkloadAlert> live, List<Guid> watched, Guid workspaceId, Sla.BusinessCalendar calendar, DateTime now, CancellationToken cancellationToken)
    {
        var from = now - DifficultRunWindow;
        var recent = await db.ConversationEvents.Where(e => e.Kind == TimelineKind.Assigned && e.At >= from && e.AgentId != null && watched.Contains(e.AgentId.Value))
            .Select(e => e.AgentId!.Value).Distinct().ToListAsync(cancellationToken);
        var alerted = live.Where(a => a.Kind == WorkloadAlertKind.DifficultRun).Select(a => a.AgentId);
        foreach (var agentId in recent.Union(alerted))
        {
            var alert = live.FirstOrDefault(a => a.AgentId == agentId && a.Kind == WorkloadAlertKind.DifficultRun);
            var taken = (await holds.ReadAsync(agentId, from, now, now, calendar, cancellationToken))
                .Where(h => h.From >= from).OrderBy(h => h.From).DistinctBy(h => h.ConversationId).ToList();
            var ids = taken.ConvertAll(h => h.ConversationId);
            var negative = (await db.ReportFacts.Where(f => f.Metric == ReportMetric.CustomerTone && f.Bucket == (int)SentimentLabel.Negative && ids.Contains(f.ConversationId))
                .Select(f => f.ConversationId).ToListAsync(cancellationToken)).ToHashSet();
            var run = taken.AsEnumerable().Reverse().TakeWhile(h => negative.Contains(h.ConversationId)).Count();
            if (run < length)
            {
                alert?.End(now);
                continue;
            }

            var since = taken[^run].From;
            if (alert is null)
            {
                // A run a supervisor already dismissed is not raised again as it grows; a new run is.
                if (!await db.WorkloadAlerts.AnyAsync(a => a.AgentId == agentId && a.Kind == WorkloadAlertKind.DifficultRun && a.Since == since, cancellationToken))
                {
                    db.WorkloadAlerts.Add(WorkloadAlert.Raise(workspaceId, agentId, WorkloadAlertKind.DifficultRun, taken[^1].Channel, since, run, now));
                }
            }
            else if (alert.Since == since && alert.EndedAt is null)
            {
                alert.Extend(run);
            }
            else
            {
                alert.RaiseAgain(since, run, now);
            }
        }
    }

    /// <summary>
    /// Whether a supervisor dismissed an at-cap alert of the agent since <paramref name="since"/>: one who has seen the
    /// overload is told again only after another whole stretch at the cap, not a minute after dismissing it.
    /// </summary>
    private Task<bool> DismissedWithinAsync(Guid agentId, DateTime since, CancellationToken cancellationToken) =>
        db.WorkloadAlerts.AnyAsync(a => a.AgentId == agentId && a.Kind == WorkloadAlertKind.AtCap && a.DismissedAt > since, cancellationToken);

    private async Task EndAsync(WorkloadAlert? alert, DateTime now, CancellationToken cancellationToken)
    {
        if (alert is { EndedAt: null })
        {
            alert.End(now);
            await PutCapBackAsync(alert, cancellationToken);
        }
    }

    private async Task PutCapBackAsync(WorkloadAlert alert, CancellationToken cancellationToken)
    {
        if (alert.TakeCapsBefore() is { } before && await db.Agents.FirstOrDefaultAsync(a => a.Id == alert.AgentId, cancellationToken) is { } agent)
        {
            agent.SetCaps(before);
        }
    }

    private async Task<List<WorkloadAlertResponse>> ResponsesAsync(IQueryable<WorkloadAlert> alerts, CancellationToken cancellationToken) =>
        await alerts.AsNoTracking().OrderByDescending(a => a.RaisedAt)
            .Join(db.Agents, a => a.AgentId, agent => agent.Id, (a, agent) => new WorkloadAlertResponse(
                a.Id, a.AgentId, agent.DisplayName, a.Kind, a.Channel, a.Count, a.Since, a.RaisedAt, a.EndedAt, a.DismissedAt, a.CapLowered))
            .ToListAsync(cancellationToken);
}

/// <summary>Checks every workspace's agents for overload once a minute (<c>Workforce:OverloadCheckInterval</c>).</summary>
public sealed class OverloadWatch(IServiceScopeFactory scopes, JobLeases leases, IConfiguration configuration, ILogger<OverloadWatch> logger) : BackgroundService
{
    public async Task CheckAllAsync(CancellationToken cancellationToken)
    {
        List<Guid> workspaces;
        await using (var scope = scopes.CreateAsyncScope())
        {
            // Operator scope: the list of workspaces; each is then checked in its own.
            workspaces = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Workspaces.IgnoreQueryFilters().Select(w => w.Id).ToListAsync(cancellationToken);
        }

        foreach (var workspaceId in workspaces)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
            try
            {
                await scope.ServiceProvider.GetRequiredService<WorkloadAlerts>().CheckAsync(cancellationToken);
            }
            catch (DbUpdateException e)
            {
                // Another node's check or a supervisor changed an alert meanwhile: this pass saved nothing, the next looks again.
                if (logger.IsEnabled(LogLevel.Information))
                {
                    logger.LogInformation(e, "Workload check of workspace {WorkspaceId} crossed another change; checking again next time.", workspaceId);
                }
            }
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => leases.RunAsync(
        nameof(OverloadWatch), configuration.GetValue("Workforce:OverloadCheckInterval", TimeSpan.FromMinutes(1)), logger, "Checking agents' workload", CheckAllAsync, stoppingToken);
}
