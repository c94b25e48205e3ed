using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Porchlight.Testing;

/// <summary>
/// The tests' own authenticator app: RFC 6238 codes (HMAC-SHA1, 30-second steps) from a Base32 key, written apart from
/// the server's code so that a fault there cannot hide itself here. Features/SignIn/TotpTests checks it against the RFC's
/// test vectors.
/// </summary>
public static class TestTotp
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string Code(string base32Key, DateTimeOffset at) => Code(FromBase32(base32Key), at.ToUnixTimeSeconds(), 6);

    /// <summary>The code for a Unix time, with as many digits as asked (the RFC's vectors have eight).</summary>
    public static string Code(byte[] key, long unixSeconds, int digits)
    {
        var counter = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, unixSeconds / 30);
#pragma warning disable CA5350 // RFC 6238's HMAC-SHA1, as authenticator apps compute it.
        var hash = HMACSHA1.HashData(key, counter);
#pragma warning restore CA5350
        var offset = hash[^1] & 0xF;
        var value = ((hash[offset] & 0x7F) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        var modulus = (int)Math.Pow(10, digits);
        return (value % modulus).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    public static byte[] FromBase32(string text)
    {
        var output = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in text.ToUpperInvariant().Where(c => c is not (' ' or '=')))
        {
            var index = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (index < 0)
            {
                throw new FormatException($"'{c}' is not Base32");
            }

            buffer = (buffer << 5) | index;
            bits += 5;
            if (bits >= 8)
            {
                output.Add((byte)((buffer >> (bits - 8)) & 0xFF));
                bits -= 8;
            }
        }

        return [.. output];
    }

    /// <summary>Another six digits than <paramref name="code"/>: a wrong code for sure.</summary>
    public static string Other(string code) => ((int.Parse(code, System.Globalization.CultureInfo.InvariantCulture) + 500_000) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
}
