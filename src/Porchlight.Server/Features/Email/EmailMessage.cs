using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Email;

public enum EmailDirection
{
    /// <summary>Read from the inbox's mailbox.</summary>
    Received = 0,

    /// <summary>An agent's reply, sent through the inbox's mail server.</summary>
    Sent = 1,
}

/// <summary>
/// One email of an email inbox, received or sent: its Message-ID (how replies find their conversation, and how a mail
/// read twice is known), the message it became, and the whole text as it came, quoted history and signature included
/// (the message shows what the customer wrote this time). A received mail that became no message (an out-of-office
/// answer to nothing) is recorded all the same, so it is not read again.
/// </summary>
public sealed class EmailMessage : Entity, IWorkspaceOwned
{
    public const int MaxInternetMessageIdLength = 250;
    public const int MaxSubjectLength = 500;
    public const int MaxFullTextLength = 200_000;

    private EmailMessage()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public Guid InboxId { get; private set; }

    public Guid? ConversationId { get; private set; }

    public Guid? MessageId { get; private set; }

    public EmailDirection Direction { get; private set; }

    /// <summary>The Message-ID header, without angle brackets.</summary>
    public string InternetMessageId { get; private set; } = "";

    public string Subject { get; private set; } = "";

    public string FromAddress { get; private set; } = "";

    public string FullText { get; private set; } = "";

    /// <summary>An auto-reply, bounce or bulk mail: recorded, never answered.</summary>
    public AutomaticMailKind Automatic { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public static EmailMessage Received(
        Guid workspaceId, Guid inboxId, string internetMessageId, string subject, string fromAddress, string fullText, AutomaticMailKind automatic, DateTime now) => new()
    {
        WorkspaceId = workspaceId,
        InboxId = inboxId,
        Direction = EmailDirection.Received,
        InternetMessageId = internetMessageId,
        Subject = Shorten(subject, MaxSubjectLength),
        FromAddress = fromAddress,
        FullText = Shorten(fullText, MaxFullTextLength),
        Automatic = automatic,
        CreatedAt = now,
    };

    public static EmailMessage Sent(
        Guid workspaceId, Guid inboxId, Guid conversationId, Guid? messageId, string internetMessageId, string subject, string fromAddress, string text, DateTime now) => new()
    {
        WorkspaceId = workspaceId,
        InboxId = inboxId,
        ConversationId = conversationId,
        MessageId = messageId,
        Direction = EmailDirection.Sent,
        InternetMessageId = internetMessageId,
        Subject = Shorten(subject, MaxSubjectLength),
        FromAddress = fromAddress,
        FullText = Shorten(text, MaxFullTextLength),
        CreatedAt = now,
    };

    /// <summary>The mail became <paramref name="messageId"/> (or, automatic, was noted) in <paramref name="conversationId"/>.</summary>
    public void BecameMessage(Guid conversationId, Guid? messageId) => (ConversationId, MessageId) = (conversationId, messageId);

    private static string Shorten(string text, int max) => text.Length > max ? text[..max] : text;
}

internal sealed class EmailMessageConfiguration : IEntityTypeConfiguration<EmailMessage>
{
    public void Configure(EntityTypeBuilder<EmailMessage> builder)
    {
        builder.Property(m => m.InternetMessageId).HasMaxLength(EmailMessage.MaxInternetMessageIdLength);
        builder.Property(m => m.Subject).HasMaxLength(EmailMessage.MaxSubjectLength);
        builder.Property(m => m.FromAddress).HasMaxLength(EmailChannel.MaxAddressLength);
        builder.Property(m => m.FullText).HasMaxLength(EmailMessage.MaxFullTextLength);
        builder.Property(m => m.Direction).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Automatic).HasConversion<string>().HasMaxLength(16);
        // A mail read twice (a poll cut short, two nodes) is one row; replies find their conversation by these ids.
        builder.HasIndex(m => new { m.InboxId, m.InternetMessageId }).IsUnique();
        builder.HasIndex(m => m.ConversationId);
        builder.HasIndex(m => m.MessageId);
        builder.HasOne<Inboxes.Inbox>().WithMany().HasForeignKey(m => m.InboxId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Conversations.Conversation>().WithMany().HasForeignKey(m => m.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(m => m.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
