using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Teams;

public sealed class DeleteTeam(AppDbContext db)
{
    public async Task<Result<Done>> HandleAsync(Guid teamId, CancellationToken cancellationToken)
    {
        var team = await db.Teams.FirstOrDefaultAsync(t => t.Id == teamId, cancellationToken);
        if (team is null)
        {
            return Failure.NotFound("Team");
        }

        // Its conversations lose their team (the key is set null); those waiting leave its queue with it.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Conversations.AcrossInboxes().Where(c => c.TeamId == teamId && c.QueuedAt != null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.QueuedAt, (DateTime?)null), cancellationToken);
        db.Teams.Remove(team);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return default(Done);
    }
}
