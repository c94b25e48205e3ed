using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Reports;

/// <summary>The reports as CSV: the same figures as the tables, a column per figure, times in seconds, rates as fractions.</summary>
public static class ReportCsv
{
    private static readonly string[] FigureColumns =
    [
        "conversations", "reached_people", "assistant_attended", "handed_over", "contained", "containment_rate",
        "first_responses", "first_response_avg_s", "first_response_avg_business_s", "next_responses", "next_response_avg_s",
        "resolutions", "resolution_avg_s", "resolution_avg_business_s", "queue_waits", "queue_wait_avg_s", "handle_time_total_s",
        "resolved_conversations", "resolved_in_one_contact", "first_contact_resolution_rate", "reopens", "reopen_rate",
        "transfers", "transfers_per_conversation", "escalations", "escalation_rate", "time_to_escalate_avg_s",
        "satisfaction_answers", "satisfaction_avg", "satisfied_rate", "effort_answers", "effort_avg", "recommend_answers", "net_promoter_score",
        "tone_conversations", "negative_tone_rate", "average_sentiment",
        "repeat_contacts_7d", "repeat_contacts_30d", "repeat_contact_rate_7d", "repeat_contact_rate_30d",
    ];

    public static string Days(ReportResponse report)
    {
        var csv = new CsvText().Row(["day", .. FigureColumns]);
        foreach (var day in report.Days)
        {
            csv.Row([day.Day, .. Figures(day.Figures)]);
        }

        return csv.Row(["total", .. Figures(report.Figures)]).ToString();
    }

    /// <summary>A breakdown's rows and total; the agents' also with their hours (see <see cref="AgentTime"/>).</summary>
    public static string Breakdown(BreakdownResponse breakdown)
    {
        var timed = breakdown.By == ReportBreakdown.Agent;
        string[] timeColumns = timed ? ["hours_online", "hours_away", "hours_break", "hours_worked", "resolved_per_worked_hour", "cost_per_resolved"] : [];
        var csv = new CsvText().Row(["id", "name", .. FigureColumns, .. timeColumns]);
        foreach (var row in breakdown.Rows)
        {
            csv.Row([row.Id, row.Name, .. Figures(row.Figures), .. timed ? Hours(row.Time) : []]);
        }

        return csv.Row(["", "total", .. Figures(breakdown.Total), .. timed ? Hours(breakdown.TotalTime) : []]).ToString();
    }

    private static object?[] Hours(AgentTime? t) =>
        [t?.OnlineHours, t?.AwayHours, t?.BreakHours, t?.WorkedHours, t?.ResolvedPerWorkedHour, t?.CostPerResolved];

    public static string Sla(SlaReportResponse report)
    {
        var csv = new CsvText().Row(["policy_id", "policy", "metric", "met", "breached", "compliance_rate"]);
        foreach (var row in report.Rows)
        {
            csv.Row([row.PolicyId, row.PolicyName, row.Metric, row.Met, row.Breached, row.ComplianceRate]);
        }

        return csv.Row(["", "total", "", report.Met, report.Breached, report.ComplianceRate]).ToString();
    }

    /// <summary>The answers listed in the survey report (the latest ones), with their comments.</summary>
    public static string Surveys(SurveyReportResponse report)
    {
        var csv = new CsvText().Row(["answered_at", "conversation", "contact", "agent_id", "rating", "effort", "recommend", "comment"]);
        foreach (var a in report.Answers)
        {
            csv.Row([a.AnsweredAt, a.ConversationNumber, a.ContactName, a.AgentId, a.Rating, a.Effort, a.Recommend, a.Comment]);
        }

        return csv.ToString();
    }

    /// <summary>The article reads per article and in total (the assistant's figures are the overview's).</summary>
    public static string SelfService(SelfServiceResponse report)
    {
        var csv = new CsvText().Row(["article_id", "article", "reads", "settled_reads", "followed_by_conversation", "deflection_rate", "helpful", "not_helpful"]);
        foreach (var a in report.Articles)
        {
            csv.Row([a.ArticleId, a.Title, a.Reads, a.Settled, a.FollowedByConversation, a.DeflectionRate, a.Helpful, a.NotHelpful]);
        }

        return csv.Row(["", "total", report.Reads, report.Settled, report.FollowedByConversation, report.DeflectionRate, "", ""]).ToString();
    }

    private static object?[] Figures(ReportFigures f) =>
    [
        f.Conversations, f.ReachedPeople, f.AssistantAttended, f.HandedOver, f.Contained, f.ContainmentRate,
        f.FirstResponse.Count, f.FirstResponse.AverageSeconds, f.FirstResponse.AverageBusinessSeconds, f.NextResponse.Count, f.NextResponse.AverageSeconds,
        f.Resolution.Count, f.Resolution.AverageSeconds, f.Resolution.AverageBusinessSeconds, f.QueueWait.Count, f.QueueWait.AverageSeconds, f.HandleTime.TotalSeconds,
        f.ResolvedConversations, f.ResolvedInOneContact, f.FirstContactResolutionRate, f.Reopens, f.ReopenRate,
        f.Transfers, f.TransfersPerConversation, f.Escalations, f.EscalationRate, f.TimeToEscalate.AverageSeconds,
        f.Satisfaction.Count, f.Satisfaction.Average, f.SatisfiedRate, f.Effort.Count, f.Effort.Average, f.Recommend.Count, f.NetPromoterScore,
        f.CustomerTone.Conversations, f.CustomerTone.NegativeRate, f.CustomerTone.AverageSentiment,
        f.RepeatContacts7Days, f.RepeatContacts30Days, f.RepeatContactRate7Days, f.RepeatContactRate30Days,
    ];
}
