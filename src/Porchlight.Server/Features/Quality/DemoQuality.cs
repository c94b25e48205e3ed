using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Quality;

/// <summary>The demo workspace's quality setup: a chat scorecard, and weekly sampling with two reviewers, ready to draw.</summary>
public static class DemoQuality
{
    public static void AddTo(AppDbContext db, Guid workspaceId, IEnumerable<Guid> reviewerIds, DateTime now)
    {
        var scorecard = Scorecard.Create(workspaceId, now);
        scorecard.Change("Chat quality", "How we want every chat to go.", isActive: true,
        [
            new Criterion(TimeOrderedIds.Next(), "Greeting", "Greets the customer by name and sets a friendly tone.", 1, CriterionScale.YesNo),
            new Criterion(TimeOrderedIds.Next(), "Understanding", "Restates or asks until the question is clear.", 2, CriterionScale.FivePoints),
            new Criterion(TimeOrderedIds.Next(), "Accuracy", "The answer is right and complete.", 3, CriterionScale.FivePoints),
            new Criterion(TimeOrderedIds.Next(), "Tone and empathy", "Warm, calm, no jargon.", 2, CriterionScale.ThreePoints),
            new Criterion(TimeOrderedIds.Next(), "Resolution", "The customer leaves with the problem solved or a clear next step.", 2, CriterionScale.YesNo),
        ], now);
        db.Scorecards.Add(scorecard);
        var sampling = QualitySampling.For(workspaceId);
        sampling.Change(isEnabled: true, perAgentPerWeek: 3, scorecard.Id, reviewerIds, now);
        db.QualitySamplings.Add(sampling);
    }
}
