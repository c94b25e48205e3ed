using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Quality;

/// <summary>
/// A calibration session: several reviewers score the same conversation against the same scorecard, each without
/// seeing the others' scores until they have given their own, and then see how far they agree.
/// </summary>
public sealed class Calibration : Entity, IWorkspaceOwned
{
    public const int MaxNameLength = 100;
    public const int MaxReviewers = 20;

    private Calibration()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public string Name { get; private set; } = "";

    public Guid ConversationId { get; private set; }

    public Guid ScorecardId { get; private set; }

    /// <summary>The agent whose work is scored (the reviews name them; the agent never sees calibration reviews).</summary>
    public Guid AgentId { get; private set; }

    public List<Guid> ReviewerIds { get; private set; } = [];

    public Guid CreatedBy { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public static Calibration Start(string name, Conversation conversation, Guid agentId, Scorecard scorecard, IEnumerable<Guid> reviewerIds, Guid createdBy, DateTime now) => new()
    {
        WorkspaceId = conversation.WorkspaceId, Name = name, ConversationId = conversation.Id, AgentId = agentId, ScorecardId = scorecard.Id,
        ReviewerIds = [.. reviewerIds.Distinct()], CreatedBy = createdBy, CreatedAt = now,
    };
}

internal sealed class CalibrationConfiguration : IEntityTypeConfiguration<Calibration>
{
    public void Configure(EntityTypeBuilder<Calibration> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(Calibration.MaxNameLength);
        builder.Property(c => c.ReviewerIds).HasConversion(JsonColumn.Converter<List<Guid>>(), JsonColumn.Comparer<List<Guid>>());
        builder.HasIndex(c => new { c.WorkspaceId, c.CreatedAt });
        builder.HasOne<Conversation>().WithMany().HasForeignKey(c => c.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Scorecard>().WithMany().HasForeignKey(c => c.ScorecardId).OnDelete(DeleteBehavior.Restrict);
    }
}
