using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Reports;

/// <summary>Activity on the site in a window: visits, page views and custom events (the tracker's).</summary>
public sealed record ActivityFigures(int Visits, int PageViews, int Events)
{
    public static readonly ActivityFigures None = new(0, 0, 0);

    public ActivityFigures Plus(ActivityFigures other) => new(Visits + other.Visits, PageViews + other.PageViews, Events + other.Events);
}

/// <summary>The conversations of customers with one value of the grouping attribute ("(none)" without it).</summary>
public sealed record ActivityGroupRow(string Value, int Conversations, ActivityFigures Before, ActivityFigures After, int MoreActive, int LessActive);

/// <summary>
/// Customers' activity on the site around a conversation: for each conversation resolved in the period by an identified
/// contact the tracker knows, their visits in the <c>windowDays</c> before it began against the same span after it was
/// resolved. <c>pending</c> counts those whose span after has not ended yet (not counted). A correlation, not a cause.
/// </summary>
public sealed record CustomerActivityResponse(
    DateOnly From, DateOnly To, int WindowDays, string? Attribute, int Conversations, int Pending, ActivityFigures Before, ActivityFigures After,
    int MoreActive, int LessActive, double? MoreActiveRate, List<ActivityGroupRow> Groups);

/// <summary>
/// The retention side of the reports: do customers come back to the site after a conversation? Reads resolved
/// conversations, their identified contacts' tracked visitors and those visitors' visits, and compares the two windows.
/// </summary>
public sealed class CustomerActivityReport(AppDbContext db, ReportPeriods periods, TimeProvider clock)
{
    public const int DefaultWindowDays = 7;
    public const int MaxWindowDays = 90;
    public const string NoValue = "(none)";

    public async Task<Result<CustomerActivityResponse>> HandleAsync(ReportQuery query, int? windowDays, string? attribute, CancellationToken cancellationToken)
    {
        var days = windowDays ?? DefaultWindowDays;
        if (days is < 1 or > MaxWindowDays)
        {
            return Failure.Invalid("windowDays", $"Between 1 and {MaxWindowDays}.");
        }

        attribute = string.IsNullOrWhiteSpace(attribute) ? null : attribute.Trim();
        if (attribute?.Length > CustomAttributes.MaxKeyLength)
        {
            return Failure.Invalid("attribute", $"At most {CustomAttributes.MaxKeyLength} characters.");
        }

        var resolvedPeriod = await periods.ResolveAsync(query, rollUpFirst: null, cancellationToken);
        if (!resolvedPeriod.Succeeded)
        {
            return resolvedPeriod.Failure!;
        }

        var period = resolvedPeriod.Value!;
        var (start, end, window) = (period.Start, period.End, TimeSpan.FromDays(days));
        var settledBy = clock.GetUtcNow().UtcDateTime - window;
        var resolved = db.Conversations.AsNoTracking().Where(c => c.ResolvedAt >= start && c.ResolvedAt < end);
        resolved = query.InboxId is { } inboxId ? resolved.Where(c => c.InboxId == inboxId) : resolved;
        resolved = query.TeamId is { } teamId ? resolved.Where(c => c.TeamId == teamId) : resolved;
        resolved = query.AgentId is { } agentId ? resolved.Where(c => c.AssigneeId == agentId) : resolved;
        var conversations = await (
                from c in resolved
                join contact in db.Contacts on c.ContactId equals contact.Id
                where contact.ExternalId != null && db.TrackedVisitors.Any(v => v.ContactId == c.ContactId)
                select new { c.ContactId, c.CreatedAt, ResolvedAt = c.ResolvedAt!.Value, contact.Attributes })
            .ToListAsync(cancellationToken);
        var settled = conversations.Where(c => c.ResolvedAt <= settledBy).ToList();

        var contactIds = settled.Select(c => c.ContactId).Distinct().ToList();
        var visitors = await db.TrackedVisitors.AsNoTracking().Where(v => v.ContactId != null && contactIds.Contains(v.ContactId.Value))
            .Select(v => new { ContactId = v.ContactId!.Value, v.InboxId, v.VisitorKey }).ToListAsync(cancellationToken);
        var keys = visitors.Select(v => v.VisitorKey).Distinct().ToList();
        var (earliest, latest) = settled.Count == 0 ? (start, start) : (settled.Min(c => c.CreatedAt) - window, settled.Max(c => c.ResolvedAt) + window);
        var sessions = await db.TrackedSessions.AsNoTracking().Where(s => keys.Contains(s.VisitorKey) && s.StartedAt >= earliest && s.StartedAt < latest)
            .Select(s => new { s.InboxId, s.VisitorKey, s.StartedAt, s.PageViews, s.CustomEvents }).ToListAsync(cancellationToken);
        var visitsOf = visitors.ToLookup(v => v.ContactId, v => (v.InboxId, v.VisitorKey));
        var sessionsOf = sessions.ToLookup(s => (s.InboxId, s.VisitorKey));

        ActivityFigures Between(Guid contactId, DateTime from, DateTime to)
        {
            var visits = visitsOf[contactId].SelectMany(v => sessionsOf[v]).Where(s => s.StartedAt >= from && s.StartedAt < to).ToList();
            return new ActivityFigures(visits.Count, visits.Sum(s => s.PageViews), visits.Sum(s => s.CustomEvents));
        }

        var compared = settled.ConvertAll(c => (
            Group: attribute is null ? null : c.Attributes.GetValueOrDefault(attribute) ?? NoValue,
            Before: Between(c.ContactId, c.CreatedAt - window, c.CreatedAt),
            After: Between(c.ContactId, c.ResolvedAt, c.ResolvedAt + window)));
        var groups = attribute is null
            ? []
            : compared.GroupBy(c => c.Group!)
                .Select(g => new ActivityGroupRow(g.Key, g.Count(), Sum(g.Select(c => c.Before)), Sum(g.Select(c => c.After)),
                    g.Count(c => c.After.Visits > c.Before.Visits), g.Count(c => c.After.Visits < c.Before.Visits)))
                .OrderByDescending(g => g.Conversations).ThenBy(g => g.Value, StringComparer.Ordinal).ToList();
        var moreActive = compared.Count(c => c.After.Visits > c.Before.Visits);
        return new CustomerActivityResponse(
            period.From, period.To, days, attribute, compared.Count, conversations.Count - settled.Count,
            Sum(compared.Select(c => c.Before)), Sum(compared.Select(c => c.After)),
            moreActive, compared.Count(c => c.After.Visits < c.Before.Visits), compared.Count == 0 ? null : (double)moreActive / compared.Count, groups);
    }

    private static ActivityFigures Sum(IEnumerable<ActivityFigures> figures) => figures.Aggregate(ActivityFigures.None, (total, f) => total.Plus(f));
}
