using System.Security.Cryptography;
using System.Text;

namespace Porchlight.Server.Hosting;

/// <summary>
/// High-entropy secrets handed to people once (API tokens, invitation links, reset links). Only a
/// SHA-256 hash is stored: with 256 random bits a slow password hash adds nothing but latency.
/// </summary>
public static class SecretToken
{
    public static string Create(string prefix) =>
        prefix + "_" + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
