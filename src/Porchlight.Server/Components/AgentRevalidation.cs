using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porchlight.Server.Data;

namespace Porchlight.Server.Components;

/// <summary>
/// A circuit lives for hours; this re-checks every minute that its agent is still active and that the
/// security stamp (rotated on role change and deactivation) still matches, and signs the circuit out if not.
/// </summary>
internal sealed class AgentRevalidation(ILoggerFactory loggerFactory, IServiceScopeFactory scopes, IOptions<IdentityOptions> identity)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var principal = authenticationState.User;
        if (!Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var agentId))
        {
            return false;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var agent = await db.Agents.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        var stamp = principal.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType);
        return agent is { IsActive: true } && agent.SecurityStamp == stamp;
    }
}

public static class AgentRevalidationSetup
{
    public static IServiceCollection AddAgentRevalidation(this IServiceCollection services) =>
        services.AddScoped<AuthenticationStateProvider, AgentRevalidation>();
}
