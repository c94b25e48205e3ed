using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
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

    /// <summary>The password was right; the agent's authenticator code (or a recovery code) comes next.</summary>
    TwoFactorRequired,

    /// <summary>The password was right; the workspace requires a second factor, which the agent sets up next.</summary>
    TwoFactorSetupRequired,

    /// <summary>The second step came without a pending sign-in (it took too long, or the password changed meanwhile).</summary>
    Expired,
}

/// <summary>
/// Signs an agent in, in one or two steps: the password (with lockout), then, when the agent has two-factor sign-in, a
/// code from their authenticator app or one of their recovery codes. Wrong codes count toward the same lockout as wrong
/// passwords. When the workspace requires a second factor and the agent has none, the password step leads to setting
/// one up (<see cref="EnrollAsync"/>) instead of into the app. Every attempt is recorded in the audit trail.
/// </summary>
public sealed class SignInAgent(
    SignInManager<Agent> signIn,
    UserManager<Agent> users,
    AgentTwoFactor twoFactor,
    AppDbContext db,
    AuditActor auditActor,
    RecordAuthEvent audit,
    PorchlightMetrics metrics,
    IHttpContextAccessor http,
    ILogger<SignInAgent> logger)
{
    private HttpContext Http => http.HttpContext ?? throw new InvalidOperationException("Signing in needs an HTTP request.");

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

        // Checks lockout and deactivation, counts a wrong password, and (only without a second factor) clears the count.
        var result = await signIn.CheckPasswordSignInAsync(agent, password, lockoutOnFailure: true);
        var mustEnroll = result.Succeeded && !agent.TwoFactorEnabled && await WorkspaceRequiresTwoFactorAsync(agent);
        var outcome = result switch
        {
            { Succeeded: true } when agent.TwoFactorEnabled => SignInOutcome.TwoFactorRequired,
            { Succeeded: true } when mustEnroll => SignInOutcome.TwoFactorSetupRequired,
            { Succeeded: true } => SignInOutcome.SignedIn,
            { IsLockedOut: true } => SignInOutcome.LockedOut,
            { IsNotAllowed: true } => SignInOutcome.Deactivated,
            _ => SignInOutcome.Failed,
        };
        switch (outcome)
        {
            case SignInOutcome.TwoFactorRequired:
                await PendingSignIn.BeginAsync(Http, agent, PendingStep.Verify);
                // Nothing is recorded yet: the second step records the sign-in or its failure.
                metrics.SignIns.Add(1, new KeyValuePair<string, object?>("outcome", "two_factor_required"));
                return outcome;
            case SignInOutcome.TwoFactorSetupRequired:
                await PendingSignIn.BeginAsync(Http, agent, PendingStep.Enroll);
                metrics.SignIns.Add(1, new KeyValuePair<string, object?>("outcome", "two_factor_setup_required"));
                return outcome;
            case SignInOutcome.SignedIn:
                await signIn.SignInAsync(agent, isPersistent: true);
                break;
        }

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

    /// <summary>The second step: a code from the agent's authenticator app, or one of their recovery codes.</summary>
    public async Task<SignInOutcome> VerifyAsync(string? code, string? recoveryCode, string? ipAddress)
    {
        if (await PendingSignIn.ResumeAsync(Http, users) is not ({ } agent, PendingStep.Verify))
        {
            return SignInOutcome.Expired;
        }

        auditActor.Set(null, agent.Email ?? "", ipAddress);
        if (await users.IsLockedOutAsync(agent))
        {
            await PendingSignIn.EndAsync(Http);
            return SignInOutcome.LockedOut;
        }

        var withRecoveryCode = !string.IsNullOrWhiteSpace(recoveryCode);
        var passed = withRecoveryCode ? await twoFactor.RedeemRecoveryCodeAsync(agent, recoveryCode) : await twoFactor.IsCurrentCodeAsync(agent, code);
        if (!passed)
        {
            await users.AccessFailedAsync(agent);
            var locked = await users.IsLockedOutAsync(agent);
            await audit.HandleAsync(agent, locked ? "auth.locked_out" : "auth.two_factor_failed", CancellationToken.None);
            metrics.SignIns.Add(1, new KeyValuePair<string, object?>("outcome", locked ? "locked_out" : "two_factor_failed"));
            if (locked)
            {
                await PendingSignIn.EndAsync(Http);
                return SignInOutcome.LockedOut;
            }

            return SignInOutcome.Failed;
        }

        await users.ResetAccessFailedCountAsync(agent);
        await CompleteAsync(agent);
        auditActor.Set(agent.Id, agent.DisplayName, ipAddress);
        if (withRecoveryCode)
        {
            await audit.HandleAsync(agent, "auth.recovery_code_used", CancellationToken.None);
        }

        await audit.HandleAsync(agent, "auth.signed_in", CancellationToken.None);
        metrics.SignIns.Add(1, new KeyValuePair<string, object?>("outcome", "signedin"));
        return SignInOutcome.SignedIn;
    }

    /// <summary>The key to set up with, for the agent of a pending sign-in that must set up a second factor first.</summary>
    /// <returns>null when there is no such sign-in.</returns>
    public async Task<AuthenticatorSetup?> EnrollmentKeyAsync()
    {
        if (await PendingSignIn.ResumeAsync(Http, users) is not ({ } agent, PendingStep.Enroll))
        {
            return null;
        }

        return await twoFactor.KeyForSetupAsync(agent, fresh: false, CancellationToken.None);
    }

    /// <summary>Switches on the agent's second factor with the app's first code and signs them in.</summary>
    /// <returns>The recovery codes to show once; <see cref="SignInOutcome.Failed"/> for a wrong code.</returns>
    public async Task<(SignInOutcome Outcome, string[]? RecoveryCodes, Guid AgentId)> EnrollAsync(string? code, string? ipAddress)
    {
        if (await PendingSignIn.ResumeAsync(Http, users) is not ({ } agent, PendingStep.Enroll))
        {
            return (SignInOutcome.Expired, null, Guid.Empty);
        }

        auditActor.Set(agent.Id, agent.DisplayName, ipAddress);
        var codes = await twoFactor.ConfirmAsync(agent, code ?? "", CancellationToken.None);
        if (codes is null)
        {
            return (SignInOutcome.Failed, null, agent.Id);
        }

        await CompleteAsync(agent);
        await audit.HandleAsync(agent, "auth.signed_in", CancellationToken.None);
        metrics.SignIns.Add(1, new KeyValuePair<string, object?>("outcome", "signedin"));
        return (SignInOutcome.SignedIn, codes, agent.Id);
    }

    /// <summary>
    /// Where an account made by an invitation goes: straight in, or first to set up a second factor when the workspace
    /// requires one.
    /// </summary>
    public async Task<SignInOutcome> SignInNewAgentAsync(Agent agent)
    {
        if (await WorkspaceRequiresTwoFactorAsync(agent))
        {
            await PendingSignIn.BeginAsync(Http, agent, PendingStep.Enroll);
            return SignInOutcome.TwoFactorSetupRequired;
        }

        await signIn.SignInAsync(agent, isPersistent: true);
        return SignInOutcome.SignedIn;
    }

    private async Task CompleteAsync(Agent agent)
    {
        await PendingSignIn.EndAsync(Http);
        await signIn.SignInWithClaimsAsync(agent, new AuthenticationProperties { IsPersistent = true },
            [new Claim(PorchlightClaims.AuthenticationMethods, PorchlightClaims.MultiFactor)]);
    }

    private Task<bool> WorkspaceRequiresTwoFactorAsync(Agent agent) =>
        db.Workspaces.IgnoreQueryFilters().Where(w => w.Id == agent.WorkspaceId).Select(w => w.RequireTwoFactor).FirstOrDefaultAsync();
}
