using Microsoft.AspNetCore.Identity;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.SignIn;

/// <summary>Sets a new password from a reset link: lifts a lockout and ends every session of the agent.</summary>
public sealed class ResetPassword(AppDbContext db, UserManager<Agent> users, ActingAgent actor, RecordAuthEvent audit, AgentSessions sessions)
{
    public async Task<Result<Done>> HandleAsync(string email, string token, string password, string? ipAddress, CancellationToken cancellationToken)
    {
        var agent = await db.FindAgentByEmailAsync(email, cancellationToken);
        if (agent is not { IsActive: true })
        {
            return Failure.Invalid("token", "This reset link is not valid any more. Ask for a new one.");
        }

        actor.Enter(agent, ipAddress);
        var reset = await users.ResetPasswordAsync(agent, token, password);
        if (!reset.Succeeded)
        {
            return reset.Errors.Any(e => e.Code == "InvalidToken")
                ? Failure.Invalid("token", "This reset link is not valid any more. Ask for a new one.")
                : IdentityFailures.From(reset);
        }

        // A reset also lifts a lockout: the person proved they own the mailbox.
        await users.SetLockoutEndDateAsync(agent, null);
        await users.ResetAccessFailedCountAsync(agent);
        // Whoever knew the old password is signed out everywhere (the new stamp ended their sessions; the rows go too).
        var ended = await sessions.EndAllAsync(agent.Id, null, cancellationToken);
        await audit.HandleAsync(agent, "auth.password_reset", cancellationToken,
            new Dictionary<string, AuditChange> { ["sessionsEnded"] = new(null, ended) });
        return default(Done);
    }
}
