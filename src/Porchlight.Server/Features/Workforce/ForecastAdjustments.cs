using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workforce;

/// <summary>The workspace's forecast adjustments: listed by first day, added and deleted; each change is audited.</summary>
public sealed class ForecastAdjustments(AppDbContext db, ActingAgent actor)
{
    public async Task<List<ForecastAdjustmentResponse>> ListAsync(CancellationToken cancellationToken) =>
        (await db.ForecastAdjustments.AsNoTracking().OrderBy(a => a.FirstDay).ThenBy(a => a.Id).ToListAsync(cancellationToken))
            .ConvertAll(ForecastAdjustmentResponse.From);

    public async Task<Result<ForecastAdjustmentResponse>> AddAsync(ForecastAdjustmentRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (request.FirstDay is null)
        {
            errors.Add("firstDay", "Required: the first day, as yyyy-mm-dd.");
        }

        if (request.LastDay is null)
        {
            errors.Add("lastDay", "Required: the last day (inclusive), as yyyy-mm-dd.");
        }
        else if (request.FirstDay is { } first && (request.LastDay < first || request.LastDay.Value.DayNumber - first.DayNumber >= ForecastAdjustment.MaxDays))
        {
            errors.Add("lastDay", $"On or after the first day, and at most {ForecastAdjustment.MaxDays} days in all.");
        }

        if (request.Multiplier is not (>= 0 and <= ForecastAdjustment.MaxMultiplier))
        {
            errors.Add("multiplier", $"Required: a number from 0 to {ForecastAdjustment.MaxMultiplier} (1.5 for half as much again, 0.2 for a fifth).");
        }

        errors.Required("note", request.Note, ForecastAdjustment.MaxNoteLength);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (request.InboxId is { } inboxId && !await db.Inboxes.AnyAsync(i => i.Id == inboxId, cancellationToken))
        {
            return Failure.Invalid("inboxId", "No inbox of this workspace has this id.");
        }

        if (await db.ForecastAdjustments.CountAsync(cancellationToken) >= ForecastAdjustment.MaxAdjustments)
        {
            return Failure.Conflict($"A workspace has at most {ForecastAdjustment.MaxAdjustments} forecast adjustments; delete past ones first.");
        }

        var adjustment = ForecastAdjustment.Create(actor.WorkspaceId, request.InboxId, request.FirstDay!.Value, request.LastDay!.Value, request.Multiplier!.Value, request.Note!);
        db.Add(adjustment);
        await db.SaveChangesAsync(cancellationToken);
        return ForecastAdjustmentResponse.From(adjustment);
    }

    public async Task<Result<bool>> DeleteAsync(Guid adjustmentId, CancellationToken cancellationToken)
    {
        if (await db.ForecastAdjustments.FirstOrDefaultAsync(a => a.Id == adjustmentId, cancellationToken) is not { } adjustment)
        {
            return Failure.NotFound("The forecast adjustment");
        }

        db.Remove(adjustment);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }
}
