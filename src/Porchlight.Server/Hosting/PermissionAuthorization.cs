using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Porchlight.Server.Features.ApiTokens;

namespace Porchlight.Server.Hosting;

/// <summary>An authorization requirement satisfied when the caller's role (and token scope) grant a permission.</summary>
public sealed record PermissionRequirement(Permission Permission) : IAuthorizationRequirement;

internal sealed class PermissionHandler : AuthorizationHandler<PermissionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        if (PorchlightClaims.Grants(context.User, requirement.Permission)
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

    /// <summary>Extension names under which each operation of the OpenAPI document states what it needs.</summary>
    public const string PermissionExtension = "x-permission", ScopeExtension = "x-token-scope";

    /// <summary>
    /// States on each operation of the OpenAPI document the permission it requires and the token scope that permission
    /// needs, read from the same endpoint metadata the authorization middleware enforces: the published document is the
    /// operation half of the role matrix (docs/security.md has the role half), and cannot drift from what is enforced.
    /// </summary>
    public static OpenApiOptions AddPermissionDocumentation(this OpenApiOptions options) => options.AddOperationTransformer((operation, context, _) =>
    {
        var permissions = context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>()
            .Select(data => Enum.TryParse<Permission>(data.Policy, out var permission) ? permission : (Permission?)null)
            .OfType<Permission>()
            .ToList();
        if (permissions.Count == 1)
        {
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions[PermissionExtension] = new JsonNodeExtension(JsonValue.Create(permissions[0].ToString()));
            var scope = TokenScopeNames.Format(RolePermissions.RequiredScope(permissions[0]))[0];
            operation.Extensions[ScopeExtension] = new JsonNodeExtension(JsonValue.Create(scope));
        }

        return Task.CompletedTask;
    });

    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, Permission permission)
        where TBuilder : IEndpointConventionBuilder => builder.RequireAuthorization(permission.ToString());
}
