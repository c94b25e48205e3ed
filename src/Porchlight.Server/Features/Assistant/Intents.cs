using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Assistant;

/// <summary>An intent as written: <c>name</c> (lower-case letters, digits and dashes), a description, and example phrases, one each.</summary>
public sealed record IntentRequest(string? Name, string? Description, List<string>? Examples);

public sealed record IntentResponse(Guid Id, string Name, string Description, List<string> Examples, DateTime UpdatedAt)
{
    public static IntentResponse From(Intent i) => new(i.Id, i.Name, i.Description, i.Examples, i.UpdatedAt);
}

/// <summary>
/// Where the classifier stands: <c>Trained</c> (and how it did on held-out examples), <c>Training</c> (the intents
/// changed since, a new one is on its way) or <c>NeedsExamples</c> (fewer than two intents with enough examples).
/// </summary>
public sealed record IntentModelResponse(string Status, DateTime? TrainedAt, int Examples, IntentEvaluation? Evaluation);

public sealed record ClassifyRequest(string? Text);

/// <summary>The most likely intent and its probability, then every intent ranked.</summary>
public sealed record ClassifyResponse(string Intent, float Confidence, List<IntentPrediction> Ranking);

/// <summary>The workspace's intents, the classifier trained on them, and classifying a text with it.</summary>
public sealed partial class Intents(AppDbContext db, ActingAgent actor, TimeProvider clock, IntentClassifiers classifiers)
{
    public const int MaxClassifiedLength = 2_000;

    public async Task<List<IntentResponse>> ListAsync(CancellationToken cancellationToken) =>
        (await db.Intents.AsNoTracking().OrderBy(i => i.Name).ToListAsync(cancellationToken)).ConvertAll(IntentResponse.From);

    public async Task<Result<IntentResponse>> CreateAsync(IntentRequest request, CancellationToken cancellationToken)
    {
        if (await db.Intents.CountAsync(cancellationToken) >= Intent.MaxIntents)
        {
            return Failure.Conflict($"A workspace has at most {Intent.MaxIntents} intents.");
        }

        var intent = Intent.Create(actor.WorkspaceId);
        if (await ApplyAsync(intent, request, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        db.Intents.Add(intent);
        await db.SaveChangesAsync(cancellationToken);
        return IntentResponse.From(intent);
    }

    public async Task<Result<IntentResponse>> UpdateAsync(Guid intentId, IntentRequest request, CancellationToken cancellationToken)
    {
        if (await db.Intents.FirstOrDefaultAsync(i => i.Id == intentId, cancellationToken) is not { } intent)
        {
            return Failure.NotFound("The intent");
        }

        if (await ApplyAsync(intent, request, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        await db.SaveChangesAsync(cancellationToken);
        return IntentResponse.From(intent);
    }

    public async Task<Result<Done>> DeleteAsync(Guid intentId, CancellationToken cancellationToken)
    {
        if (await db.Intents.FirstOrDefaultAsync(i => i.Id == intentId, cancellationToken) is not { } intent)
        {
            return Failure.NotFound("The intent");
        }

        db.Intents.Remove(intent);
        await db.SaveChangesAsync(cancellationToken);
        return new Done();
    }

    public async Task<IntentModelResponse> ModelAsync(CancellationToken cancellationToken)
    {
        var intents = await db.Intents.AsNoTracking().GroupBy(i => 1).Select(g => new { Count = g.Count(), Latest = g.Max(i => i.UpdatedAt) })
            .FirstOrDefaultAsync(cancellationToken);
        var model = await db.IntentModels.AsNoTracking().Select(m => new { m.Stamp, m.TrainedAt, m.Examples, m.Evaluation, Empty = m.Model.Length == 0 })
            .FirstOrDefaultAsync(cancellationToken);
        if (intents is null || (model is not null && model.Stamp == IntentTraining.StampOf(intents.Count, intents.Latest) && model.Empty))
        {
            return new IntentModelResponse("NeedsExamples", null, model?.Examples ?? 0, null);
        }

        var current = model is not null && model.Stamp == IntentTraining.StampOf(intents.Count, intents.Latest);
        return model is null || model.Empty
            ? new IntentModelResponse("Training", null, 0, null)
            : new IntentModelResponse(current ? "Trained" : "Training", model.TrainedAt, model.Examples, model.Evaluation);
    }

    public async Task<Result<ClassifyResponse>> ClassifyAsync(ClassifyRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Required("text", request.Text, MaxClassifiedLength);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (await classifiers.ForAsync(db, actor.WorkspaceId, cancellationToken) is not { } classifier)
        {
            return Failure.Conflict($"There is no trained classifier yet: it needs two intents with at least {Intent.MinExamples} examples each.");
        }

        var ranking = classifier.Rank(request.Text!);
        return new ClassifyResponse(ranking[0].Intent, ranking[0].Confidence, ranking);
    }

    private async Task<Failure?> ApplyAsync(Intent intent, IntentRequest request, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim().ToLowerInvariant() ?? "";
        var errors = new FieldErrors().MaxLength("description", request.Description, Intent.MaxDescriptionLength);
        if (name.Length == 0 || name.Length > Intent.MaxNameLength || !KnowledgeBase.Articles.IsSlug(name))
        {
            errors.Add("name", $"Lower-case letters and digits joined by dashes, at most {Intent.MaxNameLength} characters: order-status.");
        }

        var examples = (request.Examples ?? []).Select(e => e?.Trim() ?? "").Where(e => e.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (examples.Count > Intent.MaxExamples)
        {
            errors.Add("examples", $"At most {Intent.MaxExamples}.");
        }
        else if (examples.Any(e => e.Length > Intent.MaxExampleLength))
        {
            errors.Add("examples", $"Each at most {Intent.MaxExampleLength} characters.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (await db.Intents.AnyAsync(i => i.Id != intent.Id && i.Name == name, cancellationToken))
        {
            return Failure.Duplicate("name", $"There is an intent “{name}” already.");
        }

        intent.Change(name, request.Description?.Trim() ?? "", examples, clock.GetUtcNow().UtcDateTime);
        return null;
    }
}
