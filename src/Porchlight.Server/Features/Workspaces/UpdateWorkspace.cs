using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workspaces;

/// <summary>
/// The workspace's settings; <c>AutoAwayMinutes</c>, <c>Holidays</c>, <c>AgentHourlyCost</c>, <c>Redaction</c> and
/// <c>ErasureMode</c> left out stay as they are (a cost of 0 clears it; an empty <c>Redaction</c> masks nothing).
/// </summary>
/// <param name="Redaction">The detectors to switch on, by name: PaymentCard, Iban, NationalId, Secret (docs/privacy.md).</param>
/// <param name="ErasureMode">How a contact is erased when an erasure request does not say: Anonymize or Delete.</param>
public sealed record UpdateWorkspaceRequest(
    string? Name, string? TimeZone, IReadOnlyList<BusinessDay>? BusinessHours, int? AutoAwayMinutes = null, IReadOnlyList<DateOnly>? Holidays = null,
    decimal? AgentHourlyCost = null, IReadOnlyList<string?>? Redaction = null, Privacy.ErasureMode? ErasureMode = null);

public sealed class UpdateWorkspace(AppDbContext db, ActingAgent actor, Sla.SlaClocks slaClocks, TimeProvider clock)
{
    public async Task<Result<WorkspaceResponse>> HandleAsync(UpdateWorkspaceRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Required("name", request.Name, Workspace.MaxNameLength);
        WorkspaceRules.TimeZone(request.TimeZone, errors);
        if (request.BusinessHours is null)
        {
            errors.Add("businessHours", "Required: a list of days with opening and closing times (empty when always closed).");
        }
        else
        {
            WorkspaceRules.BusinessHours(request.BusinessHours, errors);
        }

        // At least a few minutes: activity is reported at most once a minute, so a shorter wait would catch agents at work.
        if (request.AutoAwayMinutes is { } minutes && minutes != 0 && minutes is < Workspace.MinAutoAwayMinutes or > Workspace.MaxAutoAwayMinutes)
        {
            errors.Add("autoAwayMinutes", $"0 (never) or {Workspace.MinAutoAwayMinutes} to {Workspace.MaxAutoAwayMinutes} minutes.");
        }

        if (request.AgentHourlyCost is < 0 or > Workspace.MaxAgentHourlyCost)
        {
            errors.Add("agentHourlyCost", $"From 0 (none) to {Workspace.MaxAgentHourlyCost:0}.");
        }

        if (request.Holidays is { Count: > Workspace.MaxHolidays })
        {
            errors.Add("holidays", $"At most {Workspace.MaxHolidays} days.");
        }

        var redaction = request.Redaction is { } names ? Privacy.PiiDetectorNames.Parse(names, "redaction", errors) : (Privacy.PiiDetectors?)null;
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var workspace = await db.Workspaces.SingleAsync(w => w.Id == actor.WorkspaceId, cancellationToken);
        var calendarBefore = workspace.Calendar();
        var calendarKeyBefore = workspace.CalendarKey();
        workspace.ChangeSettings(request.Name!, request.TimeZone!, new BusinessHours([.. request.BusinessHours!.OrderBy(d => d.Day).ThenBy(d => d.Opens)]));
        workspace.SetAutoAway(request.AutoAwayMinutes ?? workspace.AutoAwayMinutes);
        workspace.SetHolidays(request.Holidays ?? workspace.Holidays);
        workspace.SetRedaction(redaction ?? workspace.Redaction);
        workspace.SetErasureMode(request.ErasureMode ?? workspace.ErasureMode);
        if (request.AgentHourlyCost is { } cost)
        {
            workspace.SetAgentHourlyCost(cost);
        }
        // Running SLA clocks counted in business hours fall due by the new hours, in the same commit.
        await slaClocks.FollowCalendarAsync(calendarBefore, workspace.Calendar(), cancellationToken);
        if (workspace.CalendarKey() != calendarKeyBefore)
        {
            // The reports' business times and days follow the new calendar: every conversation's facts are worked out again.
            workspace.RequestFactsRecompute(clock.GetUtcNow().UtcDateTime);
        }

        await db.SaveChangesAsync(cancellationToken);
        return WorkspaceResponse.From(workspace);
    }
}
