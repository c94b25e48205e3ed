using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Porchlight.Server.Features.SignIn;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Components;

/// <summary>
/// A circuit lives for hours; this re-checks every few seconds that its session is still on (not signed out from another
/// browser, its agent active, the security stamp, rotated on role change and deactivation, unchanged), and signs the
/// circuit out if not. The check is the one every request with the cookie makes, cached for a few seconds per session.
/// </summary>
internal sealed class AgentRevalidation(ILoggerFactory loggerFactory, IServiceScopeFactory scopes)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(10);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var principal = authenticationState.User;
        if (PorchlightClaims.AgentIdOf(principal) is not { } agentId || PorchlightClaims.SessionIdOf(principal) is not { } sessionId)
        {
            return false;
        }

        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AgentSessions>().IsValidAsync(sessionId, agentId, null, cancellationToken);
    }
}

public static class AgentRevalidationSetup
{
    public static IServiceCollection AddAgentRevalidation(this IServiceCollection services) =>
        services.AddScoped<AuthenticationStateProvider, AgentRevalidation>();
}
