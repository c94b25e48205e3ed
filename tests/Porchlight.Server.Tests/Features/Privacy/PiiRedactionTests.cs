using Porchlight.Server.Features.Privacy;

namespace Porchlight.Server.Tests.Features.Privacy;

public sealed class PiiRedactionTests
{
    private const PiiDetectors All = PiiDetectors.PaymentCard | PiiDetectors.Iban | PiiDetectors.NationalId | PiiDetectors.Secret;

    private const string Jwt =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    [Theory]
    [InlineData("my card is 4242424242424242 thanks", "my card is [redacted card ending 4242] thanks")]
    [InlineData("4111 1111 1111 1111", "[redacted card ending 1111]")]
    [InlineData("card: 5555-5555-5555-4444.", "card: [redacted card ending 4444].")]
    [InlineData("amex 3782 822463 10005", "amex [redacted card ending 0005]")]
    [InlineData("6011111111111117", "[redacted card ending 1117]")]
    [InlineData("JCB 3530111333300000", "JCB [redacted card ending 0000]")]
    [InlineData("2223 0031 2200 3222", "[redacted card ending 3222]")]
    [InlineData("13 digits 4222222222222", "13 digits [redacted card ending 2222]")]
    [InlineData("19 digits 6212 3456 7890 1234 569", "19 digits [redacted card ending 4569]")]
    [InlineData("ref 12 4242 4242 4242 4242", "ref 12 [redacted card ending 4242]")]
    [InlineData("(4242424242424242)", "([redacted card ending 4242])")]
    public void Mask_PaymentCardPassingLuhn_AllButTheLastFourDigitsMasked(string text, string masked) =>
        Assert.Equal(masked, PiiRedaction.Mask(text, PiiDetectors.PaymentCard));

    [Theory]
    [InlineData("order 4242424242424241")] // fails the Luhn check
    [InlineData("order 4000123412341235")]
    [InlineData("9234567890123455")] // passes Luhn, but no card network starts with 9
    [InlineData("42424242424242424242")] // 20 digits: longer than any card
    [InlineData("424242424242")] // 12 digits: shorter than any card
    [InlineData("x4242424242424242")] // part of a longer token
    [InlineData("4242424242424242abc")]
    [InlineData("https://shop.example/orders/4242424242424242")] // a link keeps working
    [InlineData("see www.example.com/track?id=4111111111111111 for the parcel")]
    [InlineData("call +49 151 2345 6789 3")] // an international phone number that passes Luhn
    [InlineData("call +1 415 555 2671 or (415) 555-2671")]
    [InlineData("on 2026-12-06 at 10:30, 3 items for 129.99")]
    [InlineData("4242 4242  4242 4242")] // two spaces: two numbers, neither a card
    public void Mask_NumbersThatAreNotCards_Unchanged(string text) =>
        Assert.Equal(text, PiiRedaction.Mask(text, All));

    [Theory]
    [InlineData("IBAN: DE89 3704 0044 0532 0130 00 thanks", "IBAN: [redacted IBAN ending 3000] thanks")]
    [InlineData("GB82 WEST 1234 5698 7654 32", "[redacted IBAN ending 5432]")]
    [InlineData("FR14 2004 1010 0505 0001 3M02 606", "[redacted IBAN ending 2606]")]
    [InlineData("NL91ABNA0417164300.", "[redacted IBAN ending 4300].")]
    [InlineData("ES91 2100 0418 4502 0005 1332", "[redacted IBAN ending 1332]")]
    [InlineData("BE68 5390 0754 7034", "[redacted IBAN ending 7034]")]
    [InlineData("Norway NO9386011117947", "Norway [redacted IBAN ending 7947]")]
    [InlineData("CH9300762011623852957", "[redacted IBAN ending 2957]")]
    [InlineData("lower case de89370400440532013000", "lower case [redacted IBAN ending 3000]")]
    [InlineData("DE89 3704 0044 0532 0130 00 12", "[redacted IBAN ending 3000] 12")]
    public void Mask_IbanPassingMod97_AllButTheLastFourCharactersMasked(string text, string masked) =>
        Assert.Equal(masked, PiiRedaction.Mask(text, PiiDetectors.Iban));

    [Theory]
    [InlineData("DE89 3704 0044 0532 0130 01")] // wrong check
    [InlineData("GB82 WEST 1234 5698 7654 33")]
    [InlineData("DE89 3704 0044 0532 0130")] // too short for Germany
    [InlineData("DE89370400440532013000123")] // too long for Germany
    [InlineData("XX89 3704 0044 0532 0130 00")] // no such country
    [InlineData("AB12 is a part number")]
    [InlineData("DE89  3704 0044 0532 0130 00")] // two spaces
    public void Mask_NotAnIban_Unchanged(string text) =>
        Assert.Equal(text, PiiRedaction.Mask(text, PiiDetectors.Iban));

    [Theory]
    [InlineData("SSN 123-45-6789.", "SSN [redacted SSN].")]
    [InlineData("ssn:536-22-1234", "ssn:[redacted SSN]")]
    [InlineData("NI number AB 12 34 56 C", "NI number [redacted NI number]")]
    [InlineData("NINO: JG103759A, thanks", "NINO: [redacted NI number], thanks")]
    public void Mask_NationalId_Masked(string text, string masked) =>
        Assert.Equal(masked, PiiRedaction.Mask(text, PiiDetectors.NationalId));

    [Theory]
    [InlineData("000-12-3456")] // area never issued
    [InlineData("666-12-3456")]
    [InlineData("912-12-3456")]
    [InlineData("123-00-4567")] // group 00
    [InlineData("123-45-0000")] // serial 0000
    [InlineData("078-05-1120")] // the sample card's number
    [InlineData("part 123-45-6789-01")] // a longer code
    [InlineData("call 555-123-4567")] // a phone number
    [InlineData("QQ 12 34 56 C")] // Q is never a first letter
    [InlineData("GB123456A")] // a prefix never allocated
    [InlineData("AB123456E")] // suffixes are A-D
    [InlineData("ab123456c")] // written in capitals only
    public void Mask_NotANationalId_Unchanged(string text) =>
        Assert.Equal(text, PiiRedaction.Mask(text, PiiDetectors.NationalId));

    [Theory]
    [InlineData("key sk_live_4eC39HqLyjWDarjtT1zdp7dc please", "key [redacted secret] please")]
    [InlineData("sk_test_51HqLyjWDarjtT1zdp7dcABCD", "[redacted secret]")]
    [InlineData("rk_live_51HqLyjWDarjtT1zdp7dcABCD", "[redacted secret]")]
    [InlineData("id AKIAIOSFODNN7EXAMPLE.", "id [redacted secret].")]
    [InlineData("token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "token [redacted secret]")]
    [InlineData("gho_abcdefghijklmnopqrstuvwxyz0123456789", "[redacted secret]")]
    [InlineData("ghs_abcdefghijklmnopqrstuvwxyz0123456789", "[redacted secret]")]
    [InlineData("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "[redacted secret]")]
    [InlineData("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "[redacted secret]")]
    [InlineData("(xoxp-123456789012-abcdef)", "([redacted secret])")]
    [InlineData("Bearer " + Jwt, "Bearer [redacted secret]")]
    [InlineData("plt_ouf83CZ68x1wE-Y2EXwmo-RIEojvaOUlQ2HjE3yMp-o", "[redacted secret]")]
    [InlineData("https://api.example.com/v1?token=ghp_abcdefghijklmnopqrstuvwxyz0123456789&x=1", "https://api.example.com/v1?token=[redacted secret]&x=1")]
    public void Mask_Secret_MaskedWhole(string text, string masked) =>
        Assert.Equal(masked, PiiRedaction.Mask(text, PiiDetectors.Secret));

    [Fact]
    public void Mask_PrivateKeyBlock_MaskedFromBeginToEndLine()
    {
        var text = "here:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgwMbRvI0MBZhpI\n-----END RSA PRIVATE KEY-----\nbye";

        Assert.Equal("here:\n[redacted secret]\nbye", PiiRedaction.Mask(text, PiiDetectors.Secret));
    }

    [Fact]
    public void Mask_PrivateKeyCutShort_MaskedToTheEnd() =>
        Assert.Equal(
            "key: [redacted secret]",
            PiiRedaction.Mask("key: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7", PiiDetectors.Secret));

    [Theory]
    [InlineData("sk_live alone")]
    [InlineData("task_live_abcdefghijklmnop")] // not a key's prefix: part of a word
    [InlineData("AKIA1234")]
    [InlineData("eyJ is how JSON starts in base64")]
    [InlineData("ghp_short")]
    [InlineData("plt_tooShort")]
    public void Mask_NotASecret_Unchanged(string text) =>
        Assert.Equal(text, PiiRedaction.Mask(text, PiiDetectors.Secret));

    [Fact]
    public void Mask_DetectorsOff_TextUnchanged()
    {
        var text = "4242424242424242 DE89370400440532013000 123-45-6789 AKIAIOSFODNN7EXAMPLE";

        Assert.Equal(text, PiiRedaction.Mask(text, PiiDetectors.None));
        Assert.Equal("4242424242424242 DE89370400440532013000 123-45-6789 [redacted secret]", PiiRedaction.Mask(text, PiiDetectors.Secret));
    }

    [Fact]
    public void Mask_SeveralKindsInOneText_EachMaskedWithItsMarker() =>
        Assert.Equal(
            "card [redacted card ending 4242], IBAN [redacted IBAN ending 3000], SSN [redacted SSN], key [redacted secret].",
            PiiRedaction.Mask("card 4242 4242 4242 4242, IBAN DE89 3704 0044 0532 0130 00, SSN 123-45-6789, key sk_live_4eC39HqLyjWDarjtT1zdp7dc.", All));

    [Fact]
    public void Mask_CardInsidePrivateKeyBlock_OneMarkerForTheWhole()
    {
        var text = "-----BEGIN PRIVATE KEY-----\n4242424242424242\n-----END PRIVATE KEY-----";

        Assert.Equal("[redacted secret]", PiiRedaction.Mask(text, All));
    }

    [Fact]
    public void Find_PartlyOverlappingMatches_MergedSoNothingOfEitherIsLeft()
    {
        // The token's last part runs into the card number's first group ("-" belongs to base64url), and the card goes on.
        var text = "eyJhbGciOi.eyJzdWIiOi.SflKxwRJSM-4242 4242 4242 4242 ok";

        var found = PiiRedaction.Find(text, All);

        Assert.Equal([new PiiMatch(0, text.Length - 3, "[redacted secret]")], found);
        Assert.Equal("[redacted secret] ok", PiiRedaction.Mask(text, All));
    }

    [Fact]
    public void Mask_MaskedText_MasksToItself()
    {
        var masked = PiiRedaction.Mask("4242424242424242 DE89370400440532013000 AB123456C 123-45-6789 " + Jwt, All);

        Assert.Equal(masked, PiiRedaction.Mask(masked, All));
    }

    [Theory]
    [InlineData("1 ", null)]
    [InlineData("DE89 ", null)]
    [InlineData("123-45-", null)]
    [InlineData("sk_live_", null)]
    [InlineData("https://", null)]
    [InlineData("-----BEGIN PRIVATE KEY----- ", "[redacted secret]")]
    public void Mask_LongHostileRepetition_AnsweredAsForAShortText(string piece, string? masked)
    {
        // Backtracking patterns could take hours on some of these; the non-backtracking engine reads each character a
        // bounded number of times, whatever the text holds.
        var text = string.Concat(Enumerable.Repeat(piece, 200_000 / piece.Length));

        Assert.Equal(masked ?? text, PiiRedaction.Mask(text, All));
    }
}
