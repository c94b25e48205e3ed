using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Tests.Features.Conversations;

/// <summary>How the inbox turns message text into escaped runs and links.</summary>
public sealed class InboxPageTextTests
{
    [Fact]
    public void Links_AddressEndingASentence_LinksTheAddressWithoutThePunctuation()
    {
        var segments = MessageLinks.Split("See https://example.com/invoices/42. Thanks!");

        Assert.Equal(
            [new TextSegment("See ", null), new TextSegment("https://example.com/invoices/42", "https://example.com/invoices/42"), new TextSegment(". Thanks!", null)],
            segments);
    }

    [Theory]
    [InlineData("javascript:alert(document.cookie)")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("vbscript:msgbox(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("http://")]
    [InlineData("mailto:")]
    public void Links_SchemesOtherThanWebAndMail_StayPlainText(string text)
    {
        var segment = Assert.Single(MessageLinks.Split(text));

        Assert.Null(segment.Href);
        Assert.Equal(text, segment.Text);
    }

    [Fact]
    public void Links_MarkupAroundAnAddress_StaysTextAndCannotBreakOutOfTheHref()
    {
        var segments = MessageLinks.Split("<a href=\"https://evil.example/\" onclick=\"x()\">click</a>");

        var link = Assert.Single(segments, s => s.Href is not null);
        Assert.Equal("https://evil.example/", link.Href);
        Assert.DoesNotContain('"', link.Href!);
        Assert.Equal("<a href=\"https://evil.example/\" onclick=\"x()\">click</a>", string.Concat(segments.Select(s => s.Text)));
    }

    [Fact]
    public void Links_ParenthesesAroundAndInsideAddresses_KeepOnlyTheAddressesOwn()
    {
        var segments = MessageLinks.Split("(see https://en.wikipedia.org/wiki/Bar_(band)) or mailto:ada@example.com, http://a.example/x?y=1");

        Assert.Equal(
            ["https://en.wikipedia.org/wiki/Bar_(band)", "mailto:ada@example.com", "http://a.example/x?y=1"],
            segments.Where(s => s.Href is not null).Select(s => s.Text));
        Assert.Equal("(see https://en.wikipedia.org/wiki/Bar_(band)) or mailto:ada@example.com, http://a.example/x?y=1", string.Concat(segments.Select(s => s.Text)));
    }

    [Fact]
    public void Links_TextWithoutAddresses_IsOneRunAsWritten()
    {
        const string text = "Line one\nLine <b>two</b> & three";

        Assert.Equal([new TextSegment(text, null)], MessageLinks.Split(text));
    }

    [Theory]
    [InlineData("Ada Lovelace", "AL")]
    [InlineData("grace", "G")]
    [InlineData("ada.lovelace@example.com", "AL")]
    [InlineData("Visitor 3f9a1c", "V3")]
    [InlineData("", "?")]
    [InlineData("  ", "?")]
    [InlineData("(Ada) \"Lovelace\"", "AL")]
    [InlineData("<>", "?")]
    public void Initials_OfNamesAndEmails_AreOneOrTwoLetters(string name, string expected) =>
        Assert.Equal(expected, Initials.Of(name));
}
