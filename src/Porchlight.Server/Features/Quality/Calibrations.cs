using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Quality;

public sealed record CalibrationRequest(string? Name, Guid ConversationId, Guid ScorecardId, Guid? AgentId, List<Guid>? ReviewerIds);

/// <summary>How far the reviewers agree on one criterion: each reviewer's score, and their agreement (null with fewer than two scores).</summary>
public sealed record CriterionAgreement(Guid CriterionId, string Name, CriterionScale Scale, Dictionary<Guid, int?> Scores, double? AgreementPercent);

/// <summary>
/// The reviewers' agreement: per criterion, 100% minus the mean difference between two reviewers' scores as a share of
/// the scale; overall, the mean of the criteria; and the spread of the reviews' totals (highest minus lowest).
/// </summary>
public sealed record CalibrationAgreement(double? AgreementPercent, double? TotalSpread, List<CriterionAgreement> Criteria)
{
    public static CalibrationAgreement Of(IReadOnlyList<QualityReview> submitted)
    {
        var criteria = (submitted.Count == 0 ? [] : submitted[0].Scores).ConvertAll(criterion =>
        {
            var scores = submitted.ToDictionary(r => r.ReviewerId, r => r.Scores.FirstOrDefault(s => s.CriterionId == criterion.CriterionId)?.Score);
            var shares = scores.Values.OfType<int>().Select(s => criterion.Scale.Normalized(s)).ToList();
            var pairs = shares.SelectMany((a, i) => shares.Skip(i + 1).Select(b => Math.Abs(a - b))).ToList();
            return new CriterionAgreement(criterion.CriterionId, criterion.Name, criterion.Scale, scores, pairs.Count == 0 ? null : Math.Round(100 * (1 - pairs.Average()), 1, MidpointRounding.AwayFromZero));
        });
        var agreements = criteria.Select(c => c.AgreementPercent).OfType<double>().ToList();
        var totals = submitted.Select(r => r.Percent).OfType<double>().ToList();
        return new CalibrationAgreement(
            agreements.Count == 0 ? null : Math.Round(agreements.Average(), 1, MidpointRounding.AwayFromZero), totals.Count < 2 ? null : Math.Round(totals.Max() - totals.Min(), 1, MidpointRounding.AwayFromZero), criteria);
    }
}

/// <summary>
/// A calibration session as the caller may see it: the others' reviews and the agreement only once the caller has
/// given their own (or when the caller does not take part), so nobody anchors on another's scores.
/// </summary>
public sealed record CalibrationResponse(
    Guid Id, string Name, Guid ConversationId, Guid ScorecardId, Guid AgentId, List<Guid> ReviewerIds, Guid CreatedBy, DateTime CreatedAt,
    List<Guid> SubmittedBy, bool ScoresVisible, List<ReviewResponse> Reviews, CalibrationAgreement? Agreement);

/// <summary>Calibration sessions: several reviewers score one conversation against one scorecard and see how far they agree.</summary>
public sealed class Calibrations(AppDbContext db, ActingAgent actor, TimeProvider clock, Reviews reviews)
{
    public async Task<List<CalibrationResponse>> ListAsync(CancellationToken cancellationToken)
    {
        var sessions = await db.Calibrations.AsNoTracking().OrderByDescending(c => c.CreatedAt).Take(PageRequest.MaxLimit).ToListAsync(cancellationToken);
        var ids = sessions.ConvertAll(c => c.Id);
        var all = await db.QualityReviews.AsNoTracking().Where(r => r.CalibrationId != null && ids.Contains(r.CalibrationId.Value)).ToListAsync(cancellationToken);
        return sessions.ConvertAll(c => Describe(c, all.Where(r => r.CalibrationId == c.Id).ToList()));
    }

    public async Task<Result<CalibrationResponse>> GetAsync(Guid calibrationId, CancellationToken cancellationToken)
    {
        if (await db.Calibrations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == calibrationId, cancellationToken) is not { } calibration)
        {
            return Failure.NotFound("The calibration session");
        }

        return Describe(calibration, await db.QualityReviews.AsNoTracking().Where(r => r.CalibrationId == calibrationId).ToListAsync(cancellationToken));
    }

    public async Task<Result<CalibrationResponse>> CreateAsync(CalibrationRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Required("name", request.Name, Calibration.MaxNameLength);
        var reviewerIds = request.ReviewerIds?.Distinct().ToList() ?? [];
        if (reviewerIds.Count is < 2 or > Calibration.MaxReviewers)
        {
            errors.Add("reviewerIds", $"From 2 to {Calibration.MaxReviewers} reviewers: agreement needs at least two.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == request.ConversationId, cancellationToken) is not { } conversation)
        {
            return Failure.NotFound("The conversation");
        }

        if (await db.Scorecards.AsNoTracking().FirstOrDefaultAsync(s => s.Id == request.ScorecardId && s.IsActive, cancellationToken) is not { } scorecard)
        {
            return Failure.NotFound("The scorecard");
        }

        if (await QualityReviewers.CheckAsync(db, reviewerIds, activeOnly: true, cancellationToken) is { } wrongReviewers)
        {
            return wrongReviewers;
        }

        var agent = await reviews.ReviewedAgentAsync(conversation, request.AgentId, cancellationToken);
        if (!agent.Succeeded)
        {
            return agent.Failure!;
        }

        if (reviewerIds.Contains(agent.Value))
        {
            return Failure.Invalid("reviewerIds", "The reviewed agent cannot be one of the reviewers.");
        }

        var calibration = db.Calibrations.Add(Calibration.Start(
            request.Name!.Trim(), conversation, agent.Value, scorecard, reviewerIds, actor.AgentId, clock.GetUtcNow().UtcDateTime)).Entity;
        await db.SaveChangesAsync(cancellationToken);
        return Describe(calibration, []);
    }

    /// <summary>The caller's scores in the session (given for the first time, or changed); only its reviewers take part.</summary>
    public async Task<Result<CalibrationResponse>> ScoreAsync(Guid calibrationId, ReviewScoresRequest request, CancellationToken cancellationToken)
    {
        if (await db.Calibrations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == calibrationId, cancellationToken) is not { } calibration)
        {
            return Failure.NotFound("The calibration session");
        }

        if (!calibration.ReviewerIds.Contains(actor.AgentId))
        {
            return Failure.Forbidden("Only the session's reviewers score in it.");
        }

        var review = await db.QualityReviews.FirstOrDefaultAsync(r => r.CalibrationId == calibrationId && r.ReviewerId == actor.AgentId, cancellationToken);
        if (review is null)
        {
            var conversation = await db.Conversations.AsNoTracking().FirstAsync(c => c.Id == calibration.ConversationId, cancellationToken);
            var scorecard = await db.Scorecards.AsNoTracking().FirstAsync(s => s.Id == calibration.ScorecardId, cancellationToken);
            review = db.QualityReviews.Add(QualityReview.Assign(
                conversation, calibration.AgentId, actor.AgentId, scorecard, clock.GetUtcNow().UtcDateTime, calibrationId: calibration.Id)).Entity;
        }

        var scored = await reviews.ScoreAsync(review, request, cancellationToken);
        if (!scored.Succeeded)
        {
            return scored.Failure!;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The same reviewer's first scores from another tab at the same moment: those stand, and these can change them.
            return Failure.Conflict("Your scores were saved at the same moment elsewhere; reload and try again.");
        }

        return await GetAsync(calibrationId, cancellationToken);
    }

    private CalibrationResponse Describe(Calibration calibration, List<QualityReview> sessionReviews)
    {
        var submitted = sessionReviews.Where(r => r.Status != ReviewStatus.Assigned).OrderBy(r => r.SubmittedAt).ToList();
        var visible = !calibration.ReviewerIds.Contains(actor.AgentId) || submitted.Any(r => r.ReviewerId == actor.AgentId);
        return new CalibrationResponse(
            calibration.Id, calibration.Name, calibration.ConversationId, calibration.ScorecardId, calibration.AgentId, calibration.ReviewerIds,
            calibration.CreatedBy, calibration.CreatedAt, submitted.ConvertAll(r => r.ReviewerId), visible,
            visible ? submitted.ConvertAll(ReviewResponse.From) : [],
            visible && submitted.Count >= 2 ? CalibrationAgreement.Of(submitted) : null);
    }
}
