using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Features.Contacts;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Email;

/// <summary>
/// Turns one email read from an inbox's mailbox into what agents work with. A reply (by its thread headers or a
/// signed token) joins its conversation, reopening it if it was resolved; anything else starts a conversation with
/// the sender as the contact. Agents see what the customer wrote this time (quoted history and signature trimmed;
/// HTML read as text, never rendered); the whole text is kept with the mail's record. Files come along within the
/// usual limits. Auto-replies, bounces and bulk mail are never answered: in a known thread they leave a note in the
/// conversation, otherwise they are only recorded. A mail read twice is recognised by its Message-ID.
/// </summary>
public sealed class EmailIntake(
    AppDbContext db, TenantScope tenant, ContactDirectory contacts, ChannelConversations conversations, MessageWriter writer,
    ConversationChanges changes, UploadAttachment uploads, Inboxes.IdentitySecrets secrets, Privacy.WorkspaceRedaction redaction, TimeProvider clock,
    ILogger<EmailIntake> logger)
{
    public async Task ReceiveAsync(EmailChannel channel, MimeMessage mail, CancellationToken cancellationToken)
    {
        tenant.Enter(channel.WorkspaceId);
        var internetId = InternetMessageId(mail);
        if (await db.EmailMessages.AnyAsync(m => m.InboxId == channel.InboxId && m.InternetMessageId == internetId, cancellationToken))
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        // Anyone can send anything: what is kept fits its columns and holds no NUL (PostgreSQL refuses both).
        var from = mail.From.Mailboxes.FirstOrDefault() is { Address.Length: > 0 and <= Contact.MaxEmailLength } sender && !sender.Address.Contains('\0', StringComparison.Ordinal)
            ? new MailboxAddress(Clean(sender.Name, Contact.MaxNameLength), sender.Address)
            : null;
        // Masked before anything is made of them (the mail's record, the conversation's subject and the message all
        // come from these two), and before they are cut to size, so a cut never leaves part of a value unmasked.
        var detectors = await redaction.OfAsync(channel.WorkspaceId, cancellationToken);
        var subject = Privacy.PiiRedaction.Mask(Clean(mail.Subject, int.MaxValue), detectors, EmailMessage.MaxSubjectLength);
        var fullText = Privacy.PiiRedaction.Mask(Clean(FullText(mail), int.MaxValue), detectors, EmailMessage.MaxFullTextLength);
        var automatic = AutomaticMail.Classify(mail);
        var record = EmailMessage.Received(channel.WorkspaceId, channel.InboxId, internetId, subject, from?.Address ?? "", fullText, automatic.Kind, now);
        var thread = await ThreadAsync(channel, mail, automatic, cancellationToken);
        if (from is null || string.Equals(from.Address, channel.Address, StringComparison.OrdinalIgnoreCase))
        {
            // No sender to answer, or a copy of the inbox's own mail: nothing for agents.
            await RecordAsync(record, cancellationToken);
            return;
        }

        if (automatic.IsAutomatic)
        {
            await NoteAutomaticAsync(record, thread, automatic, from, cancellationToken);
            return;
        }

        // The From line is not proof of anything: it names a new contact, but never renames a known one.
        var contact = await contacts.FindOrAddAsync(channel.WorkspaceId, new ContactReference(null, from.Address, null, null), now, cancellationToken);
        if (contact.Name is null && from.Name is { Length: > 0 } name)
        {
            contact.Describe(name, null, null, now);
        }

        await db.SaveChangesAsync(cancellationToken);
        var text = ShownText(fullText, subject, thread is not null && thread.ContactId != contact.Id ? from : null);
        var clientId = ClientIdFor(channel.InboxId, internetId);
        Guid conversationId, messageId;
        if (thread is null)
        {
            var files = await StoreFilesAsync(channel.WorkspaceId, channel.InboxId, null, contact.Id, mail, cancellationToken);
            var attachments = await PendingAttachments.FindBeforeConversationAsync(db, channel.InboxId, contact.Id, files, cancellationToken);
            var attributes = string.IsNullOrWhiteSpace(subject) ? null : new Dictionary<string, string> { ["subject"] = Shorten(subject.Trim(), CustomAttributes.MaxValueLength) };
            // The mail's record goes in the conversation's own commit: a reply, which may follow at once, finds the
            // thread it answers (its subject and Message-ID) already there.
            var started = await conversations.StartAsync(
                new ChannelOpening(channel.WorkspaceId, channel.InboxId, contact.Id, ConversationOrigin.Email, clientId, text, attachments.Value ?? [], attributes,
                    Alongside: (conversation, message) =>
                    {
                        record.BecameMessage(conversation.Id, message.Id);
                        db.EmailMessages.Add(record);
                    }),
                cancellationToken);
            if (started.Value!.Created)
            {
                return;
            }

            (conversationId, messageId) = (started.Value.Value.Conversation.Id, started.Value.Value.Message.Id);
        }
        else
        {
            var files = await StoreFilesAsync(channel.WorkspaceId, thread.InboxId, thread.Id, thread.ContactId, mail, cancellationToken);
            var written = await writer.WriteAsync(
                new MessageDraft(channel.WorkspaceId, thread.Id, new ConversationOwner(thread.InboxId, thread.ContactId), clientId, MessageKind.Incoming, null, text, files),
                cancellationToken);
            (conversationId, messageId) = (thread.Id, written.Value!.Message.Id);
        }

        record.BecameMessage(conversationId, messageId);
        await RecordAsync(record, cancellationToken);
    }

    /// <summary>
    /// The conversation the mail answers: named by its thread headers (a bounce names the mail it returns
    /// in the headers it quotes), else by a signed token.
    /// </summary>
    private async Task<Conversation?> ThreadAsync(EmailChannel channel, MimeMessage mail, AutomaticMail automatic, CancellationToken cancellationToken)
    {
        var returned = automatic.Kind == AutomaticMailKind.Bounce ? mail.BodyParts.OfType<MessagePart>().Select(p => p.Message?.MessageId) : [];
        var references = mail.References.Reverse().Prepend(mail.InReplyTo).Concat(returned).OfType<string>().Distinct(StringComparer.Ordinal).Take(50).ToList();
        // In-Reply-To first, then the newest reference: a thread that wandered across conversations goes where it was last.
        var found = references.Count == 0 ? [] : await db.EmailMessages.AsNoTracking()
            .Where(m => m.InboxId == channel.InboxId && m.ConversationId != null && references.Contains(m.InternetMessageId))
            .Select(m => new { m.InternetMessageId, m.ConversationId }).ToListAsync(cancellationToken);
        var known = found.OrderBy(m => references.IndexOf(m.InternetMessageId)).Select(m => m.ConversationId).FirstOrDefault();
        if (known is null)
        {
            var inbox = await db.Inboxes.FirstAsync(i => i.Id == channel.InboxId, cancellationToken);
            var secret = await secrets.SecretOfAsync(db, inbox, cancellationToken);
            var recipients = mail.To.Mailboxes.Concat(mail.Cc.Mailboxes).Concat(Addresses(mail, "Delivered-To")).Concat(Addresses(mail, "X-Original-To"));
            known = EmailThreads.ConversationNamedIn(references, recipients, secret);
        }

        // This inbox's conversation, or another inbox's that this mailbox wrote in (a widget's offline replies).
        return known is { } id
            ? await db.Conversations.FirstOrDefaultAsync(
                c => c.Id == id && (c.InboxId == channel.InboxId || db.EmailMessages.Any(m => m.ConversationId == id && m.InboxId == channel.InboxId)), cancellationToken)
            : null;
    }

    private async Task NoteAutomaticAsync(EmailMessage record, Conversation? thread, AutomaticMail automatic, MailboxAddress from, CancellationToken cancellationToken)
    {
        if (thread is null)
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation("{Kind} mail from {From} answers no conversation of inbox {InboxId}; recorded, not answered.", automatic.Kind, from.Address, record.InboxId);
            }

            await RecordAsync(record, cancellationToken);
            return;
        }

        var note = automatic.Kind switch
        {
            AutomaticMailKind.Bounce => $"An email could not be delivered: {automatic.Summary}",
            AutomaticMailKind.AutoReply => $"Automatic reply from {from.Address}: {automatic.Summary}",
            _ => $"Bulk mail from {from.Address}: {automatic.Summary}",
        };
        await changes.AppendActivityAsync(thread, null, Shorten(note, 500), cancellationToken);
        record.BecameMessage(thread.Id, null);
        await RecordAsync(record, cancellationToken);
    }

    private async Task RecordAsync(EmailMessage record, CancellationToken cancellationToken)
    {
        db.EmailMessages.Add(record);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Stores the mail's files as the contact's uploads; one that breaks the limits is named in a note, not kept.</summary>
    private async Task<List<Guid>> StoreFilesAsync(
        Guid workspaceId, Guid inboxId, Guid? conversationId, Guid contactId, MimeMessage mail, CancellationToken cancellationToken)
    {
        var stored = new List<Guid>();
        var parts = mail.Attachments.OfType<MimePart>().ToList();
        if (parts.Count > Attachment.MaxPerMessage && logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("An email to inbox {InboxId} had {Count} files; the first {Kept} were kept.", inboxId, parts.Count, Attachment.MaxPerMessage);
        }

        foreach (var part in parts.Take(Attachment.MaxPerMessage))
        {
            using var content = new MemoryStream();
            await part.Content!.DecodeToAsync(content, cancellationToken);
            content.Position = 0;
            var saved = await uploads.FromEmailAsync(
                workspaceId, inboxId, conversationId, contactId, new UploadedFile(part.FileName ?? "attachment", content.Length, content), cancellationToken);
            if (saved.Succeeded)
            {
                stored.Add(saved.Value!.Id);
            }
            else if (logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation("A file of an email to inbox {InboxId} was not kept: {Reason}", inboxId, saved.Failure!.Detail);
            }
        }

        return stored;
    }

    /// <summary>
    /// The mail's words: its plain text, else its HTML read as text. HTML beyond <see cref="MaxHtmlLength"/> is cut
    /// first: deeply nested markup costs the parser seconds, and no person writes that much.
    /// </summary>
    private static string FullText(MimeMessage mail) =>
        (mail.TextBody is { Length: > 0 } text ? text
            : mail.HtmlBody is { Length: > 0 } html ? EmailText.FromHtml(html.Length > MaxHtmlLength ? html[..MaxHtmlLength] : html)
            : "").Replace("\r\n", "\n", StringComparison.Ordinal).Trim();

    private const int MaxHtmlLength = 300_000;

    /// <summary>What agents see: the new text (or the subject, for a mail of files only), naming a sender who is not the conversation's contact.</summary>
    private static string ShownText(string fullText, string? subject, MailboxAddress? otherSender)
    {
        var text = EmailText.WithoutQuoteAndSignature(fullText);
        if (text.Length == 0)
        {
            text = subject?.Trim() is { Length: > 0 } subjectOnly ? subjectOnly : "(an email without text)";
        }

        if (otherSender is not null)
        {
            text = $"From {(string.IsNullOrWhiteSpace(otherSender.Name) ? otherSender.Address : $"{otherSender.Name} <{otherSender.Address}>")}:\n{text}";
        }

        const string Cut = "\n\n[… the rest of this email is kept with it]";
        return text.Length <= Message.MaxTextLength ? text : text[..(Message.MaxTextLength - Cut.Length)] + Cut;
    }

    private static IEnumerable<MailboxAddress> Addresses(MimeMessage mail, string header) =>
        mail.Headers.Where(h => string.Equals(h.Field, header, StringComparison.OrdinalIgnoreCase))
            .Select(h => MailboxAddress.TryParse(h.Value.Trim(), out var address) ? address : null).OfType<MailboxAddress>();

    /// <summary>The Message-ID; a mail without one gets an id made from what it says, so reading it again still finds it.</summary>
    private static string InternetMessageId(MimeMessage mail)
    {
        if (mail.MessageId is { Length: > 0 and <= EmailMessage.MaxInternetMessageIdLength } id && !id.Contains('\0', StringComparison.Ordinal))
        {
            return id;
        }

        var fingerprint = $"{mail.From}|{mail.Date:O}|{mail.Subject}|{mail.TextBody ?? mail.HtmlBody}";
        return $"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fingerprint)))[..40]}@porchlight.invalid";
    }

    /// <summary>
    /// The message's client id, from the inbox and the Message-ID: the same mail written twice is one message, and a mail
    /// sent to two inboxes (support@ with billing@ in Cc) is a conversation in each.
    /// </summary>
    private static string ClientIdFor(Guid inboxId, string internetId) =>
        "email-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{inboxId:N}:{internetId}")))[..40];

    /// <summary>Text from a mail, without NUL characters and within <paramref name="max"/> characters.</summary>
    private static string Clean(string? text, int max)
    {
        var clean = (text ?? "").Replace("\0", "", StringComparison.Ordinal);
        return clean.Length <= max ? clean : clean[..max];
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
