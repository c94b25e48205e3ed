using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Privacy;

namespace Porchlight.Server.Features.Conversations;

public enum MessageKind
{
    /// <summary>Written by the contact.</summary>
    Incoming = 0,

    /// <summary>Written by an agent to the contact.</summary>
    Outgoing = 1,

    /// <summary>A private note between agents; never shown to the contact.</summary>
    Note = 2,

    /// <summary>Something that happened: resolved, reopened, assigned.</summary>
    Activity = 3,
}

/// <summary>
/// One entry of a conversation's thread. Its sequence orders the thread without gaps; its client id,
/// chosen by the sender before the first attempt, makes a retried send return this message instead of a copy.
/// </summary>
public sealed class Message : IWorkspaceOwned
{
    public const int MaxTextLength = 10_000;
    public const int MinClientIdLength = 8;
    public const int MaxClientIdLength = 64;

    private Message()
    {
    }

    public Guid Id { get; private set; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    public Guid ConversationId { get; private set; }

    public long Sequence { get; private set; }

    public string ClientId { get; private set; } = "";

    public MessageKind Kind { get; private set; }

    /// <summary>The agent who wrote an outgoing message or note, or caused an activity.</summary>
    public Guid? AuthorAgentId { get; private set; }

    public string Text { get; private set; } = "";

    public DateTime CreatedAt { get; private set; }

    public DateTime? EditedAt { get; private set; }

    public DateTime? DeletedAt { get; private set; }

    /// <summary>
    /// How the contact's message sounds, −1 (most negative) to 1, scored when it arrives (Assistant.Sentiment); null
    /// for every other kind.
    /// </summary>
    public double? Sentiment { get; private set; }

    /// <summary>Answers the contact can send with one press (the assistant's choices); null for none.</summary>
    public List<string>? QuickReplies { get; private set; }

    /// <summary>Contacts see the conversation itself: their messages and agents' replies, not notes or activities.</summary>
    public bool IsVisibleToContact => Kind is MessageKind.Incoming or MessageKind.Outgoing;

    /// <summary>
    /// A new message whose text has the values the workspace's <paramref name="redaction"/> detectors find masked: the
    /// original is never set on the message, so nothing that stores, announces or logs the message can reach it.
    /// </summary>
    public static Message Create(
        Conversation conversation, long sequence, string clientId, MessageKind kind, Guid? authorAgentId, string text, DateTime now,
        PiiDetectors redaction, IReadOnlyList<string>? quickReplies = null)
    {
        var masked = PiiRedaction.Mask(text, redaction, MaxTextLength);
        return new()
        {
            WorkspaceId = conversation.WorkspaceId,
            ConversationId = conversation.Id,
            Sequence = sequence,
            ClientId = clientId,
            Kind = kind,
            AuthorAgentId = authorAgentId,
            Text = masked,
            CreatedAt = now,
            QuickReplies = quickReplies is { Count: > 0 } ? [.. quickReplies] : null,
            Sentiment = kind == MessageKind.Incoming ? Assistant.Sentiment.Of(masked).Compound : null,
        };
    }

    /// <summary>The corrected text, masked as a new message's is.</summary>
    public void Edit(string text, DateTime now, PiiDetectors redaction)
    {
        Text = PiiRedaction.Mask(text, redaction, MaxTextLength);
        EditedAt = now;
    }

    public void Delete(DateTime now)
    {
        Text = "";
        DeletedAt = now;
    }

    /// <summary>A client id the widget or an integration may send: 8–64 characters of [A-Za-z0-9_-].</summary>
    public static bool IsValidClientId(string? clientId) =>
        clientId is { Length: >= MinClientIdLength and <= MaxClientIdLength }
        && clientId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> builder)
    {
        builder.Ignore(m => m.IsVisibleToContact);
        builder.Property(m => m.ClientId).HasMaxLength(Message.MaxClientIdLength);
        builder.Property(m => m.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Text).HasMaxLength(Message.MaxTextLength);
        builder.Property(m => m.QuickReplies).HasConversion(JsonColumn.Converter<List<string>>()!, JsonColumn.Comparer<List<string>>());
        // An edit that raced a deletion must not bring the text back: both update only a message not yet deleted.
        builder.Property(m => m.DeletedAt).IsConcurrencyToken();
        builder.HasIndex(m => new { m.ConversationId, m.Sequence }).IsUnique();
        builder.HasIndex(m => new { m.ConversationId, m.ClientId }).IsUnique();
        builder.HasOne<Conversation>().WithMany().HasForeignKey(m => m.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Agents.Agent>().WithMany().HasForeignKey(m => m.AuthorAgentId).OnDelete(DeleteBehavior.SetNull);
    }
}
