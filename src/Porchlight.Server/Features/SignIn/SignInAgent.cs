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

    /// <summary>The single sign-on provider vouched for an email no agent has (invited agents only; none is made).</summary>
    UnknownEmail,

    /// <summary>The single sign-on provider gave no email, or did not say it verified it: it cannot name an agent.</summary>
    UnverifiedEmail,

    /// <summary>The single sign-on provider's answer was refused (cancelled, an error, or a token that does not check out).</summary>
    SingleSignOnFailed,
}

/// <summary>How the agent proved who they are in the first step; the audit trail records it with the sign-in.</summary>
public enum SignInMethod
{
    Password,
    SingleSignOn,
}

/// <summary>
/// Signs an agent in, in one or two steps: the password (with lockout) or the single sign-on provider's answer
/// (<see cref="SingleSignOn"/>), then, when the agent has two-factor sign-in, a code from their authenticator app or one
/// of their recovery codes. Wrong codes count toward the same lockout as wrong passwords. When the workspace requires a
/// second factor and the agent has none, the first step leads to setting one up (<see cref="EnrollAsync"/>) instead of
/// into the app. Every attempt is recorded in the audit trail, with how the agent signed in.
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
        var firstStep = result switch
        {
            { Succeeded: true } => SignInOutcome.SignedIn,
            { IsLockedOut: true } => SignInOutcome.LockedOut,
            { IsNotAllowed: true } => SignInOutcome.Deactivated,
            _ => SignInOutcome.Failed,
        };
        return await ContinueAsync(agent, firstStep, SignInMethod.Password, email.Trim(), ipAddress);
    }

    /// <summary>
    /// The first step by single sign-on: the provider's answer, which its handler checked and left in the external
    /// cookie, names the agent by an email the provider verified. It is read once: the cookie goes whatever the outcome.
    /// </summary>
    public async Task<SignInOutcome> SignInWithSingleSignOnAsync(string? ipAddress)
    {
        var provided = (await Http.AuthenticateAsync(IdentityConstants.ExternalScheme)).Principal;
        await Http.SignOutAsync(IdentityConstants.ExternalScheme);
        if (provided is null)
        {
            return SignInOutcome.Expired;
        }

        var email = provided.FindFirstValue(SingleSignOn.EmailClaim)?.Trim() ?? "";
        // A provider may let its users type any address; only one it checked can name an agent.
        var verified = email.Length > 0
            && bool.TryParse(provided.FindFirstValue(SingleSignOn.EmailVerifiedClaim), out var isVerified) && isVerified;
        var agent = email.Length == 0 ? null : await db.FindAgentByEmailAsync(email, CancellationToken.None);
        if (agent is null || !verified)
        {
            var refusal = verified ? SignInOutcome.UnknownEmail : SignInOutcome.UnverifiedEmail;
            if (agent is null)
            {
                // Nobody is made (agents come by invitation), and there is no workspace to record it in.
                logger.LogWarning("Single sign-on refused ({Refusal}) from {IpAddress}", refusal, ipAddress);
            }
            else
            {
                // Someone named this agent with an address the provider did not check: a failed sign-in of theirs.
                await RecordAttemptAsync(agent, refusal, SignInMethod.SingleSignOn, email, ipAddress);
            }

            metrics.SignIns.Add(1, new KeyValuePair<string, object?>("outcome", verified ? "unknown_email" : "unverified_email"));
            return refusal;
        }

        // The provider's word stands in for the password, not for the account: deactivation and lockout still hold.
        var firstStep = !await signIn.CanSignInAsync(agent) ? SignInOutcome.Deactivated
            : await users.IsLockedOutAsync(agent) ? SignInOutcome.LockedOut
            : SignInOutcome.SignedIn;
        return await ContinueAsync(agent, firstStep, SignInMethod.SingleSignOn, email, ipAddress);
    }

    /// <summary>The provider's answer did not check out (its handler failed it): nothing is signed in, and the log says why.</summary>
    public SignInOutcome RefuseProviderAnswer(Exception? failure)
    {
        logger.LogWarning(failure, "Single sign-on failed: the provider's answer was refused");
        metrics.SignIns.Add(1, new KeyValuePair<string, object?>("outcome", "sso_failed"));
        return SignInOutcome.SingleSignOnFailed;
    }

    /// <summary>The second step: a code from the agent's authenticator app, or one of their recovery codes.</summary>
    public async Task<SignInOutcome> VerifyAsync(string? code, string? recoveryCode, string? ipAddress)
    {
        if (await PendingSignIn.ResumeAsync(Http, users) is not ({ } agent, PendingStep.Verify, var method))
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

        await audit.HandleAsync(agent, "auth.signed_in", CancellationToken.None, MethodDetail(method));
        metrics.SignIns.Add(1, new KeyValuePair<string, object?>("outcome", "signedin"));
        return SignInOutcome.SignedIn;
    }

    /// <summary>The key to set up with, for the agent of a pending sign-in that must set up a second factor first.</summary>
    /// <returns>null when there is no such sign-in.</returns>
    public async Task<AuthenticatorSetup?> EnrollmentKeyAsync()
    {
        if (await PendingSignIn.ResumeAsync(Http, users) is not ({ } agent, PendingStep.Enroll, _))
        {
            return null;
        }

        return await twoFactor.KeyForSetupAsync(agent, fresh: false, CancellationToken.None);
    }

    /// <summary>Switches on the agent's second factor with the app's first code and signs them in.</summary>
    /// <returns>The recovery codes to show once; <see cref="SignInOutcome.Failed"/> for a wrong code.</returns>
    public async Task<(SignInOutcome Outcome, string[]? RecoveryCodes, Guid AgentId)> EnrollAsync(string? code, string? ipAddress)
    {
        if (await PendingSignIn.ResumeAsync(Http, users) is not ({ } agent, PendingStep.Enroll, var method))
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
        await audit.HandleAsync(agent, "auth.signed_in", CancellationToken.None, MethodDetail(method));
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
            await PendingSignIn.BeginAsync(Http, agent, PendingStep.Enroll, SignInMethod.Password);
            return SignInOutcome.TwoFactorSetupRequired;
        }

        await signIn.SignInAsync(agent, isPersistent: true);
        return SignInOutcome.SignedIn;
    }

    /// <summary>
    /// After the first step, whatever its method: the second factor when the agent has one, setting one up when the
    /// workspace requires it, else the app's cookie (and with it a session). The attempt goes to the audit trail.
    /// </summary>
    private async Task<SignInOutcome> ContinueAsync(Agent agent, SignInOutcome firstStep, SignInMethod method, string attemptedAs, string? ipAddress)
    {
        var outcome = firstStep;
        if (outcome == SignInOutcome.SignedIn && agent.TwoFactorEnabled)
        {
            outcome = SignInOutcome.TwoFactorRequired;
        }
        else if (outcome == SignInOutcome.SignedIn && await WorkspaceRequiresTwoFactorAsync(agent))
        {
            outcome = SignInOutcome.TwoFactorSetupRequired;
        }

        switch (outcome)
        {
            case SignInOutcome.TwoFactorRequired:
                await PendingSignIn.BeginAsync(Http, agent, PendingStep.Verify, method);
                // Nothing is recorded yet: the second step records the sign-in or its failure.
                metrics.SignIns.Add(1, new KeyValuePair<string, object?>("outcome", "two_factor_required"));
                return outcome;
            case SignInOutcome.TwoFactorSetupRequired:
                await PendingSignIn.BeginAsync(Http, agent, PendingStep.Enroll, method);
                metrics.SignIns.Add(1, new KeyValuePair<string, object?>("outcome", "two_factor_setup_required"));
                return outcome;
            case SignInOutcome.SignedIn:
                await signIn.SignInAsync(agent, isPersistent: true);
                break;
        }

        await RecordAttemptAsync(agent, outcome, method, attemptedAs, ipAddress);
        metrics.SignIns.Add(1, new KeyValuePair<string, object?>("outcome", outcome.ToString().ToLowerInvariant()));
        return outcome;
    }

    private async Task RecordAttemptAsync(Agent agent, SignInOutcome outcome, SignInMethod method, string attemptedAs, string? ipAddress)
    {
        // A failed attempt is not the agent acting: name it by the email given, without claiming the agent's id.
        var signedIn = outcome == SignInOutcome.SignedIn;
        auditActor.Set(signedIn ? agent.Id : null, signedIn ? agent.DisplayName : attemptedAs, ipAddress);
        var action = outcome switch
        {
            SignInOutcome.SignedIn => "auth.signed_in",
            SignInOutcome.LockedOut => "auth.locked_out",
            _ => "auth.sign_in_failed",
        };
        await audit.HandleAsync(agent, action, CancellationToken.None, MethodDetail(method));
    }

    private static Dictionary<string, AuditChange> MethodDetail(SignInMethod method) =>
        new() { ["method"] = new AuditChange(null, method == SignInMethod.SingleSignOn ? "sso" : "password") };

    private async Task CompleteAsync(Agent agent)
    {
        await PendingSignIn.EndAsync(Http);
        await signIn.SignInWithClaimsAsync(agent, new AuthenticationProperties { IsPersistent = true },
            [new Claim(PorchlightClaims.AuthenticationMethods, PorchlightClaims.MultiFactor)]);
    }

    private Task<bool> WorkspaceRequiresTwoFactorAsync(Agent agent) =>
        db.Workspaces.IgnoreQueryFilters().Where(w => w.Id == agent.WorkspaceId).Select(w => w.RequireTwoFactor).FirstOrDefaultAsync();
}
