using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.CannedResponses;

/// <summary>The canned responses an agent can use, found by shortcut, title or text, for the composer's picker and the settings page.</summary>
public sealed class ListCannedResponses(AppDbContext db, ActingAgent actor)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
    public const int MaxSearchLength = 100;

    public async Task<Result<List<CannedResponseResponse>>> HandleAsync(string? search, string? folder, int? limit, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().MaxLength("search", search, MaxSearchLength).MaxLength("folder", folder, CannedResponse.MaxFolderLength);
        if (limit is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"Between 1 and {MaxLimit}.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var query = db.CannedResponses.AsNoTracking().VisibleTo(actor);
        if (!string.IsNullOrWhiteSpace(folder))
        {
            var name = folder.Trim();
            query = query.Where(c => c.Folder == name);
        }

        // A composer types "/ref" to find refund-policy.
        var term = search?.Trim().TrimStart('/').ToLowerInvariant() ?? "";
        if (term.Length > 0)
        {
            query = query.Where(c => c.Shortcut.Contains(term) || c.Title.ToLower().Contains(term) || c.Text.ToLower().Contains(term));
        }

        var found = await query
            // Shortcuts that start with the term first, then the rest; shared before personal on a tie.
            .OrderBy(c => !c.Shortcut.StartsWith(term))
            .ThenBy(c => c.Shortcut).ThenBy(c => c.OwnerAgentId != null).ThenBy(c => c.Id)
            .Take(limit ?? DefaultLimit)
            .ToListAsync(cancellationToken);
        return found.Select(CannedResponseResponse.From).ToList();
    }
}
