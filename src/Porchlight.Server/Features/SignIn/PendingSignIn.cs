using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Porchlight.Server.Features.Agents;

namespace Porchlight.Server.Features.SignIn;

/// <summary>What a sign-in that passed its first step (a password, or single sign-on) still needs before the app's cookie is issued.</summary>
public enum PendingStep
{
    /// <summary>A code from the agent's authenticator app, or a recovery code.</summary>
    Verify,

    /// <summary>The workspace requires a second factor and the agent has none: they set one up first.</summary>
    Enroll,
}

/// <summary>
/// A sign-in between its two steps: a short-lived cookie of its own (Identity's two-factor scheme, renamed) that names
/// the agent, the step, how the first step was passed, and the security stamp it was passed under. It grants nothing in
/// the app or the API: only the second step's page and form read it. A password change or reset in between (a new
/// stamp) voids it.
/// </summary>
public static class PendingSignIn
{
    public static readonly string Scheme = IdentityConstants.TwoFactorUserIdScheme;
    public const string CookieName = "porchlight.signin";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private const string StepClaim = "porchlight:pending-step";
    private const string StampClaim = "porchlight:pending-stamp";
    private const string MethodClaim = "porchlight:pending-method";

    public static Task BeginAsync(HttpContext http, Agent agent, PendingStep step, SignInMethod method)
    {
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, agent.Id.ToString()),
                new Claim(StepClaim, step.ToString()),
                new Claim(MethodClaim, method.ToString()),
                new Claim(StampClaim, agent.SecurityStamp ?? ""),
            ],
            Scheme);
        return http.SignInAsync(Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = false });
    }

    /// <returns>The agent, the step and the first step's method, when a pending sign-in for an active agent with an unchanged stamp is there.</returns>
    public static async Task<(Agent Agent, PendingStep Step, SignInMethod Method)?> ResumeAsync(HttpContext http, UserManager<Agent> users)
    {
        var result = await http.AuthenticateAsync(Scheme);
        if (result.Principal is not { } principal
            || !Enum.TryParse<PendingStep>(principal.FindFirstValue(StepClaim), out var step)
            || !Enum.TryParse<SignInMethod>(principal.FindFirstValue(MethodClaim), out var method)
            || principal.FindFirstValue(ClaimTypes.NameIdentifier) is not { } agentId
            || await users.FindByIdAsync(agentId) is not { IsActive: true } agent
            || agent.SecurityStamp != principal.FindFirstValue(StampClaim))
        {
            return null;
        }

        return (agent, step, method);
    }

    public static Task EndAsync(HttpContext http) => http.SignOutAsync(Scheme);
}
