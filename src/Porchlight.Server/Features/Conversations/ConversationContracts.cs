using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Features.Contacts;

namespace Porchlight.Server.Features.Conversations;

/// <summary>Who wrote a message: <c>contact</c>, <c>agent</c>, or <c>system</c> for activities without an agent.</summary>
public sealed record MessageAuthor(string Type, Guid? Id, string Name);

public sealed record MessageResponse(
    Guid Id,
    Guid ConversationId,
    long Sequence,
    string ClientId,
    MessageKind Kind,
    MessageAuthor Author,
    string Text,
    DateTime CreatedAt,
    DateTime? EditedAt,
    DateTime? DeletedAt,
    IReadOnlyList<AttachmentResponse> Attachments,
    IReadOnlyList<string>? QuickReplies = null,
    Assistant.SentimentScore? Sentiment = null);

public sealed record ContactSummary(Guid Id, string Name, string? Email)
{
    /// <summary>The summary of a contact from its stored name and email (either may be missing, as may the row).</summary>
    public static ContactSummary Of(Guid id, string? name, string? email) => new(id, Contacts.Contact.NameFor(id, name, email), email);
}

public sealed record ConversationResponse(
    Guid Id,
    int Number,
    Guid InboxId,
    ContactSummary Contact,
    ConversationOrigin Origin,
    ConversationStatus Status,
    DateTime? SnoozedUntil,
    ConversationPriority Priority,
    Guid? AssigneeId,
    Guid? TeamId,
    IReadOnlyList<string> Labels,
    IReadOnlyDictionary<string, string> Attributes,
    long LastSequence,
    long AgentReadSequence,
    long ContactReadSequence,
    string LastMessagePreview,
    DateTime CreatedAt,
    DateTime LastActivityAt,
    DateTime? FirstAgentReplyAt,
    DateTime? ResolvedAt)
{
    /// <summary>Messages agents have not seen yet.</summary>
    public long Unread => LastSequence - AgentReadSequence;

    public static ConversationResponse From(Conversation c, Contacts.Contact? contact) =>
        From(c, ContactSummary.Of(c.ContactId, contact?.Name, contact?.Email));

    public static ConversationResponse From(Conversation c, ContactSummary contact) => new(
        c.Id, c.Number, c.InboxId, contact, c.Origin, c.Status, c.SnoozedUntil, c.Priority, c.AssigneeId, c.TeamId, c.Labels, c.Attributes,
        c.LastSequence, c.AgentReadSequence, c.ContactReadSequence, c.LastMessagePreview,
        c.CreatedAt, c.LastActivityAt, c.FirstAgentReplyAt, c.ResolvedAt);
}

/// <summary>
/// Turns stored messages into responses, looking up the names of their authors and their attachments once
/// per batch. The attachment links it signs go only to callers allowed to read the conversation.
/// </summary>
public sealed class MessageViews(AppDbContext db, AttachmentLinks links)
{
    public async Task<List<MessageResponse>> DescribeAsync(Conversation conversation, IReadOnlyList<Message> messages, CancellationToken cancellationToken)
    {
        var agentIds = messages.Where(m => m.AuthorAgentId is not null).Select(m => m.AuthorAgentId!.Value).Distinct().ToList();
        var agentNames = agentIds.Count == 0
            ? new Dictionary<Guid, string>()
            : await db.Agents.Where(a => agentIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.DisplayName, cancellationToken);
        var contactName = messages.Any(m => m.Kind == MessageKind.Incoming)
            ? await db.Contacts.Where(c => c.Id == conversation.ContactId)
                .Select(c => c.Name ?? c.Email).FirstOrDefaultAsync(cancellationToken) ?? Contact.NameFor(conversation.ContactId, null, null)
            : "";
        var messageIds = messages.Select(m => (Guid?)m.Id).ToList();
        var attachments = (messageIds.Count == 0 ? [] : await db.Attachments.AsNoTracking()
                .Where(a => messageIds.Contains(a.MessageId))
                .OrderBy(a => a.Id)
                .ToListAsync(cancellationToken))
            .ToLookup(a => a.MessageId!.Value, a => AttachmentResponse.From(a, links));
        return [.. messages.Select(m => Describe(m, AuthorOf(conversation, m, contactName, agentNames), [.. attachments[m.Id]]))];
    }

    /// <summary>Who wrote <paramref name="m"/>, from names the caller already looked up.</summary>
    public static MessageAuthor AuthorOf(Conversation conversation, Message m, string contactName, IReadOnlyDictionary<Guid, string> agentNames) =>
        m.Kind == MessageKind.Incoming
            ? new MessageAuthor("contact", conversation.ContactId, contactName)
            : m.AuthorAgentId is { } agentId
                ? new MessageAuthor("agent", agentId, agentNames.GetValueOrDefault(agentId, "Former agent"))
                : new MessageAuthor("system", null, m.Kind == MessageKind.Activity ? "Porchlight" : "Assistant");

    public static MessageResponse Describe(Message m, MessageAuthor author, IReadOnlyList<AttachmentResponse> attachments) => new(
        m.Id, m.ConversationId, m.Sequence, m.ClientId, m.Kind, author, m.Text, m.CreatedAt, m.EditedAt, m.DeletedAt, attachments, m.QuickReplies,
        m.Sentiment is { } compound ? Assistant.Sentiment.Labelled(compound) : null);
}
