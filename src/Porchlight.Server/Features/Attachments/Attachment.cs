using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Attachments;

/// <summary>
/// A file uploaded into a conversation. It is uploaded first and belongs to nobody's message until the
/// uploader sends a message naming it; from then on it is part of that message. A widget visitor may also
/// upload before their first message: such a file belongs to the visitor's contact in the inbox, with no
/// conversation, until the message that starts the conversation claims it. Files never sent are removed
/// after a while (<see cref="AttachmentSweeper"/>). The bytes live in the <see cref="IAttachmentStore"/>
/// under this row's id, never under the name the uploader gave.
/// </summary>
public sealed class Attachment : IWorkspaceOwned
{
    public const int MaxFileNameLength = 200;
    public const int MaxPerMessage = 10;

    private Attachment()
    {
    }

    public Guid Id { get; private set; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    /// <summary>Null for a visitor's upload made before their conversation exists.</summary>
    public Guid? ConversationId { get; private set; }

    /// <summary>The inbox a visitor uploaded into before their conversation existed; null for uploads into a conversation.</summary>
    public Guid? InboxId { get; private set; }

    /// <summary>The message that sent it; null while uploaded but not yet sent.</summary>
    public Guid? MessageId { get; private set; }

    /// <summary>The uploader's file name, cleaned of paths and with an extension that matches the detected type.</summary>
    public string FileName { get; private set; } = "";

    /// <summary>The type detected from the file's first bytes, never the one the client claimed.</summary>
    public string ContentType { get; private set; } = "";

    public long Size { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public Guid? UploadedByAgentId { get; private set; }

    /// <summary>The contact who uploaded it from the widget. No foreign key: an anonymous contact may be merged away.</summary>
    public Guid? UploadedByContactId { get; private set; }

    public bool IsImage => ContentType.StartsWith("image/", StringComparison.Ordinal);

    public static Attachment Upload(
        Guid workspaceId, Guid? conversationId, Guid? inboxId, string fileName, string contentType, long size, Guid? agentId, Guid? contactId, DateTime now) => new()
        {
            WorkspaceId = workspaceId,
            ConversationId = conversationId,
            InboxId = inboxId,
            FileName = fileName,
            ContentType = contentType,
            Size = size,
            CreatedAt = now,
            UploadedByAgentId = agentId,
            UploadedByContactId = contactId,
        };

    public void AttachTo(Message message)
    {
        ConversationId = message.ConversationId;
        MessageId = message.Id;
    }
}

internal sealed class AttachmentConfiguration : IEntityTypeConfiguration<Attachment>
{
    public void Configure(EntityTypeBuilder<Attachment> builder)
    {
        builder.Ignore(a => a.IsImage);
        builder.Property(a => a.FileName).HasMaxLength(Attachment.MaxFileNameLength + 8);
        builder.Property(a => a.ContentType).HasMaxLength(100);
        // The send that attaches a file updates it only while it is still unsent, so two messages racing
        // for one upload cannot both claim it: the loser's update matches no row and rolls back.
        builder.Property(a => a.MessageId).IsConcurrencyToken();
        builder.HasIndex(a => a.MessageId);
        builder.HasIndex(a => a.UploadedByContactId);
        builder.HasIndex(a => new { a.ConversationId, a.CreatedAt });
        builder.HasIndex(a => a.CreatedAt);
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(a => a.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Conversation>().WithMany().HasForeignKey(a => a.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Inboxes.Inbox>().WithMany().HasForeignKey(a => a.InboxId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Message>().WithMany().HasForeignKey(a => a.MessageId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Agents.Agent>().WithMany().HasForeignKey(a => a.UploadedByAgentId).OnDelete(DeleteBehavior.SetNull);
    }
}
