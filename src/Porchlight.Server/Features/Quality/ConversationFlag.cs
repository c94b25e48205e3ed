using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Quality;

/// <summary>What kind of problem an agent ran into.</summary>
public enum FlagKind
{
    /// <summary>The knowledge base has no article for this question.</summary>
    MissingArticle = 0,

    /// <summary>An article is wrong or out of date.</summary>
    WrongArticle = 1,

    /// <summary>A tool (Porchlight, a CRM, an order system) got in the way.</summary>
    ToolIssue = 2,

    /// <summary>A workflow or policy made the conversation harder than it should be.</summary>
    ProcessProblem = 3,

    /// <summary>The product itself misbehaves (a bug the customer ran into).</summary>
    ProductBug = 4,

    Other = 5,
}

/// <summary>
/// An agent's note that a conversation shows a problem beyond it ("missing article", "tool issue"). It lands in a list
/// for team leads, who close it once they have dealt with it.
/// </summary>
public sealed class ConversationFlag : Entity, IWorkspaceOwned
{
    public const int MaxNoteLength = 1000;

    private ConversationFlag()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public Guid ConversationId { get; private set; }

    public FlagKind Kind { get; private set; }

    public string Note { get; private set; } = "";

    public Guid RaisedBy { get; private set; }

    public DateTime RaisedAt { get; private set; }

    public Guid? ClosedBy { get; private set; }

    public DateTime? ClosedAt { get; private set; }

    /// <summary>What the team lead did about it.</summary>
    public string? Resolution { get; private set; }

    public bool IsOpen => ClosedAt is null;

    public static ConversationFlag Raise(Conversation conversation, FlagKind kind, string note, Guid agentId, DateTime now) => new()
    {
        WorkspaceId = conversation.WorkspaceId, ConversationId = conversation.Id, Kind = kind, Note = note.Trim(), RaisedBy = agentId, RaisedAt = now,
    };

    public void Close(Guid agentId, string? resolution, DateTime now) =>
        (ClosedBy, ClosedAt, Resolution) = (agentId, now, string.IsNullOrWhiteSpace(resolution) ? null : resolution.Trim());
}

internal sealed class ConversationFlagConfiguration : IEntityTypeConfiguration<ConversationFlag>
{
    public void Configure(EntityTypeBuilder<ConversationFlag> builder)
    {
        builder.Ignore(f => f.IsOpen);
        builder.Property(f => f.Kind).HasConversion<string>().HasMaxLength(32);
        builder.Property(f => f.Note).HasMaxLength(ConversationFlag.MaxNoteLength);
        builder.Property(f => f.Resolution).HasMaxLength(ConversationFlag.MaxNoteLength);
        builder.HasIndex(f => new { f.WorkspaceId, f.ClosedAt, f.RaisedAt });
        builder.HasIndex(f => f.ConversationId);
        builder.HasOne<Conversation>().WithMany().HasForeignKey(f => f.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}
