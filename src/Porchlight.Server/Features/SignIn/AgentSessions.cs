using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;

namespace Porchlight.Server.Features.SignIn;

/// <summary>
/// What this node last learned about each session, for at most <see cref="Freshness"/>: a request within that time of
/// the last check costs no query. Ending a session forgets it here at once; another node's answer for it stands until
/// it goes stale, so a session ended anywhere is refused everywhere within <see cref="Freshness"/>.
/// </summary>
public sealed class AgentSessionCache
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(5);

    private const int PruneAbove = 10_000;
    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();

    internal sealed record Entry(Guid AgentId, bool Valid, DateTime CheckedAt, DateTime LastSeenAt);

    internal Entry? Fresh(Guid sessionId, DateTime now) =>
        _entries.TryGetValue(sessionId, out var entry) && now - entry.CheckedAt < Freshness && now >= entry.CheckedAt ? entry : null;

    internal void Remember(Guid sessionId, Entry entry, DateTime now)
    {
        if (_entries.Count > PruneAbove)
        {
            foreach (var (id, stale) in _entries.Where(e => now - e.Value.CheckedAt >= Freshness))
            {
                _entries.TryRemove(id, out _);
            }
        }

        _entries[sessionId] = entry;
    }

    public void Forget(Guid sessionId) => _entries.TryRemove(sessionId, out _);

    public void ForgetAgent(Guid agentId)
    {
        foreach (var (id, _) in _entries.Where(e => e.Value.AgentId == agentId))
        {
            _entries.TryRemove(id, out _);
        }
    }
}

/// <summary>
/// The agents' server-side sessions (<see cref="AgentSession"/>): started at every cookie sign-in, checked on every
/// request that carries the cookie, listed on the profile page, and ended by sign-out, by the agent from another
/// browser, by a password change or reset, a role change or a deactivation.
/// </summary>
public sealed class AgentSessions(AppDbContext db, AgentSessionCache cache, TimeProvider clock)
{
    /// <summary>How long a session lives without a request: the app cookie's sliding lifetime, and some.</summary>
    public static readonly TimeSpan IdleLifetime = TimeSpan.FromDays(14) + TimeSpan.FromHours(1);

    /// <summary>The last request is written at most this often per session.</summary>
    public static readonly TimeSpan LastSeenResolution = TimeSpan.FromMinutes(1);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<AgentSession> StartAsync(Agent agent, string? ipAddress, string? userAgent, bool twoFactor, CancellationToken cancellationToken)
    {
        var now = Now;
        // Sessions that ended by themselves (idle too long, or made under a stamp since rotated) go as a new one starts.
        var idleSince = now - IdleLifetime;
        var stamp = agent.SecurityStamp ?? "";
        await db.AgentSessions.IgnoreQueryFilters()
            .Where(s => s.AgentId == agent.Id && (s.LastSeenAt < idleSince || s.SecurityStamp != stamp))
            .ExecuteDeleteAsync(cancellationToken);
        var session = AgentSession.Start(agent, ipAddress, userAgent, twoFactor, now);
        db.AgentSessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        return session;
    }

    /// <summary>
    /// Whether a request's session is still on: its row exists for this agent, the agent is active, and the agent's
    /// security stamp is the one the session was made under. Notes the request as the session's last one (at most once
    /// a minute) with its address.
    /// </summary>
    public async Task<bool> IsValidAsync(Guid sessionId, Guid agentId, string? ipAddress, CancellationToken cancellationToken)
    {
        var now = Now;
        if (cache.Fresh(sessionId, now) is { } known && known.AgentId == agentId)
        {
            return known.Valid;
        }

        var row = await db.AgentSessions.IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.Id == sessionId && s.AgentId == agentId)
            .Join(db.Agents.IgnoreQueryFilters(), s => s.AgentId, a => a.Id,
                (s, a) => new { s.LastSeenAt, s.SecurityStamp, AgentStamp = a.SecurityStamp, a.IsActive })
            .FirstOrDefaultAsync(cancellationToken);
        var valid = row is not null && row.IsActive && row.SecurityStamp == row.AgentStamp && row.LastSeenAt >= now - IdleLifetime;
        var lastSeen = row?.LastSeenAt ?? now;
        if (valid && now - lastSeen >= LastSeenResolution)
        {
            lastSeen = now;
            var sessionRows = db.AgentSessions.IgnoreQueryFilters().Where(s => s.Id == sessionId);
            // A circuit's check has no request, hence no address: the last one seen stays.
            await (ipAddress is null
                ? sessionRows.ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSeenAt, now), cancellationToken)
                : sessionRows.ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSeenAt, now).SetProperty(x => x.IpAddress, ipAddress), cancellationToken));
        }

        cache.Remember(sessionId, new AgentSessionCache.Entry(agentId, valid, now, lastSeen), now);
        return valid;
    }

    /// <summary>The agent's sessions that are still on, the newest first.</summary>
    public async Task<List<AgentSession>> ListAsync(Agent agent, CancellationToken cancellationToken)
    {
        var idleSince = Now - IdleLifetime;
        var stamp = agent.SecurityStamp ?? "";
        return await db.AgentSessions.IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.AgentId == agent.Id && s.SecurityStamp == stamp && s.LastSeenAt >= idleSince)
            .OrderByDescending(s => s.SignedInAt).ThenByDescending(s => s.Id)
            .ToListAsync(cancellationToken);
    }

    /// <returns>Whether the agent had that session.</returns>
    public async Task<bool> EndAsync(Guid agentId, Guid sessionId, CancellationToken cancellationToken)
    {
        var ended = await db.AgentSessions.IgnoreQueryFilters()
            .Where(s => s.Id == sessionId && s.AgentId == agentId)
            .ExecuteDeleteAsync(cancellationToken);
        cache.Forget(sessionId);
        return ended > 0;
    }

    /// <summary>Ends every session of the agent but <paramref name="except"/> (the one making the request, if any).</summary>
    /// <returns>How many ended.</returns>
    public async Task<int> EndAllAsync(Guid agentId, Guid? except, CancellationToken cancellationToken)
    {
        var ended = await db.AgentSessions.IgnoreQueryFilters()
            .Where(s => s.AgentId == agentId && (except == null || s.Id != except))
            .ExecuteDeleteAsync(cancellationToken);
        cache.ForgetAgent(agentId);
        return ended;
    }

    /// <summary>
    /// Keeps a session on across a change of the agent's security stamp that the agent made in it (a new password):
    /// the session follows the new stamp, every other one ends with the old.
    /// </summary>
    public async Task CarryOverAsync(Agent agent, Guid sessionId, CancellationToken cancellationToken)
    {
        var stamp = agent.SecurityStamp ?? "";
        await db.AgentSessions.IgnoreQueryFilters()
            .Where(s => s.Id == sessionId && s.AgentId == agent.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.SecurityStamp, stamp), cancellationToken);
        cache.ForgetAgent(agent.Id);
    }

    /// <summary>Ends the sessions of the workspace's agents who have no second factor (the workspace now requires one).</summary>
    public async Task EndWithoutTwoFactorAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        var agentIds = await db.Agents.IgnoreQueryFilters()
            .Where(a => a.WorkspaceId == workspaceId && !a.TwoFactorEnabled)
            .Select(a => a.Id)
            .ToListAsync(cancellationToken);
        foreach (var agentId in agentIds)
        {
            await EndAllAsync(agentId, null, cancellationToken);
        }
    }
}
