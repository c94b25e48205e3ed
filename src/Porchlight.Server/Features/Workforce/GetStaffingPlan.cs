using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Features.Reports;
using Porchlight.Server.Features.Routing;
using Porchlight.Server.Features.Workforce.Planning;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workforce;

/// <summary>Which chats to plan for: one inbox's, one team's, or all; and how many weeks ahead (1–4).</summary>
public sealed record StaffingPlanQuery(Guid? InboxId, Guid? TeamId, int? Weeks);

/// <summary>One local half hour of the plan: expected chats with their 80% range, and the agents that meet the target.</summary>
/// <param name="Start">The instant it begins; null for a half hour the clocks skip.</param>
/// <param name="Multiplier">The product of the forecast adjustments that cover its day (1 without any).</param>
/// <param name="AgentsNeeded">Agents handling chats at once that meet the target.</param>
/// <param name="AgentsToSchedule">Agents on shift so that, after shrinkage, the needed ones are available.</param>
/// <param name="ServiceLevel">Share answered within the target's wait with the needed agents.</param>
/// <param name="AverageWaitSeconds">Average wait with the needed agents.</param>
public sealed record StaffingPlanInterval(
    DateOnly Day, TimeOnly LocalStart, DateTime? Start, double Expected, double Low, double High, double Multiplier,
    int AgentsNeeded, int AgentsToSchedule, double ServiceLevel, double AverageWaitSeconds);

/// <summary>The forecast's error on the last week of the history, forecast from the weeks before it, beside copying the week before.</summary>
public sealed record StaffingPlanAccuracy(double Mape, double Wape, double SeasonalNaiveMape, double SeasonalNaiveWape, bool ModelBeatsSeasonalNaive);

/// <summary>
/// A staffing plan. <c>handleTimeSource</c> says where the handle time came from: "setting", "measured" (the average
/// over the history's chats) or "default" (no chat was measured). Without enough history there are no intervals and
/// <c>notice</c> says why.
/// </summary>
public sealed record StaffingPlanResponse(
    string TimeZone, DateOnly FirstDay, int Weeks, Guid? InboxId, Guid? TeamId, int HistoryWeeks, int HistoryConversations,
    double HandleTimeSeconds, string HandleTimeSource, int ChatsPerAgent, StaffingSettingsResponse Settings,
    StaffingPlanAccuracy? Accuracy, IReadOnlyList<StaffingPlanInterval> Intervals, string? Notice);

/// <summary>
/// Forecasts the chats of the coming weeks from the history (docs/workforce.md), applies the forecast adjustments, and
/// works out per local half hour the agents that meet the staffing target. Chats only: email is answered in its own time.
/// The plan starts today, in the workspace's time zone; the history is the whole weeks before today.
/// </summary>
public sealed class GetStaffingPlan(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    public const int MaxWeeks = 4;

    /// <summary>The handle time planned with when nothing was measured and none is set: ten minutes.</summary>
    public static readonly TimeSpan DefaultHandleTime = TimeSpan.FromMinutes(10);

    public Task<Result<StaffingPlanResponse>> HandleAsync(StaffingPlanQuery query, CancellationToken cancellationToken) =>
        HandleAsync(query, withAccuracy: true, cancellationToken);

    /// <summary>
    /// The plan, with its backtest only when <paramref name="withAccuracy"/>: the backtest fits the model once more, and
    /// coverage, which reads the plan only for its agents, has no use for it.
    /// </summary>
    public async Task<Result<StaffingPlanResponse>> HandleAsync(StaffingPlanQuery query, bool withAccuracy, CancellationToken cancellationToken)
    {
        var weeks = query.Weeks ?? 2;
        if (weeks is < 1 or > MaxWeeks)
        {
            return Failure.Invalid("weeks", $"From 1 to {MaxWeeks}.");
        }

        if (query.InboxId is { } inboxId && !await db.Inboxes.AnyAsync(i => i.Id == inboxId, cancellationToken))
        {
            return Failure.NotFound("The inbox");
        }

        if (query.TeamId is { } teamId && !await db.Teams.AnyAsync(t => t.Id == teamId, cancellationToken))
        {
            return Failure.NotFound("The team");
        }

        var workspace = await db.Workspaces.Where(w => w.Id == actor.WorkspaceId).Select(w => new { w.TimeZone, w.Caps }).FirstAsync(cancellationToken);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(workspace.TimeZone);
        var settings = await StaffingTargets.CurrentAsync(db, actor.WorkspaceId, cancellationToken);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(clock.GetUtcNow().UtcDateTime, zone));

        // Planning counts every chat, whoever may see its inbox: it is a supervisor's view of the whole workload.
        var chats = db.Conversations.AcrossInboxes().Where(c => c.Origin == ConversationOrigin.Chat);
        if (query.InboxId is { } inbox)
        {
            chats = chats.Where(c => c.InboxId == inbox);
        }

        if (query.TeamId is { } team)
        {
            chats = chats.Where(c => c.TeamId == team);
        }

        // The history is the whole weeks before today, as many as set, fewer when the chats began later.
        var earliest = today.AddDays(-7 * settings.HistoryWeeks);
        var calendar = new LocalIntervals(zone, earliest);
        var firstChat = await chats.Where(c => c.CreatedAt >= calendar.StartOfDay(earliest)).MinAsync(c => (DateTime?)c.CreatedAt, cancellationToken);
        var historyWeeks = firstChat is null ? 0 : (today.DayNumber - DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(firstChat.Value, zone)).DayNumber) / 7;
        if (historyWeeks < StaffingSettings.MinHistoryWeeks)
        {
            var notice = $"A forecast learns from at least {StaffingSettings.MinHistoryWeeks} whole weeks of chats; there {(historyWeeks == 1 ? "is 1" : $"are {historyWeeks}")} so far.";
            return new StaffingPlanResponse(
                workspace.TimeZone, today, weeks, query.InboxId, query.TeamId, historyWeeks, 0, 0, "", 0, StaffingSettingsResponse.From(settings), null, [], notice);
        }

        var history = new LocalIntervals(zone, today.AddDays(-7 * historyWeeks));
        var from = history.StartOfDay(history.FirstDay);
        var to = history.StartOfDay(today);
        var arrivals = await chats.Where(c => c.CreatedAt >= from && c.CreatedAt < to).Select(c => c.CreatedAt).ToListAsync(cancellationToken);
        var counts = new double[historyWeeks * PlanningWeek.IntervalsPerWeek];
        foreach (var arrival in arrivals)
        {
            counts[history.IndexOf(arrival)]++;
        }

        var (handleTime, handleTimeSource) = await HandleTimeAsync(settings, chats, history.FirstDay, today, cancellationToken);
        var chatsPerAgent = settings.ChatsPerAgent ?? ConcurrencyCaps.Effective(ConcurrencyCaps.None, workspace.Caps, RoutingChannel.Chat);
        var ahead = new LocalIntervals(zone, today);
        var horizon = weeks * PlanningWeek.IntervalsPerWeek;
        var multipliers = await MultipliersAsync(query.InboxId, ahead, weeks * 7, cancellationToken);
        var forecast = VolumeForecaster.Forecast(counts, horizon, Adjustments(multipliers));
        var target = settings.Target();
        var intervals = new List<StaffingPlanInterval>(horizon);
        for (var index = 0; index < horizon; index++)
        {
            var expected = forecast.Intervals[index];
            var staffing = ChatStaffing.RequiredAgents(new IntervalWorkload(expected.Expected, handleTime, chatsPerAgent), target);
            intervals.Add(new StaffingPlanInterval(
                ahead.DayOf(index), LocalIntervals.LocalStartOf(index), ahead.StartOf(index), expected.Expected, expected.Low, expected.High,
                multipliers[index / PlanningWeek.IntervalsPerDay], staffing.AgentsNeeded, staffing.AgentsToSchedule,
                staffing.Performance.ServiceLevel, staffing.Performance.AverageSpeedOfAnswer.TotalSeconds));
        }

        StaffingPlanAccuracy? accuracy = null;
        if (withAccuracy && historyWeeks > StaffingSettings.MinHistoryWeeks)
        {
            var backtest = VolumeForecaster.Backtest(counts, heldOutWeeks: 1);
            accuracy = new StaffingPlanAccuracy(backtest.Model.Mape, backtest.Model.Wape, backtest.SeasonalNaive.Mape, backtest.SeasonalNaive.Wape, backtest.ModelBeatsSeasonalNaive);
        }

        return new StaffingPlanResponse(
            workspace.TimeZone, today, weeks, query.InboxId, query.TeamId, historyWeeks, arrivals.Count, handleTime.TotalSeconds, handleTimeSource,
            chatsPerAgent, StaffingSettingsResponse.From(settings), accuracy, intervals, Notice: null);
    }

    /// <summary>The set handle time, else the average hold of the history's chats (report facts), else the default.</summary>
    private async Task<(TimeSpan HandleTime, string Source)> HandleTimeAsync(
        StaffingSettings settings, IQueryable<Conversation> chats, DateOnly firstDay, DateOnly today, CancellationToken cancellationToken)
    {
        if (settings.HandleTimeSeconds is { } seconds)
        {
            return (TimeSpan.FromSeconds(seconds), "setting");
        }

        var measured = await db.ReportFacts
            .Where(f => f.Metric == ReportMetric.HandleTime && f.Day >= firstDay && f.Day < today && chats.Any(c => c.Id == f.ConversationId))
            .AverageAsync(f => (double?)f.Milliseconds, cancellationToken);
        return measured is > 0 ? (TimeSpan.FromMilliseconds(measured.Value), "measured") : (DefaultHandleTime, "default");
    }

    /// <summary>Per day ahead, the product of the adjustments that cover it for the inbox (or for all inboxes).</summary>
    private async Task<double[]> MultipliersAsync(Guid? inboxId, LocalIntervals ahead, int days, CancellationToken cancellationToken)
    {
        var lastDay = ahead.FirstDay.AddDays(days - 1);
        var adjustments = await db.ForecastAdjustments.AsNoTracking()
            .Where(a => a.FirstDay <= lastDay && a.LastDay >= ahead.FirstDay && (a.InboxId == null || a.InboxId == inboxId))
            .ToListAsync(cancellationToken);
        var multipliers = new double[days];
        for (var day = 0; day < days; day++)
        {
            var date = ahead.FirstDay.AddDays(day);
            multipliers[day] = adjustments.Where(a => a.Covers(date, inboxId)).Aggregate(1.0, (product, a) => product * a.Multiplier);
        }

        return multipliers;
    }

    private static List<VolumeAdjustment> Adjustments(double[] multipliers) =>
        [.. multipliers.Select((multiplier, day) => new VolumeAdjustment(day * PlanningWeek.IntervalsPerDay, PlanningWeek.IntervalsPerDay, multiplier))
            .Where(adjustment => adjustment.Multiplier != 1)];
}
