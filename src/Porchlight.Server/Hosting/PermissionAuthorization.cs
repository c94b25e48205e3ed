using Microsoft.AspNetCore.Authorization;

namespace Porchlight.Server.Hosting;

/// <summary>An authorization requirement satisfied when the caller's role (and token scope) grant a permission.</summary>
public sealed record PermissionRequirement(Permission Permission) : IAuthorizationRequirement;

internal sealed class PermissionHandler : AuthorizationHandler<PermissionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        if (PorchlightClaims.RoleOf(context.User) is { } role
            && RolePermissions.Allows(role, requirement.Permission)
            && PorchlightClaims.ScopesOf(context.User).HasFlag(RolePermissions.RequiredScope(requirement.Permission)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Registers one policy per <see cref="Permission"/>, named after it.</summary>
public static class PermissionAuthorization
{
    public static IServiceCollection AddPermissionPolicies(this IServiceCollection services)
    {
        services.AddSingleton<IAuthorizationHandler, PermissionHandler>();
        services.AddAuthorizationBuilder().AddPermissionPolicies();
        return services;
    }

    private static void AddPermissionPolicies(this AuthorizationBuilder builder)
    {
        foreach (var permission in Enum.GetValues<Permission>())
        {
            builder.AddPolicy(permission.ToString(), policy => policy.RequireAuthenticatedUser().AddRequirements(new PermissionRequirement(permission)));
        }
    }

    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, Permission permission)
        where TBuilder : IEndpointConventionBuilder => builder.RequireAuthorization(permission.ToString());
}
