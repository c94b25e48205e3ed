using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.Quality;

/// <summary>
/// A workspace's automatic review assignment: each week, for every agent, a few of the conversations they resolved the
/// week before are picked for review, the harder ones more likely (see <see cref="SampleCandidate.Weight"/>), and
/// handed to the reviewers in turn. Off until set.
/// </summary>
public sealed class QualitySampling : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxPerAgentPerWeek = 50;
    public const int MaxReviewers = 50;

    private QualitySampling()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public bool IsEnabled { get; private set; }

    public int PerAgentPerWeek { get; private set; } = 5;

    public Guid? ScorecardId { get; private set; }

    public List<Guid> ReviewerIds { get; private set; } = [];

    /// <summary>The first day of the last week drawn automatically, so the weekly job draws each week once.</summary>
    public DateOnly? LastDrawnWeek { get; private set; }

    public DateTime UpdatedAt { get; private set; }

    public static QualitySampling For(Guid workspaceId) => new() { WorkspaceId = workspaceId };

    public void Change(bool isEnabled, int perAgentPerWeek, Guid? scorecardId, IEnumerable<Guid> reviewerIds, DateTime now) =>
        (IsEnabled, PerAgentPerWeek, ScorecardId, ReviewerIds, UpdatedAt) = (isEnabled, perAgentPerWeek, scorecardId, [.. reviewerIds.Distinct()], now);

    public void Drew(DateOnly week)
    {
        if (LastDrawnWeek is not { } last || week > last)
        {
            LastDrawnWeek = week;
        }
    }
}

/// <summary>A conversation an agent resolved in the sampled week, and what makes it worth a closer look.</summary>
public sealed record SampleCandidate(Guid ConversationId, Guid AgentId, bool LowSatisfaction, bool LongHandleTime, bool NegativeSentiment, bool Escalated)
{
    /// <summary>
    /// How likely it is picked, relative to an ordinary conversation (1): a low satisfaction score adds 3; a long handle
    /// time, a negative tone from the customer and an escalation add 2 each.
    /// </summary>
    public double Weight => 1 + (LowSatisfaction ? 3 : 0) + (LongHandleTime ? 2 : 0) + (NegativeSentiment ? 2 : 0) + (Escalated ? 2 : 0);

    /// <summary>Why it was likely to be picked, for the reviewer; null for an ordinary conversation.</summary>
    public string? Reason
    {
        get
        {
            string[] signals = [
                LowSatisfaction ? "low satisfaction" : "", LongHandleTime ? "long handle time" : "",
                NegativeSentiment ? "negative tone" : "", Escalated ? "escalated" : "",
            ];
            var named = signals.Where(s => s.Length > 0).ToList();
            return named.Count == 0 ? null : string.Join(", ", named);
        }
    }

    /// <summary>
    /// Picks <paramref name="count"/> candidates without replacement, each with a probability proportional to its weight
    /// (weighted random sampling: each gets the key u^(1/weight) for a uniform u, and the largest keys win).
    /// </summary>
    public static List<SampleCandidate> Pick(IReadOnlyList<SampleCandidate> candidates, int count, Random random) =>
        [.. candidates.Select(c => (Candidate: c, Key: Math.Pow(random.NextDouble(), 1 / c.Weight))).OrderByDescending(c => c.Key).Take(count).Select(c => c.Candidate)];
}

internal sealed class QualitySamplingConfiguration : IEntityTypeConfiguration<QualitySampling>
{
    public void Configure(EntityTypeBuilder<QualitySampling> builder)
    {
        builder.Property(s => s.ReviewerIds).HasConversion(JsonColumn.Converter<List<Guid>>(), JsonColumn.Comparer<List<Guid>>());
        builder.HasIndex(s => s.WorkspaceId).IsUnique();
        builder.HasOne<Scorecard>().WithMany().HasForeignKey(s => s.ScorecardId).OnDelete(DeleteBehavior.SetNull);
    }
}
