using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.Assistant;

/// <summary>
/// Something visitors come for ("order-status", "returns"), taught by example phrases. The name is what routing
/// rules and reports see: the assistant sets it on the conversation once it recognises it.
/// </summary>
public sealed class Intent : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxNameLength = 40;
    public const int MaxDescriptionLength = 200;
    public const int MaxExampleLength = 300;
    public const int MaxExamples = 300;
    public const int MaxIntents = 100;

    /// <summary>Fewer and the classifier has too little to learn from; the intent is left out of training until it has them.</summary>
    public const int MinExamples = 5;

    private Intent()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public string Name { get; private set; } = "";

    public string Description { get; private set; } = "";

    public List<string> Examples { get; private set; } = [];

    public DateTime UpdatedAt { get; private set; }

    public static Intent Create(Guid workspaceId) => new() { WorkspaceId = workspaceId };

    public void Change(string name, string description, IEnumerable<string> examples, DateTime now)
    {
        Name = name;
        Description = description;
        Examples = [.. examples];
        UpdatedAt = now;
    }
}

/// <summary>
/// The classifier trained on a workspace's intents, stored so every node predicts with the same one, and how it
/// did on the examples held out of its training. <see cref="Stamp"/> says which intents it was trained on.
/// </summary>
public sealed class IntentModel : IWorkspaceOwned
{
    private IntentModel()
    {
    }

    public Guid WorkspaceId { get; private set; }

    /// <summary>The intents' count and latest change when trained: any change to the intents gives another stamp.</summary>
    public string Stamp { get; private set; } = "";

    public byte[] Model { get; private set; } = [];

    public IntentEvaluation Evaluation { get; private set; } = new(0, 0, [], []);

    public int Examples { get; private set; }

    public DateTime TrainedAt { get; private set; }

    public static IntentModel Create(Guid workspaceId) => new() { WorkspaceId = workspaceId };

    public void Trained(string stamp, byte[] model, IntentEvaluation evaluation, int examples, DateTime now)
    {
        Stamp = stamp;
        Model = model;
        Evaluation = evaluation;
        Examples = examples;
        TrainedAt = now;
    }
}

internal sealed class IntentConfiguration : IEntityTypeConfiguration<Intent>
{
    public void Configure(EntityTypeBuilder<Intent> builder)
    {
        builder.Property(i => i.Name).HasMaxLength(Intent.MaxNameLength);
        builder.Property(i => i.Description).HasMaxLength(Intent.MaxDescriptionLength);
        builder.Property(i => i.Examples).HasConversion(JsonColumn.Converter<List<string>>(), JsonColumn.Comparer<List<string>>());
        builder.HasIndex(i => new { i.WorkspaceId, i.Name }).IsUnique();
    }
}

internal sealed class IntentModelConfiguration : IEntityTypeConfiguration<IntentModel>
{
    public void Configure(EntityTypeBuilder<IntentModel> builder)
    {
        builder.HasKey(m => m.WorkspaceId);
        builder.Property(m => m.Stamp).HasMaxLength(64);
        builder.Property(m => m.Evaluation).HasConversion(JsonColumn.Converter(new IntentEvaluation(0, 0, [], [])), JsonColumn.Comparer<IntentEvaluation>());
    }
}
