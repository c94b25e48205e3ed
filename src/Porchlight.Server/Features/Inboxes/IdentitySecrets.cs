using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Inboxes;

/// <summary>
/// The per-inbox secret behind identity verification. The host site's server signs its user id with it
/// (<c>userHash = lowercase hex HMAC-SHA256(secret, userId)</c>), so a visitor cannot claim another
/// user's id from the browser. Stored encrypted with the data-protection keys every node shares.
/// </summary>
public sealed class IdentitySecrets(IDataProtectionProvider dataProtection)
{
    /// <summary>Room for the protected form of a 64-character secret (about 200 characters) and future key formats.</summary>
    public const int MaxProtectedLength = 512;

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Porchlight.Inboxes.IdentitySecret");

    /// <summary>A new secret: 256 random bits as 64 lowercase hex characters, easy to paste into any server's configuration.</summary>
    public (string Secret, string Protected) Generate()
    {
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        return (secret, _protector.Protect(secret));
    }

    public string Reveal(string protectedSecret) => _protector.Unprotect(protectedSecret);

    /// <summary>
    /// The inbox's secret in plain text. An inbox from before identity verification gets one now; the
    /// conditional update lets exactly one of several concurrent first uses write it, and all read that one.
    /// </summary>
    public async Task<string> SecretOfAsync(AppDbContext db, Inbox inbox, CancellationToken cancellationToken)
    {
        if (inbox.ProtectedIdentitySecret is { } stored)
        {
            return Reveal(stored);
        }

        var (_, generated) = Generate();
        await db.Inboxes.Where(i => i.Id == inbox.Id && i.ProtectedIdentitySecret == null)
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.ProtectedIdentitySecret, generated), cancellationToken);
        var winner = await db.Inboxes.Where(i => i.Id == inbox.Id).Select(i => i.ProtectedIdentitySecret).SingleAsync(cancellationToken);
        return Reveal(winner!);
    }

    /// <summary>The user hash the host site's server computes for <paramref name="userId"/>.</summary>
    public static string HashFor(string secret, string userId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(userId)));

    /// <summary>Whether <paramref name="userHash"/> is the hash of <paramref name="userId"/>, compared in constant time.</summary>
    public static bool Verify(string secret, string userId, string? userHash)
    {
        var expected = Encoding.ASCII.GetBytes(HashFor(secret, userId));
        // Hex is case-insensitive; lowering first keeps the comparison a plain byte compare of equal lengths.
        var given = Encoding.ASCII.GetBytes((userHash ?? "").ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
