using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workspaces;

/// <summary>
/// The workspace's settings; <c>AutoAwayMinutes</c>, <c>Holidays</c>, <c>AgentHourlyCost</c>, <c>Redaction</c>,
/// <c>ErasureMode</c>, <c>RequireTwoFactor</c> and <c>MinPasswordLength</c> left out stay as they are (a cost of 0 clears
/// it; an empty <c>Redaction</c> masks nothing).
/// </summary>
/// <param name="Redaction">The detectors to switch on, by name: PaymentCard, Iban, NationalId, Secret (docs/privacy.md).</param>
/// <param name="ErasureMode">How a contact is erased when an erasure request does not say: Anonymize or Delete.</param>
/// <param name="RequireTwoFactor">
/// Every agent signs in with an authenticator code. Switching it on needs the caller to have two-factor sign-in
/// themselves, and signs out the agents who have not set it up: they set it up at their next sign-in.
/// </param>
/// <param name="MinPasswordLength">The fewest characters of a new password, 8 to 128 (passwords already set stay).</param>
public sealed record UpdateWorkspaceRequest(
    string? Name, string? TimeZone, IReadOnlyList<BusinessDay>? BusinessHours, int? AutoAwayMinutes = null, IReadOnlyList<DateOnly>? Holidays = null,
    decimal? AgentHourlyCost = null, IReadOnlyList<string?>? Redaction = null, Privacy.ErasureMode? ErasureMode = null, bool? RequireTwoFactor = null,
    int? MinPasswordLength = null);

public sealed class UpdateWorkspace(AppDbContext db, ActingAgent actor, Sla.SlaClocks slaClocks, TimeProvider clock, SignIn.AgentSessions sessions)
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
        if (request.MinPasswordLength is < Workspace.LowestMinPasswordLength or > Workspace.HighestMinPasswordLength)
        {
            errors.Add("minPasswordLength", $"From {Workspace.LowestMinPasswordLength} to {Workspace.HighestMinPasswordLength} characters.");
        }

        var workspace = await db.Workspaces.SingleAsync(w => w.Id == actor.WorkspaceId, cancellationToken);
        var requiresTwoFactorNow = request.RequireTwoFactor == true && !workspace.RequireTwoFactor;
        // Whoever makes it a rule follows it already: otherwise the rule would first lock out the person setting it.
        if (requiresTwoFactorNow && !await db.Agents.Where(a => a.Id == actor.AgentId).Select(a => a.TwoFactorEnabled).FirstOrDefaultAsync(cancellationToken))
        {
            errors.Add("requireTwoFactor", "Set up two-factor sign-in for yourself first, on your profile page.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var calendarBefore = workspace.Calendar();
        var calendarKeyBefore = workspace.CalendarKey();
        workspace.ChangeSettings(request.Name!, request.TimeZone!, new BusinessHours([.. request.BusinessHours!.OrderBy(d => d.Day).ThenBy(d => d.Opens)]));
        workspace.SetAutoAway(request.AutoAwayMinutes ?? workspace.AutoAwayMinutes);
        workspace.SetHolidays(request.Holidays ?? workspace.Holidays);
        workspace.SetRedaction(redaction ?? workspace.Redaction);
        workspace.SetErasureMode(request.ErasureMode ?? workspace.ErasureMode);
        workspace.SetSignInPolicy(request.RequireTwoFactor ?? workspace.RequireTwoFactor, request.MinPasswordLength ?? workspace.MinPasswordLength);
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
        if (requiresTwoFactorNow)
        {
            // Agents signed in without a second factor are signed out: their next sign-in asks them to set one up.
            await sessions.EndWithoutTwoFactorAsync(workspace.Id, cancellationToken);
        }

        return WorkspaceResponse.From(workspace);
    }
}
