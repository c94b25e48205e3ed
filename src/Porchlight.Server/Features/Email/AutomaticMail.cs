using MimeKit;

namespace Porchlight.Server.Features.Email;

/// <summary>What kind of machine sent an incoming email, if any.</summary>
public enum AutomaticMailKind
{
    /// <summary>Written by a person: it may be answered.</summary>
    None,

    /// <summary>An out-of-office, vacation or other auto-responder reply (RFC 3834).</summary>
    AutoReply,

    /// <summary>A delivery failure report from a mail server (RFC 3464), or a bounce that looks like one.</summary>
    Bounce,

    /// <summary>Mailing-list, newsletter or other bulk mail.</summary>
    Bulk,
}

/// <summary>
/// Recognises email that a machine sent, so that Porchlight never answers it: an acknowledgement sent to an
/// auto-responder is answered by that auto-responder, which is acknowledged again, and so on for ever (a mail loop);
/// one sent to a mailer-daemon bounces back; one sent to a mailing list reaches every subscriber.
/// RFC 3834 asks every automatic responder not to respond to such mail; this is how Porchlight keeps to it.
/// </summary>
/// <param name="Kind">What sent it; <see cref="AutomaticMailKind.None"/> for mail written by a person.</param>
/// <param name="Summary">
/// A line for the conversation's activity saying what came in: for a bounce, the recipient, status and the
/// remote server's reason when the report carries them, otherwise the subject. Null for mail written by a person.
/// </param>
public sealed record AutomaticMail(AutomaticMailKind Kind, string? Summary)
{
    /// <summary>Mail written by a person.</summary>
    public static AutomaticMail NotAutomatic { get; } = new(AutomaticMailKind.None, null);

    /// <summary>Subjects with which mail servers announce a bounce (Postfix, Gmail, Exim, qmail, Exchange).</summary>
    private static readonly string[] BounceSubjects =
    [
        "Undelivered Mail Returned to Sender",
        "Delivery Status Notification (Failure)",
        "Mail delivery failed",
        "failure notice",
        "Undeliverable:",
    ];

    /// <summary>
    /// Subjects with which auto-responders that set none of the headers announce themselves
    /// (Outlook and Exchange in English and German, and common vacation scripts).
    /// </summary>
    private static readonly string[] AutoReplySubjects =
    [
        "Auto:",
        "Automatic reply:",
        "Autoreply:",
        "Out of Office",
        "Abwesenheitsnotiz",
        "Automatische Antwort",
    ];

    /// <summary>Headers that only auto-responders set, whatever their value.</summary>
    private static readonly string[] AutoReplyHeaders = ["X-Autoreply", "X-Autorespond", "X-Autoresponder"];

    /// <summary>True when a machine sent the mail and it must not be answered.</summary>
    public bool IsAutomatic => Kind != AutomaticMailKind.None;

    /// <summary>
    /// Tells whether <paramref name="message"/> was sent by a machine. Bounces are checked first (a bounce often
    /// carries <c>Auto-Submitted</c> too, and is worth naming as a bounce), then auto-replies, then bulk mail.
    /// </summary>
    public static AutomaticMail Classify(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);

        if (IsBounce(message, out var report))
        {
            return new(AutomaticMailKind.Bounce, (report is null ? null : DescribeFailure(report)) ?? message.Subject);
        }

        if (IsAutoReply(message))
        {
            return new(AutomaticMailKind.AutoReply, message.Subject);
        }

        if (IsBulk(message))
        {
            return new(AutomaticMailKind.Bulk, message.Subject);
        }

        return NotAutomatic;
    }

    /// <summary>
    /// A delivery status notification (RFC 3464: a <c>multipart/report</c> with <c>report-type=delivery-status</c>),
    /// mail from a mailer-daemon or postmaster, or mail with a null return path (RFC 5321 gives bounces the null
    /// reverse-path <c>&lt;&gt;</c> so that they are never bounced back) whose subject is a server's bounce subject.
    /// </summary>
    private static bool IsBounce(MimeMessage message, out MessageDeliveryStatus? report)
    {
        report = null;
        if (FindDeliveryReport(message.Body) is { } multipart)
        {
            report = multipart.OfType<MessageDeliveryStatus>().FirstOrDefault();
            return true;
        }

        if (message.From.Mailboxes.Any(m => m.LocalPart.Equals("mailer-daemon", StringComparison.OrdinalIgnoreCase)
                                            || m.LocalPart.Equals("postmaster", StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        return message.Headers[HeaderId.ReturnPath] is { } returnPath
               && returnPath.Trim() == "<>"
               && StartsWithAny(message.Subject, BounceSubjects);
    }

    /// <summary>The delivery report in the body, looking through nested multiparts but not into attached messages.</summary>
    private static MultipartReport? FindDeliveryReport(MimeEntity? entity) => entity switch
    {
        // RFC 6533 (internationalised bounces) keeps this report type; its part is message/global-delivery-status.
        MultipartReport report when report.ReportType is { } type && type.Equals("delivery-status", StringComparison.OrdinalIgnoreCase) => report,
        Multipart multipart => multipart.Select(FindDeliveryReport).FirstOrDefault(found => found is not null),
        _ => null,
    };

    /// <summary>
    /// "jane@example.com: 5.1.1 (smtp; 550 5.1.1 ...: User unknown)" from the first recipient's fields of the report
    /// (RFC 3464 section 2.3), or null when the report names none of them.
    /// </summary>
    private static string? DescribeFailure(MessageDeliveryStatus report)
    {
        HeaderList? recipient;
        try
        {
            // The first group holds the fields about the message; each one after it, the fields about one recipient.
            recipient = report.StatusGroups.Skip(1).FirstOrDefault(g => g.Contains("Final-Recipient") || g.Contains("Original-Recipient"))
                        ?? report.StatusGroups.FirstOrDefault(g => g.Contains("Final-Recipient"));
        }
        catch (FormatException)
        {
            return null; // A malformed report is still a bounce; the subject says enough.
        }

        if (recipient is null)
        {
            return null;
        }

        var address = WithoutAddressType(Field(recipient, "Final-Recipient") ?? Field(recipient, "Original-Recipient"));
        var status = Field(recipient, "Status");
        var diagnostic = Field(recipient, "Diagnostic-Code");
        if (address is null && status is null && diagnostic is null)
        {
            return null;
        }

        var summary = address ?? "The recipient";
        if (status is not null || diagnostic is not null)
        {
            summary += ":";
        }

        if (status is not null)
        {
            summary += " " + status;
        }

        if (diagnostic is not null)
        {
            summary += " (" + diagnostic + ")";
        }

        return summary;
    }

    /// <summary>A field's value on one line, or null when it is missing or blank.</summary>
    private static string? Field(HeaderList fields, string name)
    {
        var value = fields[name];
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        // Values folded over several lines (long diagnostics usually are) read as one.
        return string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>"jane@example.com" from "rfc822; jane@example.com": recipients are typed (RFC 3464 section 2.3.2).</summary>
    private static string? WithoutAddressType(string? recipient)
    {
        if (recipient is null)
        {
            return null;
        }

        var separator = recipient.IndexOf(';');
        if (separator < 0 || recipient.AsSpan(0, separator).IndexOfAny('@', '<') >= 0)
        {
            return recipient;
        }

        var address = recipient[(separator + 1)..].Trim();
        return address.Length == 0 ? null : address;
    }

    /// <summary>
    /// An auto-responder's reply: RFC 3834's <c>Auto-Submitted</c> with any value but <c>no</c> (the one value that
    /// marks mail written by a person), the <c>X-Autoreply</c> family, Exchange's <c>X-Auto-Response-Suppress</c>
    /// asking not to be answered, <c>Precedence: auto_reply</c>, or an auto-responder's subject.
    /// </summary>
    private static bool IsAutoReply(MimeMessage message)
    {
        foreach (var header in message.Headers)
        {
            if (header.Id == HeaderId.AutoSubmitted
                && !Token(header.Value).Equals("no", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (AutoReplyHeaders.Any(name => header.Field.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }

            if (header.Field.Equals("X-Auto-Response-Suppress", StringComparison.OrdinalIgnoreCase)
                && header.Value.Split([',', ' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries)
                    .Any(v => v.Equals("All", StringComparison.OrdinalIgnoreCase) || v.Equals("OOF", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }

            if (header.Id == HeaderId.Precedence && Token(header.Value).Equals("auto_reply", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return StartsWithAny(message.Subject, AutoReplySubjects);
    }

    /// <summary>
    /// Bulk mail: <c>Precedence</c> <c>bulk</c>, <c>junk</c> or <c>list</c>, or the list headers of RFC 2919
    /// (<c>List-Id</c>) and RFC 2369 (<c>List-Unsubscribe</c>) that mailing lists and newsletters carry.
    /// </summary>
    private static bool IsBulk(MimeMessage message)
    {
        if (message.Headers.Contains(HeaderId.ListId) || message.Headers.Contains(HeaderId.ListUnsubscribe))
        {
            return true;
        }

        return message.Headers.Any(h => h.Id == HeaderId.Precedence && Token(h.Value) is var precedence
                                        && (precedence.Equals("bulk", StringComparison.OrdinalIgnoreCase)
                                            || precedence.Equals("junk", StringComparison.OrdinalIgnoreCase)
                                            || precedence.Equals("list", StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>
    /// A header's keyword without the parameters or comment after it:
    /// "auto-replied" from "auto-replied; owner-email=..." or from "auto-replied (vacation)".
    /// </summary>
    private static string Token(string? value)
    {
        if (value is null)
        {
            return "";
        }

        var end = value.IndexOfAny([';', '(']);
        return (end < 0 ? value : value[..end]).Trim();
    }

    private static bool StartsWithAny(string? subject, string[] prefixes)
    {
        var trimmed = subject?.TrimStart();
        return !string.IsNullOrEmpty(trimmed) && prefixes.Any(prefix => trimmed.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
    }
}
