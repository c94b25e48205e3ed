using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workspaces;

public sealed record WorkspaceResponse(Guid Id, string Name, string TimeZone, IReadOnlyList<BusinessDay> BusinessHours, DateTime CreatedAt)
{
    public static WorkspaceResponse From(Workspace workspace) =>
        new(workspace.Id, workspace.Name, workspace.TimeZone, workspace.BusinessHours.Days, workspace.CreatedAt);
}

public sealed record UpdateWorkspaceRequest(string? Name, string? TimeZone, IReadOnlyList<BusinessDay>? BusinessHours);

public sealed class GetWorkspace(AppDbContext db, ActingAgent actor)
{
    public async Task<Result<WorkspaceResponse>> HandleAsync(CancellationToken cancellationToken) =>
        WorkspaceResponse.From(await db.Workspaces.AsNoTracking().SingleAsync(w => w.Id == actor.WorkspaceId, cancellationToken));
}

public sealed class UpdateWorkspace(AppDbContext db, ActingAgent actor)
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

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var workspace = await db.Workspaces.SingleAsync(w => w.Id == actor.WorkspaceId, cancellationToken);
        workspace.ChangeSettings(request.Name!, request.TimeZone!, new BusinessHours([.. request.BusinessHours!.OrderBy(d => d.Day)]));
        await db.SaveChangesAsync(cancellationToken);
        return WorkspaceResponse.From(workspace);
    }
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
