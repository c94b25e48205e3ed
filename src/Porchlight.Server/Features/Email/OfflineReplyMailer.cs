using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Email;

/// <summary>
/// Emails an agent's reply to the contact who left a message through the offline form, quoting what they wrote,
/// and notes in the conversation that it was emailed (or why it was not). Runs from the outbox, so a failed send
/// is retried; a send that succeeded just before a crash can be repeated once (at least once, never lost).
/// </summary>
public sealed class OfflineReplyMailer(
    AppDbContext db, SmtpMailer mailer, IOptions<SmtpOptions> smtp, ConversationChanges changes, ILogger<OfflineReplyMailer> logger)
    : IDomainEventHandler<OfflineReplyWritten>
{
    public async Task HandleAsync(OfflineReplyWritten reply, CancellationToken cancellationToken)
    {
        var message = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == reply.MessageId, cancellationToken);
        var conversation = await db.Conversations.FirstOrDefaultAsync(c => c.Id == reply.ConversationId, cancellationToken);
        if (message is null || conversation is null || message.DeletedAt is not null || message.Text.Length == 0)
        {
            return; // Withdrawn before it went out, or a reply of files only, which email does not carry yet.
        }

        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == conversation.ContactId, cancellationToken);
        if (contact?.Email is not { } email)
        {
            await changes.AppendActivityAsync(conversation, null, "The reply was not emailed: the contact has no email address", cancellationToken);
            return;
        }

        if (!smtp.Value.IsConfigured)
        {
            logger.LogWarning("A reply to an offline message was not emailed: {Section}:Host is not set.", SmtpOptions.Section);
            await changes.AppendActivityAsync(conversation, null, "The reply was not emailed: no mail server is configured", cancellationToken);
            return;
        }

        var workspace = await db.Workspaces.AsNoTracking().Where(w => w.Id == conversation.WorkspaceId).Select(w => w.Name).FirstAsync(cancellationToken);
        var author = message.AuthorAgentId is { } agentId
            ? await db.Agents.AsNoTracking().Where(a => a.Id == agentId).Select(a => a.DisplayName).FirstOrDefaultAsync(cancellationToken)
            : null;
        var opening = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversation.Id && m.Kind == MessageKind.Incoming)
            .OrderBy(m => m.Sequence).Select(m => m.Text).FirstOrDefaultAsync(cancellationToken);

        await mailer.SendAsync(email, $"[{workspace}] Reply to your message (#{conversation.Number})", Body(message.Text, author, workspace, opening), cancellationToken);
        await changes.AppendActivityAsync(conversation, null, $"The reply was emailed to {email}", cancellationToken);
    }

    private static string Body(string reply, string? author, string workspace, string? opening)
    {
        var body = $"{reply}\n\n— {(author is null ? workspace : $"{author}, {workspace}")}\n";
        if (opening is { Length: > 0 })
        {
            body += "\nYou wrote:\n" + string.Join('\n', opening.Split('\n').Select(line => "> " + line)) + "\n";
        }

        return body;
    }
}
