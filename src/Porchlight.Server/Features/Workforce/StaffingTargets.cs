using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Routing;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workforce;

/// <summary>Reads and replaces the workspace's <see cref="StaffingSettings"/>; each change is audited.</summary>
public sealed class StaffingTargets(AppDbContext db, ActingAgent actor)
{
    public const int MaxAnswerWithinSeconds = 3600;
    public const int MaxHandleTimeSeconds = 8 * 3600;
    public const int MaxShrinkagePercent = 90;
    public const int MaxOverloadMinutes = 480;
    public const int MaxDifficultRun = 20;

    public async Task<StaffingSettingsResponse> GetAsync(CancellationToken cancellationToken) =>
        StaffingSettingsResponse.From(await CurrentAsync(db, actor.WorkspaceId, cancellationToken));

    /// <summary>The workspace's settings as stored, or the defaults (not stored) when none were ever changed.</summary>
    public static async Task<StaffingSettings> CurrentAsync(AppDbContext db, Guid workspaceId, CancellationToken cancellationToken) =>
        await db.StaffingSettings.FirstOrDefaultAsync(cancellationToken) ?? StaffingSettings.Defaults(workspaceId);

    public async Task<Result<StaffingSettingsResponse>> SetAsync(StaffingSettingsRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        Between(errors, "serviceLevelPercent", request.ServiceLevelPercent, 1, 99, required: true);
        Between(errors, "answerWithinSeconds", request.AnswerWithinSeconds, 0, MaxAnswerWithinSeconds, required: true);
        Between(errors, "maxAverageWaitSeconds", request.MaxAverageWaitSeconds, 1, MaxAnswerWithinSeconds, required: false);
        Between(errors, "maxOccupancyPercent", request.MaxOccupancyPercent, 1, 100, required: false);
        Between(errors, "shrinkagePercent", request.ShrinkagePercent, 0, MaxShrinkagePercent, required: true);
        Between(errors, "chatsPerAgent", request.ChatsPerAgent, 1, ConcurrencyCaps.MaxCap, required: false);
        Between(errors, "handleTimeSeconds", request.HandleTimeSeconds, 1, MaxHandleTimeSeconds, required: false);
        Between(errors, "historyWeeks", request.HistoryWeeks, StaffingSettings.MinHistoryWeeks, StaffingSettings.MaxHistoryWeeks, required: true);
        Between(errors, "overloadMinutes", request.OverloadMinutes, 0, MaxOverloadMinutes, required: false);
        Between(errors, "difficultRun", request.DifficultRun, 0, MaxDifficultRun, required: false);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var settings = await db.StaffingSettings.FirstOrDefaultAsync(cancellationToken);
        if (settings is null)
        {
            settings = StaffingSettings.Defaults(actor.WorkspaceId);
            db.Add(settings);
        }

        settings.Change(request);
        await db.SaveChangesAsync(cancellationToken);
        return StaffingSettingsResponse.From(settings);
    }

    private static void Between(FieldErrors errors, string field, int? value, int min, int max, bool required)
    {
        if (value is null ? required : value < min || value > max)
        {
            errors.Add(field, required ? $"Required: a whole number from {min} to {max}." : $"A whole number from {min} to {max}, or null.");
        }
    }
}
