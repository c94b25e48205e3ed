using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.DashboardApps;

/// <summary>
/// An app as sent. <c>url</c>: an absolute https URL (http only on localhost/127.0.0.1, for development), not on
/// Porchlight's own origin. <c>position</c>: 0–999, lower first beside the conversation; left out, a new app goes
/// last and a changed one stays where it is.
/// </summary>
public sealed record DashboardAppRequest(string? Name, string? Url, int? Position = null);

/// <summary>An app shown beside every conversation; <c>origin</c> is what its messages come from and go to.</summary>
public sealed record DashboardAppView(Guid Id, string Name, string Url, string Origin, int Position, DateTime CreatedAt)
{
    public static DashboardAppView From(DashboardApp app) =>
        new(app.Id, app.Name, app.Url, WebOrigin.Of(new Uri(app.Url)), app.Position, app.CreatedAt);
}

/// <summary>The workspace's dashboard apps: read by every agent beside a conversation, kept by those who manage the workspace.</summary>
public sealed class DashboardApps(AppDbContext db, ActingAgent actor, PublicUrls urls, TimeProvider clock)
{
    public async Task<List<DashboardAppView>> ListAsync(CancellationToken cancellationToken) =>
        (await db.DashboardApps.AsNoTracking().OrderBy(a => a.Position).ThenBy(a => a.Id).ToListAsync(cancellationToken)).ConvertAll(DashboardAppView.From);

    public async Task<Result<DashboardAppView>> CreateAsync(DashboardAppRequest request, CancellationToken cancellationToken)
    {
        if (Check(request) is { } invalid)
        {
            return invalid;
        }

        if (await db.DashboardApps.CountAsync(cancellationToken) >= DashboardApp.MaxPerWorkspace)
        {
            return Failure.Conflict($"A workspace has at most {DashboardApp.MaxPerWorkspace} dashboard apps.");
        }

        var last = await db.DashboardApps.MaxAsync(a => (int?)a.Position, cancellationToken);
        var app = DashboardApp.Create(actor.WorkspaceId, clock.GetUtcNow().UtcDateTime);
        app.Change(request.Name!.Trim(), request.Url!.Trim(), request.Position ?? Math.Min((last ?? -1) + 1, DashboardApp.MaxPosition));
        db.DashboardApps.Add(app);
        await db.SaveChangesAsync(cancellationToken);
        return DashboardAppView.From(app);
    }

    public async Task<Result<DashboardAppView>> UpdateAsync(Guid appId, DashboardAppRequest request, CancellationToken cancellationToken)
    {
        if (await db.DashboardApps.FirstOrDefaultAsync(a => a.Id == appId, cancellationToken) is not { } app)
        {
            return NotFound;
        }

        if (Check(request) is { } invalid)
        {
            return invalid;
        }

        app.Change(request.Name!.Trim(), request.Url!.Trim(), request.Position ?? app.Position);
        await db.SaveChangesAsync(cancellationToken);
        return DashboardAppView.From(app);
    }

    public async Task<Result<Done>> DeleteAsync(Guid appId, CancellationToken cancellationToken)
    {
        if (await db.DashboardApps.FirstOrDefaultAsync(a => a.Id == appId, cancellationToken) is not { } app)
        {
            return NotFound;
        }

        // Removed through the change tracker, not ExecuteDelete: the audit trail records what was deleted.
        db.DashboardApps.Remove(app);
        await db.SaveChangesAsync(cancellationToken);
        return new Done();
    }

    private static Failure NotFound => Failure.NotFound("The dashboard app");

    private Failure? Check(DashboardAppRequest request)
    {
        var errors = new FieldErrors().Required("name", request.Name, DashboardApp.MaxNameLength);
        if (DashboardApp.ProblemWith(request.Url?.Trim(), WebOrigin.Of(new Uri(urls.Base))) is { } problem)
        {
            errors.Add("url", problem);
        }

        if (request.Position is < 0 or > DashboardApp.MaxPosition)
        {
            errors.Add("position", $"From 0 to {DashboardApp.MaxPosition}.");
        }

        return errors.Any ? errors.ToFailure() : null;
    }
}
