using Microsoft.AspNetCore.DataProtection;

namespace Porchlight.Server.Features.SignIn;

/// <summary>
/// Carries the recovery codes of a second factor set up while signing in from the form that made them to the page that
/// shows them, once: an encrypted cookie that lives five minutes, is sent only to that page, names the agent, and is
/// deleted by the page that reads it. The codes never appear in an address or a log.
/// </summary>
public sealed class RecoveryCodesHandoff(IDataProtectionProvider dataProtection, TimeProvider clock)
{
    public const string PagePath = "/signin/two-factor/recovery-codes";
    private const string CookieName = "porchlight.codes";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly ITimeLimitedDataProtector _protector =
        dataProtection.CreateProtector("Porchlight.SignIn.RecoveryCodesHandoff").ToTimeLimitedDataProtector();

    public void Give(HttpContext http, Guid agentId, IReadOnlyList<string> codes) =>
        http.Response.Cookies.Append(CookieName, _protector.Protect($"{agentId:N}|{string.Join(';', codes)}", clock.GetUtcNow() + Lifetime), Options(http));

    /// <returns>The codes, when they are there for this agent; the cookie is gone afterwards either way.</returns>
    public IReadOnlyList<string>? Take(HttpContext http, Guid agentId)
    {
        if (!http.Request.Cookies.TryGetValue(CookieName, out var value))
        {
            return null;
        }

        http.Response.Cookies.Delete(CookieName, Options(http));
        try
        {
            var parts = _protector.Unprotect(value).Split('|', 2);
            return parts.Length == 2 && parts[0] == agentId.ToString("N") ? parts[1].Split(';') : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    private static CookieOptions Options(HttpContext http) => new()
    {
        Path = PagePath,
        HttpOnly = true,
        Secure = http.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        MaxAge = Lifetime,
        IsEssential = true,
    };
}
