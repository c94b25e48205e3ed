using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace Porchlight.Server.Hosting;

/// <summary>
/// Data-protected payloads as URL-safe text: the form of every token Porchlight hands out that carries its own proof
/// (visitor tokens, attachment links, survey links), signed and encrypted with the keys every node shares.
/// </summary>
public static class UrlTokens
{
    /// <summary>Longer text is no token of ours, and is not worth decoding.</summary>
    public const int MaxLength = 1000;

    public static string ProtectToUrl(this IDataProtector protector, byte[] payload) => WebEncoders.Base64UrlEncode(protector.Protect(payload));

    /// <summary>
    /// The payload of <paramref name="token"/>, or null when it is missing, too long, not issued by this protector, altered,
    /// or (from a time-limited protector) expired.
    /// </summary>
    public static byte[]? UnprotectFromUrl(this IDataProtector protector, string? token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > MaxLength)
        {
            return null;
        }

        try
        {
            return protector.Unprotect(WebEncoders.Base64UrlDecode(token));
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return null;
        }
    }
}
