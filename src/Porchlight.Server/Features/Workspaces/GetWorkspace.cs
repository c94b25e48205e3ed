using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workspaces;

public sealed class GetWorkspace(AppDbContext db, ActingAgent actor)
{
    public async Task<Result<WorkspaceResponse>> HandleAsync(CancellationToken cancellationToken) =>
        WorkspaceResponse.From(await db.Workspaces.AsNoTracking().SingleAsync(w => w.Id == actor.WorkspaceId, cancellationToken));
}
