using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Features.Workforce.Planning;

namespace Porchlight.Server.Features.Workforce;

/// <summary>
/// What the workspace staffs for: the service target, how much paid time goes to other things (shrinkage), and,
/// where the measured figures should not be used, the handle time and the chats an agent takes at once. One row per
/// workspace, written on the first change; until then <see cref="Defaults"/> apply.
/// </summary>
public sealed class StaffingSettings : IWorkspaceOwned, IAudited
{
    public const int MinHistoryWeeks = 2;
    public const int MaxHistoryWeeks = 26;
    public const int DefaultOverloadMinutes = 45;
    public const int DefaultDifficultRun = 3;

    private StaffingSettings()
    {
    }

    public Guid WorkspaceId { get; private set; }

    /// <summary>Share of conversations to answer within <see cref="AnswerWithinSeconds"/>, in percent.</summary>
    public int ServiceLevelPercent { get; private set; } = 80;

    public int AnswerWithinSeconds { get; private set; } = 30;

    /// <summary>When set, the plan staffs for this average wait instead of the service level.</summary>
    public int? MaxAverageWaitSeconds { get; private set; }

    /// <summary>A ceiling on the share of chat slots busy, in percent, so agents are not run flat out.</summary>
    public int? MaxOccupancyPercent { get; private set; } = 85;

    /// <summary>Paid time not available for chats (breaks, meetings, training, absence), in percent.</summary>
    public int ShrinkagePercent { get; private set; } = 30;

    /// <summary>Chats an agent handles at once; null takes the workspace's chat cap.</summary>
    public int? ChatsPerAgent { get; private set; }

    /// <summary>How long a chat holds an agent's slot; null takes the average measured over the history.</summary>
    public int? HandleTimeSeconds { get; private set; }

    /// <summary>Weeks of history the forecast learns from (fewer when the workspace is younger).</summary>
    public int HistoryWeeks { get; private set; } = 8;

    /// <summary>Minutes an agent may stay at a cap without a break before supervisors are alerted; 0 turns the alert off.</summary>
    public int OverloadMinutes { get; private set; } = DefaultOverloadMinutes;

    /// <summary>Conversations in a row with an upset customer (negative tone) that alert supervisors; 0 turns the alert off.</summary>
    public int DifficultRun { get; private set; } = DefaultDifficultRun;

    /// <summary>Whether an overload alert also lowers the agent's cap in that channel by one, until the alert ends or is dismissed.</summary>
    public bool ReduceCapOnOverload { get; private set; }

    public static StaffingSettings Defaults(Guid workspaceId) => new() { WorkspaceId = workspaceId };

    public void Change(StaffingSettingsRequest request)
    {
        ServiceLevelPercent = request.ServiceLevelPercent!.Value;
        AnswerWithinSeconds = request.AnswerWithinSeconds!.Value;
        MaxAverageWaitSeconds = request.MaxAverageWaitSeconds;
        MaxOccupancyPercent = request.MaxOccupancyPercent;
        ShrinkagePercent = request.ShrinkagePercent!.Value;
        ChatsPerAgent = request.ChatsPerAgent;
        HandleTimeSeconds = request.HandleTimeSeconds;
        HistoryWeeks = request.HistoryWeeks!.Value;
        OverloadMinutes = request.OverloadMinutes ?? DefaultOverloadMinutes;
        DifficultRun = request.DifficultRun ?? DefaultDifficultRun;
        ReduceCapOnOverload = request.ReduceCapOnOverload ?? false;
    }

    /// <summary>The target the staffing model works to.</summary>
    public StaffingTarget Target()
    {
        var target = MaxAverageWaitSeconds is { } wait
            ? StaffingTarget.AverageWait(TimeSpan.FromSeconds(wait), TimeSpan.FromSeconds(AnswerWithinSeconds))
            : StaffingTarget.ServiceLevel(ServiceLevelPercent / 100.0, TimeSpan.FromSeconds(AnswerWithinSeconds));
        return target with { MaximumOccupancy = MaxOccupancyPercent / 100.0, Shrinkage = ShrinkagePercent / 100.0 };
    }
}

/// <summary>
/// The staffing settings, all fields (a PUT replaces them whole). <c>maxAverageWaitSeconds</c>, when given, replaces
/// the service level as the target; <c>chatsPerAgent</c> and <c>handleTimeSeconds</c> left null take the workspace's
/// chat cap and the measured average handle time. The well-being alerts' <c>overloadMinutes</c> (0–480) and
/// <c>difficultRun</c> (0–20), 0 for off, and <c>reduceCapOnOverload</c> take their defaults (45, 3, false) when left null.
/// </summary>
public sealed record StaffingSettingsRequest(
    int? ServiceLevelPercent, int? AnswerWithinSeconds, int? MaxAverageWaitSeconds, int? MaxOccupancyPercent,
    int? ShrinkagePercent, int? ChatsPerAgent, int? HandleTimeSeconds, int? HistoryWeeks,
    int? OverloadMinutes = null, int? DifficultRun = null, bool? ReduceCapOnOverload = null);

public sealed record StaffingSettingsResponse(
    int ServiceLevelPercent, int AnswerWithinSeconds, int? MaxAverageWaitSeconds, int? MaxOccupancyPercent,
    int ShrinkagePercent, int? ChatsPerAgent, int? HandleTimeSeconds, int HistoryWeeks,
    int OverloadMinutes, int DifficultRun, bool ReduceCapOnOverload)
{
    public static StaffingSettingsResponse From(StaffingSettings s) => new(
        s.ServiceLevelPercent, s.AnswerWithinSeconds, s.MaxAverageWaitSeconds, s.MaxOccupancyPercent, s.ShrinkagePercent,
        s.ChatsPerAgent, s.HandleTimeSeconds, s.HistoryWeeks, s.OverloadMinutes, s.DifficultRun, s.ReduceCapOnOverload);
}

internal sealed class StaffingSettingsConfiguration : IEntityTypeConfiguration<StaffingSettings>
{
    public void Configure(EntityTypeBuilder<StaffingSettings> builder)
    {
        builder.HasKey(s => s.WorkspaceId);
        builder.HasOne<Workspaces.Workspace>().WithOne().HasForeignKey<StaffingSettings>(s => s.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
