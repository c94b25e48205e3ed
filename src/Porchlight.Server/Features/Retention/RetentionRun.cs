using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Retention;

/// <summary>What one run did to one class of a workspace's data.</summary>
/// <param name="Days">The policy it applied.</param>
/// <param name="SkippedByHold">Items past their time that a legal hold kept.</param>
/// <param name="ContactsAnonymized">For conversations: contacts whose details went with their last conversation.</param>
public sealed record RetentionClassOutcome(
    RetentionDataClass DataClass, RetentionAction Action, int Days, int Deleted, int Anonymized, int SkippedByHold, int ContactsAnonymized = 0);

/// <summary>
/// The report of one retention run over one workspace: when it started and ended and, per class with a policy, how many
/// items it deleted or anonymized and how many a legal hold kept. Kept as evidence of what retention did; never holds
/// what it removed.
/// </summary>
public sealed class RetentionRun : IWorkspaceOwned
{
    public const int MaxProblemLength = 1000;

    private RetentionRun()
    {
    }

    public Guid Id { get; private set; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    public DateTime StartedAt { get; private set; }

    /// <summary>Null while the run is under way (or if the server stopped during it).</summary>
    public DateTime? EndedAt { get; private set; }

    public List<RetentionClassOutcome> Classes { get; private set; } = [];

    /// <summary>Why the run stopped short, if it did: what it did until then is in <see cref="Classes"/>.</summary>
    public string? Problem { get; private set; }

    public static RetentionRun Start(Guid workspaceId, DateTime now) => new() { WorkspaceId = workspaceId, StartedAt = now };

    public void End(IEnumerable<RetentionClassOutcome> classes, string? problem, DateTime now)
    {
        Classes = [.. classes];
        Problem = problem is { Length: > MaxProblemLength } ? problem[..MaxProblemLength] : problem;
        EndedAt = now;
    }
}

/// <summary>
/// Marks a conversation retention has anonymized, and when: later runs leave it alone unless it had activity since (new
/// text, which ages in its turn), and its contact's other conversations can be told apart.
/// </summary>
public sealed class AnonymizedConversation : IWorkspaceOwned
{
    private AnonymizedConversation()
    {
    }

    public Guid ConversationId { get; private set; }

    public Guid WorkspaceId { get; private set; }

    public DateTime AnonymizedAt { get; private set; }

    public static AnonymizedConversation Of(Guid workspaceId, Guid conversationId, DateTime now) =>
        new() { WorkspaceId = workspaceId, ConversationId = conversationId, AnonymizedAt = now };
}

internal sealed class RetentionRunConfiguration : IEntityTypeConfiguration<RetentionRun>
{
    public void Configure(EntityTypeBuilder<RetentionRun> builder)
    {
        builder.ToTable("RetentionRuns");
        builder.Property(r => r.Classes).HasConversion(JsonColumn.Converter<List<RetentionClassOutcome>>(), JsonColumn.Comparer<List<RetentionClassOutcome>>());
        builder.Property(r => r.Problem).HasMaxLength(RetentionRun.MaxProblemLength);
        builder.HasIndex(r => new { r.WorkspaceId, r.Id });
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(r => r.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AnonymizedConversationConfiguration : IEntityTypeConfiguration<AnonymizedConversation>
{
    public void Configure(EntityTypeBuilder<AnonymizedConversation> builder)
    {
        builder.ToTable("AnonymizedConversations");
        builder.HasKey(a => a.ConversationId);
        builder.HasIndex(a => a.WorkspaceId);
        builder.HasOne<Conversations.Conversation>().WithMany().HasForeignKey(a => a.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}
