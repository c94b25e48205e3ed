using Microsoft.AspNetCore.Identity;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.SignIn;

public enum SignInOutcome
{
    SignedIn,
    Failed,
    LockedOut,
    Deactivated,
}

/// <summary>Checks a password, applies lockout, sets the cookie, and records the attempt in the audit trail.</summary>
public sealed class SignInAgent(
    SignInManager<Agent> signIn, AppDbContext db, AuditActor auditActor, RecordAuthEvent audit, PorchlightMetrics metrics, ILogger<SignInAgent> logger)
{
    public async Task<SignInOutcome> HandleAsync(string email, string password, string? ipAddress)
    {
        var agent = await db.FindAgentByEmailAsync(email, CancellationToken.None);
        if (agent is null)
        {
            // No workspace to record it in; the log and the metric still show credential stuffing.
            logger.LogWarning("Sign-in failed for unknown email from {IpAddress}", ipAddress);
            metrics.SignIns.Add(1, new KeyValuePair<string, object?>("outcome", "unknown_email"));
            return SignInOutcome.Failed;
        }

        var result = await signIn.PasswordSignInAsync(agent, password, isPersistent: true, lockoutOnFailure: true);
        var outcome = result switch
        {
            { Succeeded: true } => SignInOutcome.SignedIn,
            { IsLockedOut: true } => SignInOutcome.LockedOut,
            { IsNotAllowed: true } => SignInOutcome.Deactivated,
            _ => SignInOutcome.Failed,
        };
        // A failed attempt is not the agent acting: name it by the email typed, without claiming the agent's id.
        auditActor.Set(
            outcome == SignInOutcome.SignedIn ? agent.Id : null, outcome == SignInOutcome.SignedIn ? agent.DisplayName : email.Trim(), ipAddress);
        var action = outcome switch
        {
            SignInOutcome.SignedIn => "auth.signed_in",
            SignInOutcome.LockedOut => "auth.locked_out",
            _ => "auth.sign_in_failed",
        };
        await audit.HandleAsync(agent, action, CancellationToken.None);
        metrics.SignIns.Add(1, new KeyValuePair<string, object?>("outcome", outcome.ToString().ToLowerInvariant()));
        return outcome;
    }
}
