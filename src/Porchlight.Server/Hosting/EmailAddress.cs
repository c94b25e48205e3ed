using System.Net.Mail;

namespace Porchlight.Server.Hosting;

public static class EmailAddress
{
    public const int MaxLength = 256;

    /// <summary>A single plain address ("ada@example.com"), no display name, with a dotted domain.</summary>
    public static bool IsValid(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxLength)
        {
            return false;
        }

        var trimmed = value.Trim();
        return MailAddress.TryCreate(trimmed, out var address)
            && address.Address == trimmed
            && address.Host.Contains('.', StringComparison.Ordinal)
            && !address.Host.EndsWith('.');
    }
}
