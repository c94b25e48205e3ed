using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Contacts;

/// <summary>What an agent wrote down about a customer for colleagues (never shown to the customer).</summary>
public sealed class ContactNote : Entity, IWorkspaceOwned
{
    public const int MaxTextLength = 5000;

    private ContactNote()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public Guid ContactId { get; private set; }

    /// <summary>Null once the author's account is gone; the note stays.</summary>
    public Guid? AuthorAgentId { get; private set; }

    public string Text { get; private set; } = "";

    public DateTime CreatedAt { get; private set; }

    public static ContactNote Write(Guid workspaceId, Guid contactId, Guid authorAgentId, string text, DateTime now) => new()
    {
        WorkspaceId = workspaceId,
        ContactId = contactId,
        AuthorAgentId = authorAgentId,
        Text = text,
        CreatedAt = now,
    };
}

internal sealed class ContactNoteConfiguration : IEntityTypeConfiguration<ContactNote>
{
    public void Configure(EntityTypeBuilder<ContactNote> builder)
    {
        builder.Property(n => n.Text).HasMaxLength(ContactNote.MaxTextLength);
        builder.HasIndex(n => new { n.ContactId, n.CreatedAt });
        builder.HasOne<Contact>().WithMany().HasForeignKey(n => n.ContactId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Agents.Agent>().WithMany().HasForeignKey(n => n.AuthorAgentId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(n => n.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
