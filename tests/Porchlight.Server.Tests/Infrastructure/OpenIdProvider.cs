using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Porchlight.Server.Tests.Infrastructure;

/// <summary>How an <see cref="OpenIdProvider"/> signs its id tokens.</summary>
public enum TokenSigning
{
    /// <summary>With the key it publishes, as a real provider does.</summary>
    PublishedKey,

    /// <summary>With another key, under the published key's id, as a forger without the provider's key would.</summary>
    AnotherKey,

    /// <summary>Not at all (<c>alg: none</c>).</summary>
    None,
}

/// <summary>Whom an <see cref="OpenIdProvider"/> signs in: the claims of its id token.</summary>
public sealed record ProviderUser(string Email, bool EmailVerified = true)
{
    public string Subject { get; } = Guid.NewGuid().ToString("N");
}

/// <summary>
/// A minimal OpenID Connect provider on a real socket at 127.0.0.1, for the single sign-on tests: its discovery
/// document, an authorize endpoint without a page (the user the test chose is signed in at once, and the browser sent
/// back with a code and the state it brought), a token endpoint that gives a code once, to its client, for the PKCE
/// verifier whose challenge came with it, and the key its RS256 id tokens are checked with. The key is made per run.
/// </summary>
public sealed class OpenIdProvider : IAsyncDisposable
{
    public const string ClientId = "porchlight-tests";
    public const string ClientSecret = "the tests' client secret";
    private const string KeyId = "provider-key";

    private readonly WebApplication _app;
    private readonly RSA _publishedKey = RSA.Create(2048);
    private readonly RSA _forgersKey = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, Grant> _grants = new();
    private int _tokensIssued;

    private sealed record Grant(ProviderUser User, string RedirectUri, string Nonce, string CodeChallenge);

    private OpenIdProvider()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new
        {
            issuer = Issuer,
            authorization_endpoint = $"{Issuer}/authorize",
            token_endpoint = $"{Issuer}/token",
            jwks_uri = $"{Issuer}/jwks",
        }));
        _app.MapGet("/authorize", Authorize);
        _app.MapPost("/token", RedeemAsync);
        _app.MapGet("/jwks", () =>
        {
            var key = _publishedKey.ExportParameters(includePrivateParameters: false);
            return Results.Json(new
            {
                keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = KeyId, n = Base64UrlEncoder.Encode(key.Modulus), e = Base64UrlEncoder.Encode(key.Exponent) } },
            });
        });
    }

    /// <summary>The provider's address, as its tokens name it (<c>iss</c>) and as Porchlight's <c>SingleSignOn:Authority</c>.</summary>
    public string Issuer { get; private set; } = "";

    /// <summary>Who is signed in by the next authorization request; none, and the request is refused.</summary>
    public ProviderUser? User { get; set; }

    public TokenSigning Signing { get; set; } = TokenSigning.PublishedKey;

    /// <summary>How many id tokens the token endpoint gave out.</summary>
    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    public static async Task<OpenIdProvider> StartAsync()
    {
        var provider = new OpenIdProvider();
        await provider._app.StartAsync();
        provider.Issuer = provider._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/');
        return provider;
    }

    private IResult Authorize(HttpRequest request)
    {
        var query = request.Query;
        if (query["client_id"] != ClientId || query["response_type"] != "code" || !query["scope"].ToString().Split(' ').Contains("openid")
            || query["code_challenge_method"] != "S256" || string.IsNullOrEmpty(query["code_challenge"]) || string.IsNullOrEmpty(query["redirect_uri"])
            || User is not { } user)
        {
            return Results.BadRequest();
        }

        var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var redirectUri = query["redirect_uri"].ToString();
        _grants[code] = new Grant(user, redirectUri, query["nonce"].ToString(), query["code_challenge"].ToString());
        return Results.Redirect(QueryHelpers.AddQueryString(redirectUri, new Dictionary<string, string?> { ["code"] = code, ["state"] = query["state"] }));
    }

    private async Task<IResult> RedeemAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        // PKCE: the verifier's SHA-256 must be the challenge the authorization request brought.
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString())));
        if (form["grant_type"] != "authorization_code" || form["client_id"] != ClientId || form["client_secret"] != ClientSecret
            || !_grants.TryRemove(form["code"].ToString(), out var grant) || form["redirect_uri"] != grant.RedirectUri || challenge != grant.CodeChallenge)
        {
            return Results.Json(new { error = "invalid_grant" }, statusCode: StatusCodes.Status400BadRequest);
        }

        Interlocked.Increment(ref _tokensIssued);
        return Results.Json(new
        {
            access_token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32)),
            token_type = "Bearer",
            expires_in = 300,
            id_token = IdToken(grant),
        });
    }

    private string IdToken(Grant grant)
    {
        var now = DateTime.UtcNow;
        var key = Signing == TokenSigning.AnotherKey ? _forgersKey : _publishedKey;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = ClientId,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = grant.User.Subject,
                ["email"] = grant.User.Email,
                ["email_verified"] = grant.User.EmailVerified,
                ["nonce"] = grant.Nonce,
            },
            SigningCredentials = Signing == TokenSigning.None
                ? null
                : new SigningCredentials(new RsaSecurityKey(key) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _publishedKey.Dispose();
        _forgersKey.Dispose();
    }
}
