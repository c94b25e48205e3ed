using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;
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
/// Customers who came back: of the conversations begun in the period, how many were begun by a contact who had begun
/// another conversation in the 7 (30) days before, and the rates (null without conversations). Filters count as the
/// overview's conversations do (the inbox, and the team when the conversation began).
/// </summary>
public sealed record RepeatContactsResponse(DateOnly From, DateOnly To, int Conversations, int Within7Days, int Within30Days, double? Rate7Days, double? Rate30Days);

/// <summary>
/// A topic (a label) in the period against the period before: conversations, the change, the customers' tone, and
/// whether it is rising (at least <see cref="GetServiceReports.RisingAtLeast"/> conversations and half again as many as before).
/// </summary>
public sealed record TopicInsight(
    string Label, int Conversations, int PreviousConversations, double? Change, double? NegativeRate, double? AverageSentiment, bool Rising,
    List<ConversationExample> Examples);

public sealed record ToneDay(DateOnly Day, ToneFigure Tone);

/// <summary>
/// What is going on: the topics, rising ones first, with example conversations; the customers' tone per day; and the
/// frequent phrases of their opening messages (of the latest <see cref="FrequentPhrases.Sample"/> conversations of each period).
/// </summary>
public sealed record InsightsResponse(
    DateOnly From, DateOnly To, DateOnly PreviousFrom, DateOnly PreviousTo, List<TopicInsight> Topics, ToneFigure Tone, List<ToneDay> ToneByDay,
    List<PhraseTrend> Phrases, int SampledConversations, int PreviousSampledConversations);

/// <summary>
/// One article's reads in the period: all, those settled (a day has passed since), those its reader followed with a
/// conversation within the day, and the share of settled reads not followed (null before any settled).
/// </summary>
public sealed record ArticleDeflectionRow(Guid ArticleId, string Title, int Reads, int Settled, int FollowedByConversation, double? DeflectionRate, int Helpful, int NotHelpful);

/// <summary>
/// Self-service in the period: the assistant's conversations (contained, handed over; the overview's figures) and the
/// knowledge base's article reads in the widget with their deflection, in total and per article (most read first).
/// </summary>
public sealed record SelfServiceResponse(
    DateOnly From, DateOnly To, int AssistantConversations, int Contained, double? ContainmentRate, int HandedOver, double? HandoverRate,
    int Reads, int Readers, int Settled, int FollowedByConversation, double? DeflectionRate, List<ArticleDeflectionRow> Articles);

/// <summary>
/// The service-level report (per policy and promise) and the survey report. A clock counts on the day it ended met or
/// breached, or, while it still runs late, on the day it was breached; cancelled clocks (no policy covers the
/// conversation any more) do not count. Filters by inbox, team and agent read the conversation's current ones for
/// clocks, and the survey's (the agent and team the answer counts for) for surveys.
/// </summary>
public sealed class GetServiceReports(AppDbContext db, ReportPeriods periods, GetReport reports, TimeProvider clock)
{
    public const int MaxAnswers = 200;

    /// <summary>A read is deflected when its reader begins no conversation within this time after it.</summary>
    public static readonly TimeSpan DeflectionWindow = TimeSpan.FromDays(1);

    /// <summary>The fewest conversations of a topic that can count as rising (fewer are noise).</summary>
    public const int RisingAtLeast = 5;

    private const int TopicsWithExamples = 10;
    private const int ExamplesPerTopic = 3;

    public Task<Result<InsightsResponse>> InsightsAsync(ReportQuery query, CancellationToken cancellationToken) =>
        WithOverviewAsync(query, overview => InsightsAsync(overview, query, cancellationToken), cancellationToken);

    /// <summary>The insights of the period of <paramref name="o"/>, an overview already read with the same <paramref name="query"/>.</summary>
    public async Task<InsightsResponse> InsightsAsync(ReportResponse o, ReportQuery query, CancellationToken cancellationToken)
    {
        var now = await reports.TopicsAsync(query with { From = o.From, To = o.To, Days = null }, cancellationToken);
        var before = await reports.TopicsAsync(query with { From = o.PreviousFrom, To = o.PreviousTo, Days = null }, cancellationToken);
        var current = now.Value!.Rows.Where(r => r.Name != GetReport.NoLabel).ToDictionary(r => r.Name, r => r.Figures);
        var previous = before.Value!.Rows.Where(r => r.Name != GetReport.NoLabel).ToDictionary(r => r.Name, r => r.Figures.Conversations);
        var calendar = (await db.Workspaces.AsNoTracking().FirstAsync(cancellationToken)).Calendar();
        var (start, end, previousStart) = (calendar.StartOf(o.From), calendar.StartOf(o.To.AddDays(1)), calendar.StartOf(o.PreviousFrom));
        var topics = new List<TopicInsight>();
        foreach (var (label, figures) in current.OrderByDescending(t => t.Value.Conversations).ThenBy(t => t.Key, StringComparer.Ordinal))
        {
            var (count, earlier) = (figures.Conversations, previous.GetValueOrDefault(label));
            var examples = topics.Count < TopicsWithExamples
                ? await OpeningsAsync(Begun(query, start, end).Where(c => c.Labels.Contains(label)), ExamplesPerTopic, cancellationToken)
                : [];
            topics.Add(new TopicInsight(label, count, earlier, earlier == 0 ? null : (double)(count - earlier) / earlier,
                figures.CustomerTone.NegativeRate, figures.CustomerTone.AverageSentiment, count >= RisingAtLeast && count >= 1.5 * earlier,
                examples.ConvertAll(e => e with { Opening = FrequentPhrases.Shortened(e.Opening) })));
        }

        var openings = await OpeningsAsync(Begun(query, start, end), FrequentPhrases.Sample, cancellationToken);
        var openingsBefore = await OpeningsAsync(Begun(query, previousStart, start), FrequentPhrases.Sample, cancellationToken);
        return new InsightsResponse(
            o.From, o.To, o.PreviousFrom, o.PreviousTo,
            [.. topics.OrderByDescending(t => t.Rising).ThenByDescending(t => t.Conversations).ThenBy(t => t.Label, StringComparer.Ordinal)],
            o.Figures.CustomerTone, o.Days.ConvertAll(d => new ToneDay(d.Day, d.Figures.CustomerTone)),
            FrequentPhrases.Compare(openings, openingsBefore), openings.Count, openingsBefore.Count);
    }

    // The conversations begun between two instants, in the inbox, team and agent asked for (their current ones).
    private IQueryable<Conversation> Begun(ReportQuery query, DateTime start, DateTime end)
    {
        var begun = db.Conversations.AcrossInboxes().AsNoTracking().Where(c => c.CreatedAt >= start && c.CreatedAt < end);
        begun = query.InboxId is { } inboxId ? begun.Where(c => c.InboxId == inboxId) : begun;
        begun = query.TeamId is { } teamId ? begun.Where(c => c.TeamId == teamId) : begun;
        return query.AgentId is { } agentId ? begun.Where(c => c.AssigneeId == agentId) : begun;
    }

    // The latest conversations the customer opened with text, each with its opening.
    private static async Task<List<ConversationExample>> OpeningsAsync(IQueryable<Conversation> conversations, int count, CancellationToken cancellationToken) =>
        await conversations.Where(c => c.Opening != null).OrderByDescending(c => c.CreatedAt).Take(count)
            .Select(c => new ConversationExample(c.Id, c.Number, c.Opening!))
            .ToListAsync(cancellationToken);

    public async Task<Result<SlaReportResponse>> SlaAsync(ReportQuery query, CancellationToken cancellationToken)
    {
        var resolved = await periods.ResolveAsync(query, rollUpFirst: null, cancellationToken);
        if (!resolved.Succeeded)
        {
            return resolved.Failure!;
        }

        var period = resolved.Value!;
        var (start, end) = (period.Start, period.End);
        var conversations = db.Conversations.AcrossInboxes().AsNoTracking();
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

    public Task<Result<SurveyReportResponse>> SurveysAsync(ReportQuery query, CancellationToken cancellationToken) =>
        WithOverviewAsync(query, overview => SurveysAsync(overview, query, cancellationToken), cancellationToken);

    /// <summary>The survey report of the period of <paramref name="overview"/>, an overview already read with the same <paramref name="query"/>.</summary>
    public async Task<SurveyReportResponse> SurveysAsync(ReportResponse overview, ReportQuery query, CancellationToken cancellationToken)
    {
        var (from, to) = (overview.From, overview.To);
        var calendar = (await db.Workspaces.AsNoTracking().FirstAsync(cancellationToken)).Calendar();
        var (start, end) = (calendar.StartOf(from), calendar.StartOf(to.AddDays(1)));
        var answered = db.SurveyResponses.AsNoTracking().Where(r => r.AnsweredAt >= start && r.AnsweredAt < end);
        answered = query.TeamId is { } teamId ? answered.Where(r => r.TeamId == teamId) : answered;
        answered = query.AgentId is { } agentId ? answered.Where(r => r.AgentId == agentId) : answered;
        var rows =
            from r in answered
            join c in db.Conversations.AcrossInboxes() on r.ConversationId equals c.Id
            where query.InboxId == null || c.InboxId == query.InboxId
            select new { r, c.Number, c.ContactId };
        var comments = await rows.CountAsync(x => x.r.Comment != null, cancellationToken);
        var latest = await rows.OrderByDescending(x => x.r.AnsweredAt).Take(MaxAnswers)
            .GroupJoin(db.Contacts, x => x.ContactId, k => k.Id, (x, contacts) => new { x, contacts })
            .SelectMany(x => x.contacts.DefaultIfEmpty(), (x, contact) => new { x.x.r, x.x.Number, x.x.ContactId, Name = contact == null ? null : contact.Name, Email = contact == null ? null : contact.Email })
            .ToListAsync(cancellationToken);
        return new SurveyReportResponse(from, to, overview.Figures, comments, latest.ConvertAll(x => new SurveyAnswerRow(
            x.r.ConversationId, x.Number, ContactSummary.Of(x.ContactId, x.Name, x.Email).Name, x.r.AnsweredAt!.Value, x.r.Rating, x.r.Effort, x.r.Recommend, x.r.Comment, x.r.AgentId)));
    }

    /// <summary>Customers who came back, from the overview's figures (facts counted when each conversation began).</summary>
    public Task<Result<RepeatContactsResponse>> RepeatContactsAsync(ReportQuery query, CancellationToken cancellationToken) =>
        WithOverviewAsync(query, o => Task.FromResult(new RepeatContactsResponse(o.From, o.To, o.Figures.Conversations, o.Figures.RepeatContacts7Days,
            o.Figures.RepeatContacts30Days, o.Figures.RepeatContactRate7Days, o.Figures.RepeatContactRate30Days)), cancellationToken);

    public Task<Result<SelfServiceResponse>> SelfServiceAsync(ReportQuery query, CancellationToken cancellationToken) =>
        WithOverviewAsync(query, overview => SelfServiceAsync(overview, query, cancellationToken), cancellationToken);

    /// <summary>
    /// Self-service in the period of <paramref name="overview"/>, an overview already read with the same <paramref name="query"/>.
    /// Reads count on the day read, in the inbox whose widget showed them; the team and agent filters do not apply to them.
    /// </summary>
    public async Task<SelfServiceResponse> SelfServiceAsync(ReportResponse overview, ReportQuery query, CancellationToken cancellationToken)
    {
        var calendar = (await db.Workspaces.AsNoTracking().FirstAsync(cancellationToken)).Calendar();
        var (start, end) = (calendar.StartOf(overview.From), calendar.StartOf(overview.To.AddDays(1)));
        var settledBy = clock.GetUtcNow().UtcDateTime - DeflectionWindow;
        var reads = db.ArticleReads.AsNoTracking().Where(r => r.ReadAt >= start && r.ReadAt < end);
        reads = query.InboxId is { } inboxId ? reads.Where(r => r.InboxId == inboxId) : reads;
        var perArticle = await reads
            .Select(r => new
            {
                r.ArticleId,
                Settled = r.ReadAt <= settledBy,
                Followed = r.ReadAt <= settledBy && db.Conversations.AcrossInboxes().Any(c => c.ContactId == r.ContactId && c.CreatedAt >= r.ReadAt && c.CreatedAt < r.ReadAt.AddDays(1)),
            })
            .GroupBy(r => r.ArticleId)
            .Select(g => new { ArticleId = g.Key, Reads = g.Count(), Settled = g.Count(r => r.Settled), Followed = g.Count(r => r.Followed) })
            .ToListAsync(cancellationToken);
        var readers = await reads.Select(r => r.ContactId).Distinct().CountAsync(cancellationToken);
        var ids = perArticle.ConvertAll(a => a.ArticleId);
        var articles = await db.Articles.AsNoTracking().Where(a => ids.Contains(a.Id))
            .Select(a => new { a.Id, a.Title, a.Helpful, a.NotHelpful }).ToDictionaryAsync(a => a.Id, cancellationToken);
        var rows = perArticle
            .Select(a => new ArticleDeflectionRow(a.ArticleId, articles[a.ArticleId].Title, a.Reads, a.Settled, a.Followed, Deflection(a.Settled, a.Followed),
                articles[a.ArticleId].Helpful, articles[a.ArticleId].NotHelpful))
            .OrderByDescending(r => r.Reads).ThenBy(r => r.Title, StringComparer.CurrentCultureIgnoreCase).ToList();
        var (settled, followed) = (rows.Sum(r => r.Settled), rows.Sum(r => r.FollowedByConversation));
        var f = overview.Figures;
        return new SelfServiceResponse(
            overview.From, overview.To, f.AssistantAttended, f.Contained, f.ContainmentRate, f.HandedOver, f.HandoverRate,
            rows.Sum(r => r.Reads), readers, settled, followed, Deflection(settled, followed), rows);
    }

    // A report read beside the overview of the same query: the overview's failure (a bad period or filter) is the report's.
    private async Task<Result<T>> WithOverviewAsync<T>(ReportQuery query, Func<ReportResponse, Task<T>> report, CancellationToken cancellationToken)
    {
        var overview = await reports.OverviewAsync(query, cancellationToken);
        return overview.Succeeded ? await report(overview.Value!) : overview.Failure!;
    }

    private static double? Deflection(int settled, int followed) => settled == 0 ? null : (double)(settled - followed) / settled;

    private static double? Compliance(int met, int breached) => met + breached == 0 ? null : (double)met / (met + breached);
}
