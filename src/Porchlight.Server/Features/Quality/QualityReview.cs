using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Quality;

/// <summary>Where a review stands.</summary>
public enum ReviewStatus
{
    /// <summary>Picked by sampling (or started) and waiting for its reviewer's scores.</summary>
    Assigned = 0,

    /// <summary>Scored; the reviewed agent sees it and can acknowledge or dispute it.</summary>
    Submitted = 1,

    /// <summary>The agent has read it and agrees (or at least takes note).</summary>
    Acknowledged = 2,

    /// <summary>The agent disagrees and says why; the reviewer can score again, which submits it anew.</summary>
    Disputed = 3,
}

/// <summary>A criterion as it was when the review was given, and its score (null: not applicable to this conversation).</summary>
public sealed record ReviewScore(Guid CriterionId, string Name, int Weight, CriterionScale Scale, int? Score, string? Comment);

/// <summary>A reviewer's remark on one message of the conversation.</summary>
public sealed record MessageComment(Guid MessageId, string Text);

/// <summary>
/// A supervisor's review of one agent's work in one conversation against a scorecard. Its total is the weighted mean of
/// the criteria that apply, each as a share of its scale, in percent. A review in a calibration session scores the
/// session's conversation to compare reviewers; the agent never sees those.
/// </summary>
public sealed class QualityReview : Entity, IWorkspaceOwned
{
    public const int MaxCommentLength = 2000;
    public const int MaxMessageComments = 50;

    private QualityReview()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public Guid ConversationId { get; private set; }

    /// <summary>The agent whose work is reviewed.</summary>
    public Guid AgentId { get; private set; }

    public Guid ReviewerId { get; private set; }

    public Guid ScorecardId { get; private set; }

    public Guid? CalibrationId { get; private set; }

    public ReviewStatus Status { get; private set; }

    public List<ReviewScore> Scores { get; private set; } = [];

    public List<MessageComment> MessageComments { get; private set; } = [];

    public string? Comment { get; private set; }

    /// <summary>The weighted total in percent, once scored; null while assigned or when no criterion applied.</summary>
    public double? Percent { get; private set; }

    /// <summary>For a sampled review: the first day of the week it was sampled from, and why it was likely to be picked.</summary>
    public DateOnly? SampledWeek { get; private set; }

    public string? SampleReason { get; private set; }

    public DateTime AssignedAt { get; private set; }

    public DateTime? SubmittedAt { get; private set; }

    /// <summary>The agent's answer: a note with the acknowledgement, or the reason of the dispute.</summary>
    public string? AgentResponse { get; private set; }

    public DateTime? RespondedAt { get; private set; }

    /// <summary>Whether the reviewed agent sees it: submitted, and not a calibration exercise.</summary>
    public bool IsVisibleToAgent => Status != ReviewStatus.Assigned && CalibrationId is null;

    public static QualityReview Assign(
        Conversation conversation, Guid agentId, Guid reviewerId, Scorecard scorecard, DateTime now, Guid? calibrationId = null, DateOnly? sampledWeek = null, string? sampleReason = null) => new()
    {
        WorkspaceId = conversation.WorkspaceId, ConversationId = conversation.Id, AgentId = agentId, ReviewerId = reviewerId, ScorecardId = scorecard.Id,
        CalibrationId = calibrationId, AssignedAt = now, SampledWeek = sampledWeek, SampleReason = sampleReason,
        Scores = [.. scorecard.Criteria.Select(c => new ReviewScore(c.Id, c.Name, c.Weight, c.Scale, null, null))],
    };

    /// <summary>
    /// Scores the review (again) and submits it: the agent sees it and the previous acknowledgement or dispute is
    /// answered by the new scores.
    /// </summary>
    public void Submit(IReadOnlyList<ReviewScore> scores, IReadOnlyList<MessageComment> messageComments, string? comment, DateTime now)
    {
        (Scores, MessageComments, Comment) = ([.. scores], [.. messageComments], string.IsNullOrWhiteSpace(comment) ? null : comment.Trim());
        Percent = TotalOf(Scores);
        (Status, SubmittedAt) = (ReviewStatus.Submitted, now);
        Raise(new ReviewSubmitted(WorkspaceId, Id, ConversationId, AgentId, ReviewerId, Percent));
    }

    public void Acknowledge(string? note, DateTime now) =>
        (Status, AgentResponse, RespondedAt) = (ReviewStatus.Acknowledged, string.IsNullOrWhiteSpace(note) ? null : note.Trim(), now);

    public void Dispute(string reason, DateTime now) => (Status, AgentResponse, RespondedAt) = (ReviewStatus.Disputed, reason.Trim(), now);

    /// <summary>The weighted mean of the applicable criteria, each as a share of its scale, in percent; null when none applies.</summary>
    public static double? TotalOf(IEnumerable<ReviewScore> scores)
    {
        var scored = scores.Where(s => s.Score is not null).ToList();
        var weights = scored.Sum(s => s.Weight);
        return weights == 0 ? null
            : Math.Round(100 * scored.Sum(s => s.Weight * s.Scale.Normalized(s.Score!.Value)) / weights, 1, MidpointRounding.AwayFromZero);
    }
}

/// <summary>A review was scored and submitted (or scored again after a dispute).</summary>
public sealed record ReviewSubmitted(Guid WorkspaceId, Guid ReviewId, Guid ConversationId, Guid AgentId, Guid ReviewerId, double? Percent) : IDomainEvent;

internal sealed class QualityReviewConfiguration : IEntityTypeConfiguration<QualityReview>
{
    public void Configure(EntityTypeBuilder<QualityReview> builder)
    {
        builder.Ignore(r => r.IsVisibleToAgent);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Scores).HasConversion(JsonColumn.Converter<List<ReviewScore>>(), JsonColumn.Comparer<List<ReviewScore>>());
        builder.Property(r => r.MessageComments).HasConversion(JsonColumn.Converter<List<MessageComment>>(), JsonColumn.Comparer<List<MessageComment>>());
        builder.Property(r => r.Comment).HasMaxLength(QualityReview.MaxCommentLength);
        builder.Property(r => r.AgentResponse).HasMaxLength(QualityReview.MaxCommentLength);
        builder.Property(r => r.SampleReason).HasMaxLength(200);
        builder.HasIndex(r => new { r.WorkspaceId, r.AgentId, r.SampledWeek });
        builder.HasIndex(r => new { r.WorkspaceId, r.ReviewerId, r.Status });
        builder.HasIndex(r => r.ConversationId);
        // One review per reviewer in a calibration session.
        builder.HasIndex(r => new { r.CalibrationId, r.ReviewerId }).IsUnique();
        builder.HasOne<Conversation>().WithMany().HasForeignKey(r => r.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Scorecard>().WithMany().HasForeignKey(r => r.ScorecardId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Calibration>().WithMany().HasForeignKey(r => r.CalibrationId).OnDelete(DeleteBehavior.Cascade);
    }
}
