namespace Porchlight.Server.Features.Reports;

/// <summary>The rollup rows of one metric and bucket, added up over whatever a report groups them by.</summary>
public sealed record MetricTotal(ReportMetric Metric, int Bucket, int Count, long Milliseconds, long BusinessMilliseconds);

/// <summary>
/// A time a report shows: how many there were, their average on the clock and in business hours (null when there were
/// none), their total, and how many fell in each of <see cref="ReportBuckets.Labels"/>.
/// </summary>
public sealed record TimeFigure(int Count, double? AverageSeconds, double? AverageBusinessSeconds, double TotalSeconds, double TotalBusinessSeconds, List<int> Distribution)
{
    public static TimeFigure Of(IEnumerable<MetricTotal> totals)
    {
        var distribution = new int[ReportBuckets.Labels.Length];
        long milliseconds = 0, business = 0;
        foreach (var total in totals)
        {
            distribution[total.Bucket] += total.Count;
            (milliseconds, business) = (milliseconds + total.Milliseconds, business + total.BusinessMilliseconds);
        }

        return Of(distribution.Sum(), milliseconds, business, [.. distribution]);
    }

    /// <summary>From whole milliseconds, so the same totals always give the same figure, whatever they were added up from.</summary>
    public static TimeFigure Of(int count, long milliseconds, long businessMilliseconds, List<int> distribution) =>
        new(count, count == 0 ? null : milliseconds / 1000.0 / count, count == 0 ? null : businessMilliseconds / 1000.0 / count,
            milliseconds / 1000.0, businessMilliseconds / 1000.0, distribution);
}

/// <summary>
/// Survey answers on one scale: how many, their average, and how many gave each score (<c>Distribution[0]</c> is the
/// scale's lowest score: 1 for satisfaction and effort, 0 for recommendation).
/// </summary>
public sealed record ScoreFigure(int Count, double? Average, List<int> Distribution)
{
    public static ScoreFigure Of(IEnumerable<MetricTotal> totals, int lowest, int highest)
    {
        var distribution = new int[highest - lowest + 1];
        foreach (var total in totals)
        {
            distribution[total.Bucket - lowest] += total.Count;
        }

        var count = distribution.Sum();
        var sum = distribution.Select((n, i) => (long)n * (i + lowest)).Sum();
        return new(count, count == 0 ? null : (double)sum / count, [.. distribution]);
    }

    /// <summary>The share of answers from <paramref name="score"/> up (of all answers), or null without answers.</summary>
    public double? ShareFrom(int score, int lowest) =>
        Count == 0 ? null : (double)Distribution.Skip(score - lowest).Sum() / Count;
}

/// <summary>
/// Customers' tone over conversations: how many conversations had a negative, neutral or positive tone (the average
/// sentiment of the customer's messages), the share negative, and the average sentiment (−1 to 1).
/// </summary>
public sealed record ToneFigure(int Conversations, int Negative, int Neutral, int Positive, double? NegativeRate, double? AverageSentiment)
{
    public static ToneFigure Of(IEnumerable<MetricTotal> totals)
    {
        var list = totals.ToList();
        int Count(Assistant.SentimentLabel label) => list.Where(t => t.Bucket == (int)label).Sum(t => t.Count);
        var (count, negative) = (list.Sum(t => t.Count), Count(Assistant.SentimentLabel.Negative));
        return new ToneFigure(count, negative, Count(Assistant.SentimentLabel.Neutral), Count(Assistant.SentimentLabel.Positive),
            count == 0 ? null : (double)negative / count, count == 0 ? null : Math.Round(list.Sum(t => t.Milliseconds) / 1000.0 / count, 3));
    }
}

/// <summary>Every figure of a report, over one period and filter (definitions in docs/metrics.md). Rates are null where their base is zero.</summary>
public sealed record ReportFigures(
    int Conversations,
    int ReachedPeople,
    int AssistantAttended,
    int HandedOver,
    int Contained,
    double? ContainmentRate,
    double? HandoverRate,
    TimeFigure FirstResponse,
    TimeFigure NextResponse,
    TimeFigure Resolution,
    TimeFigure QueueWait,
    TimeFigure HandleTime,
    int ResolvedConversations,
    int ResolvedInOneContact,
    double? FirstContactResolutionRate,
    int Reopens,
    double? ReopenRate,
    int Transfers,
    double? TransfersPerConversation,
    int Escalations,
    double? EscalationRate,
    TimeFigure TimeToEscalate,
    TimeFigure EscalatedResolution,
    TimeFigure NotEscalatedResolution,
    ScoreFigure Satisfaction,
    double? SatisfiedRate,
    ScoreFigure Effort,
    ScoreFigure Recommend,
    double? NetPromoterScore,
    ToneFigure CustomerTone,
    int RepeatContacts7Days,
    int RepeatContacts30Days,
    double? RepeatContactRate7Days,
    double? RepeatContactRate30Days)
{
    public static ReportFigures Of(IReadOnlyCollection<MetricTotal> totals)
    {
        var byMetric = totals.ToLookup(t => t.Metric);
        int Count(ReportMetric metric) => byMetric[metric].Sum(t => t.Count);
        TimeFigure Time(ReportMetric metric) => TimeFigure.Of(byMetric[metric]);

        var (attended, handedOver, contained, reached) = (Count(ReportMetric.AssistantAttended), Count(ReportMetric.HandedOver), Count(ReportMetric.Contained), Count(ReportMetric.ReachedPeople));
        var resolution = Time(ReportMetric.Resolution);
        var (resolved, inOneContact) = (Count(ReportMetric.ResolvedConversation), Count(ReportMetric.ResolvedInOneContact));
        var (reopens, transfers) = (Count(ReportMetric.Reopen), Count(ReportMetric.Transfer));
        var escalated = Time(ReportMetric.EscalatedResolution);
        var timeToEscalate = Time(ReportMetric.Escalation);
        var satisfaction = ScoreFigure.Of(byMetric[ReportMetric.Satisfaction], 1, 5);
        var recommend = ScoreFigure.Of(byMetric[ReportMetric.Recommend], 0, 10);
        var conversations = Count(ReportMetric.Conversations);
        var repeat7 = byMetric[ReportMetric.Returned].Where(t => t.Bucket == 0).Sum(t => t.Count);
        var repeat30 = Count(ReportMetric.Returned);
        return new ReportFigures(
            conversations, reached, attended, handedOver, contained, Rate(contained, attended), Rate(handedOver, attended),
            Time(ReportMetric.FirstResponse), Time(ReportMetric.NextResponse), resolution, Time(ReportMetric.QueueWait), Time(ReportMetric.HandleTime),
            resolved, inOneContact, Rate(inOneContact, resolved),
            reopens, Rate(reopens, resolution.Count),
            transfers, Rate(transfers, reached),
            timeToEscalate.Count, Rate(timeToEscalate.Count, reached), timeToEscalate, escalated,
            Without(byMetric[ReportMetric.Resolution], byMetric[ReportMetric.EscalatedResolution]),
            satisfaction, satisfaction.ShareFrom(4, 1), ScoreFigure.Of(byMetric[ReportMetric.Effort], 1, 7), recommend,
            recommend.Count == 0 ? null : Math.Round(100 * (recommend.ShareFrom(9, 0)!.Value - (1 - recommend.ShareFrom(7, 0)!.Value)), 1),
            ToneFigure.Of(byMetric[ReportMetric.CustomerTone]),
            repeat7, repeat30, Rate(repeat7, conversations), Rate(repeat30, conversations));
    }

    private static double? Rate(int part, int whole) => whole == 0 ? null : (double)part / whole;

    // The resolutions of conversations never escalated: all of them less the escalated ones, bucket by bucket.
    private static TimeFigure Without(IEnumerable<MetricTotal> all, IEnumerable<MetricTotal> escalated) =>
        TimeFigure.Of(all.Concat(escalated.Select(e => e with { Count = -e.Count, Milliseconds = -e.Milliseconds, BusinessMilliseconds = -e.BusinessMilliseconds })));
}
