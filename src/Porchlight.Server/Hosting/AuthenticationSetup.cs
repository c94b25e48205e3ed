using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.ApiTokens;

namespace Porchlight.Server.Hosting;

/// <summary>Identity for agents, the app's cookie, API tokens and policies (the sign-in rate limit is in ClientRateLimits).</summary>
public static class AuthenticationSetup
{
    public static IServiceCollection AddPorchlightAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddIdentityCore<Agent>(options =>
            {
                options.User.RequireUniqueEmail = true;
                // Length is what makes a password strong; composition rules only make them harder to remember.
                options.Password.RequiredLength = 10;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequiredUniqueChars = 4;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = configuration.GetValue("Security:MaxFailedSignIns", 5);
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager<AgentSignInManager>()
            .AddClaimsPrincipalFactory<AgentClaimsPrincipalFactory>()
            .AddDefaultTokenProviders();

        // Role changes and deactivation rotate the security stamp; cookies notice within a minute.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));

        services.AddAuthentication(IdentityConstants.ApplicationScheme)
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "porchlight.auth";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.LoginPath = "/signin";
            cookie.LogoutPath = "/signout";
            cookie.AccessDeniedPath = "/forbidden";
            cookie.ExpireTimeSpan = TimeSpan.FromDays(14);
            cookie.SlidingExpiration = true;
        });
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);

        services.AddPermissionPolicies();
        services.AddScoped<ActingAgent>();
        return services.AddClientRateLimits(configuration);
    }

    /// <summary>Scopes each request to the signed-in agent's workspace (after authorization picked the principal).</summary>
    public static IApplicationBuilder UseActingAgent(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.RequestServices.GetRequiredService<ActingAgent>().Enter(context.User, context.Connection.RemoteIpAddress?.ToString());
        await next(context);
    });
}

/// <summary>Adds the deactivation check to Identity's sign-in and cookie re-validation.</summary>
public sealed class AgentSignInManager(
    UserManager<Agent> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<Agent> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<Agent>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<Agent> confirmation)
    : SignInManager<Agent>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(Agent user) => user.IsActive && await base.CanSignInAsync(user);

    public override async Task<Agent?> ValidateSecurityStampAsync(ClaimsPrincipal? principal)
    {
        var agent = await base.ValidateSecurityStampAsync(principal);
        return agent is { IsActive: true } ? agent : null;
    }
}

public sealed class AgentClaimsPrincipalFactory(UserManager<Agent> userManager, IOptions<IdentityOptions> options, AppDbContext db)
    : UserClaimsPrincipalFactory<Agent>(userManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(Agent user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        var customRole = user.CustomRoleId is { } roleId
            ? await db.CustomRoles.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(r => r.Id == roleId && r.WorkspaceId == user.WorkspaceId)
            : null;
        identity.AddClaims(PorchlightClaims.For(user, customRole));
        return identity;
    }
}
