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

    public static string Breakdown(BreakdownResponse breakdown)
    {
        var csv = new CsvText().Row(["id", "name", .. FigureColumns]);
        foreach (var row in breakdown.Rows)
        {
            csv.Row([row.Id, row.Name, .. Figures(row.Figures)]);
        }

        return csv.Row(["", "total", .. Figures(breakdown.Total)]).ToString();
    }

    private static object?[] Figures(ReportFigures f) =>
    [
        f.Conversations, f.ReachedPeople, f.AssistantAttended, f.HandedOver, f.Contained, f.ContainmentRate,
        f.FirstResponse.Count, f.FirstResponse.AverageSeconds, f.FirstResponse.AverageBusinessSeconds, f.NextResponse.Count, f.NextResponse.AverageSeconds,
        f.Resolution.Count, f.Resolution.AverageSeconds, f.Resolution.AverageBusinessSeconds, f.QueueWait.Count, f.QueueWait.AverageSeconds, f.HandleTime.TotalSeconds,
        f.ResolvedConversations, f.ResolvedInOneContact, f.FirstContactResolutionRate, f.Reopens, f.ReopenRate,
        f.Transfers, f.TransfersPerConversation, f.Escalations, f.EscalationRate, f.TimeToEscalate.AverageSeconds,
        f.Satisfaction.Count, f.Satisfaction.Average, f.SatisfiedRate, f.Effort.Count, f.Effort.Average, f.Recommend.Count, f.NetPromoterScore,
    ];
}
