using Porchlight.Server.Features.Email;

namespace Porchlight.Server.Tests.Features.Email;

/// <summary>
/// An email body as the text agents see: HTML mail as plain text, and of a reply only what the person wrote this
/// time. The samples are shaped like what Gmail, Outlook, Apple Mail and Thunderbird send.
/// </summary>
public sealed class EmailTextTests
{
    // ---- WithoutQuoteAndSignature ----

    [Fact]
    public void WithoutQuote_GmailReply_KeepsOnlyTheNewText()
    {
        const string mail =
            "Thanks, the tent arrived today!\r\n" +
            "\r\n" +
            "Jane\r\n" +
            "\r\n" +
            "On Mon, Dec 1, 2026 at 10:00 AM Porchlight Support <support@example.com> wrote:\r\n" +
            "\r\n" +
            "> Hi Jane,\r\n" +
            ">\r\n" +
            "> Your order 1042 has shipped.\r\n";

        Assert.Equal("Thanks, the tent arrived today!\n\nJane", EmailText.WithoutQuoteAndSignature(mail));
    }

    [Fact]
    public void WithoutQuote_AppleMailAttributionWrappedOverTwoLines_CutsAtItsFirstLine()
    {
        const string mail =
            "Yes, please send the larger size.\n" +
            "\n" +
            "On Mon, 1 Dec 2026 at 10:00, Porchlight Support <support@example.com>\n" +
            "wrote:\n" +
            "\n" +
            "> Would you like to exchange it?\n";

        Assert.Equal("Yes, please send the larger size.", EmailText.WithoutQuoteAndSignature(mail));
    }

    [Theory]
    [InlineData("On Mon, Dec 1, 2026 at 10:00 AM Porchlight Support <support@example.com> wrote:")]
    [InlineData("On 12/1/26 10:00 AM, Porchlight Support wrote:")]
    [InlineData("Am 01.12.2026 um 10:00 schrieb Porchlight Support <support@example.com>:")]
    [InlineData("Am Mo., 1. Dez. 2026 um 10:00 Uhr schrieb Porchlight Support <support@example.com>:")]
    [InlineData("Le lun. 1 déc. 2026 à 10:00, Porchlight Support <support@example.com> a écrit :")]
    [InlineData("El lun, 1 dic 2026 a las 10:00, Porchlight Support (<support@example.com>) escribió:")]
    [InlineData("Op ma 1 dec. 2026 om 10:00 schreef Porchlight Support <support@example.com>:")]
    [InlineData("On Mon, Dec 1, 2026 at 10:00 AM Porchlight Support <\nsupport@example.com> wrote:")]
    [InlineData("Am Mo., 1. Dez. 2026 um 10:00 Uhr schrieb Porchlight Support\n<support@example.com>:")]
    public void WithoutQuote_AttributionLine_CutsTheQuotedHistory(string attribution)
    {
        var mail = $"Merci, c'est parfait.\n\n{attribution}\n\n> Your order has shipped.\n";

        Assert.Equal("Merci, c'est parfait.", EmailText.WithoutQuoteAndSignature(mail));
    }

    [Fact]
    public void WithoutQuote_OutlookReplyBelowUnderscores_KeepsOnlyTheNewText()
    {
        const string mail =
            "Please cancel the order.\r\n" +
            "\r\n" +
            "Best regards,\r\n" +
            "Jane\r\n" +
            "\r\n" +
            "________________________________\r\n" +
            "From: Porchlight Support <support@example.com>\r\n" +
            "Sent: Monday, December 1, 2026 10:00 AM\r\n" +
            "To: Jane Doe <jane@example.com>\r\n" +
            "Subject: Re: Order 1042\r\n" +
            "\r\n" +
            "Hi Jane,\r\n" +
            "your order has shipped.\r\n";

        Assert.Equal("Please cancel the order.\n\nBest regards,\nJane", EmailText.WithoutQuoteAndSignature(mail));
    }

    [Fact]
    public void WithoutQuote_GermanOutlookHeaderBlock_KeepsOnlyTheNewText()
    {
        const string mail =
            "Bitte stornieren Sie die Bestellung.\r\n" +
            "\r\n" +
            "Viele Grüße\r\n" +
            "Jana Schmidt\r\n" +
            "\r\n" +
            "Von: Porchlight Support <support@example.com>\r\n" +
            "Gesendet: Montag, 1. Dezember 2026 10:00\r\n" +
            "An: Jana Schmidt <jana@example.com>\r\n" +
            "Betreff: AW: Bestellung 1042\r\n" +
            "\r\n" +
            "Hallo Frau Schmidt,\r\n" +
            "Ihre Bestellung ist unterwegs.\r\n";

        Assert.Equal("Bitte stornieren Sie die Bestellung.\n\nViele Grüße\nJana Schmidt", EmailText.WithoutQuoteAndSignature(mail));
    }

    [Theory]
    [InlineData("-----Original Message-----")]
    [InlineData("----- original message -----")]
    [InlineData("--Original Message--")]
    [InlineData("-----Ursprüngliche Nachricht-----")]
    [InlineData("---------- Forwarded message ---------")]
    public void WithoutQuote_OriginalMessageDivider_CutsTheQuotedHistory(string divider)
    {
        var mail = $"The invoice is attached.\n\n{divider}\nHi, could you send the invoice?\n";

        Assert.Equal("The invoice is attached.", EmailText.WithoutQuoteAndSignature(mail));
    }

    [Fact]
    public void WithoutQuote_FromLineWithoutTheRestOfAHeaderBlock_IsKept()
    {
        const string mail = "It arrived broken.\n\nFrom: the photo you can see the crack.\nPlease help.";

        Assert.Equal(mail, EmailText.WithoutQuoteAndSignature(mail));
    }

    [Theory]
    [InlineData("-- ")]
    [InlineData("--")]
    public void WithoutQuote_SignatureDelimiter_CutsTheSignature(string delimiter)
    {
        var mail = $"Where is my refund?\n\n{delimiter}\nJane Doe\nAcme Outdoor Club\n+1 555 0100\n";

        Assert.Equal("Where is my refund?", EmailText.WithoutQuoteAndSignature(mail));
    }

    [Theory]
    [InlineData("Sent from my iPhone")]
    [InlineData("Sent from my Android phone")]
    [InlineData("Von meinem iPhone gesendet")]
    [InlineData("Get Outlook for iOS<https://aka.ms/o0ukef>")]
    public void WithoutQuote_SentFromMyPhoneLine_IsCut(string line)
    {
        var mail = $"Sure, Tuesday works.\n\n{line}\n";

        Assert.Equal("Sure, Tuesday works.", EmailText.WithoutQuoteAndSignature(mail));
    }

    [Fact]
    public void WithoutQuote_PhoneReplyAboveAppleMailQuote_KeepsOnlyTheNewText()
    {
        const string mail =
            "Sure, Tuesday works.\n" +
            "\n" +
            "Sent from my iPhone\n" +
            "\n" +
            "> On 1 Dec 2026, at 10:00, Porchlight Support <support@example.com> wrote:\n" +
            ">\n" +
            "> Does Tuesday work for the pickup?\n";

        Assert.Equal("Sure, Tuesday works.", EmailText.WithoutQuoteAndSignature(mail));
    }

    [Fact]
    public void WithoutQuote_SignatureAboveTheQuote_CutsBoth()
    {
        const string mail =
            "The zip is stuck.\n" +
            "-- \n" +
            "Jane Doe | Acme Outdoor Club\n" +
            "\n" +
            "On Mon, Dec 1, 2026 at 10:00 AM Porchlight Support <support@example.com> wrote:\n" +
            "> How can we help?\n";

        Assert.Equal("The zip is stuck.", EmailText.WithoutQuoteAndSignature(mail));
    }

    [Fact]
    public void WithoutQuote_InlineReply_KeepsTheQuotesItAnswers()
    {
        const string mail =
            "> Which size did you order?\n" +
            "\n" +
            "Large.\n" +
            "\n" +
            "> And which colour?\n" +
            "\n" +
            "Green, please.\n" +
            "\n" +
            "> Thanks,\n" +
            "> Porchlight Support\n";

        Assert.Equal(
            "> Which size did you order?\n\nLarge.\n\n> And which colour?\n\nGreen, please.",
            EmailText.WithoutQuoteAndSignature(mail));
    }

    [Fact]
    public void WithoutQuote_CustomerQuotingWithoutADate_IsNotCut()
    {
        const string mail = "On the order page you wrote:\n> Delivery within 3 days\nIt has been two weeks.";

        Assert.Equal(mail, EmailText.WithoutQuoteAndSignature(mail));
    }

    [Fact]
    public void WithoutQuote_OnlyAForwardedMail_FallsBackToTheFullText()
    {
        const string mail =
            "---------- Forwarded message ---------\r\n" +
            "From: Acme Shop <orders@example.com>\r\n" +
            "Date: Mon, Dec 1, 2026 at 10:00 AM\r\n" +
            "Subject: Your order 1042\r\n" +
            "To: <jane@example.com>\r\n" +
            "\r\n" +
            "Your order has shipped.\r\n";

        Assert.Equal(
            "---------- Forwarded message ---------\n" +
            "From: Acme Shop <orders@example.com>\n" +
            "Date: Mon, Dec 1, 2026 at 10:00 AM\n" +
            "Subject: Your order 1042\n" +
            "To: <jane@example.com>\n" +
            "\n" +
            "Your order has shipped.",
            EmailText.WithoutQuoteAndSignature(mail));
    }

    [Fact]
    public void WithoutQuote_InlineReplyBelowTheAttribution_FallsBackToTheFullText()
    {
        const string mail =
            "On 12/1/26 10:00 AM, Porchlight Support wrote:\n" +
            "> Which size did you order?\n" +
            "Large.\n";

        Assert.Equal(
            "On 12/1/26 10:00 AM, Porchlight Support wrote:\n> Which size did you order?\nLarge.",
            EmailText.WithoutQuoteAndSignature(mail));
    }

    [Fact]
    public void WithoutQuote_OnlyQuotedLines_FallsBackToTheFullText()
    {
        const string mail = "\n> Your order has shipped.\n> Tracking number: 1Z999\n\n";

        Assert.Equal("> Your order has shipped.\n> Tracking number: 1Z999", EmailText.WithoutQuoteAndSignature(mail));
    }

    [Fact]
    public void WithoutQuote_PlainMessage_IsKeptWithTrailingWhitespaceTrimmed()
    {
        const string mail = "\r\nHello,  \r\n\r\nmy tent has a hole.\r\n\r\nJane\t\r\n\r\n\r\n";

        Assert.Equal("Hello,\n\nmy tent has a hole.\n\nJane", EmailText.WithoutQuoteAndSignature(mail));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \r\n\t")]
    public void WithoutQuote_Blank_IsEmpty(string mail) => Assert.Equal("", EmailText.WithoutQuoteAndSignature(mail));

    // ---- FromHtml ----

    [Fact]
    public void FromHtml_Paragraphs_AreSeparatedByOneBlankLine()
    {
        const string html = "<p>Hi,</p>\n\n<p>The tent\n   has a   hole.</p><p></p><p>Jane</p>";

        Assert.Equal("Hi,\n\nThe tent has a hole.\n\nJane", EmailText.FromHtml(html));
    }

    [Fact]
    public void FromHtml_ScriptStyleHeadAndComments_AreDropped()
    {
        const string html = """
            <!DOCTYPE html>
            <html>
            <head><title>Your order</title><style>p { color: red; }</style></head>
            <body>
            <!-- tracking pixel below -->
            <script>document.write("gone");</script>
            <style>.x { display: block; }</style>
            <p>Hello Jane</p>
            </body>
            </html>
            """;

        Assert.Equal("Hello Jane", EmailText.FromHtml(html));
    }

    [Fact]
    public void FromHtml_HiddenPreheader_IsDropped()
    {
        const string html = """<span style="display: none; max-height: 0">Your order is on its way</span><p>Hi Jane,</p><p>Your order has shipped.</p>""";

        Assert.Equal("Hi Jane,\n\nYour order has shipped.", EmailText.FromHtml(html));
    }

    [Fact]
    public void FromHtml_GmailReply_QuotesTheHistoryOnce()
    {
        const string html = """
            <div dir="ltr">Thanks, it arrived!<div><br></div><div>Jane</div></div><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">On Mon, Dec 1, 2026 at 10:00 AM Porchlight Support &lt;<a href="mailto:support@example.com">support@example.com</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex"><div dir="ltr">Hi Jane,<div><br></div><div>Your order has shipped.</div></div></blockquote></div>
            """;

        Assert.Equal(
            "Thanks, it arrived!\n" +
            "\n" +
            "Jane\n" +
            "\n" +
            "On Mon, Dec 1, 2026 at 10:00 AM Porchlight Support <support@example.com> wrote:\n" +
            "\n" +
            "> Hi Jane,\n" +
            ">\n" +
            "> Your order has shipped.",
            EmailText.FromHtml(html));
    }

    [Fact]
    public void FromHtml_GmailReplyThenWithoutQuote_KeepsOnlyTheNewText()
    {
        const string html = """
            <div dir="ltr">Thanks, it arrived!<div><br></div><div>Jane</div></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, Dec 1, 2026 at 10:00 AM Porchlight Support &lt;<a href="mailto:support@example.com">support@example.com</a>&gt; wrote:<br></div><blockquote class="gmail_quote"><div dir="ltr">Your order has shipped.</div></blockquote></div>
            """;

        Assert.Equal("Thanks, it arrived!\n\nJane", EmailText.WithoutQuoteAndSignature(EmailText.FromHtml(html)));
    }

    [Fact]
    public void FromHtml_GmailForward_QuotesTheForwardedMail()
    {
        const string html = """
            <div dir="ltr">See below.<br><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>From: <strong class="gmail_sendername" dir="auto">Acme Shop</strong> <span dir="auto">&lt;<a href="mailto:orders@example.com">orders@example.com</a>&gt;</span><br>Date: Mon, Dec 1, 2026 at 10:00 AM<br>Subject: Your order<br>To: &lt;<a href="mailto:jane@example.com">jane@example.com</a>&gt;<br></div><br><br>Your order has shipped.</div></div>
            """;

        Assert.Equal(
            "See below.\n" +
            "\n" +
            "> ---------- Forwarded message ---------\n" +
            "> From: Acme Shop <orders@example.com>\n" +
            "> Date: Mon, Dec 1, 2026 at 10:00 AM\n" +
            "> Subject: Your order\n" +
            "> To: <jane@example.com>\n" +
            ">\n" +
            "> Your order has shipped.",
            EmailText.FromHtml(html));
    }

    [Fact]
    public void FromHtml_OutlookDesktopParagraphs_ReadAsLines()
    {
        const string html = """
            <html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta charset="utf-8"><style>p.MsoNormal { margin: 0cm; }</style></head>
            <body lang="EN-GB"><div class="WordSection1">
            <p class="MsoNormal">Hi,<o:p></o:p></p>
            <p class="MsoNormal"><o:p>&nbsp;</o:p></p>
            <p class="MsoNormal">The poles are missing.<o:p></o:p></p>
            <p class="MsoNormal"><o:p>&nbsp;</o:p></p>
            <p class="MsoNormal">Jane Doe<o:p></o:p></p>
            <p class="MsoNormal">Acme Outdoor Club<o:p></o:p></p>
            </div></body></html>
            """;

        Assert.Equal("Hi,\n\nThe poles are missing.\n\nJane Doe\nAcme Outdoor Club", EmailText.FromHtml(html));
    }

    [Fact]
    public void FromHtml_OutlookWebReply_QuotesTheHeaderBlockAndTheMailAfterIt()
    {
        const string html = """
            <div dir="ltr">Please cancel it.</div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000"><b>From:</b> Porchlight Support &lt;support@example.com&gt;<br><b>Sent:</b> Monday, December 1, 2026 10:00 AM<br><b>To:</b> Jane Doe &lt;jane@example.com&gt;<br><b>Subject:</b> Re: Order 1042</font><div>&nbsp;</div></div><div>Hi Jane, your order has shipped.</div>
            """;

        var text = EmailText.FromHtml(html);

        Assert.Equal(
            "Please cancel it.\n" +
            "\n" +
            "> From: Porchlight Support <support@example.com>\n" +
            "> Sent: Monday, December 1, 2026 10:00 AM\n" +
            "> To: Jane Doe <jane@example.com>\n" +
            "> Subject: Re: Order 1042\n" +
            ">\n" +
            "> Hi Jane, your order has shipped.",
            text);
        Assert.Equal("Please cancel it.", EmailText.WithoutQuoteAndSignature(text));
    }

    [Fact]
    public void FromHtml_OutlookDesktopReplyThenWithoutQuote_KeepsOnlyTheNewText()
    {
        const string html = """
            <div class="WordSection1"><p class="MsoNormal">Please send a new one.<o:p></o:p></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>From:</b> Porchlight Support &lt;support@example.com&gt; <br><b>Sent:</b> Monday, December 1, 2026 10:00 AM<br><b>To:</b> Jane Doe &lt;jane@example.com&gt;<br><b>Subject:</b> Re: Broken pole<o:p></o:p></p></div><p class="MsoNormal"><o:p>&nbsp;</o:p></p><p class="MsoNormal">Hi Jane, could you send a photo?<o:p></o:p></p></div>
            """;

        var text = EmailText.FromHtml(html);

        Assert.Equal(
            "Please send a new one.\n" +
            "\n" +
            "From: Porchlight Support <support@example.com>\n" +
            "Sent: Monday, December 1, 2026 10:00 AM\n" +
            "To: Jane Doe <jane@example.com>\n" +
            "Subject: Re: Broken pole\n" +
            "\n" +
            "Hi Jane, could you send a photo?",
            text);
        Assert.Equal("Please send a new one.", EmailText.WithoutQuoteAndSignature(text));
    }

    [Fact]
    public void FromHtml_AppleMailReplyThenWithoutQuote_KeepsOnlyTheNewText()
    {
        const string html = """
            <html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body dir="auto"><div dir="ltr">Tuesday is fine.</div><div dir="ltr"><br><blockquote type="cite">On 1 Dec 2026, at 10:00, Porchlight Support &lt;support@example.com&gt; wrote:<br><br></blockquote></div><blockquote type="cite"><div dir="ltr"><div>Does Tuesday work?</div></div></blockquote></body></html>
            """;

        var text = EmailText.FromHtml(html);

        Assert.Equal(
            "Tuesday is fine.\n\n> On 1 Dec 2026, at 10:00, Porchlight Support <support@example.com> wrote:\n\n> Does Tuesday work?",
            text);
        Assert.Equal("Tuesday is fine.", EmailText.WithoutQuoteAndSignature(text));
    }

    [Fact]
    public void FromHtml_NestedBlockquotes_QuoteOneLevelEach()
    {
        const string html = """
            <p>Agreed.</p>
            <blockquote type="cite"><p>Can you ship on Monday?</p>
            <blockquote type="cite"><p>The order is ready.</p><p>Acme</p></blockquote>
            </blockquote>
            """;

        Assert.Equal(
            "Agreed.\n\n> Can you ship on Monday?\n>\n> > The order is ready.\n> >\n> > Acme",
            EmailText.FromHtml(html));
    }

    [Fact]
    public void FromHtml_ThunderbirdReply_QuotesThePreformattedQuote()
    {
        const string html = """
            <p>Yes, the blue one.</p>
            <div class="moz-cite-prefix">On 01/12/2026 10:00, Porchlight Support wrote:<br></div>
            <blockquote type="cite" cite="mid:1042@example.com"><pre class="moz-quote-pre" wrap="">Which colour
            would you like?</pre></blockquote>
            """;

        Assert.Equal(
            "Yes, the blue one.\n\nOn 01/12/2026 10:00, Porchlight Support wrote:\n\n> Which colour\n> would you like?",
            EmailText.FromHtml(html));
    }

    [Theory]
    [InlineData("""See <a href="https://example.com/track/1042">your parcel</a>.""", "See your parcel (https://example.com/track/1042).")]
    [InlineData("""<a href="https://example.com/help">https://example.com/help</a>""", "https://example.com/help")]
    [InlineData("""<a href="https://www.example.com/">www.example.com</a>""", "www.example.com")]
    [InlineData("""<a href="mailto:jane@example.com">jane@example.com</a>""", "jane@example.com")]
    [InlineData("""Write to <a href="mailto:jane@example.com">Jane</a>""", "Write to Jane (mailto:jane@example.com)")]
    [InlineData("""<a href="javascript:alert(1)">Click</a> here""", "Click here")]
    [InlineData("""<a href="/account">Your account</a>""", "Your account")]
    [InlineData("""<a href="https://example.com/"><img src="banner.png"></a>Hi""", "Hi")]
    [InlineData("""<a href="https://example.com/"><img src="logo.png" alt="Acme"></a>""", "Acme (https://example.com/)")]
    public void FromHtml_Link_ShowsItsAddressWhenTheTextDoesNot(string html, string expected) =>
        Assert.Equal(expected, EmailText.FromHtml(html));

    [Fact]
    public void FromHtml_Images_BecomeTheirAltText()
    {
        const string html = """<p>Logo: <img src="logo.png" alt=" Acme Outdoor "> and <img src="pixel.gif" width="1" height="1"> done</p>""";

        Assert.Equal("Logo: Acme Outdoor and done", EmailText.FromHtml(html));
    }

    [Fact]
    public void FromHtml_Lists_AreDashedLines()
    {
        const string html = """
            <p>Before you send it back:</p>
            <ul>
              <li>Dry the tent</li>
              <li>Pack the <b>poles</b> and pegs</li>
            </ul>
            <ol><li>Print the label</li><li>Drop it off<ul><li>at any post office</li></ul></li></ol>
            <p>Thanks</p>
            """;

        Assert.Equal(
            "Before you send it back:\n\n- Dry the tent\n- Pack the poles and pegs\n\n- Print the label\n- Drop it off\n- at any post office\n\nThanks",
            EmailText.FromHtml(html));
    }

    [Fact]
    public void FromHtml_EntitiesAndNonBreakingSpaces_AreDecodedAndCollapsed()
    {
        const string html = "<p>Fish&nbsp;&amp;&nbsp;chips &lt;3&nbsp;&nbsp;&nbsp;&euro;12&#33; &quot;caf&eacute;&quot;</p>";

        Assert.Equal("Fish & chips <3 €12! \"café\"", EmailText.FromHtml(html));
    }

    [Fact]
    public void FromHtml_BlocksAndLineBreaks_StartNewLines()
    {
        const string html = "<div>\n   Hello\n   world  \n</div>\n\n\n<div>\tNext<br>line</div><div>a<br></div><div>b</div><div><br></div><div>c</div>";

        Assert.Equal("Hello world\nNext\nline\na\nb\n\nc", EmailText.FromHtml(html));
    }

    [Fact]
    public void FromHtml_HeadingsRulesAndTables_AreLaidOut()
    {
        const string html = """
            <h1>Order 1042</h1>
            <table><tr><th>Item</th><th>Qty</th></tr><tr><td>Tent</td><td>1</td></tr><tr><td>Poles</td><td>4</td></tr></table>
            <hr>
            <h2>Questions?</h2>
            <p>Reply to this mail.</p>
            """;

        Assert.Equal("Order 1042\n\nItem Qty\nTent 1\nPoles 4\n\nQuestions?\n\nReply to this mail.", EmailText.FromHtml(html));
    }

    [Fact]
    public void FromHtml_MalformedHtml_IsReadAsABrowserWould()
    {
        const string html = "<div>Hello <b>Jane</div><p>Unclosed paragraph<p>Second &amp last</i></b></span><li>stray item";

        Assert.Equal("Hello Jane\n\nUnclosed paragraph\n\nSecond & last\n\n- stray item", EmailText.FromHtml(html));
    }

    [Theory]
    [InlineData("<", "<")]
    [InlineData("<<<>>>", "<<<>>>")]
    [InlineData("</p></div></html>", "")]
    [InlineData("<!-- never closed", "")]
    [InlineData("&", "&")]
    [InlineData("&#xD800; &bogus;", "\uFFFD &bogus;")]
    [InlineData("<td>cell</td><tr>row", "cellrow")]
    [InlineData("<a href>link</a><img alt>", "link")]
    [InlineData("<script>unterminated", "")]
    [InlineData("plain text, no tags", "plain text, no tags")]
    [InlineData("", "")]
    [InlineData("  \n ", "")]
    public void FromHtml_BrokenInput_DoesNotThrow(string html, string expected) => Assert.Equal(expected, EmailText.FromHtml(html));

    [Fact]
    public void FromHtml_DeeplyNestedElements_AreReadAsText()
    {
        // Deeper than the parser nests (about 512) and than the walk lays out; parsing gets slow with depth, so no deeper.
        var html = string.Concat(Enumerable.Repeat("<div><span>", 2_000)) + "deep";

        Assert.Equal("deep", EmailText.FromHtml(html));
    }
}
