using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;

namespace Porchlight.Server.Features.Email;

/// <summary>
/// Sends an agent's reply in an email conversation as an email in the customer's thread: from the inbox's address,
/// "Re:" the subject, In-Reply-To the customer's last mail and References the whole thread, with a Message-ID that
/// carries the conversation's signed token, the reply's files attached and the customer's last words quoted. Runs from
/// the outbox: a connection that fails is retried; a refusal (the address rejected, the sign-in refused) is noted in
/// the conversation instead. A reply already sent is not sent again; one sent just before a crash may go twice, with
/// the same Message-ID (at least once, never lost).
/// </summary>
public sealed class EmailReplies(
    AppDbContext db, MailConnections connections, IdentitySecrets secrets, IAttachmentStore files, ConversationChanges changes,
    TimeProvider clock, ILogger<EmailReplies> logger) : IDomainEventHandler<MessagePosted>
{
    public async Task HandleAsync(MessagePosted posted, CancellationToken cancellationToken)
    {
        var conversation = await db.Conversations.FirstOrDefaultAsync(c => c.Id == posted.ConversationId, cancellationToken);
        var message = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == posted.MessageId, cancellationToken);
        if (conversation is not { Origin: ConversationOrigin.Email } || message is not { Kind: MessageKind.Outgoing, DeletedAt: null }
            || await db.EmailMessages.AnyAsync(m => m.MessageId == message.Id && m.Direction == EmailDirection.Sent, cancellationToken))
        {
            return;
        }

        var channel = await db.EmailChannels.AsNoTracking().FirstOrDefaultAsync(c => c.InboxId == conversation.InboxId, cancellationToken);
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == conversation.ContactId, cancellationToken);
        if (channel is null || contact?.Email is null)
        {
            await changes.AppendActivityAsync(conversation, null,
                channel is null ? "The reply was not emailed: the inbox's mailbox is not set up" : "The reply was not emailed: the contact has no email address", cancellationToken);
            return;
        }

        var mail = await ComposeAsync(channel, conversation, message, contact.Name, contact.Email, cancellationToken);
        try
        {
            using var client = await connections.OpenSmtpAsync(channel, cancellationToken);
            await client.SendAsync(mail, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception e) when (e is SmtpCommandException { StatusCode: >= (SmtpStatusCode)500 } or MailKit.Security.AuthenticationException)
        {
            // The server answered, and no for good (5xx): trying again would get the same answer. Agents see why. A
            // "not now" (4xx) is thrown on, and the outbox tries again later.
            logger.LogWarning(e, "A reply in conversation {ConversationId} was refused by the mail server.", conversation.Id);
            await changes.AppendActivityAsync(conversation, null, $"The reply was not emailed: {MailConnections.Explain(e)}", cancellationToken);
            return;
        }

        db.EmailMessages.Add(EmailMessage.Sent(
            conversation.WorkspaceId, channel.InboxId, conversation.Id, message.Id, mail.MessageId!, mail.Subject ?? "", channel.Address, message.Text, clock.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<MimeMessage> ComposeAsync(
        EmailChannel channel, Conversation conversation, Message message, string? contactName, string contactEmail, CancellationToken cancellationToken)
    {
        var thread = await db.EmailMessages.AsNoTracking().Where(m => m.ConversationId == conversation.Id)
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).Select(m => new { m.InternetMessageId, m.Direction, m.Subject, m.Automatic }).ToListAsync(cancellationToken);
        var received = thread.Where(m => m.Direction == EmailDirection.Received && m.Automatic == AutomaticMailKind.None).ToList();
        var inbox = await db.Inboxes.FirstAsync(i => i.Id == conversation.InboxId, cancellationToken);
        var secret = await secrets.SecretOfAsync(db, inbox, cancellationToken);
        var workspace = await db.Workspaces.AsNoTracking().Where(w => w.Id == conversation.WorkspaceId).Select(w => w.Name).FirstAsync(cancellationToken);
        var author = message.AuthorAgentId is { } agentId
            ? await db.Agents.AsNoTracking().Where(a => a.Id == agentId).Select(a => a.DisplayName).FirstOrDefaultAsync(cancellationToken)
            : null;
        var signedAs = channel.DisplayName.Length > 0 ? channel.DisplayName : workspace;

        var mail = new MimeMessage();
        mail.From.Add(new MailboxAddress(author is null ? signedAs : $"{author} ({signedAs})", channel.Address));
        if (channel.ReplyToToken && EmailThreads.ReplyAddressFor(channel.Address, conversation.Id, secret) is { } replyTo)
        {
            mail.ReplyTo.Add(new MailboxAddress(signedAs, replyTo));
        }

        mail.To.Add(new MailboxAddress(contactName ?? "", contactEmail));
        if (message.AuthorAgentId is null)
        {
            // Written by a rule, not a person: marked so (RFC 3834), so that the customer's own autoresponder does not
            // answer it, and two automatic systems cannot keep answering each other.
            mail.Headers.Add("Auto-Submitted", "auto-replied");
            mail.Headers.Add("X-Auto-Response-Suppress", "All");
        }

        mail.Subject = ReplySubject(received.FirstOrDefault()?.Subject, conversation.Number, signedAs);
        mail.MessageId = EmailThreads.MessageIdFor(message.Id, conversation.Id, secret, channel.Domain);
        if (received.LastOrDefault() is { } last)
        {
            mail.InReplyTo = last.InternetMessageId;
        }

        // The thread's start and its latest mails: enough for any mail program to place the reply.
        foreach (var id in thread.Take(1).Concat(thread.Skip(1).TakeLast(19)).Select(m => m.InternetMessageId))
        {
            mail.References.Add(id);
        }

        var body = new BodyBuilder { TextBody = await BodyAsync(conversation, message, author, signedAs, cancellationToken) };
        foreach (var attachment in await db.Attachments.AsNoTracking().Where(a => a.MessageId == message.Id).OrderBy(a => a.Id).ToListAsync(cancellationToken))
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

        mail.Body = body.ToMessageBody();
        return mail;
    }

    /// <summary>The reply, signed, over the customer's last words quoted as mail programs do.</summary>
    private async Task<string> BodyAsync(Conversation conversation, Message reply, string? author, string signedAs, CancellationToken cancellationToken)
    {
        var text = $"{reply.Text}\n\n{(author is null ? signedAs : $"{author}\n{signedAs}")}\n";
        var last = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversation.Id && m.Kind == MessageKind.Incoming && m.Sequence < reply.Sequence && m.DeletedAt == null)
            .OrderByDescending(m => m.Sequence).Select(m => new { m.Text, m.CreatedAt }).FirstOrDefaultAsync(cancellationToken);
        if (last is { Text.Length: > 0 })
        {
            text += $"\nOn {last.CreatedAt:ddd, d MMM yyyy HH:mm} UTC, you wrote:\n" + string.Join('\n', last.Text.Split('\n').Select(line => "> " + line)) + "\n";
        }

        return text;
    }

    /// <summary>"Re:" the customer's subject (once, however many replies went back and forth), or one naming the conversation.</summary>
    private static string ReplySubject(string? subject, int number, string signedAs)
    {
        var original = subject?.Trim() ?? "";
        while (original.StartsWith("Re:", StringComparison.OrdinalIgnoreCase) || original.StartsWith("AW:", StringComparison.OrdinalIgnoreCase))
        {
            original = original[3..].TrimStart();
        }

        return original.Length > 0 ? $"Re: {original}" : $"Your conversation with {signedAs} (#{number})";
    }
}
