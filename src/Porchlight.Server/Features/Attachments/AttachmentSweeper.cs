using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Attachments;

/// <summary>
/// Removes uploads that were never sent (after <see cref="AttachmentOptions.UnsentAttachmentLifetime"/>) with
/// their files, and stored files older than that whose rows are gone (cascaded away with an inbox, or left
/// by a crash between writing a file and its row). Every pass is safe to repeat and to run on several nodes
/// at once: a row is deleted only while it is still unsent, and a file only when its row is gone.
/// </summary>
public sealed class AttachmentSweeper(
    IServiceScopeFactory scopes, IAttachmentStore store, IOptions<AttachmentOptions> options, TimeProvider clock, ILogger<AttachmentSweeper> logger)
    : BackgroundService
{
    private const int BatchSize = 200;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicJob.RunAsync(options.Value.AttachmentSweepInterval, clock, logger, "Sweeping unsent attachments", SweepAsync, stoppingToken);

    /// <summary>One pass: unsent uploads past their lifetime, then files without a row. Answers how many files went.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - options.Value.UnsentAttachmentLifetime;
        var removed = await RemoveUnsentAsync(cutoff, cancellationToken);
        var batch = new List<StoredFile>(BatchSize);
        await foreach (var file in store.ListAsync(cutoff, cancellationToken))
        {
            batch.Add(file);
            if (batch.Count == BatchSize)
            {
                removed += await RemoveOrphansAsync(batch, cancellationToken);
                batch.Clear();
            }
        }

        removed += await RemoveOrphansAsync(batch, cancellationToken);
        if (removed > 0 && logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Removed {Count} attachment files that were never sent or whose rows were deleted.", removed);
        }

        return removed;
    }

    private async Task<int> RemoveUnsentAsync(DateTime cutoff, CancellationToken cancellationToken)
    {
        var removed = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            // Operator scope: the sweep looks across workspaces.
            var attachments = scope.ServiceProvider.GetRequiredService<AppDbContext>().Attachments.IgnoreQueryFilters();
            var due = await attachments.Where(a => a.MessageId == null && a.CreatedAt < cutoff)
                .OrderBy(a => a.CreatedAt).Take(BatchSize)
                .Select(a => new StoredFile(a.WorkspaceId, a.Id))
                .ToListAsync(cancellationToken);
            var ids = due.Select(f => f.AttachmentId).ToList();
            // A message may claim one of them at this very moment: only rows still unsent are deleted (the claim
            // then fails on its concurrency token), and only the files of rows that are really gone follow.
            await attachments.Where(a => ids.Contains(a.Id) && a.MessageId == null).ExecuteDeleteAsync(cancellationToken);
            var kept = await attachments.Where(a => ids.Contains(a.Id)).Select(a => a.Id).ToListAsync(cancellationToken);
            var gone = due.Where(f => !kept.Contains(f.AttachmentId)).ToList();
            foreach (var file in gone)
            {
                await store.DeleteAsync(file.WorkspaceId, file.AttachmentId, CancellationToken.None);
            }

            removed += gone.Count;
            if (due.Count < BatchSize)
            {
                return removed;
            }
        }
    }

    private async Task<int> RemoveOrphansAsync(List<StoredFile> files, CancellationToken cancellationToken)
    {
        if (files.Count == 0)
        {
            return 0;
        }

        await using var scope = scopes.CreateAsyncScope();
        var ids = files.Select(f => f.AttachmentId).ToList();
        var known = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Attachments.IgnoreQueryFilters()
            .Where(a => ids.Contains(a.Id)).Select(a => a.Id).ToListAsync(cancellationToken);
        var orphans = files.Where(f => !known.Contains(f.AttachmentId)).ToList();
        foreach (var file in orphans)
        {
            await store.DeleteAsync(file.WorkspaceId, file.AttachmentId, CancellationToken.None);
        }

        return orphans.Count;
    }
}
