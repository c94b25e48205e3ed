using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Porchlight.Server.Features.Webhooks;

/// <summary>Webhook secrets: generated at random, kept encrypted with the data-protection keys every node shares.</summary>
public sealed class WebhookSecrets(IDataProtectionProvider dataProtection)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Porchlight.Webhooks.Secret");

    /// <summary>A new secret: 256 random bits as 64 lowercase hex characters.</summary>
    public (string Secret, string Protected) Generate()
    {
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        return (secret, _protector.Protect(secret));
    }

    public string Reveal(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
