using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Email;
using Porchlight.Server.Features.Webhooks;
using Porchlight.Server.Hosting;
using Porchlight.Server.Hosting.Cluster;

namespace Porchlight.Server.Features.Reports;

/// <summary>
/// A week's digest: the week (Monday first), the subject and plain text of the email, and the figures it tells of for
/// a receiver that reads them (the <c>report.weekly_digest</c> webhook carries the same).
/// </summary>
public sealed record DigestResponse(
    DateOnly Week, string Subject, string Text, ReportFigures Figures, ReportFigures Previous, double? SlaComplianceRate, double? CameBackWithin7Days,
    List<TopicInsight> RisingTopics, List<PhraseTrend> RisingPhrases);

/// <summary>
/// The weekly digest of the reports: a week's main figures against the week before, SLA compliance, the customers'
/// tone and the rising topics, in a few lines of plain text, with a link to the reports.
/// </summary>
public sealed class Digests(AppDbContext db, GetReport reports, GetServiceReports service, PublicUrls urls, TimeProvider clock)
{
    /// <param name="week">Any day of the week; by default the last full week in the workspace's time zone.</param>
    public async Task<Result<DigestResponse>> ComposeAsync(DateOnly? week, CancellationToken cancellationToken)
    {
        if (!ReportPeriods.IsReportDay(week) || week >= ReportPeriods.LastDay.AddDays(-6))
        {
            return Failure.Invalid("week", ReportPeriods.DayRule);
        }

        var workspace = await db.Workspaces.AsNoTracking().SingleAsync(cancellationToken);
        var monday = ReportPeriods.WeekOf(week ?? workspace.Calendar().DayOf(clock.GetUtcNow().UtcDateTime).AddDays(-7));
        var query = new ReportQuery(From: monday, To: monday.AddDays(6));
        var overview = await reports.OverviewAsync(query, cancellationToken);
        if (!overview.Succeeded)
        {
            return overview.Failure!;
        }

        var (f, p) = (overview.Value!.Figures, overview.Value.Previous);
        var sla = (await service.SlaAsync(query, cancellationToken)).Value!;
        var repeat = (await service.RepeatContactsAsync(query, cancellationToken)).Value!;
        var insights = await service.InsightsAsync(overview.Value!, query, cancellationToken);
        var rising = insights.Topics.Where(t => t.Rising).ToList();
        var text = new StringBuilder()
            .AppendLine($"{workspace.Name}: the week of {ReportFormat.Day(monday)} to {ReportFormat.Day(monday.AddDays(6))} ({workspace.TimeZone})")
            .AppendLine()
            .AppendLine($"Conversations: {ReportFormat.Number(f.Conversations)} (the week before: {ReportFormat.Number(p.Conversations)})")
            .AppendLine($"First response: {ReportFormat.Duration(f.FirstResponse.AverageSeconds)} on average (the week before: {ReportFormat.Duration(p.FirstResponse.AverageSeconds)})")
            .AppendLine($"Resolution: {ReportFormat.Duration(f.Resolution.AverageSeconds)} on average")
            .AppendLine($"Resolved: {ReportFormat.Number(f.ResolvedConversations)}, {ReportFormat.Rate(f.FirstContactResolutionRate)} in one contact")
            .AppendLine($"Satisfied (CSAT): {ReportFormat.Rate(f.SatisfiedRate)} of {ReportFormat.Count(f.Satisfaction.Count, "answer", "answers")}")
            .AppendLine($"SLA compliance: {ReportFormat.Rate(sla.ComplianceRate)} ({ReportFormat.Count(sla.Breached, "breach", "breaches")})")
            .AppendLine($"Negative tone: {ReportFormat.Rate(f.CustomerTone.NegativeRate)} of {ReportFormat.Count(f.CustomerTone.Conversations, "conversation", "conversations")}")
            .AppendLine($"Came back within 7 days: {ReportFormat.Rate(repeat.Rate7Days)}")
            .AppendLine()
            .AppendLine(rising.Count == 0 ? "No topic rose." : "Rising topics:");
        foreach (var topic in rising)
        {
            text.AppendLine($"- {topic.Label}: {ReportFormat.Number(topic.Conversations)} conversations ({ReportFormat.Number(topic.PreviousConversations)} the week before), negative tone {ReportFormat.Rate(topic.NegativeRate)}");
        }

        var risingPhrases = insights.Phrases.Where(trend => trend.Rising).Take(5).ToList();
        if (risingPhrases.Count > 0)
        {
            text.AppendLine().AppendLine("Customers wrote more often of:");
            foreach (var phrase in risingPhrases)
            {
                text.AppendLine($"- “{phrase.Phrase}”: {ReportFormat.Rate(phrase.Share)} of conversations ({ReportFormat.Rate(phrase.PreviousShare)} the week before)");
            }
        }

        text.AppendLine().AppendLine($"The reports: {urls.To($"/reports?view=insights")}");
        return new DigestResponse(
            monday, $"[{workspace.Name}] Your week in support: {ReportFormat.Day(monday)} to {ReportFormat.Day(monday.AddDays(6))}", text.ToString(),
            f, p, sla.ComplianceRate, repeat.Rate7Days, rising, risingPhrases);
    }
}

/// <summary>
/// Sends each workspace's digest of the last full week, once: by email to its active agents who asked for it and may
/// read the reports (while a mail server is configured), and to the webhooks subscribed to <c>report.weekly_digest</c>.
/// Runs hourly and sends on the first pass after the week ends in the workspace's time zone.
/// </summary>
public sealed class WeeklyDigest(
    IServiceScopeFactory scopes, SmtpMailer mailer, IOptions<SmtpOptions> smtp, WebhookSender webhooks, JobLeases leases, TimeProvider clock, IConfiguration configuration,
    ILogger<WeeklyDigest> logger)
    : BackgroundService
{
    /// <returns>How many emails and webhook deliveries it sent.</returns>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var workspaceIds = await WorkspacesWithReadersAsync(cancellationToken);
        var sent = 0;
        foreach (var workspaceId in workspaceIds)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var workspace = await db.Workspaces.SingleAsync(cancellationToken);
            var week = ReportPeriods.WeekOf(workspace.Calendar().DayOf(clock.GetUtcNow().UtcDateTime)).AddDays(-7);
            if (workspace.LastDigestWeek >= week)
            {
                continue;
            }

            var digest = (await scope.ServiceProvider.GetRequiredService<Digests>().ComposeAsync(week, cancellationToken)).Value!;
            foreach (var email in smtp.Value.IsConfigured ? await EmailReadersAsync(db, cancellationToken) : [])
            {
                await mailer.SendAsync(email, digest.Subject, digest.Text, cancellationToken);
                sent++;
            }

            // One delivery per subscription and week, even if this pass runs again after a failure below.
            var delivered = await scope.ServiceProvider.GetRequiredService<WebhookOutbox>()
                .AddAsync(WebhookEvents.WeeklyDigest, digest, $"{WebhookEvents.WeeklyDigest}:{week:yyyy-MM-dd}", orderingKey: null, inboxId: null, subscriptionId: null, cancellationToken);
            // Marked after sending: a failure sends the week again on the next pass (at least once, never skipped).
            workspace.DigestSent(week);
            await db.SaveChangesAsync(cancellationToken);
            sent += delivered;
        }

        if (sent > 0)
        {
            webhooks.Notify();
        }

        return sent;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => leases.RunAsync(
        nameof(WeeklyDigest), configuration.GetValue("Reports:DigestInterval", TimeSpan.FromHours(1)), logger, "Sending the weekly digests", SendDueAsync, stoppingToken);

    // Operator scope: every workspace with someone who reads the digest, by email or by webhook.
    private async Task<List<Guid>> WorkspacesWithReadersAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var byEmail = smtp.Value.IsConfigured
            ? await db.Agents.IgnoreQueryFilters().Where(a => a.IsActive && a.WantsWeeklyDigest).Select(a => a.WorkspaceId).Distinct().ToListAsync(cancellationToken)
            : [];
        var byWebhook = (await db.WebhookSubscriptions.IgnoreQueryFilters().AsNoTracking().Where(s => s.IsActive)
                .Select(s => new { s.WorkspaceId, s.Events }).ToListAsync(cancellationToken))
            .Where(s => s.Events.Contains(WebhookEvents.WeeklyDigest)).Select(s => s.WorkspaceId);
        return [.. byEmail.Union(byWebhook)];
    }

    private static async Task<List<string>> EmailReadersAsync(AppDbContext db, CancellationToken cancellationToken) =>
        (await AgentsAllowed.ToAsync(db.Agents.Where(a => a.WantsWeeklyDigest && a.Email != null), Permission.ViewReports, cancellationToken))
        .ConvertAll(a => a.Email!);
}
