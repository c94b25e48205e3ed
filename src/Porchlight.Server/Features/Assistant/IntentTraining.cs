using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting.Cluster;

namespace Porchlight.Server.Features.Assistant;

/// <summary>
/// Retrains a workspace's intent classifier in the background whenever its intents changed: a pass every few
/// seconds compares each workspace's intents (how many, last changed when) with the stamp of its stored model.
/// Training measures the classifier on every fifth example held out, then trains the stored one on all of them.
/// Intents with fewer than <see cref="Intent.MinExamples"/> examples are left out; with fewer than two intents
/// left, there is no model. Two nodes may train the same change at once: the same examples give the same model,
/// and a node whose first store of it collides with the other's finds it done on its next pass.
/// </summary>
public sealed class IntentTraining(IServiceScopeFactory scopes, JobLeases leases, TimeProvider clock, IConfiguration configuration, ILogger<IntentTraining> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        leases.RunAsync(
            nameof(IntentTraining), configuration.GetValue("Assistant:TrainingInterval", TimeSpan.FromSeconds(5)), logger, "Training intent classifiers",
            TrainChangedAsync, stoppingToken);

    /// <summary>Trains every workspace whose intents changed since its model; answers how many were trained.</summary>
    public async Task<int> TrainChangedAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        // Operator scope: every workspace's intents and models.
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var intents = await db.Intents.IgnoreQueryFilters().AsNoTracking().GroupBy(i => i.WorkspaceId)
            .Select(g => new { WorkspaceId = g.Key, Count = g.Count(), Latest = g.Max(i => i.UpdatedAt) }).ToListAsync(cancellationToken);
        var models = await db.IntentModels.IgnoreQueryFilters().AsNoTracking().Select(m => new { m.WorkspaceId, m.Stamp })
            .ToDictionaryAsync(m => m.WorkspaceId, m => m.Stamp, cancellationToken);
        var trained = 0;
        foreach (var workspace in intents.Where(w => models.GetValueOrDefault(w.WorkspaceId) != StampOf(w.Count, w.Latest)))
        {
            await TrainAsync(workspace.WorkspaceId, cancellationToken);
            trained++;
        }

        // A workspace whose last intent was deleted keeps no model.
        var orphans = models.Keys.Except(intents.Select(w => w.WorkspaceId)).ToList();
        if (orphans.Count > 0)
        {
            await db.IntentModels.IgnoreQueryFilters().Where(m => orphans.Contains(m.WorkspaceId)).ExecuteDeleteAsync(cancellationToken);
        }

        return trained;
    }

    public static string StampOf(int count, DateTime latest) => string.Create(CultureInfo.InvariantCulture, $"{count}:{latest.Ticks}");

    private async Task TrainAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
        var intents = await db.Intents.AsNoTracking().ToListAsync(cancellationToken);
        var stamp = StampOf(intents.Count, intents.Max(i => i.UpdatedAt));
        var examples = intents.Where(i => i.Examples.Count >= Intent.MinExamples).OrderBy(i => i.Name, StringComparer.Ordinal)
            .SelectMany(i => i.Examples.Select(e => new IntentExample(i.Name, e))).ToList();
        var model = await db.IntentModels.FirstOrDefaultAsync(cancellationToken);
        if (model is null)
        {
            model = IntentModel.Create(workspaceId);
            db.IntentModels.Add(model);
        }

        // Too few intents to tell apart: an empty model remembers "not trainable at this stamp", so the pass does not
        // try again every tick. Otherwise CPU-bound for a second or so: off the pass's thread, and off any request's.
        var (bytes, evaluation) = examples.Select(e => e.Intent).Distinct().Count() < 2
            ? ([], new IntentEvaluation(0, 0, [], []))
            : await Task.Run(() =>
            {
                var (training, heldOut) = IntentClassifier.Split(examples);
                var measured = IntentClassifier.Evaluate(training, heldOut);
                using var classifier = IntentClassifier.Train(examples);
                return (classifier.Save(), measured);
            }, cancellationToken);
        model.Trained(stamp, bytes, evaluation, examples.Count, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Trained the intent classifier of workspace {WorkspaceId}: {Examples} examples, held-out accuracy {Accuracy:P0}.",
                workspaceId, examples.Count, evaluation.Accuracy);
        }
    }
}

/// <summary>
/// Loaded classifiers, one per workspace, replaced when the stored model's stamp changes (another node may have
/// trained it): a prediction costs one small query for the stamp and no deserialization while it stays the same.
/// </summary>
public sealed class IntentClassifiers : IDisposable
{
    private readonly ConcurrentDictionary<Guid, (string Stamp, IntentClassifier Classifier)> _loaded = new();

    /// <summary>The workspace's classifier, or null when it has none yet (or not enough intents to have one).</summary>
    public async Task<IntentClassifier?> ForAsync(AppDbContext db, Guid workspaceId, CancellationToken cancellationToken)
    {
        var stamp = await db.IntentModels.AsNoTracking().Where(m => m.WorkspaceId == workspaceId).Select(m => m.Stamp).FirstOrDefaultAsync(cancellationToken);
        if (stamp is null)
        {
            return null;
        }

        if (_loaded.TryGetValue(workspaceId, out var loaded) && loaded.Stamp == stamp)
        {
            return loaded.Classifier;
        }

        var bytes = await db.IntentModels.AsNoTracking().Where(m => m.WorkspaceId == workspaceId).Select(m => m.Model).FirstAsync(cancellationToken);
        if (bytes.Length == 0)
        {
            return null;
        }

        var classifier = IntentClassifier.Load(bytes);
        _loaded[workspaceId] = (stamp, classifier);
        // The replaced one may still be predicting for another request; it is left to the collector, not disposed.
        return classifier;
    }

    public void Dispose()
    {
        foreach (var (_, classifier) in _loaded.Values)
        {
            classifier.Dispose();
        }
    }
}
