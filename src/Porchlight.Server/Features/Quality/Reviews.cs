using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Quality;

public sealed record ScoreRequest(Guid CriterionId, int? Score, string? Comment);

public sealed record MessageCommentRequest(Guid MessageId, string? Text);

/// <summary>Scores for a review: each criterion of its scorecard (left out or null: not applicable), remarks on messages, a comment.</summary>
public sealed record ReviewScoresRequest(List<ScoreRequest>? Scores, List<MessageCommentRequest>? MessageComments, string? Comment);

/// <summary>A new review, scored and submitted at once. The agent defaults to whoever had the conversation, or else its last replier.</summary>
public sealed record NewReviewRequest(
    Guid ConversationId, Guid ScorecardId, Guid? AgentId, List<ScoreRequest>? Scores, List<MessageCommentRequest>? MessageComments, string? Comment);

public sealed record AgentResponseRequest(string? Note);

public sealed record ReviewResponse(
    Guid Id, Guid ConversationId, Guid AgentId, Guid ReviewerId, Guid ScorecardId, Guid? CalibrationId, ReviewStatus Status,
    List<ReviewScore> Scores, List<MessageComment> MessageComments, string? Comment, double? Percent,
    DateOnly? SampledWeek, string? SampleReason, DateTime AssignedAt, DateTime? SubmittedAt, string? AgentResponse, DateTime? RespondedAt)
{
    public static ReviewResponse From(QualityReview r) => new(
        r.Id, r.ConversationId, r.AgentId, r.ReviewerId, r.ScorecardId, r.CalibrationId, r.Status, r.Scores, r.MessageComments, r.Comment, r.Percent,
        r.SampledWeek, r.SampleReason, r.AssignedAt, r.SubmittedAt, r.AgentResponse, r.RespondedAt);
}

public sealed record ReviewFilter(Guid? AgentId, Guid? ReviewerId, ReviewStatus? Status);

/// <summary>
/// Reviews of agents' conversations: given by those who may review (<see cref="Permission.ReviewQuality"/>), read,
/// acknowledged or disputed by the reviewed agent, who sees nothing of reviews that are not theirs.
/// </summary>
public sealed class Reviews(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    public const int MaxResponseLength = QualityReview.MaxCommentLength;

    public async Task<Result<Page<ReviewResponse>>> ListAsync(ReviewFilter filter, PageRequest page, CancellationToken cancellationToken)
    {
        var named = new[] { filter.AgentId, filter.ReviewerId }.OfType<Guid>().Distinct().ToList();
        if (await db.Agents.CountAsync(a => named.Contains(a.Id), cancellationToken) != named.Count)
        {
            return Failure.NotFound("The agent");
        }

        var query = db.QualityReviews.AsNoTracking().Where(r => r.CalibrationId == null);
        query = filter.AgentId is { } agentId ? query.Where(r => r.AgentId == agentId) : query;
        query = filter.ReviewerId is { } reviewerId ? query.Where(r => r.ReviewerId == reviewerId) : query;
        query = filter.Status is { } status ? query.Where(r => r.Status == status) : query;
        return await query.ToPageAsync(page, r => r.Id, ReviewResponse.From, cancellationToken, newestFirst: true);
    }

    /// <summary>The caller's own reviews that they may see (submitted, not calibration), newest first.</summary>
    public async Task<List<ReviewResponse>> MineAsync(CancellationToken cancellationToken) =>
        (await db.QualityReviews.AsNoTracking()
            .Where(r => r.AgentId == actor.AgentId && r.CalibrationId == null && r.Status != ReviewStatus.Assigned)
            .OrderByDescending(r => r.SubmittedAt).Take(PageRequest.MaxLimit).ToListAsync(cancellationToken))
        .ConvertAll(ReviewResponse.From);

    public async Task<Result<ReviewResponse>> GetAsync(Guid reviewId, CancellationToken cancellationToken) =>
        await FindVisibleAsync(reviewId, cancellationToken) is { } review ? ReviewResponse.From(review) : Failure.NotFound("The review");

    public async Task<Result<ReviewResponse>> CreateAsync(NewReviewRequest request, CancellationToken cancellationToken)
    {
        if (await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == request.ConversationId, cancellationToken) is not { } conversation)
        {
            return Failure.NotFound("The conversation");
        }

        if (await db.Scorecards.AsNoTracking().FirstOrDefaultAsync(s => s.Id == request.ScorecardId, cancellationToken) is not { } scorecard)
        {
            return Failure.NotFound("The scorecard");
        }

        if (!scorecard.IsActive)
        {
            return Failure.Invalid("scorecardId", "This scorecard is archived; pick an active one.");
        }

        var agent = await ReviewedAgentAsync(conversation, request.AgentId, cancellationToken);
        if (!agent.Succeeded)
        {
            return agent.Failure!;
        }

        var review = QualityReview.Assign(conversation, agent.Value, actor.AgentId, scorecard, clock.GetUtcNow().UtcDateTime);
        var scored = await ScoreAsync(review, new ReviewScoresRequest(request.Scores, request.MessageComments, request.Comment), cancellationToken);
        if (!scored.Succeeded)
        {
            return scored.Failure!;
        }

        db.QualityReviews.Add(review);
        await db.SaveChangesAsync(cancellationToken);
        return ReviewResponse.From(review);
    }

    /// <summary>Scores an assigned review, or scores a submitted or disputed one again (which submits it anew). Only its reviewer may.</summary>
    public async Task<Result<ReviewResponse>> SubmitAsync(Guid reviewId, ReviewScoresRequest request, CancellationToken cancellationToken)
    {
        if (await db.QualityReviews.FirstOrDefaultAsync(r => r.Id == reviewId && r.CalibrationId == null, cancellationToken) is not { } review)
        {
            return Failure.NotFound("The review");
        }

        if (review.ReviewerId != actor.AgentId)
        {
            return Failure.Forbidden("Only the review's reviewer scores it.");
        }

        var scored = await ScoreAsync(review, request, cancellationToken);
        if (!scored.Succeeded)
        {
            return scored.Failure!;
        }

        await db.SaveChangesAsync(cancellationToken);
        return ReviewResponse.From(review);
    }

    public Task<Result<ReviewResponse>> AcknowledgeAsync(Guid reviewId, AgentResponseRequest request, CancellationToken cancellationToken) =>
        RespondAsync(reviewId, request, dispute: false, cancellationToken);

    public Task<Result<ReviewResponse>> DisputeAsync(Guid reviewId, AgentResponseRequest request, CancellationToken cancellationToken) =>
        RespondAsync(reviewId, request, dispute: true, cancellationToken);

    /// <summary>Validates <paramref name="request"/> against the review's criteria and the conversation's messages, then submits the review.</summary>
    internal async Task<Result<Done>> ScoreAsync(QualityReview review, ReviewScoresRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().MaxLength("comment", request.Comment, QualityReview.MaxCommentLength);
        var given = request.Scores ?? [];
        for (var i = 0; i < given.Count; i++)
        {
            if (given[i] is null)
            {
                errors.Add($"scores[{i}]", "Required: a score.");
                continue;
            }

            var criterion = review.Scores.FirstOrDefault(s => s.CriterionId == given[i].CriterionId);
            if (criterion is null)
            {
                errors.Add($"scores[{i}].criterionId", "Not a criterion of this review's scorecard.");
            }
            else if (given[i].Score is { } score && (score < criterion.Scale.Lowest() || score > criterion.Scale.Highest()))
            {
                errors.Add($"scores[{i}].score", $"From {criterion.Scale.Lowest()} to {criterion.Scale.Highest()}.");
            }

            errors.MaxLength($"scores[{i}].comment", given[i].Comment, QualityReview.MaxCommentLength);
        }

        if (!errors.Any && !given.Any(s => s.Score is not null))
        {
            errors.Add("scores", "Score at least one criterion.");
        }

        var remarks = request.MessageComments ?? [];
        if (remarks.Count > QualityReview.MaxMessageComments)
        {
            errors.Add("messageComments", $"At most {QualityReview.MaxMessageComments} remarks.");
        }

        if (remarks.Contains(null!))
        {
            errors.Add("messageComments", "Remarks are objects: a list without nulls.");
            return errors.ToFailure();
        }

        var messageIds = remarks.Select(c => c.MessageId).Distinct().ToList();
        var known = await db.Messages.AsNoTracking().Where(m => m.ConversationId == review.ConversationId && messageIds.Contains(m.Id))
            .Select(m => m.Id).ToListAsync(cancellationToken);
        for (var i = 0; i < remarks.Count; i++)
        {
            errors.Required($"messageComments[{i}].text", remarks[i].Text, QualityReview.MaxCommentLength);
            if (!known.Contains(remarks[i].MessageId))
            {
                errors.Add($"messageComments[{i}].messageId", "Not a message of this conversation.");
            }
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var scores = review.Scores.ConvertAll(s => given.FirstOrDefault(g => g.CriterionId == s.CriterionId) is { } g
            ? s with { Score = g.Score, Comment = string.IsNullOrWhiteSpace(g.Comment) ? null : g.Comment.Trim() }
            : s with { Score = null, Comment = null });
        review.Submit(scores, remarks.ConvertAll(c => new MessageComment(c.MessageId, c.Text!.Trim())), request.Comment, clock.GetUtcNow().UtcDateTime);
        return new Done();
    }

    /// <summary>The agent named (who must be of the workspace and not the reviewer), or else whoever had the conversation, or else its last replier.</summary>
    internal async Task<Result<Guid>> ReviewedAgentAsync(Conversation conversation, Guid? agentId, CancellationToken cancellationToken)
    {
        var reviewed = agentId ?? await AnsweringAgent.OfAsync(db, conversation, cancellationToken);
        if (reviewed is not { } id)
        {
            return Failure.Invalid("agentId", "Nobody has answered this conversation yet; name the agent to review.");
        }

        if (!await db.Agents.AnyAsync(a => a.Id == id, cancellationToken))
        {
            return Failure.NotFound("The agent");
        }

        return id == actor.AgentId ? Failure.Invalid("agentId", "A review is of someone else's work; ask another reviewer to review yours.") : id;
    }

    private async Task<Result<ReviewResponse>> RespondAsync(Guid reviewId, AgentResponseRequest request, bool dispute, CancellationToken cancellationToken)
    {
        var review = await db.QualityReviews.FirstOrDefaultAsync(r => r.Id == reviewId && r.AgentId == actor.AgentId, cancellationToken);
        if (review is not { IsVisibleToAgent: true })
        {
            return Failure.NotFound("The review");
        }

        var errors = dispute ? new FieldErrors().Required("note", request.Note, MaxResponseLength) : new FieldErrors().MaxLength("note", request.Note, MaxResponseLength);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (review.Status != ReviewStatus.Submitted)
        {
            return Failure.Conflict(review.Status == ReviewStatus.Disputed
                ? "You disputed this review; it waits for the reviewer to score it again."
                : "You have acknowledged this review already.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (dispute)
        {
            review.Dispute(request.Note!, now);
        }
        else
        {
            review.Acknowledge(request.Note, now);
        }

        await db.SaveChangesAsync(cancellationToken);
        return ReviewResponse.From(review);
    }

    // Those who review see every review; an agent sees their own once submitted (never a calibration review).
    private async Task<QualityReview?> FindVisibleAsync(Guid reviewId, CancellationToken cancellationToken)
    {
        var review = await db.QualityReviews.AsNoTracking().FirstOrDefaultAsync(r => r.Id == reviewId, cancellationToken);
        return review is not null && (actor.Can(Permission.ReviewQuality) || (review.AgentId == actor.AgentId && review.IsVisibleToAgent)) ? review : null;
    }
}
