using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Reports;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Quality;

public sealed record SamplingRequest(bool? IsEnabled, int? PerAgentPerWeek, Guid? ScorecardId, List<Guid>? ReviewerIds);

public sealed record SamplingResponse(bool IsEnabled, int PerAgentPerWeek, Guid? ScorecardId, List<Guid> ReviewerIds, DateOnly? LastDrawnWeek)
{
    public static SamplingResponse From(QualitySampling s) => new(s.IsEnabled, s.PerAgentPerWeek, s.ScorecardId, s.ReviewerIds, s.LastDrawnWeek);
}

/// <summary>A week to draw: any day of it (the week runs Monday to Sunday in the workspace's time zone); by default the last full week.</summary>
public sealed record DrawRequest(DateOnly? Week);

/// <summary>What a draw assigned, and the agents it could not give a reviewer (the only reviewer was themselves).</summary>
public sealed record DrawResponse(DateOnly Week, List<ReviewResponse> Assigned, List<Guid> AgentsWithoutReviewer);

/// <summary>
/// Automatic review assignment: for each agent, tops their reviews of a week up to the workspace's number, picked at
/// random from the conversations they resolved that week, weighted toward the ones worth a closer look
/// (<see cref="SampleCandidate.Weight"/>), and hands each to the reviewer with the fewest reviews waiting.
/// </summary>
public sealed class ReviewSampler(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    /// <summary>A handle time above this share of the week's resolved conversations counts as long.</summary>
    public const double LongHandleTimePercentile = 0.8;

    public async Task<SamplingResponse> GetAsync(CancellationToken cancellationToken) =>
        SamplingResponse.From(await db.QualitySamplings.AsNoTracking().FirstOrDefaultAsync(cancellationToken) ?? QualitySampling.For(actor.WorkspaceId));

    public async Task<Result<SamplingResponse>> SaveAsync(SamplingRequest request, CancellationToken cancellationToken)
    {
        var settings = await db.QualitySamplings.FirstOrDefaultAsync(cancellationToken) ?? db.QualitySamplings.Add(QualitySampling.For(actor.WorkspaceId)).Entity;
        var (isEnabled, perAgent, scorecardId, reviewerIds) = (
            request.IsEnabled ?? settings.IsEnabled, request.PerAgentPerWeek ?? settings.PerAgentPerWeek, request.ScorecardId ?? settings.ScorecardId,
            request.ReviewerIds?.Distinct().ToList() ?? settings.ReviewerIds);
        var errors = new FieldErrors();
        if (perAgent is < 1 or > QualitySampling.MaxPerAgentPerWeek)
        {
            errors.Add("perAgentPerWeek", $"From 1 to {QualitySampling.MaxPerAgentPerWeek}.");
        }

        if (reviewerIds.Count > QualitySampling.MaxReviewers)
        {
            errors.Add("reviewerIds", $"At most {QualitySampling.MaxReviewers} reviewers.");
        }

        if (isEnabled && (scorecardId is null || reviewerIds.Count == 0))
        {
            errors.Add(scorecardId is null ? "scorecardId" : "reviewerIds", "Sampling needs a scorecard and at least one reviewer.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (scorecardId is { } id && await db.Scorecards.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken) is not { } scorecard)
        {
            return Failure.NotFound("The scorecard");
        }

        if (await QualityReviewers.CheckAsync(db, reviewerIds, activeOnly: false, cancellationToken) is { } wrongReviewers)
        {
            return wrongReviewers;
        }

        settings.Change(isEnabled, perAgent, scorecardId, reviewerIds, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        return SamplingResponse.From(settings);
    }

    /// <summary>
    /// Draws the week of <paramref name="request"/> (by default the last full week) for the workspace in scope. Drawing a
    /// week again only tops up agents whose reviews of it fell short (new conversations, say): it never doubles them.
    /// </summary>
    public async Task<Result<DrawResponse>> DrawAsync(DrawRequest request, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var settings = await db.QualitySamplings.FirstOrDefaultAsync(cancellationToken);
        if (settings is not { ScorecardId: { } scorecardId } || settings.ReviewerIds.Count == 0)
        {
            return Failure.Conflict("Choose a scorecard and reviewers for sampling first.");
        }

        // One draw at a time per workspace (two nodes, or a click during the weekly run), so none doubles another's picks.
        await RowLocks.LockAsync<QualitySampling>(db, settings.Id, cancellationToken);
        var scorecard = await db.Scorecards.AsNoTracking().FirstAsync(s => s.Id == scorecardId, cancellationToken);
        if (!scorecard.IsActive)
        {
            return Failure.Conflict($"The sampling scorecard {scorecard.Name} is archived; choose an active one.");
        }

        var reviewers = (await db.Agents.AsNoTracking().Include(a => a.CustomRole).Where(a => settings.ReviewerIds.Contains(a.Id) && a.IsActive).ToListAsync(cancellationToken))
            .Where(a => a.Holds(Permission.ReviewQuality)).Select(a => a.Id).ToList();
        if (reviewers.Count == 0)
        {
            return Failure.Conflict("None of the sampling reviewers can review any more; choose others.");
        }

        var calendar = (await db.Workspaces.AsNoTracking().SingleAsync(cancellationToken)).Calendar();
        var week = ReportPeriods.WeekOf(request.Week ?? calendar.DayOf(clock.GetUtcNow().UtcDateTime).AddDays(-7));
        var candidates = await CandidatesAsync(week, cancellationToken);
        var drawn = await db.QualityReviews.Where(r => r.SampledWeek == week).GroupBy(r => r.AgentId)
            .Select(g => new { AgentId = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.AgentId, g => g.Count, cancellationToken);
        var waiting = await db.QualityReviews.Where(r => r.Status == ReviewStatus.Assigned && reviewers.Contains(r.ReviewerId)).GroupBy(r => r.ReviewerId)
            .Select(g => new { ReviewerId = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.ReviewerId, g => g.Count, cancellationToken);
        var (picks, withoutReviewer) = (new List<(SampleCandidate Pick, Guid ReviewerId)>(), new List<Guid>());
        foreach (var agent in candidates.GroupBy(c => c.AgentId).OrderBy(g => g.Key))
        {
            var wanted = settings.PerAgentPerWeek - drawn.GetValueOrDefault(agent.Key);
            if (wanted <= 0)
            {
                continue;
            }

            foreach (var pick in SampleCandidate.Pick([.. agent], wanted, Random.Shared))
            {
                if (reviewers.Where(r => r != agent.Key).OrderBy(r => waiting.GetValueOrDefault(r)).ThenBy(r => r).Cast<Guid?>().FirstOrDefault() is not { } reviewer)
                {
                    withoutReviewer.Add(agent.Key);
                    break;
                }

                waiting[reviewer] = waiting.GetValueOrDefault(reviewer) + 1;
                picks.Add((pick, reviewer));
            }
        }

        // Only the picked conversations are read whole: a week's candidates can be thousands.
        var pickedIds = picks.ConvertAll(p => p.Pick.ConversationId);
        var conversations = await db.Conversations.AsNoTracking().Where(c => pickedIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var assigned = picks.ConvertAll(p => QualityReview.Assign(
            conversations[p.Pick.ConversationId], p.Pick.AgentId, p.ReviewerId, scorecard, now, sampledWeek: week, sampleReason: p.Pick.Reason));

        db.QualityReviews.AddRange(assigned);
        settings.Drew(week);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new DrawResponse(week, assigned.ConvertAll(ReviewResponse.From), withoutReviewer);
    }

    /// <summary>The conversations resolved in the week, each for the agent its last resolve in the week counts for, not reviewed yet, with their signals.</summary>
    private async Task<List<SampleCandidate>> CandidatesAsync(DateOnly week, CancellationToken cancellationToken)
    {
        var end = week.AddDays(7);
        var resolved = (await db.ReportFacts.AsNoTracking()
                .Where(f => f.Metric == ReportMetric.ResolvedConversation && f.Day >= week && f.Day < end && f.AgentId != Guid.Empty)
                .Select(f => new { f.ConversationId, f.AgentId, f.Day }).ToListAsync(cancellationToken))
            .GroupBy(f => f.ConversationId).Select(g => g.MaxBy(f => f.Day)!).ToList();
        var ids = resolved.ConvertAll(f => f.ConversationId);
        var reviewed = (await db.QualityReviews.AsNoTracking().Where(r => r.CalibrationId == null && ids.Contains(r.ConversationId))
            .Select(r => r.ConversationId).ToListAsync(cancellationToken)).ToHashSet();
        ids.RemoveAll(reviewed.Contains);
        var facts = await db.ReportFacts.AsNoTracking()
            .Where(f => ids.Contains(f.ConversationId) && (f.Metric == ReportMetric.Satisfaction || f.Metric == ReportMetric.Escalation || f.Metric == ReportMetric.HandleTime))
            .Select(f => new { f.ConversationId, f.Metric, f.Bucket, f.Milliseconds }).ToListAsync(cancellationToken);
        var lowSatisfaction = facts.Where(f => f.Metric == ReportMetric.Satisfaction && f.Bucket <= 2).Select(f => f.ConversationId).ToHashSet();
        var escalated = facts.Where(f => f.Metric == ReportMetric.Escalation).Select(f => f.ConversationId).ToHashSet();
        var handleTimes = facts.Where(f => f.Metric == ReportMetric.HandleTime).GroupBy(f => f.ConversationId).ToDictionary(g => g.Key, g => g.Sum(f => f.Milliseconds));
        var longHandleTime = LongerThanMost(handleTimes);
        var negativeBound = -Assistant.Sentiment.NeutralBound;
        var negative = (await db.Messages.AsNoTracking()
            .Where(m => ids.Contains(m.ConversationId) && m.Kind == MessageKind.Incoming && m.Sentiment <= negativeBound)
            .Select(m => m.ConversationId).Distinct().ToListAsync(cancellationToken)).ToHashSet();
        return [.. resolved.Where(f => !reviewed.Contains(f.ConversationId)).Select(f => new SampleCandidate(
            f.ConversationId, f.AgentId, lowSatisfaction.Contains(f.ConversationId), longHandleTime.Contains(f.ConversationId),
            negative.Contains(f.ConversationId), escalated.Contains(f.ConversationId)))];
    }

    // The conversations whose handle time is above the week's 80th percentile; none when there are too few to tell.
    private static HashSet<Guid> LongerThanMost(Dictionary<Guid, long> handleTimes)
    {
        if (handleTimes.Count < 5)
        {
            return [];
        }

        var sorted = handleTimes.Values.Order().ToList();
        var bound = sorted[(int)Math.Floor(LongHandleTimePercentile * (sorted.Count - 1))];
        return [.. handleTimes.Where(h => h.Value > bound).Select(h => h.Key)];
    }
}
