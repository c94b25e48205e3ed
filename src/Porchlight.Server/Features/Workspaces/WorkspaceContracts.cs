using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workspaces;

public sealed record WorkspaceResponse(Guid Id, string Name, string TimeZone, IReadOnlyList<BusinessDay> BusinessHours, DateTime CreatedAt, int AutoAwayMinutes)
{
    public static WorkspaceResponse From(Workspace workspace) =>
        new(workspace.Id, workspace.Name, workspace.TimeZone, workspace.BusinessHours.Days, workspace.CreatedAt, workspace.AutoAwayMinutes);
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

        if (days.Where(d => d is not null).GroupBy(d => d.Day).Any(g => g.Count() > 1))
        {
            errors.Add("businessHours", "Each day may appear once.");
        }
    }
}
