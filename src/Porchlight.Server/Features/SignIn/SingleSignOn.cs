using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Porchlight.Server.Features.SignIn;

/// <summary>
/// The installation's single sign-on provider (configuration section <c>SingleSignOn</c>, docs/deploy.md): an OpenID
/// Connect provider agents may sign in through instead of typing their password. Without an authority there is none.
/// </summary>
public sealed class SingleSignOnOptions
{
    public const string Section = "SingleSignOn";

    /// <summary>The provider's issuer address; its discovery document is under <c>/.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>Sent to the token endpoint. A public client of the provider (proven by PKCE alone) has none.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The provider's name on the sign-in page's button: "Sign in with …".</summary>
    public string DisplayName { get; set; } = "SSO";

    /// <summary>
    /// Off only for a provider on a test machine: over plain HTTP the discovery document and the signing keys could be
    /// replaced on the way, and with them every signature checked.
    /// </summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);

    /// <summary>A half-made or unusable configuration, as problems naming the setting (checked before the server starts).</summary>
    public static IEnumerable<string> Problems(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var authority = section[nameof(Authority)];
        var clientId = section[nameof(ClientId)];
        var requireHttpsKey = $"{Section}:{nameof(RequireHttpsMetadata)}";
        var requireHttps = section[nameof(RequireHttpsMetadata)];
        if (requireHttps is not null && !bool.TryParse(requireHttps, out _))
        {
            yield return $"{requireHttpsKey} is '{requireHttps}'. Set true (the default) or false.";
            yield break;
        }

        if (string.IsNullOrWhiteSpace(authority))
        {
            if (!string.IsNullOrWhiteSpace(clientId))
            {
                yield return $"{Section}:{nameof(ClientId)} is '{clientId}' without {Section}:{nameof(Authority)}. Set the provider's issuer address too, e.g. https://login.example.com/realms/acme.";
            }

            yield break;
        }

        if (!Uri.TryCreate(authority, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            yield return $"{Section}:{nameof(Authority)} is '{authority}'. Set the provider's issuer address, e.g. https://login.example.com/realms/acme.";
        }
        else if (uri.Scheme == "http" && !string.Equals(requireHttps, "false", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"{Section}:{nameof(Authority)} is '{authority}', not https. Use the provider's https address ({requireHttpsKey}=false is for a provider on a test machine only).";
        }

        if (string.IsNullOrWhiteSpace(clientId))
        {
            yield return $"{Section}:{nameof(ClientId)} is required with {Section}:{nameof(Authority)}: the client id the provider gave Porchlight.";
        }
    }
}

/// <summary>
/// Single sign-on through OpenID Connect: ASP.NET Core's handler runs the authorization code flow with PKCE and checks
/// what comes back (state against its correlation cookie, the id token's signature against the provider's published
/// keys, its issuer, audience, lifetime and nonce). What it accepts lands in Identity's short-lived external cookie,
/// which the completing step (<see cref="SignInAgent.SignInWithSingleSignOnAsync"/>) reads once and deletes; from there
/// the sign-in goes on exactly as a password's does. The app's own cookie is only ever issued by that step.
/// </summary>
public static class SingleSignOn
{
    public const string Scheme = "SingleSignOn";
    public const string StartPath = "/account/signin/sso";
    public const string CallbackPath = "/account/signin/sso/callback";
    public const string CompletePath = "/account/signin/sso/complete";

    public const string EmailClaim = "email";
    public const string EmailVerifiedClaim = "email_verified";

    /// <summary>How long the provider's answer waits for the completing step, which follows it at once.</summary>
    private static readonly TimeSpan ExternalCookieLifetime = TimeSpan.FromMinutes(5);

    private const string ExternalCookieName = "porchlight.sso";

    public static IServiceCollection AddSingleSignOn(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(SingleSignOnOptions.Section);
        services.Configure<SingleSignOnOptions>(section);
        var settings = section.Get<SingleSignOnOptions>() ?? new SingleSignOnOptions();
        if (!settings.IsConfigured)
        {
            return services;
        }

        services.Configure<CookieAuthenticationOptions>(IdentityConstants.ExternalScheme, cookie =>
        {
            cookie.Cookie.Name = ExternalCookieName;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.ExpireTimeSpan = ExternalCookieLifetime;
            cookie.SlidingExpiration = false;
        });
        services.AddAuthentication().AddOpenIdConnect(Scheme, settings.DisplayName, oidc =>
        {
            oidc.Authority = settings.Authority;
            oidc.ClientId = settings.ClientId;
            oidc.ClientSecret = settings.ClientSecret;
            oidc.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            oidc.SignInScheme = IdentityConstants.ExternalScheme;
            oidc.CallbackPath = CallbackPath;
            oidc.ResponseType = OpenIdConnectResponseType.Code;
            oidc.UsePkce = true;
            oidc.Scope.Clear();
            oidc.Scope.Add("openid");
            oidc.Scope.Add("email");
            oidc.Scope.Add("profile");
            // The id token alone says who signed in; its claims keep the names the provider gave them (email,
            // email_verified) instead of being renamed to WS-Federation URIs, and no provider token is kept.
            oidc.GetClaimsFromUserInfoEndpoint = false;
            oidc.MapInboundClaims = false;
            oidc.SaveTokens = false;
            oidc.DisableTelemetry = true;
            // The provider answers with a redirect (a top-level GET), not a cross-site form post, so the correlation and
            // nonce cookies can be SameSite=Lax: a post from another site never carries them.
            oidc.ResponseMode = OpenIdConnectResponseMode.Query;
            oidc.CorrelationCookie.SameSite = SameSiteMode.Lax;
            oidc.NonceCookie.SameSite = SameSiteMode.Lax;
            // OpenID Connect lets a client skip the signature of an id token it fetched from the token endpoint itself,
            // and the handler takes an unsigned one there. A signed one it checks against the published keys; an
            // unsigned one is refused here, so the provider's signature is always what vouches for the agent's email.
            oidc.Events.OnTokenValidated = context =>
            {
                if (context.SecurityToken is not { RawSignature.Length: > 0 })
                {
                    context.Fail("The provider's id token is not signed.");
                }

                return Task.CompletedTask;
            };
            // A refusal by the provider, a cancelled sign-in, a bad signature or a replayed answer: back to the sign-in
            // page with a message, instead of an error page.
            oidc.Events.OnRemoteFailure = context =>
            {
                var outcome = context.HttpContext.RequestServices.GetRequiredService<SignInAgent>().RefuseProviderAnswer(context.Failure);
                context.Response.Redirect($"/signin?error={outcome}");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
        return services;
    }
}
