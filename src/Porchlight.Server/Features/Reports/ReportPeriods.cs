using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Sla;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Reports;

/// <summary>A report's period in the workspace's days, with the time zone's name and the workspace's calendar (which turns days into instants).</summary>
public sealed record ReportPeriod(DateOnly From, DateOnly To, string Zone, BusinessCalendar Calendar)
{
    /// <summary>The first instant of the period, in UTC.</summary>
    public DateTime Start => Calendar.StartOf(From);

    /// <summary>The first instant after the period, in UTC.</summary>
    public DateTime End => Calendar.StartOf(To.AddDays(1));
}

/// <summary>
/// Checks a report's period and filters the same way for every report: days in the workspace's time zone, at most a
/// year, filter ids of the workspace only (another workspace's answer as unknown ones do); and rolls up the stale days
/// of the rollup the report reads first, so no report is older than the facts.
/// </summary>
public sealed class ReportPeriods(AppDbContext db, TenantScope tenant, ReportRollups rollups, TimeProvider clock)
{
    public const int MaxDays = 366;

    /// <summary>
    /// The days a report, a digest or a site's statistics may be about: from the Unix epoch to the end of 2999. Nothing
    /// happened before; what lies after is a typo; and at the calendar's own ends a period's arithmetic overflows.
    /// </summary>
    public static readonly DateOnly FirstDay = new(1970, 1, 1);

    public static readonly DateOnly LastDay = new(2999, 12, 31);

    public const string DayRule = "A day from 1970-01-01 to 2999-12-31.";

    public static bool IsReportDay(DateOnly? day) => day is not { } d || (d >= FirstDay && d <= LastDay);

    /// <summary>The Monday that starts <paramref name="day"/>'s week (weeks run Monday to Sunday).</summary>
    public static DateOnly WeekOf(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    /// <param name="rollUpFirst">The rollup the report reads, whose stale days are rolled up first (none for a report that reads no rollup).</param>
    public async Task<Result<ReportPeriod>> ResolveAsync(ReportQuery query, StaleRollup? rollUpFirst, CancellationToken cancellationToken)
    {
        if (!IsReportDay(query.From) || !IsReportDay(query.To))
        {
            return Failure.Invalid(IsReportDay(query.From) ? "to" : "from", DayRule);
        }

        var workspace = await db.Workspaces.AsNoTracking().FirstAsync(cancellationToken);
        var calendar = workspace.Calendar();
        var to = query.To ?? calendar.DayOf(clock.GetUtcNow().UtcDateTime);
        if (query.Days is < 1 or > MaxDays)
        {
            return Failure.Invalid("days", $"Between 1 and {MaxDays}.");
        }

        var from = query.From ?? to.AddDays(1 - (query.Days ?? 30));
        if (from > to)
        {
            return Failure.Invalid("from", "Must be on or before 'to'.");
        }

        if (to.DayNumber - from.DayNumber + 1 > MaxDays)
        {
            return Failure.Invalid("from", $"A period is at most {MaxDays} days.");
        }

        if (query.InboxId is { } inboxId && !await db.Inboxes.AnyAsync(i => i.Id == inboxId, cancellationToken))
        {
            return Failure.NotFound("The inbox");
        }

        if (query.TeamId is { } teamId && !await db.Teams.AnyAsync(t => t.Id == teamId, cancellationToken))
        {
            return Failure.NotFound("The team");
        }

        if (query.AgentId is { } agentId && !await db.Agents.AnyAsync(a => a.Id == agentId, cancellationToken))
        {
            return Failure.NotFound("The agent");
        }

        if (rollUpFirst is { } rollup)
        {
            await rollups.RollUpAsync(tenant.WorkspaceId, cancellationToken, rollup);
        }

        return new ReportPeriod(from, to, workspace.TimeZone, calendar);
    }
}
