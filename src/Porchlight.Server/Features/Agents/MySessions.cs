using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Features.SignIn;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

/// <summary>One browser signed in as the caller.</summary>
/// <param name="Device">What the browser says it is, read from its user agent ("Firefox on Windows").</param>
/// <param name="IpAddress">The address of its last request.</param>
/// <param name="LastSeenAt">Its last request, to the minute.</param>
/// <param name="TwoFactor">Whether it was signed in with a second factor.</param>
/// <param name="Current">Whether it is the session the call is made in (never, with an API token).</param>
public sealed record SessionResponse(
    Guid Id, string Device, string? UserAgent, string? IpAddress, DateTime SignedInAt, DateTime LastSeenAt, bool TwoFactor, bool Current)
{
    public static SessionResponse From(AgentSession session, Guid? current) => new(
        session.Id, Describe(session.UserAgent), session.UserAgent, session.IpAddress, session.SignedInAt, session.LastSeenAt, session.TwoFactor,
        session.Id == current);

    public static string Describe(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return "Unknown browser";
        }

        var facts = Tracking.UserAgents.Read(userAgent);
        return facts.Browser == "Other" && facts.Os == "Other" ? "Other browser"
            : facts.Os == "Other" ? facts.Browser
            : $"{facts.Browser} on {facts.Os}";
    }
}

/// <param name="Ended">How many sessions were signed out.</param>
public sealed record EndedSessionsResponse(int Ended);

/// <summary>
/// The caller's signed-in browsers, and signing them out: one at a time, or all but the one the call is made in.
/// A session ended here is refused within seconds on every node (<see cref="AgentSessions"/>). Recorded in the audit trail.
/// </summary>
public sealed class MySessions(AppDbContext db, AgentSessions sessions, ActingAgent actor, RecordAuthEvent audit)
{
    public async Task<Result<IReadOnlyList<SessionResponse>>> ListAsync(CancellationToken cancellationToken)
    {
        var agent = await db.Agents.AsNoTracking().FirstAsync(a => a.Id == actor.AgentId, cancellationToken);
        var list = await sessions.ListAsync(agent, cancellationToken);
        // The session of the caller first, then the newest.
        return list.Select(s => SessionResponse.From(s, actor.SessionId)).OrderByDescending(s => s.Current).ToList();
    }

    public async Task<Result<Done>> EndAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var agent = await db.Agents.AsNoTracking().FirstAsync(a => a.Id == actor.AgentId, cancellationToken);
        var session = await db.AgentSessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId && s.AgentId == agent.Id, cancellationToken);
        if (session is null || !await sessions.EndAsync(agent.Id, sessionId, cancellationToken))
        {
            return Failure.NotFound("Session");
        }

        await audit.HandleAsync(agent, "auth.session_ended", cancellationToken, new Dictionary<string, AuditChange>
        {
            ["session"] = new($"{SessionResponse.Describe(session.UserAgent)}, {session.IpAddress ?? "unknown address"}, signed in {session.SignedInAt:u}", null),
        });
        return default(Done);
    }

    public async Task<Result<EndedSessionsResponse>> EndOthersAsync(CancellationToken cancellationToken)
    {
        var agent = await db.Agents.AsNoTracking().FirstAsync(a => a.Id == actor.AgentId, cancellationToken);
        var ended = await sessions.EndAllAsync(agent.Id, actor.SessionId, cancellationToken);
        await audit.HandleAsync(agent, "auth.other_sessions_ended", cancellationToken,
            new Dictionary<string, AuditChange> { ["sessionsEnded"] = new(null, ended) });
        return new EndedSessionsResponse(ended);
    }
}
