using System.Text;
using MimeKit;
using Porchlight.Server.Features.Email;

namespace Porchlight.Server.Tests.Features.Email;

/// <summary>
/// Mail that a machine sent (bounces, auto-replies, list mail) is recognised so it is never answered,
/// and mail a person wrote is not mistaken for it. The messages are shaped like the real ones.
/// </summary>
public sealed class AutomaticMailTests
{
    [Fact]
    public void Classify_PostfixBounce_IsABounceNamingTheRecipientAndTheReason()
    {
        var bounce = Parse("""
            Return-Path: <>
            Received: by mx.acme.test (Postfix) id 4ZkQ1x0bC3z9sWm; Tue,  3 Mar 2026 10:15:02 +0100 (CET)
            Date: Tue,  3 Mar 2026 10:15:02 +0100 (CET)
            From: MAILER-DAEMON@mx.acme.test (Mail Delivery System)
            Subject: Undelivered Mail Returned to Sender
            To: support@acme.test
            Auto-Submitted: auto-replied
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status;
                boundary="4ZkQ1x0bC3z9sWm.1741000502/mx.acme.test"
            Message-Id: <20260303091502.4ZkQ1x0bC3z9sWm@mx.acme.test>

            This is a MIME-encapsulated message.

            --4ZkQ1x0bC3z9sWm.1741000502/mx.acme.test
            Content-Description: Notification
            Content-Type: text/plain; charset=us-ascii

            This is the mail system at host mx.acme.test.

            I'm sorry to have to inform you that your message could not
            be delivered to one or more recipients. It's attached below.

                               The mail system

            <jane@example.com>: host mx1.example.com[203.0.113.25] said: 550 5.1.1
                <jane@example.com>: Recipient address rejected: User unknown (in reply to
                RCPT TO command)

            --4ZkQ1x0bC3z9sWm.1741000502/mx.acme.test
            Content-Description: Delivery report
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.acme.test
            X-Postfix-Queue-ID: 4ZkQ1x0bC3z9sWm
            X-Postfix-Sender: rfc822; support@acme.test
            Arrival-Date: Tue,  3 Mar 2026 10:15:01 +0100 (CET)

            Final-Recipient: rfc822; jane@example.com
            Original-Recipient: rfc822;jane@example.com
            Action: failed
            Status: 5.1.1
            Remote-MTA: dns; mx1.example.com
            Diagnostic-Code: smtp; 550 5.1.1 <jane@example.com>: Recipient address
                rejected: User unknown

            --4ZkQ1x0bC3z9sWm.1741000502/mx.acme.test
            Content-Description: Undelivered Message Headers
            Content-Type: text/rfc822-headers

            Return-Path: <support@acme.test>
            From: Acme Support <support@acme.test>
            To: jane@example.com
            Subject: [Acme] Reply to your message (#1042)
            Date: Tue, 3 Mar 2026 10:15:00 +0100

            --4ZkQ1x0bC3z9sWm.1741000502/mx.acme.test--
            """);

        var mail = AutomaticMail.Classify(bounce);

        // Postfix also sets Auto-Submitted on bounces; naming it a bounce says more than calling it an auto-reply.
        Assert.Equal(AutomaticMailKind.Bounce, mail.Kind);
        Assert.True(mail.IsAutomatic);
        Assert.Equal("jane@example.com: 5.1.1 (smtp; 550 5.1.1 <jane@example.com>: Recipient address rejected: User unknown)", mail.Summary);
    }

    [Fact]
    public void Classify_GmailDeliveryStatusNotification_IsABounceNamingTheRecipientAndTheReason()
    {
        var bounce = Parse("""
            Return-Path: <>
            Received: by 2002:a05:6402:1d4f:b0:5e0:1234:abcd with SMTP id dm15csp123456edb;
                    Tue, 03 Mar 2026 01:20:11 -0800 (PST)
            From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
            To: grace.hopper@gmail.com
            Auto-Submitted: auto-replied
            Subject: Delivery Status Notification (Failure)
            References: <CAF3kQ7n0x=example@mail.gmail.com>
            In-Reply-To: <CAF3kQ7n0x=example@mail.gmail.com>
            X-Failed-Recipients: orders@acme-typo.test
            Message-ID: <67c5745b.050a0220.1ab2c3.0000.GMR@mx.google.com>
            Date: Tue, 03 Mar 2026 01:20:11 -0800 (PST)
            MIME-Version: 1.0
            Content-Type: multipart/report; boundary="000000000000a1b2c3d4e5f60718"; report-type=delivery-status

            --000000000000a1b2c3d4e5f60718
            Content-Type: multipart/related; boundary="000000000000a1b2c3d4e5f60719"

            --000000000000a1b2c3d4e5f60719
            Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f60720"

            --000000000000a1b2c3d4e5f60720
            Content-Type: text/plain; charset="UTF-8"


            ** Address not found **

            Your message wasn't delivered to orders@acme-typo.test because the domain acme-typo.test couldn't be found. Check for typos or unnecessary spaces and try again.

            --000000000000a1b2c3d4e5f60720--
            --000000000000a1b2c3d4e5f60719--
            --000000000000a1b2c3d4e5f60718
            Content-Type: message/delivery-status

            Reporting-MTA: dns; googlemail.com
            Received-From-MTA: dns; grace.hopper@gmail.com
            Arrival-Date: Tue, 03 Mar 2026 01:20:10 -0800 (PST)
            X-Original-Message-ID: <CAF3kQ7n0x=example@mail.gmail.com>

            Final-Recipient: rfc822; orders@acme-typo.test
            Action: failed
            Status: 5.1.2
            Diagnostic-Code: smtp; DNS Error: DNS type 'mx' lookup of acme-typo.test responded with code NXDOMAIN
            Last-Attempt-Date: Tue, 03 Mar 2026 01:20:11 -0800 (PST)

            --000000000000a1b2c3d4e5f60718
            Content-Type: message/rfc822

            From: Grace Hopper <grace.hopper@gmail.com>
            To: orders@acme-typo.test
            Subject: Where is my order?
            Date: Tue, 3 Mar 2026 10:20:00 +0100
            Message-ID: <CAF3kQ7n0x=example@mail.gmail.com>

            Hello, my order has not arrived.

            --000000000000a1b2c3d4e5f60718--
            """);

        var mail = AutomaticMail.Classify(bounce);

        Assert.Equal(AutomaticMailKind.Bounce, mail.Kind);
        Assert.Equal("orders@acme-typo.test: 5.1.2 (smtp; DNS Error: DNS type 'mx' lookup of acme-typo.test responded with code NXDOMAIN)", mail.Summary);
    }

    [Fact]
    public void Classify_NullReturnPathAndBounceSubjectWithoutAReport_IsABounceSummarisedByItsSubject()
    {
        var bounce = Parse("""
            Return-Path: <>
            From: Mail Delivery System <bounces@mail.example.net>
            To: support@acme.test
            Subject: Undeliverable: [Acme] Reply to your message (#1042)
            Date: Tue, 3 Mar 2026 10:16:00 +0000
            Content-Type: text/plain; charset=us-ascii

            Delivery has failed to these recipients or groups:

            jane@example.net
            The email address you entered couldn't be found.
            """);

        var mail = AutomaticMail.Classify(bounce);

        Assert.Equal(AutomaticMailKind.Bounce, mail.Kind);
        Assert.Equal("Undeliverable: [Acme] Reply to your message (#1042)", mail.Summary);
    }

    [Theory]
    [InlineData("MAILER-DAEMON@mx.example.net (Mail Delivery System)")]
    [InlineData("Mail Delivery Subsystem <Mailer-Daemon@example.org>")]
    [InlineData("postmaster@example.org")]
    [InlineData("MAILER-DAEMON")]
    public void Classify_FromMailerDaemonOrPostmaster_IsABounce(string from)
    {
        var mail = AutomaticMail.Classify(Parse($"""
            Return-Path: <MAILER-DAEMON@mx.example.net>
            From: {from}
            To: support@acme.test
            Subject: Warning: could not send message for past 4 hours
            Date: Tue, 3 Mar 2026 14:15:00 +0000
            Content-Type: text/plain; charset=us-ascii

            The original message was received at Tue, 3 Mar 2026 10:15:00 +0000
            and has not been delivered yet. It will be retried for 5 days.
            """));

        Assert.Equal(AutomaticMailKind.Bounce, mail.Kind);
        Assert.Equal("Warning: could not send message for past 4 hours", mail.Summary);
    }

    [Theory]
    [InlineData("failure notice")]
    [InlineData("Mail delivery failed: returning message to sender")]
    [InlineData("Delivery Status Notification (Failure)")]
    [InlineData("UNDELIVERED MAIL RETURNED TO SENDER")]
    public void Classify_NullReturnPathAndBounceSubject_IsABounce(string subject)
    {
        var mail = AutomaticMail.Classify(Parse($"""
            Return-Path: <>
            From: Mail System <mail@mx.example.net>
            To: support@acme.test
            Subject: {subject}
            Date: Tue, 3 Mar 2026 10:16:00 +0000

            Hi. This is the qmail-send program at mx.example.net.
            I'm afraid I wasn't able to deliver your message to the following addresses.
            """));

        Assert.Equal(AutomaticMailKind.Bounce, mail.Kind);
    }

    [Fact]
    public void Classify_PersonWritingThatTheirMailFailed_IsNotAutomatic()
    {
        // The subject of a bounce, but a person's return path: bounces are sent with the null return path.
        var mail = AutomaticMail.Classify(Parse("""
            Return-Path: <grace.hopper@example.com>
            From: Grace Hopper <grace.hopper@example.com>
            To: support@acme.test
            Subject: Mail delivery failed when I wrote to sales
            Date: Tue, 3 Mar 2026 11:00:00 +0100

            Hello, I tried to write to your sales team but my email came back. Can you help?
            """));

        Assert.Equal(AutomaticMailKind.None, mail.Kind);
    }

    [Fact]
    public void Classify_PersonForwardingABounceAsAnAttachment_IsNotAutomatic()
    {
        // The bounce is inside the attached message: the customer wrote this one, and it should be answered.
        var mail = AutomaticMail.Classify(Parse("""
            Return-Path: <grace.hopper@example.com>
            From: Grace Hopper <grace.hopper@example.com>
            To: support@acme.test
            Subject: Fwd: Undelivered Mail Returned to Sender
            Date: Tue, 3 Mar 2026 11:00:00 +0100
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="outer"

            --outer
            Content-Type: text/plain; charset=utf-8

            Your sales address bounces, see attached.

            --outer
            Content-Type: message/rfc822

            Return-Path: <>
            From: MAILER-DAEMON@mx.example.com (Mail Delivery System)
            To: grace.hopper@example.com
            Subject: Undelivered Mail Returned to Sender
            Auto-Submitted: auto-replied
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="inner"

            --inner
            Content-Type: text/plain

            Your message could not be delivered.

            --inner
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example.com

            Final-Recipient: rfc822; sales@acme.test
            Action: failed
            Status: 5.1.1

            --inner--

            --outer--
            """));

        Assert.Equal(AutomaticMailKind.None, mail.Kind);
        Assert.Null(mail.Summary);
    }

    [Fact]
    public void Classify_ExchangeOutOfOffice_IsAnAutoReplySummarisedByItsSubject()
    {
        var reply = Parse("""
            Received: from AM0PR01MB1234.eurprd01.prod.exchangelabs.com by AM0PR01MB1234.eurprd01.prod.exchangelabs.com
             with HTTPS; Tue, 3 Mar 2026 09:30:12 +0000
            From: Jane Doe <jane.doe@contoso.example>
            To: Acme Support <support@acme.test>
            Subject: Automatic reply: [Acme] Reply to your message (#1042)
            Thread-Topic: [Acme] Reply to your message (#1042)
            Thread-Index: AQHbjC1x2kQ9sWmZ0k6f3B7jNn4c6w==
            Date: Tue, 3 Mar 2026 09:30:12 +0000
            Message-ID: <AM0PR01MB12348F2C1D5E6A7B8C9D0E1F2A3B4@AM0PR01MB1234.eurprd01.prod.exchangelabs.com>
            In-Reply-To: <20260303093000.1042@acme.test>
            Content-Language: en-GB
            X-MS-Has-Attach:
            X-MS-Exchange-Organization-SCL: -1
            X-MS-TNEF-Correlator:
            Auto-Submitted: auto-replied
            X-Auto-Response-Suppress: All
            X-MS-Exchange-Inbox-Rules-Loop: jane.doe@contoso.example
            Content-Type: text/plain; charset="us-ascii"
            Content-Transfer-Encoding: quoted-printable
            MIME-Version: 1.0

            I am out of the office until 16 March with limited access to email.
            For urgent matters please contact john.smith@contoso.example.
            """);

        var mail = AutomaticMail.Classify(reply);

        Assert.Equal(AutomaticMailKind.AutoReply, mail.Kind);
        Assert.True(mail.IsAutomatic);
        Assert.Equal("Automatic reply: [Acme] Reply to your message (#1042)", mail.Summary);
    }

    [Fact]
    public void Classify_VacationReplyWithOnlyAutoSubmitted_IsAnAutoReply()
    {
        // What Sieve's vacation extension sends (RFC 5230): an ordinary-looking subject, only the header tells.
        var reply = Parse("""
            Return-Path: <jane@example.org>
            From: Jane Doe <jane@example.org>
            To: support@acme.test
            Subject: Re: [Acme] Reply to your message (#1042)
            Date: Tue, 3 Mar 2026 10:00:00 +0100
            In-Reply-To: <20260303093000.1042@acme.test>
            Auto-Submitted: auto-replied (vacation)
            Message-ID: <dovecot-sieve-1741000000-12345-0@mail.example.org>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8

            I'm on holiday until Monday and will read your message when I'm back.
            """);

        var mail = AutomaticMail.Classify(reply);

        Assert.Equal(AutomaticMailKind.AutoReply, mail.Kind);
        Assert.Equal("Re: [Acme] Reply to your message (#1042)", mail.Summary);
    }

    [Theory]
    [InlineData("Auto-Submitted: auto-generated")]
    [InlineData("Auto-Submitted: auto-notified; owner-email=\"jane@example.org\"")]
    [InlineData("AUTO-SUBMITTED: Auto-Replied")]
    [InlineData("X-Autoreply: yes")]
    [InlineData("X-Autorespond: Re: [Acme] Reply to your message (#1042)")]
    [InlineData("X-Autoresponder: true")]
    [InlineData("X-Auto-Response-Suppress: DR, RN, NRN, OOF")]
    [InlineData("X-Auto-Response-Suppress: all")]
    [InlineData("Precedence: auto_reply")]
    public void Classify_AutoResponderHeader_IsAnAutoReply(string header)
    {
        var mail = AutomaticMail.Classify(FromAPerson(header: header));

        Assert.Equal(AutomaticMailKind.AutoReply, mail.Kind);
    }

    [Theory]
    [InlineData("Auto: [Acme] Reply to your message (#1042)")]
    [InlineData("Automatic reply: Where is my order?")]
    [InlineData("AutoReply: Thanks for your email")]
    [InlineData("Out of Office: Jane Doe")]
    [InlineData("out of office")]
    [InlineData("Abwesenheitsnotiz: Ihre Anfrage")]
    [InlineData("=?UTF-8?Q?Automatische_Antwort:_R=C3=BCckfrage_zu_Ihrer_Bestellung?=")]
    public void Classify_AutoResponderSubject_IsAnAutoReply(string subject)
    {
        var mail = AutomaticMail.Classify(FromAPerson(subject: subject));

        Assert.Equal(AutomaticMailKind.AutoReply, mail.Kind);
    }

    [Fact]
    public void Classify_EncodedGermanAutoReply_IsSummarisedByItsDecodedSubject()
    {
        var mail = AutomaticMail.Classify(FromAPerson(subject: "=?UTF-8?Q?Automatische_Antwort:_R=C3=BCckfrage_zu_Ihrer_Bestellung?="));

        Assert.Equal("Automatische Antwort: Rückfrage zu Ihrer Bestellung", mail.Summary);
    }

    [Fact]
    public void Classify_MailingListMail_IsBulk()
    {
        var list = Parse("""
            Return-Path: <users-bounces+support=acme.test@lists.example.org>
            From: Ada Lovelace <ada@example.com>
            To: users@lists.example.org
            Subject: [users] Release 3.2 is out
            Date: Tue, 3 Mar 2026 12:00:00 +0000
            Message-ID: <a1b2c3@example.com>
            List-Id: Users of Example <users.lists.example.org>
            List-Unsubscribe: <https://lists.example.org/mailman/options/users>,
             <mailto:users-request@lists.example.org?subject=unsubscribe>
            List-Archive: <https://lists.example.org/pipermail/users/>
            List-Post: <mailto:users@lists.example.org>
            Sender: "users" <users-bounces+support=acme.test@lists.example.org>
            Errors-To: users-bounces+support=acme.test@lists.example.org
            Content-Type: text/plain; charset=utf-8

            Hello all, release 3.2 is out.
            """);

        var mail = AutomaticMail.Classify(list);

        Assert.Equal(AutomaticMailKind.Bulk, mail.Kind);
        Assert.Equal("[users] Release 3.2 is out", mail.Summary);
    }

    [Fact]
    public void Classify_NewsletterWithPrecedenceBulk_IsBulk()
    {
        var newsletter = Parse("""
            Return-Path: <bounce-7731@news.shop.example>
            From: Example Shop <news@shop.example>
            To: support@acme.test
            Subject: Spring sale: 20% off everything
            Date: Tue, 3 Mar 2026 07:00:00 +0000
            Precedence: bulk
            MIME-Version: 1.0
            Content-Type: multipart/alternative; boundary="b1"

            --b1
            Content-Type: text/plain; charset=utf-8

            Our spring sale starts today.

            --b1
            Content-Type: text/html; charset=utf-8

            <p>Our spring sale starts today.</p>

            --b1--
            """);

        var mail = AutomaticMail.Classify(newsletter);

        Assert.Equal(AutomaticMailKind.Bulk, mail.Kind);
        Assert.Equal("Spring sale: 20% off everything", mail.Summary);
    }

    [Theory]
    [InlineData("Precedence: junk")]
    [InlineData("Precedence: LIST")]
    [InlineData("List-Unsubscribe: <mailto:unsubscribe@news.shop.example>")]
    public void Classify_BulkHeader_IsBulk(string header)
    {
        var mail = AutomaticMail.Classify(FromAPerson(header: header));

        Assert.Equal(AutomaticMailKind.Bulk, mail.Kind);
    }

    [Fact]
    public void Classify_PersonWrittenMail_IsNotAutomatic()
    {
        var mail = AutomaticMail.Classify(Parse("""
            Return-Path: <grace.hopper@example.com>
            Message-ID: <5f1c2a9e-3b7d-4c1e-9a0f-2d8e6b4c7a11@example.com>
            Date: Tue, 3 Mar 2026 11:00:00 +0100
            MIME-Version: 1.0
            User-Agent: Mozilla Thunderbird
            Content-Language: en-GB
            To: support@acme.test
            From: Grace Hopper <grace.hopper@example.com>
            Subject: Re: [Acme] Reply to your message (#1042)
            In-Reply-To: <20260303093000.1042@acme.test>
            Content-Type: text/plain; charset=UTF-8; format=flowed
            Content-Transfer-Encoding: 7bit

            Thank you, the parcel arrived this morning.

            On 03/03/2026 10:30, Acme Support wrote:
            > Hi Grace, we have called the carrier.
            """));

        Assert.Equal(AutomaticMailKind.None, mail.Kind);
        Assert.False(mail.IsAutomatic);
        Assert.Null(mail.Summary);
    }

    [Fact]
    public void Classify_AutoSubmittedNo_IsNotAutomatic()
    {
        // RFC 3834: "no" is the value that says a person wrote it.
        var mail = AutomaticMail.Classify(FromAPerson(header: "Auto-Submitted: No (written by a person)"));

        Assert.Equal(AutomaticMailKind.None, mail.Kind);
    }

    [Theory]
    [InlineData("Are you out of office over Easter?")]
    [InlineData("Re: My out of office reply was sent to your customers")]
    [InlineData("Question about an automatic reply: can I turn it off?")]
    public void Classify_SubjectMentioningAnAutoReplyInTheMiddle_IsNotAutomatic(string subject)
    {
        var mail = AutomaticMail.Classify(FromAPerson(subject: subject));

        Assert.Equal(AutomaticMailKind.None, mail.Kind);
    }

    [Fact]
    public void Classify_AutoResponseSuppressWithoutAllOrOof_IsNotAutomatic()
    {
        // Outlook asks for no read or delivery receipts on ordinary mail; that alone is no auto-reply.
        var mail = AutomaticMail.Classify(FromAPerson(header: "X-Auto-Response-Suppress: DR, RN, NRN"));

        Assert.Equal(AutomaticMailKind.None, mail.Kind);
    }

    /// <summary>An ordinary person-written mail, with one more header or another subject.</summary>
    private static MimeMessage FromAPerson(string? header = null, string subject = "Where is my order?") => Parse($"""
        Return-Path: <jane@example.org>
        From: Jane Doe <jane@example.org>
        To: support@acme.test
        Subject: {subject}
        Date: Tue, 3 Mar 2026 10:00:00 +0100
        Message-ID: <c0ffee-42@example.org>
        {header ?? "X-Mailer: Apple Mail (2.3826.400.131.1.6)"}
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8

        Hello, my order #1042 has not arrived yet.
        """);

    private static MimeMessage Parse(string raw)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(raw));
        return MimeMessage.Load(stream);
    }
}
