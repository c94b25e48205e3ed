using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Sla;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Reports;

/// <summary>How often one policy kept one promise: clocks met, clocks breached, and the share met (null when none ended).</summary>
public sealed record SlaReportRow(Guid? PolicyId, string PolicyName, SlaMetric Metric, int Met, int Breached, double? ComplianceRate);

public sealed record SlaReportResponse(DateOnly From, DateOnly To, List<SlaReportRow> Rows, int Met, int Breached, double? ComplianceRate);

/// <summary>One answered survey, with what the contact wrote.</summary>
public sealed record SurveyAnswerRow(
    Guid ConversationId, int ConversationNumber, string ContactName, DateTime AnsweredAt, int? Rating, int? Effort, int? Recommend, string? Comment, Guid? AgentId);

/// <summary>
/// The surveys of a period: the scores (the same figures as the overview's, from the same rollups) and the latest
/// answers with their comments.
/// </summary>
public sealed record SurveyReportResponse(DateOnly From, DateOnly To, ReportFigures Figures, int Comments, List<SurveyAnswerRow> Answers);

/// <summary>
/// The service-level report (per policy and promise) and the survey report. A clock counts on the day it ended met or
/// breached, or, while it still runs late, on the day it was breached; cancelled clocks (no policy covers the
/// conversation any more) do not count. Filters by inbox, team and agent read the conversation's current ones for
/// clocks, and the survey's (the agent and team the answer counts for) for surveys.
/// </summary>
public sealed class GetServiceReports(AppDbContext db, ReportPeriods periods, GetReport reports)
{
    public const int MaxAnswers = 200;

    public async Task<Result<SlaReportResponse>> SlaAsync(ReportQuery query, CancellationToken cancellationToken)
    {
        var resolved = await periods.ResolveAsync(query, cancellationToken);
        if (!resolved.Succeeded)
        {
            return resolved.Failure!;
        }

        var period = resolved.Value!;
        var (start, end) = (period.Start, period.End);
        var conversations = db.Conversations.AsNoTracking();
        conversations = query.InboxId is { } inboxId ? conversations.Where(c => c.InboxId == inboxId) : conversations;
        conversations = query.TeamId is { } teamId ? conversations.Where(c => c.TeamId == teamId) : conversations;
        conversations = query.AgentId is { } agentId ? conversations.Where(c => c.AssigneeId == agentId) : conversations;
        var counts = await (
                from clock in db.SlaClocks.AsNoTracking()
                join c in conversations on clock.ConversationId equals c.Id
                where ((clock.Outcome == SlaOutcome.Met || clock.Outcome == SlaOutcome.Breached) && clock.StoppedAt >= start && clock.StoppedAt < end)
                      || (clock.Outcome == null && clock.BreachedAt >= start && clock.BreachedAt < end)
                group clock by new { clock.PolicyId, clock.Metric, Breached = clock.Outcome != SlaOutcome.Met } into g
                select new { g.Key.PolicyId, g.Key.Metric, g.Key.Breached, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var policyIds = counts.Select(c => c.PolicyId).OfType<Guid>().Distinct().ToList();
        var names = await db.SlaPolicies.AsNoTracking().Where(p => policyIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken);
        var rows = counts.GroupBy(c => (c.PolicyId, c.Metric))
            .Select(g =>
            {
                var (met, breached) = (g.Where(c => !c.Breached).Sum(c => c.Count), g.Where(c => c.Breached).Sum(c => c.Count));
                var name = g.Key.PolicyId is { } id ? names.GetValueOrDefault(id, "(deleted policy)") : "(deleted policy)";
                return new SlaReportRow(g.Key.PolicyId, name, g.Key.Metric, met, breached, Compliance(met, breached));
            })
            .OrderBy(r => r.PolicyName, StringComparer.CurrentCultureIgnoreCase).ThenBy(r => r.Metric).ToList();
        var (allMet, allBreached) = (rows.Sum(r => r.Met), rows.Sum(r => r.Breached));
        return new SlaReportResponse(period.From, period.To, rows, allMet, allBreached, Compliance(allMet, allBreached));
    }

    public async Task<Result<SurveyReportResponse>> SurveysAsync(ReportQuery query, CancellationToken cancellationToken)
    {
        var overview = await reports.OverviewAsync(query, cancellationToken);
        if (!overview.Succeeded)
        {
            return overview.Failure!;
        }

        var (from, to) = (overview.Value!.From, overview.Value.To);
        var calendar = (await db.Workspaces.AsNoTracking().FirstAsync(cancellationToken)).Calendar();
        var (start, end) = (calendar.StartOf(from), calendar.StartOf(to.AddDays(1)));
        var answered = db.SurveyResponses.AsNoTracking().Where(r => r.AnsweredAt >= start && r.AnsweredAt < end);
        answered = query.TeamId is { } teamId ? answered.Where(r => r.TeamId == teamId) : answered;
        answered = query.AgentId is { } agentId ? answered.Where(r => r.AgentId == agentId) : answered;
        var rows =
            from r in answered
            join c in db.Conversations on r.ConversationId equals c.Id
            where query.InboxId == null || c.InboxId == query.InboxId
            select new { r, c.Number, c.ContactId };
        var comments = await rows.CountAsync(x => x.r.Comment != null, cancellationToken);
        var latest = await rows.OrderByDescending(x => x.r.AnsweredAt).Take(MaxAnswers)
            .GroupJoin(db.Contacts, x => x.ContactId, k => k.Id, (x, contacts) => new { x, contacts })
            .SelectMany(x => x.contacts.DefaultIfEmpty(), (x, contact) => new { x.x.r, x.x.Number, x.x.ContactId, Name = contact == null ? null : contact.Name, Email = contact == null ? null : contact.Email })
            .ToListAsync(cancellationToken);
        return new SurveyReportResponse(from, to, overview.Value.Figures, comments, latest.ConvertAll(x => new SurveyAnswerRow(
            x.r.ConversationId, x.Number, ContactSummary.Of(x.ContactId, x.Name, x.Email).Name, x.r.AnsweredAt!.Value, x.r.Rating, x.r.Effort, x.r.Recommend, x.r.Comment, x.r.AgentId)));
    }

    private static double? Compliance(int met, int breached) => met + breached == 0 ? null : (double)met / (met + breached);
}
