using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.Quality;

/// <summary>How a criterion is scored: met or not, or on a scale of three or five points.</summary>
public enum CriterionScale
{
    /// <summary>0 (not met) or 1 (met).</summary>
    YesNo = 0,

    /// <summary>1 (poor) to 3 (good).</summary>
    ThreePoints = 1,

    /// <summary>1 (poor) to 5 (excellent).</summary>
    FivePoints = 2,
}

/// <summary>The points of each <see cref="CriterionScale"/>.</summary>
public static class CriterionScales
{
    public static int Lowest(this CriterionScale scale) => scale == CriterionScale.YesNo ? 0 : 1;

    public static int Highest(this CriterionScale scale) => scale switch
    {
        CriterionScale.YesNo => 1,
        CriterionScale.ThreePoints => 3,
        _ => 5,
    };

    /// <summary>A score as a share of the scale, 0 (lowest) to 1 (highest), so criteria of different scales add up.</summary>
    public static double Normalized(this CriterionScale scale, int score) => (double)(score - scale.Lowest()) / (scale.Highest() - scale.Lowest());
}

/// <summary>One thing a reviewer scores (greeting, tone, accuracy…), with how much it weighs in the review's total.</summary>
public sealed record Criterion(Guid Id, string Name, string? Description, int Weight, CriterionScale Scale)
{
    public const int MaxNameLength = 80;
    public const int MaxWeight = 100;
}

/// <summary>
/// A workspace's yardstick for good conversations: criteria with weights and scales. A review copies the criteria it
/// was scored against, so changing a scorecard later never changes a review that was already given.
/// </summary>
public sealed class Scorecard : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 500;
    public const int MaxCriteria = 20;

    private Scorecard()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public string Name { get; private set; } = "";

    public string? Description { get; private set; }

    /// <summary>Whether new reviews may use it; an inactive scorecard stays on the reviews that used it.</summary>
    public bool IsActive { get; private set; } = true;

    public List<Criterion> Criteria { get; private set; } = [];

    public DateTime UpdatedAt { get; private set; }

    public static Scorecard Create(Guid workspaceId, DateTime now) => new() { WorkspaceId = workspaceId, UpdatedAt = now };

    public void Change(string name, string? description, bool isActive, IEnumerable<Criterion> criteria, DateTime now) =>
        (Name, Description, IsActive, Criteria, UpdatedAt) = (name, description, isActive, [.. criteria], now);
}

internal sealed class ScorecardConfiguration : IEntityTypeConfiguration<Scorecard>
{
    public void Configure(EntityTypeBuilder<Scorecard> builder)
    {
        builder.Property(s => s.Name).HasMaxLength(Scorecard.MaxNameLength);
        builder.Property(s => s.Description).HasMaxLength(Scorecard.MaxDescriptionLength);
        builder.Property(s => s.Criteria).HasConversion(JsonColumn.Converter<List<Criterion>>(), JsonColumn.Comparer<List<Criterion>>());
        builder.HasIndex(s => new { s.WorkspaceId, s.Name }).IsUnique();
    }
}
