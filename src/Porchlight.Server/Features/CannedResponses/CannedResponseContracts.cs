using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.CannedResponses;

/// <summary>A canned response; <c>shared</c> ones are the workspace's, others belong to <c>ownerAgentId</c>.</summary>
public sealed record CannedResponseResponse(
    Guid Id, string Shortcut, string Title, string Text, string? Folder, bool Shared, Guid? OwnerAgentId, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static CannedResponseResponse From(CannedResponse c) =>
        new(c.Id, c.Shortcut, c.Title, c.Text, c.Folder, c.IsShared, c.OwnerAgentId, c.CreatedAt, c.UpdatedAt);
}

/// <summary>Create: <c>shared</c> (default false) makes a workspace response, which needs an Admin or Owner.</summary>
public sealed record CreateCannedResponseRequest(string? Shortcut, string? Title, string? Text, string? Folder, bool? Shared);

/// <summary>Update: whether a response is shared is decided when it is created.</summary>
public sealed record UpdateCannedResponseRequest(string? Shortcut, string? Title, string? Text, string? Folder);

internal static partial class CannedResponseRules
{
    public static Failure DuplicateShortcut => Failure.Duplicate("shortcut", "This shortcut is already in use.");

    public static Failure NotFound => Failure.NotFound("The canned response");

    public static Failure SharedNeedsAdmin => Failure.Forbidden("Only Admins and Owners manage shared canned responses.");

    /// <summary>The responses an agent may see: the shared ones and their own.</summary>
    public static IQueryable<CannedResponse> VisibleTo(this IQueryable<CannedResponse> responses, ActingAgent actor) =>
        responses.Where(c => c.OwnerAgentId == null || c.OwnerAgentId == actor.AgentId);

    public static bool MayManage(CannedResponse response, ActingAgent actor) =>
        response.IsShared ? actor.Can(Permission.ManageSharedCannedResponses) : response.OwnerAgentId == actor.AgentId;

    /// <summary>Checks and normalizes the fields: the shortcut lowercased, blanks trimmed, an empty folder none.</summary>
    public static Result<(string Shortcut, string Title, string Text, string? Folder)> Fields(string? shortcut, string? title, string? text, string? folder)
    {
        var normalized = shortcut?.Trim().TrimStart('/').ToLowerInvariant() ?? "";
        var errors = new FieldErrors()
            .Required("title", title, CannedResponse.MaxTitleLength)
            .Required("text", text, CannedResponse.MaxTextLength)
            .MaxLength("folder", folder, CannedResponse.MaxFolderLength);
        if (normalized.Length == 0)
        {
            errors.Add("shortcut", "Required.");
        }
        else if (normalized.Length > CannedResponse.MaxShortcutLength || !ShortcutPattern().IsMatch(normalized))
        {
            errors.Add("shortcut", $"1–{CannedResponse.MaxShortcutLength} characters of a–z, 0–9, '-' and '_', like refund-policy.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        // Text is kept as written (only the outer blanks go): it is sent as the agent's message.
        return (normalized, title!.Trim(), text!.Trim(), string.IsNullOrWhiteSpace(folder) ? null : folder.Trim());
    }

    public static Task<bool> ShortcutTakenAsync(AppDbContext db, Guid ownerKey, string shortcut, Guid? exceptId, CancellationToken cancellationToken) =>
        db.CannedResponses.AnyAsync(c => c.OwnerKey == ownerKey && c.Shortcut == shortcut && c.Id != exceptId, cancellationToken);

    /// <summary>Saves; two requests racing for one shortcut both pass the check, the unique index lets one win.</summary>
    public static async Task<Failure?> SaveAsync(AppDbContext db, Guid ownerKey, string shortcut, Guid? exceptId, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateException)
        {
            if (await ShortcutTakenAsync(db, ownerKey, shortcut, exceptId, cancellationToken))
            {
                return DuplicateShortcut;
            }

            throw;
        }
    }

    [GeneratedRegex("^[a-z0-9_-]+$")]
    private static partial Regex ShortcutPattern();
}
