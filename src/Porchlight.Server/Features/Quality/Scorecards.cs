using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Quality;

/// <summary>A criterion to save: with its id to keep the one it was, without to add a new one.</summary>
public sealed record CriterionRequest(Guid? Id, string? Name, string? Description, int? Weight, CriterionScale? Scale);

public sealed record ScorecardRequest(string? Name, string? Description, bool? IsActive, List<CriterionRequest>? Criteria);

public sealed record CriterionView(Guid Id, string Name, string? Description, int Weight, CriterionScale Scale, int Lowest, int Highest)
{
    public static CriterionView From(Criterion criterion) => new(
        criterion.Id, criterion.Name, criterion.Description, criterion.Weight, criterion.Scale, criterion.Scale.Lowest(), criterion.Scale.Highest());
}

public sealed record ScorecardResponse(Guid Id, string Name, string? Description, bool IsActive, List<CriterionView> Criteria, DateTime UpdatedAt)
{
    public static ScorecardResponse From(Scorecard scorecard) => new(
        scorecard.Id, scorecard.Name, scorecard.Description, scorecard.IsActive, scorecard.Criteria.ConvertAll(CriterionView.From), scorecard.UpdatedAt);
}

/// <summary>The workspace's scorecards: listed for everyone who reviews, created and changed by them.</summary>
public sealed class Scorecards(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    public async Task<List<ScorecardResponse>> ListAsync(CancellationToken cancellationToken) =>
        (await db.Scorecards.AsNoTracking().OrderBy(s => s.Name).ToListAsync(cancellationToken)).ConvertAll(ScorecardResponse.From);

    public async Task<Result<ScorecardResponse>> GetAsync(Guid scorecardId, CancellationToken cancellationToken) =>
        await db.Scorecards.AsNoTracking().FirstOrDefaultAsync(s => s.Id == scorecardId, cancellationToken) is { } scorecard
            ? ScorecardResponse.From(scorecard)
            : Failure.NotFound("The scorecard");

    public Task<Result<ScorecardResponse>> CreateAsync(ScorecardRequest request, CancellationToken cancellationToken) =>
        SaveAsync(Scorecard.Create(actor.WorkspaceId, clock.GetUtcNow().UtcDateTime), isNew: true, request, cancellationToken);

    public async Task<Result<ScorecardResponse>> UpdateAsync(Guid scorecardId, ScorecardRequest request, CancellationToken cancellationToken) =>
        await db.Scorecards.FirstOrDefaultAsync(s => s.Id == scorecardId, cancellationToken) is { } scorecard
            ? await SaveAsync(scorecard, isNew: false, request, cancellationToken)
            : Failure.NotFound("The scorecard");

    private async Task<Result<ScorecardResponse>> SaveAsync(Scorecard scorecard, bool isNew, ScorecardRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .Required("name", request.Name, Scorecard.MaxNameLength)
            .MaxLength("description", request.Description, Scorecard.MaxDescriptionLength);
        var criteria = Validate(request.Criteria, scorecard, errors);
        var name = request.Name?.Trim() ?? "";
        if (!errors.Any && await db.Scorecards.AnyAsync(s => s.Name == name && s.Id != scorecard.Id, cancellationToken))
        {
            return Failure.Duplicate("name", "Another scorecard has this name.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        scorecard.Change(name, string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim(), request.IsActive ?? scorecard.IsActive,
            criteria, clock.GetUtcNow().UtcDateTime);
        if (isNew)
        {
            db.Scorecards.Add(scorecard);
        }

        await db.SaveChangesAsync(cancellationToken);
        return ScorecardResponse.From(scorecard);
    }

    private static List<Criterion> Validate(List<CriterionRequest>? requested, Scorecard scorecard, FieldErrors errors)
    {
        if (requested is not { Count: > 0 and <= Scorecard.MaxCriteria })
        {
            errors.Add("criteria", $"From 1 to {Scorecard.MaxCriteria} criteria.");
            return [];
        }

        var criteria = new List<Criterion>();
        for (var i = 0; i < requested.Count; i++)
        {
            var (item, field) = (requested[i], $"criteria[{i}]");
            if (item is null)
            {
                errors.Add(field, "Required: a criterion.");
                continue;
            }

            var before = errors.Count;
            errors.Required($"{field}.name", item.Name, Criterion.MaxNameLength).MaxLength($"{field}.description", item.Description, Scorecard.MaxDescriptionLength);
            if (item.Weight is not (>= 1 and <= Criterion.MaxWeight))
            {
                errors.Add($"{field}.weight", $"From 1 to {Criterion.MaxWeight}.");
            }

            if (item.Scale is not { } scale || !Enum.IsDefined(scale))
            {
                errors.Add($"{field}.scale", "YesNo, ThreePoints or FivePoints.");
            }

            if (item.Id is { } id && scorecard.Criteria.All(c => c.Id != id))
            {
                errors.Add($"{field}.id", "Not a criterion of this scorecard; leave it out to add a new one.");
            }

            if (criteria.Any(c => string.Equals(c.Name, item.Name?.Trim(), StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add($"{field}.name", "Two criteria have this name.");
            }

            if (errors.Count == before)
            {
                criteria.Add(new Criterion(
                    item.Id ?? TimeOrderedIds.Next(), item.Name!.Trim(), string.IsNullOrWhiteSpace(item.Description) ? null : item.Description.Trim(),
                    item.Weight!.Value, item.Scale!.Value));
            }
        }

        return criteria;
    }
}
