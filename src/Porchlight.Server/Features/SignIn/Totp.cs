using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Porchlight.Server.Features.SignIn;

/// <summary>
/// Time-based one-time passwords as authenticator apps make them (RFC 6238 over RFC 4226): HMAC-SHA1 of the number of
/// 30-second steps since the Unix epoch, truncated to six digits. Keys are exchanged in Base32 (RFC 4648, no padding).
/// </summary>
public static class Totp
{
    public const int StepSeconds = 30;
    public const int Digits = 6;

    /// <summary>The step a moment falls in.</summary>
    public static long StepAt(DateTimeOffset moment) => moment.ToUnixTimeSeconds() / StepSeconds;

    /// <summary>The code of one step, as the six digits an app shows (leading zeros kept).</summary>
    public static string Code(byte[] key, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> hash = stackalloc byte[20];
#pragma warning disable CA5350 // RFC 6238 as every authenticator app speaks it is HMAC-SHA1; as an HMAC it has no known weakness.
        HMACSHA1.HashData(key, counter, hash);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0F;
        var binary = (BinaryPrimitives.ReadInt32BigEndian(hash[offset..]) & 0x7FFFFFFF) % 1_000_000;
        return binary.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The step within <paramref name="window"/> steps either side of <paramref name="now"/> whose code is
    /// <paramref name="code"/>, the latest one first; null when none is. Compared in constant time.
    /// </summary>
    public static long? MatchingStep(byte[] key, string code, DateTimeOffset now, int window = 1)
    {
        if (code.Length != Digits || !code.All(char.IsAsciiDigit))
        {
            return null;
        }

        var current = StepAt(now);
        long? match = null;
        for (var step = current + window; step >= current - window; step--)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Code(key, step)), Encoding.ASCII.GetBytes(code)) && match is null)
            {
                match = step;
            }
        }

        return match;
    }

    /// <summary>The authenticator URI apps read from a QR code or a link (Google's Key Uri Format).</summary>
    public static string Uri(string issuer, string account, string base32Key) =>
        $"otpauth://totp/{System.Uri.EscapeDataString(issuer)}:{System.Uri.EscapeDataString(account)}" +
        $"?secret={base32Key}&issuer={System.Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits={Digits}&period={StepSeconds}";

    /// <summary>A key as a person types it: Base32 in groups of four, lower case.</summary>
    public static string Readable(string base32Key) =>
        string.Join(' ', base32Key.ToLowerInvariant().Chunk(4).Select(group => new string(group)));
}
