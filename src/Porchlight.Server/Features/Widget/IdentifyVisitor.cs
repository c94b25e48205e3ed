using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Contacts;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Widget;

public sealed record IdentifyRequest(string? UserId, string? Email, string? Name, Dictionary<string, string>? Attributes, string? UserHash);

/// <summary>The identified visitor's new token; <c>visitorId</c> equals <c>contactId</c> once a visitor is identified.</summary>
public sealed record IdentifyResponse(string VisitorToken, Guid VisitorId, Guid ContactId);

/// <summary>
/// The host site says who its signed-in user is. The visitor becomes the contact with that external id
/// (created on first sight); an anonymous visitor's conversations and details move there and the
/// anonymous contact is removed, all in one transaction. With identity verification the claim must carry
/// the user hash the site's server computed, so nobody can read a user's conversations by naming their id.
/// </summary>
public sealed class IdentifyVisitor(
    AppDbContext db, TenantScope tenant, VisitorTokens tokens, IdentitySecrets secrets, ConversationBroadcaster broadcaster, TimeProvider clock)
{
    // Concurrent identifies of one user or one visitor collide on the unique external id or on the removed
    // anonymous row; the next attempt sees what the winner committed.
    private const int Attempts = 3;

    public async Task<Result<IdentifyResponse>> HandleAsync(VisitorIdentity visitor, IdentifyRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .Required("userId", request.UserId, Contact.MaxExternalIdLength)
            .MaxLength("name", request.Name, Contact.MaxNameLength);
        if (!string.IsNullOrWhiteSpace(request.Email))
        {
            errors.Email("email", request.Email);
        }

        CustomAttributes.Validate(errors, "attributes", request.Attributes);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        // The id is signed exactly as the site sent it, so it is stored exactly so too.
        var userId = request.UserId!;
        tenant.Enter(visitor.WorkspaceId);
        if (await db.Inboxes.AsNoTracking().FirstOrDefaultAsync(i => i.Id == visitor.InboxId, cancellationToken) is not { } inbox)
        {
            return Failure.NotFound("The inbox");
        }

        var userHash = string.IsNullOrEmpty(request.UserHash) ? null : request.UserHash;
        if (userHash is null && inbox.RequireIdentityVerification)
        {
            return Failure.Forbidden(
                "This inbox requires identity verification: send userHash, the lowercase hex HMAC-SHA256 of userId with the inbox's identity secret, computed on your server.");
        }

        // A hash that was sent is checked even where verification is optional: a wrong one is a sign of a
        // misconfigured site or a forgery, and accepting it would make turning verification on break silently.
        if (userHash is not null && !IdentitySecrets.Verify(await secrets.SecretOfAsync(db, inbox, cancellationToken), userId, userHash))
        {
            return Failure.Forbidden("The userHash does not match this userId for this inbox's identity secret.");
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var (known, moved) = await MergeAsync(visitor, userId, request, cancellationToken);
                await broadcaster.ConversationsMovedAsync(known, moved);

                var identified = new VisitorIdentity(visitor.WorkspaceId, visitor.InboxId, known.Id, Identified: true);
                return new IdentifyResponse(tokens.Issue(identified), known.Id, known.Id);
            }
            catch (DbUpdateException) when (attempt < Attempts)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<(Contact Known, List<Conversation> Moved)> MergeAsync(
        VisitorIdentity visitor, string userId, IdentifyRequest request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var known = await db.Contacts.FirstOrDefaultAsync(c => c.ExternalId == userId, cancellationToken)
            ?? db.Contacts.Add(Contact.Create(visitor.WorkspaceId, userId, now)).Entity;
        List<Conversation> moved = [];
        Contact? anonymous = null;
        // Only an anonymous visitor's history merges: an identified visitor naming another user (a shared
        // computer, a sign-out the site did not report) simply becomes that user.
        // A visitor without a contact row yet has history too (files uploaded for a first message, pages, articles
        // read); one whose contact another system has since named by its own id is that customer, and keeps it.
        if (!visitor.Identified && visitor.ContactId != known.Id
            && await db.Contacts.FirstOrDefaultAsync(c => c.Id == visitor.ContactId, cancellationToken) is var visitorContact
            && visitorContact is null or { ExternalId: null })
        {
            anonymous = visitorContact;
            moved = await ContactHistory.MoveAsync(db, visitor.ContactId, known, cancellationToken);
            if (anonymous is not null)
            {
                known.Absorb(anonymous, now);
            }
        }

        known.Describe(request.Name, request.Email, request.Attributes, now);
        await db.SaveChangesAsync(cancellationToken);
        if (anonymous is not null)
        {
            // Removed only after its conversations point elsewhere: the foreign key cascades deletes.
            db.Contacts.Remove(anonymous);
            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return (known, moved);
    }
}
