using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workspaces;

public sealed record WorkspaceResponse(
    Guid Id, string Name, string TimeZone, IReadOnlyList<BusinessDay> BusinessHours, DateTime CreatedAt, int AutoAwayMinutes, IReadOnlyList<DateOnly> Holidays)
{
    public static WorkspaceResponse From(Workspace workspace) =>
        new(workspace.Id, workspace.Name, workspace.TimeZone, workspace.BusinessHours.Days, workspace.CreatedAt, workspace.AutoAwayMinutes, workspace.Holidays);
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
        if (days.Where(d => d is not null && d.Opens < d.Closes).GroupBy(d => d.Day)
            .Any(g => g.OrderBy(d => d.Opens).Zip(g.OrderBy(d => d.Opens).Skip(1)).Any(pair => pair.Second.Opens < pair.First.Closes)))
        {
            errors.Add("businessHours", "Periods of the same day must not overlap.");
        }
    }
}
