using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting.Cluster;

namespace Porchlight.Server.Features.Conversations;

/// <summary>
/// Reopens snoozed conversations whose time has come, with an activity in the thread and a live update,
/// so they return to the agents' open lists by themselves.
/// </summary>
public sealed class SnoozeAlarm(IServiceScopeFactory scopes, JobLeases leases, TimeProvider clock, IConfiguration configuration, ILogger<SnoozeAlarm> logger)
    : BackgroundService
{
    private const int BatchSize = 100;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        leases.RunAsync(
            nameof(SnoozeAlarm), configuration.GetValue("Conversations:SnoozeCheckInterval", TimeSpan.FromSeconds(30)), logger, "Reopening snoozed conversations",
            WakeDueAsync, stoppingToken);

    /// <summary>Reopens every conversation snoozed until now or earlier, in batches.</summary>
    public async Task WakeDueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            List<(Guid Id, Guid WorkspaceId)> due;
            await using (var scope = scopes.CreateAsyncScope())
            {
                // Operator scope: the one query that looks across workspaces; each reopening then runs in its own.
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                due = (await db.Conversations.IgnoreQueryFilters()
                        .Where(c => c.Status == ConversationStatus.Snoozed && c.SnoozedUntil <= now)
                        .OrderBy(c => c.SnoozedUntil).Take(BatchSize)
                        .Select(c => new { c.Id, c.WorkspaceId }).ToListAsync(cancellationToken))
                    .Select(c => (c.Id, c.WorkspaceId)).ToList();
            }

            foreach (var (id, workspaceId) in due)
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                await scope.ServiceProvider.GetRequiredService<ConversationChanges>().DecideAsync(async ct =>
                {
                    await RowLocks.LockAsync<Conversation>(db, id, ct);
                    var conversation = await db.Conversations.FirstOrDefaultAsync(c => c.Id == id, ct);
                    // Someone may have reopened or resolved it since the look-up.
                    if (conversation is not { Status: ConversationStatus.Snoozed } || conversation.SnoozedUntil > now)
                    {
                        return null;
                    }

                    conversation.ChangeStatus(ConversationStatus.Open, snoozedUntil: null, now);
                    return (conversation, "The snooze ended; the conversation is open again");
                }, authorAgentId: null, cancellationToken);
            }

            if (due.Count < BatchSize)
            {
                return;
            }
        }
    }
}
