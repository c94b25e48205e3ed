using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Routing;

/// <summary>
/// Decides, on this node, which waiting conversation goes to which agent: one pass at a time over each team's
/// queue whenever something may let it move (a conversation queued, capacity freed, an agent online, a cap
/// raised), and a sweep of every queue as a safety net. Passes run one after another, so on one node a team's
/// queue is served in order by one decider. What makes assignment safe with several deciders (another node,
/// a person assigning by hand) is not this class but the locked re-check each assignment commits with (see
/// <see cref="TeamDispatch"/> and <see cref="AgentCapacity"/>).
/// </summary>
public sealed class AssignmentAuthority(IServiceScopeFactory scopes, TimeProvider clock, IConfiguration configuration, ILogger<AssignmentAuthority> logger)
    : BackgroundService
{
    private readonly Lock _pendingLock = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private HashSet<(Guid WorkspaceId, Guid TeamId)> _teams = [];
    private HashSet<(Guid WorkspaceId, Guid AgentId)> _agents = [];

    /// <summary>The team's queue may move: a conversation joined it, or a member was added.</summary>
    public void TeamMayAssign(Guid workspaceId, Guid teamId)
    {
        lock (_pendingLock)
        {
            _teams.Add((workspaceId, teamId));
        }

        _wake.Writer.TryWrite(true);
    }

    /// <summary>The agent may take more: they came online, a conversation of theirs ended or left them, their cap rose.</summary>
    public void AgentMayTakeMore(Guid workspaceId, Guid agentId)
    {
        lock (_pendingLock)
        {
            _agents.Add((workspaceId, agentId));
        }

        _wake.Writer.TryWrite(true);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(
        DecideAsync(stoppingToken),
        PeriodicJob.RunAsync(
            configuration.GetValue("Routing:SweepInterval", TimeSpan.FromSeconds(5)), clock, logger, "Sweeping the team queues", SweepAsync, stoppingToken));

    private async Task DecideAsync(CancellationToken stoppingToken)
    {
        while (await _wake.Reader.WaitToReadAsync(stoppingToken))
        {
            _wake.Reader.TryRead(out _);
            HashSet<(Guid, Guid)> teams, agents;
            lock (_pendingLock)
            {
                (teams, agents, _teams, _agents) = (_teams, _agents, [], []);
            }

            foreach (var (workspaceId, agentId) in agents)
            {
                await WithoutFailingAsync(workspaceId, async services =>
                    teams.UnionWith((await services.GetRequiredService<AppDbContext>().TeamMembers
                            .Where(m => m.AgentId == agentId).Select(m => m.TeamId).ToListAsync(stoppingToken))
                        .Select(teamId => (workspaceId, teamId))), stoppingToken);
            }

            foreach (var (workspaceId, teamId) in teams)
            {
                await WithoutFailingAsync(workspaceId, async services =>
                {
                    await services.GetRequiredService<TeamDispatch>().RunAsync(teamId, stoppingToken);
                    await services.GetRequiredService<QueueAnnouncer>().AnnounceAsync(
                        services.GetRequiredService<AppDbContext>(), services.GetRequiredService<QueueEstimates>(), teamId, stoppingToken);
                }, stoppingToken);
            }
        }
    }

    // Runs one step in its workspace's scope; a failed step is logged, and the sweep serves its queue again shortly.
    private async Task WithoutFailingAsync(Guid workspaceId, Func<IServiceProvider, Task> step, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
            await step(scope.ServiceProvider);
        }
#pragma warning disable CA1031 // One failed pass must not stop routing for every other team.
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            logger.LogWarning(e, "A routing pass in workspace {WorkspaceId} failed; the next sweep tries again.", workspaceId);
        }
    }

    /// <summary>Every team with a waiting conversation gets a pass: nothing waits on a wake-up that was missed or went to another node.</summary>
    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        // Operator scope: the one look-up across workspaces; each pass then runs in its own. Asked team by team, each
        // question is a seek in the conversations' (team, queued since) index; asked of the conversations, it read
        // every conversation ever held, every few seconds (400 ms at a million).
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var waiting = await db.Teams.Where(t => db.Conversations.Any(c => c.TeamId == t.Id && c.QueuedAt != null))
            .Select(t => new { t.WorkspaceId, t.Id }).ToListAsync(cancellationToken);
        foreach (var team in waiting)
        {
            TeamMayAssign(team.WorkspaceId, team.Id);
        }
    }
}
