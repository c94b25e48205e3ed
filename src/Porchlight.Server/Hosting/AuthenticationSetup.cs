using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.ApiTokens;
using Porchlight.Server.Features.SignIn;

namespace Porchlight.Server.Hosting;

/// <summary>Identity for agents, the app's cookie, API tokens and policies (the sign-in rate limit is in ClientRateLimits).</summary>
public static class AuthenticationSetup
{
    public static IServiceCollection AddPorchlightAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddIdentityCore<Agent>(options =>
            {
                options.User.RequireUniqueEmail = true;
                // Passwords are judged by the workspace's policy alone (PasswordPolicy): its length, not composition.
                options.Password.RequiredLength = 0;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequiredUniqueChars = 0;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = configuration.GetValue("Security:MaxFailedSignIns", 5);
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.Tokens.AuthenticatorTokenProvider = AuthenticatorCodes.ProviderName;
            })
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager<AgentSignInManager>()
            .AddClaimsPrincipalFactory<AgentClaimsPrincipalFactory>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<AuthenticatorCodes>(AuthenticatorCodes.ProviderName);
        // The store that keeps the authenticator key encrypted and recovery codes hashed; the policy that reads the
        // workspace's minimum length and refuses common passwords, in place of Identity's validator.
        services.AddScoped<AgentUserStore>();
        services.Replace(ServiceDescriptor.Scoped<IUserStore<Agent>>(sp => sp.GetRequiredService<AgentUserStore>()));
        services.RemoveAll<IPasswordValidator<Agent>>();
        services.AddScoped<IPasswordValidator<Agent>, PasswordPolicy>();
        services.AddSingleton<AgentSessionCache>();
        services.AddScoped<AgentSessions>();
        services.AddScoped<AgentTwoFactor>();

        // Only the cookie of a second factor remembered on a device would use it (Porchlight remembers none): the app's
        // cookie is checked against its server-side session instead, stamp included (AgentSessions).
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));

        services.AddAuthentication(IdentityConstants.ApplicationScheme)
            .AddIdentityCookies();
        // Between the password and the second factor: a cookie that only the second step's page reads (PendingSignIn).
        services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, cookie =>
        {
            cookie.Cookie.Name = PendingSignIn.CookieName;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.ExpireTimeSpan = PendingSignIn.Lifetime;
            cookie.SlidingExpiration = false;
        });
        services.ConfigureApplicationCookie(cookie =>
        {
            // Every request with the cookie: is its session still on? (It replaces Identity's security stamp check,
            // which it includes, and answers within seconds instead of a minute.)
            cookie.Events.OnValidatePrincipal = AgentSessionValidation.ValidatePrincipalAsync;
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

/// <summary>
/// Adds the deactivation check to Identity's sign-in and cookie re-validation, and a server-side session to every
/// cookie it issues (<see cref="AgentSessions"/>): signing in starts one, signing out ends it.
/// </summary>
public sealed class AgentSignInManager(
    UserManager<Agent> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<Agent> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<Agent>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<Agent> confirmation,
    AgentSessions sessions)
    : SignInManager<Agent>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(Agent user) => user.IsActive && await base.CanSignInAsync(user);

    public override async Task SignInWithClaimsAsync(Agent user, AuthenticationProperties? authenticationProperties, IEnumerable<Claim> additionalClaims)
    {
        var claims = additionalClaims.ToList();
        if (!claims.Any(c => c.Type == PorchlightClaims.SessionId))
        {
            var twoFactor = claims.Any(c => c.Type == PorchlightClaims.AuthenticationMethods && c.Value == PorchlightClaims.MultiFactor);
            var session = await sessions.StartAsync(
                user, Context.Connection.RemoteIpAddress?.ToString(), Context.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null,
                twoFactor, Context.RequestAborted);
            claims.Add(new Claim(PorchlightClaims.SessionId, session.Id.ToString()));
        }

        await base.SignInWithClaimsAsync(user, authenticationProperties, claims);
    }

    public override async Task SignOutAsync()
    {
        if (PorchlightClaims.AgentIdOf(Context.User) is { } agentId && PorchlightClaims.SessionIdOf(Context.User) is { } sessionId)
        {
            await sessions.EndAsync(agentId, sessionId, CancellationToken.None);
        }

        await base.SignOutAsync();
    }

    public override async Task<Agent?> ValidateSecurityStampAsync(ClaimsPrincipal? principal)
    {
        var agent = await base.ValidateSecurityStampAsync(principal);
        return agent is { IsActive: true } ? agent : null;
    }
}

/// <summary>The app cookie's check on every request: its session must still be on (<see cref="AgentSessions.IsValidAsync"/>).</summary>
public static class AgentSessionValidation
{
    public static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var http = context.HttpContext;
        if (context.Principal is { } principal
            && PorchlightClaims.AgentIdOf(principal) is { } agentId
            && PorchlightClaims.SessionIdOf(principal) is { } sessionId
            && await http.RequestServices.GetRequiredService<AgentSessions>()
                .IsValidAsync(sessionId, agentId, http.Connection.RemoteIpAddress?.ToString(), http.RequestAborted))
        {
            return;
        }

        // Ended, or a cookie from before sessions were kept: the browser signs in again.
        context.RejectPrincipal();
        await http.SignOutAsync(IdentityConstants.ApplicationScheme);
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
