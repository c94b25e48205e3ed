using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Quality;

/// <summary>Who may be named a reviewer (of a calibration session, of the weekly sample).</summary>
public static class QualityReviewers
{
    /// <summary>
    /// Null when every id is an agent of the workspace (an active one, with <paramref name="activeOnly"/>) whose role may
    /// review; else what is wrong: an unknown id answers 404, a role that may not review a field error.
    /// </summary>
    public static async Task<Failure?> CheckAsync(AppDbContext db, IReadOnlyCollection<Guid> reviewerIds, bool activeOnly, CancellationToken cancellationToken)
    {
        var reviewers = await db.Agents.AsNoTracking().Include(a => a.CustomRole).Where(a => reviewerIds.Contains(a.Id) && (!activeOnly || a.IsActive))
            .ToListAsync(cancellationToken);
        if (reviewers.Count != reviewerIds.Count)
        {
            return Failure.NotFound("A reviewer");
        }

        return reviewers.TrueForAll(a => a.Holds(Permission.ReviewQuality)) ? null
            : Failure.Invalid("reviewerIds", "Every reviewer must be allowed to review (a supervisor, an admin or the owner).");
    }
}
