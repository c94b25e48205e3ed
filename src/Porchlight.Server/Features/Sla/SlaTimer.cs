using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting.Cluster;

namespace Porchlight.Server.Features.Sla;

/// <summary>
/// Gives each running SLA clock its warning and its breach when their time comes, once. It finds the conversations
/// with a clock due and syncs each one's clocks (<see cref="SlaClocks"/>): under the conversation's lock the clocks
/// are first brought in line with the conversation (a reply not yet handled stops its clock in time), then the due
/// ones are marked in the same commit as their event, so two nodes running this job never both announce one.
/// The events (stored in the outbox) drive escalation and notifications.
/// </summary>
public sealed class SlaTimer(IServiceScopeFactory scopes, JobLeases leases, TimeProvider clock, IConfiguration configuration, ILogger<SlaTimer> logger)
    : BackgroundService
{
    private const int BatchSize = 200;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        leases.RunAsync(
            nameof(SlaTimer), configuration.GetValue("Sla:CheckInterval", TimeSpan.FromSeconds(10)), logger, "Checking SLA clocks", FireDueAsync, stoppingToken);

    /// <summary>Warns and breaches every clock whose moment has come by now, in batches of conversations.</summary>
    public async Task FireDueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            List<(Guid ConversationId, Guid WorkspaceId)> due;
            await using (var scope = scopes.CreateAsyncScope())
            {
                // Operator scope: the one look-up across workspaces; each conversation is then handled in its own.
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                due = (await db.SlaClocks.IgnoreQueryFilters()
                        .Where(c => c.Outcome == null && (c.WarnAt <= now || (c.BreachedAt == null && c.DueAt <= now)))
                        .Select(c => new { c.ConversationId, c.WorkspaceId }).Distinct()
                        .OrderBy(c => c.ConversationId).Take(BatchSize).ToListAsync(cancellationToken))
                    .Select(c => (c.ConversationId, c.WorkspaceId)).ToList();
            }

            var changed = 0;
            foreach (var (conversationId, workspaceId) in due)
            {
                changed += await SyncAsync(conversationId, workspaceId, now, cancellationToken);
            }

            // A full batch in which nothing could be announced would come back the same: the next check tries again.
            if (due.Count < BatchSize || changed == 0)
            {
                return;
            }
        }
    }

    private async Task<int> SyncAsync(Guid conversationId, Guid workspaceId, DateTime now, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
        return await scope.ServiceProvider.GetRequiredService<SlaClocks>().SyncAsync(conversationId, at: null, now, cancellationToken);
    }
}
