using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workspaces;

/// <param name="Redaction">The detectors that mask sensitive values in messages before they are stored (docs/privacy.md).</param>
/// <param name="ErasureMode">How a contact is erased when an erasure request does not say (docs/privacy.md#privacy-requests).</param>
/// <param name="RequireTwoFactor">Every agent signs in with an authenticator code; those without one set it up at sign-in.</param>
/// <param name="MinPasswordLength">The fewest characters a new password may have (8 to 128).</param>
public sealed record WorkspaceResponse(
    Guid Id, string Name, string TimeZone, IReadOnlyList<BusinessDay> BusinessHours, DateTime CreatedAt, int AutoAwayMinutes, IReadOnlyList<DateOnly> Holidays,
    decimal? AgentHourlyCost, IReadOnlyList<string> Redaction, Privacy.ErasureMode ErasureMode, bool RequireTwoFactor, int MinPasswordLength)
{
    public static WorkspaceResponse From(Workspace workspace) =>
        new(workspace.Id, workspace.Name, workspace.TimeZone, workspace.BusinessHours.Days, workspace.CreatedAt, workspace.AutoAwayMinutes, workspace.Holidays,
            workspace.AgentHourlyCost, Privacy.PiiDetectorNames.Of(workspace.Redaction), workspace.ErasureMode, workspace.RequireTwoFactor, workspace.MinPasswordLength);
}

public static class WorkspaceRules
{
    public static void TimeZone(string? timeZone, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(timeZone))
        {
            errors.Add("timeZone", "Required, e.g. Europe/Berlin.");
        }
        else if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            errors.Add("timeZone", $"Unknown time zone '{timeZone}'. Use an IANA name such as Europe/Berlin.");
        }
    }

    public static void BusinessHours(IReadOnlyList<BusinessDay> days, FieldErrors errors)
    {
        if (days.Count > Workspace.MaxBusinessPeriods)
        {
            errors.Add("businessHours", $"At most {Workspace.MaxBusinessPeriods} periods a week.");
            return;
        }

        for (var i = 0; i < days.Count; i++)
        {
            var day = days[i];
            if (day is null || !Enum.IsDefined(day.Day))
            {
                errors.Add($"businessHours[{i}].day", "A day of the week, e.g. Monday.");
            }
            else if (day.Opens >= day.Closes)
            {
                errors.Add($"businessHours[{i}].closes", "Must be after the opening time.");
            }
        }

        // Several periods a day are fine (a lunch break between two); periods of one day must not overlap.
        var valid = days.Select((d, i) => (Period: d, Index: i)).Where(p => p.Period is not null && p.Period.Opens < p.Period.Closes);
        foreach (var day in valid.GroupBy(p => p.Period.Day))
        {
            var ordered = day.OrderBy(p => p.Period.Opens).ToList();
            foreach (var (first, second) in ordered.Zip(ordered.Skip(1)).Where(pair => pair.Second.Period.Opens < pair.First.Period.Closes))
            {
                errors.Add($"businessHours[{second.Index}].opens", $"Overlaps the period {first.Period.Opens:HH:mm}–{first.Period.Closes:HH:mm} on {day.Key}.");
            }
        }
    }
}
