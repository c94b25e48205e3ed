using System.Text.RegularExpressions;

namespace Porchlight.Server.Features.Privacy;

/// <summary>
/// Credentials whose shape names them, masked whole: Stripe secret and restricted keys (<c>sk_live_</c>,
/// <c>sk_test_</c>, <c>rk_live_</c>, <c>rk_test_</c>), AWS access key ids (<c>AKIA</c>/<c>ASIA</c> and 16 capitals or
/// digits), GitHub tokens (<c>ghp_</c>, <c>gho_</c>, <c>ghu_</c>, <c>ghs_</c>, <c>ghr_</c>, <c>github_pat_</c>),
/// Slack tokens (<c>xoxa-</c>, <c>xoxb-</c>, <c>xoxp-</c>, <c>xoxr-</c>), JSON Web Tokens (three base64url parts, the
/// first starting <c>eyJ</c>), PEM private key blocks (to their END line, or to the end of a text cut short), and
/// Porchlight's own API tokens (<c>plt_</c> and 43 characters).
/// </summary>
internal static partial class Secrets
{
    public const string Marker = "[redacted secret]";

    public static List<PiiMatch> Find(string text)
    {
        var found = new List<PiiMatch>();
        foreach (var secret in Shapes().EnumerateMatches(text))
        {
            found.Add(new PiiMatch(secret.Index, secret.Index + secret.Length, Marker));
        }

        return found;
    }

    [GeneratedRegex(
        @"\b[sr]k_(?:live|test)_[0-9A-Za-z]{10,}" +
        @"|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b" +
        @"|\bgh[opusr]_[0-9A-Za-z]{30,}" +
        @"|\bgithub_pat_[0-9A-Za-z_]{22,}" +
        @"|\bxox[abpr]-[0-9A-Za-z-]{10,}" +
        @"|\beyJ[0-9A-Za-z_-]{5,}\.[0-9A-Za-z_-]{5,}\.[0-9A-Za-z_-]+" +
        @"|\bplt_[0-9A-Za-z_-]{43}" +
        @"|-----BEGIN[A-Z ]*PRIVATE KEY-----(?:[\s\S]*?-----END[A-Z ]*PRIVATE KEY-----|[\s\S]*\z)",
        RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex Shapes();
}
