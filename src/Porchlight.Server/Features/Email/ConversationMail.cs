using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;

namespace Porchlight.Server.Features.Email;

/// <summary>
/// A mail to a conversation's contact. <paramref name="Text"/> comes first, then the signature (the author, if a
/// person wrote it, and the inbox's name), then <paramref name="Quote"/>. A mail that <paramref name="AnswersThread"/>
/// is "Re:" the customer's subject when they wrote one; otherwise its subject is "[inbox name] <paramref name="Topic"/>
/// (#number)". <paramref name="MessageId"/> names the reply it carries (its files go along, and it is sent once);
/// <paramref name="AutoSubmitted"/> marks mail no person wrote (RFC 3834), so that autoresponders leave it alone.
/// </summary>
public sealed record OutgoingMail(
    string Text, string Topic, bool AnswersThread, string? AuthorName = null, string? Quote = null, Guid? MessageId = null, string? AutoSubmitted = null);

/// <summary>Where a mail went, or why it did not; neither for a reply that had already gone.</summary>
public sealed record MailOutcome(string? SentTo, string? NotSentBecause)
{
    public static MailOutcome AlreadySent { get; } = new(null, null);
}

/// <summary>
/// Sends mail to a conversation's contact the way the conversation can be answered. An email conversation writes
/// from its inbox's mailbox; a web-widget conversation (the offline form, a survey link) from the email inbox its
/// inbox chose, else from the server's system address. Through a mailbox the mail is in the customer's thread:
/// In-Reply-To their last mail, References the thread, a Message-ID carrying the conversation's signed token (and,
/// if the mailbox allows, a Reply-To with it), so that the answer finds the conversation again; it is recorded with
/// the thread. A refusal for good (an address rejected, a sign-in refused) is the outcome; a "not now" is thrown, for
/// the outbox to try again later.
/// </summary>
public sealed class ConversationMail(
    AppDbContext db, MailConnections connections, SmtpMailer system, IdentitySecrets secrets, IAttachmentStore files, TimeProvider clock,
    ILogger<ConversationMail> logger)
{
    public async Task<MailOutcome> SendAsync(Conversation conversation, OutgoingMail outgoing, CancellationToken cancellationToken)
    {
        if (await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == conversation.ContactId, cancellationToken) is not { Email: { } email } contact)
        {
            return new MailOutcome(null, "the contact has no email address");
        }

        var mailbox = await MailboxOfAsync(conversation, cancellationToken);
        if (mailbox is null && conversation.Origin == ConversationOrigin.Email)
        {
            return new MailOutcome(null, "the inbox's mailbox is not set up");
        }

        if (mailbox is null && !system.IsConfigured)
        {
            logger.LogWarning("Mail to the contact of conversation {ConversationId} was not sent: {Section}:Host is not set.", conversation.Id, SmtpOptions.Section);
            return new MailOutcome(null, "no mail server is configured");
        }

        if (mailbox is not null && outgoing.MessageId is { } messageId
            && await db.EmailMessages.AnyAsync(m => m.MessageId == messageId && m.Direction == EmailDirection.Sent, cancellationToken))
        {
            return MailOutcome.AlreadySent;
        }

        var mail = await ComposeAsync(conversation, outgoing, mailbox, new MailboxAddress(contact.Name ?? "", email), cancellationToken);
        try
        {
            if (mailbox is null)
            {
                await system.SendAsync(mail, cancellationToken);
            }
            else
            {
                using var client = await connections.OpenSmtpAsync(mailbox, cancellationToken);
                await client.SendAsync(mail, cancellationToken);
                await client.DisconnectAsync(quit: true, cancellationToken);
            }
        }
        catch (Exception e) when (e is SmtpCommandException { StatusCode: >= (SmtpStatusCode)500 } or MailKit.Security.AuthenticationException)
        {
            // The server answered, and no for good (5xx): trying again would get the same answer.
            logger.LogWarning(e, "Mail to the contact of conversation {ConversationId} was refused by the mail server.", conversation.Id);
            return new MailOutcome(null, MailConnections.Explain(e));
        }

        if (mailbox is not null)
        {
            db.EmailMessages.Add(EmailMessage.Sent(
                conversation.WorkspaceId, mailbox.InboxId, conversation.Id, outgoing.MessageId, mail.MessageId!, mail.Subject ?? "", mailbox.Address, outgoing.Text,
                clock.GetUtcNow().UtcDateTime));
            await db.SaveChangesAsync(cancellationToken);
        }

        return new MailOutcome(email, null);
    }

    /// <summary>The mailbox mail of <paramref name="conversation"/> goes through; null for the system address.</summary>
    private async Task<EmailChannel?> MailboxOfAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        var inboxId = conversation.Origin == ConversationOrigin.Email
            ? conversation.InboxId
            : await db.Inboxes.AsNoTracking().Where(i => i.Id == conversation.InboxId).Select(i => i.OfflineEmailInboxId).FirstOrDefaultAsync(cancellationToken);
        return inboxId is null ? null : await db.EmailChannels.AsNoTracking().FirstOrDefaultAsync(c => c.InboxId == inboxId, cancellationToken);
    }

    private async Task<MimeMessage> ComposeAsync(
        Conversation conversation, OutgoingMail outgoing, EmailChannel? mailbox, MailboxAddress to, CancellationToken cancellationToken)
    {
        var workspace = await db.Workspaces.AsNoTracking().Where(w => w.Id == conversation.WorkspaceId).Select(w => w.Name).FirstAsync(cancellationToken);
        var signedAs = mailbox is { DisplayName.Length: > 0 } ? mailbox.DisplayName : workspace;
        var thread = await db.EmailMessages.AsNoTracking().Where(m => m.ConversationId == conversation.Id)
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).Select(m => new { m.InternetMessageId, m.Direction, m.Subject, m.Automatic }).ToListAsync(cancellationToken);
        var received = thread.Where(m => m.Direction == EmailDirection.Received && m.Automatic == AutomaticMailKind.None).ToList();

        var mail = new MimeMessage();
        mail.To.Add(to);
        var signature = outgoing.AuthorName is { } author ? $"{author}\n{signedAs}" : signedAs;
        mail.Subject = outgoing.AnswersThread && ReSubject(received.FirstOrDefault()?.Subject) is { } re ? re : $"[{signedAs}] {outgoing.Topic} (#{conversation.Number})";
        if (outgoing.AutoSubmitted is { } automatic)
        {
            mail.Headers.Add("Auto-Submitted", automatic);
            mail.Headers.Add("X-Auto-Response-Suppress", "All");
        }

        if (mailbox is null)
        {
            mail.From.Add(system.From);
        }
        else
        {
            mail.From.Add(new MailboxAddress(outgoing.AuthorName is { } name ? $"{name} ({signedAs})" : signedAs, mailbox.Address));
            var inbox = await db.Inboxes.FirstAsync(i => i.Id == mailbox.InboxId, cancellationToken);
            var secret = await secrets.SecretOfAsync(db, inbox, cancellationToken);
            if (mailbox.ReplyToToken && EmailThreads.ReplyAddressFor(mailbox.Address, conversation.Id, secret) is { } replyTo)
            {
                mail.ReplyTo.Add(new MailboxAddress(signedAs, replyTo));
            }

            mail.MessageId = EmailThreads.MessageIdFor(outgoing.MessageId ?? Guid.NewGuid(), conversation.Id, secret, mailbox.Domain);
            if (received.LastOrDefault() is { } last)
            {
                mail.InReplyTo = last.InternetMessageId;
            }

            // The thread's start and its latest mails: enough for any mail program to place this one.
            foreach (var id in thread.Take(1).Concat(thread.Skip(1).TakeLast(19)).Select(m => m.InternetMessageId))
            {
                mail.References.Add(id);
            }
        }

        var body = new BodyBuilder { TextBody = $"{outgoing.Text}\n\n{signature}\n{(outgoing.Quote is { } quote ? "\n" + quote : "")}" };
        if (outgoing.MessageId is { } messageId)
        {
            await AttachAsync(body, messageId, cancellationToken);
        }

        mail.Body = body.ToMessageBody();
        return mail;
    }

    private async Task AttachAsync(BodyBuilder body, Guid messageId, CancellationToken cancellationToken)
    {
        foreach (var attachment in await db.Attachments.AsNoTracking().Where(a => a.MessageId == messageId).OrderBy(a => a.Id).ToListAsync(cancellationToken))
        {
            if (await files.OpenReadAsync(attachment.WorkspaceId, attachment.Id, cancellationToken) is { } content)
            {
                await using (content)
                {
                    using var copy = new MemoryStream();
                    await content.CopyToAsync(copy, cancellationToken);
                    await body.Attachments.AddAsync(attachment.FileName, new MemoryStream(copy.ToArray()), ContentType.Parse(attachment.ContentType), cancellationToken);
                }
            }
        }
    }

    /// <summary>"Re:" the customer's subject, once however many replies went back and forth; null when they wrote none.</summary>
    private static string? ReSubject(string? subject)
    {
        var original = subject?.Trim() ?? "";
        while (original.StartsWith("Re:", StringComparison.OrdinalIgnoreCase) || original.StartsWith("AW:", StringComparison.OrdinalIgnoreCase))
        {
            original = original[3..].TrimStart();
        }

        return original.Length > 0 ? $"Re: {original}" : null;
    }
}
