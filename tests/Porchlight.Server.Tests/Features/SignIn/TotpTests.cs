using System.Text;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.SignIn;
using Porchlight.Server.Hosting;
using Porchlight.Testing;

namespace Porchlight.Server.Tests.Features.SignIn;

/// <summary>The codes of the tests' authenticator and of the server, against RFC 6238's own test vectors (appendix B).</summary>
public sealed class TotpTests
{
    // The SHA-1 key of the RFC's vectors: the ASCII digits "1234567890" twice.
    private static readonly byte[] RfcKey = Encoding.ASCII.GetBytes("12345678901234567890");

    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void Totp_Rfc6238TestVectors_TheTestHelperAndTheServerBothAgree(long unixSeconds, string expected)
    {
        Assert.Equal(expected, TestTotp.Code(RfcKey, unixSeconds, 8));
        // Six digits are the last six of the eight (the truncation is taken modulo 10^digits).
        Assert.Equal(expected[2..], TestTotp.Code(RfcKey, unixSeconds, 6));
        Assert.Equal(expected[2..], Totp.Code(RfcKey, unixSeconds / 30));
    }

    [Fact]
    public void Base32_KeyOfTheRfc_RoundTripsBetweenTheServerAndTheHelper()
    {
        var encoded = Base32.Encode(RfcKey);

        Assert.Equal("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", encoded);
        Assert.Equal(RfcKey, TestTotp.FromBase32(encoded));
        Assert.Equal(RfcKey, Base32.Decode(Totp.Readable(encoded)));
    }

    [Fact]
    public void Totp_CodeOfTheStepBeforeOrAfter_IsAcceptedAndOneFurtherIsNot()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

        Assert.Equal(Totp.StepAt(now), Totp.MatchingStep(RfcKey, TestTotp.Code(RfcKey, now.ToUnixTimeSeconds(), 6), now));
        Assert.Equal(Totp.StepAt(now) - 1, Totp.MatchingStep(RfcKey, TestTotp.Code(RfcKey, now.ToUnixTimeSeconds() - 30, 6), now));
        Assert.Equal(Totp.StepAt(now) + 1, Totp.MatchingStep(RfcKey, TestTotp.Code(RfcKey, now.ToUnixTimeSeconds() + 30, 6), now));
        Assert.Null(Totp.MatchingStep(RfcKey, TestTotp.Code(RfcKey, now.ToUnixTimeSeconds() - 90, 6), now));
        Assert.Null(Totp.MatchingStep(RfcKey, "12345", now));
    }

    [Theory]
    [InlineData("password", true)]
    [InlineData("Password1!", true)]
    [InlineData("P@ssw0rd2024", true)]
    [InlineData("sunshine2024!", true)]
    [InlineData("QWERTY123456", true)]
    [InlineData("iloveyou", true)]
    [InlineData("1234567890", true)]
    [InlineData("correct horse battery", false)]
    [InlineData("a brand new passphrase", false)]
    [InlineData("porchlight-demo", false)]
    public void CommonPasswords_ListAndItsVariants_AreRecognised(string password, bool common)
    {
        Assert.True(CommonPasswords.Count >= 300, $"only {CommonPasswords.Count} common passwords are embedded");
        Assert.Equal(common, CommonPasswords.Contains(password));
    }
}
