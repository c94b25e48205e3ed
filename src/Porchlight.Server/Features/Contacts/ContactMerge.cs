using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Contacts;

public sealed record ContactMergeRequest(Guid? DuplicateId);

/// <summary>Contacts that look like one customer: the same email, or the same name.</summary>
public sealed record DuplicateGroup(string Reason, string Value, IReadOnlyList<ContactView> Contacts);

/// <summary>
/// Two contacts that are one customer become one: the kept contact takes the duplicate's conversations, notes, files,
/// browsers and articles read, and the details it lacks; the duplicate is removed. Suggests likely duplicates.
/// </summary>
public sealed class ContactMerge(
    AppDbContext db, ActingAgent actor, Audit.AuditActor auditActor, ConversationBroadcaster broadcaster, TimeProvider clock)
{
    public const int MaxGroups = 50;
    public const int MaxGroupSize = 10;

    public async Task<Result<ContactView>> MergeAsync(Guid contactId, ContactMergeRequest request, CancellationToken cancellationToken)
    {
        if (ContactManagers.Refuse(actor) is { } refused)
        {
            return refused;
        }

        if (await db.Contacts.FirstOrDefaultAsync(c => c.Id == contactId, cancellationToken) is not { } kept)
        {
            return Failure.NotFound("The contact");
        }

        if (request.DuplicateId is not { } duplicateId || duplicateId == contactId)
        {
            return Failure.Invalid("duplicateId", "Name another contact to merge into this one.");
        }

        if (await db.Contacts.FirstOrDefaultAsync(c => c.Id == duplicateId, cancellationToken) is not { } duplicate)
        {
            return Failure.Invalid("duplicateId", "No contact of this workspace has this id.");
        }

        if (kept.ExternalId is not null && duplicate.ExternalId is not null)
        {
            return Failure.Conflict(
                "Both contacts are known to another system by their own external id; merging would leave one of those records without its contact. Merge them there first.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var externalId = duplicate.ExternalId;
        List<Conversation> moved;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            moved = await ContactHistory.MoveAsync(db, duplicate.Id, kept, cancellationToken);
            kept.Absorb(duplicate, now);
            kept.Merged(duplicate);
            db.AuditEntries.Add(Audit.AuditEntry.Create(actor.WorkspaceId, now, auditActor, "contacts.merged", "contact", kept.Id.ToString(),
                System.Text.Json.JsonSerializer.Serialize(new { mergedContactId = duplicate.Id, mergedExternalId = externalId, mergedEmail = duplicate.Email, conversations = moved.Count })));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                return Failure.Conflict("The contacts each have a conversation begun with the same client id, so they cannot be one contact's.");
            }

            // Removed only once nothing points at it (the foreign keys cascade); its external id is free only then.
            db.Contacts.Remove(duplicate);
            await db.SaveChangesAsync(cancellationToken);
            if (externalId is not null)
            {
                kept.TakeExternalId(externalId, now);
                await db.SaveChangesAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        await broadcaster.ConversationsMovedAsync(kept, moved);
        return ContactView.From(kept);
    }

    /// <summary>
    /// Groups of contacts with the same email, then with the same name (ignoring case), most recently seen first; only
    /// groups in which a merge can happen (at least one contact without an external id), each contact in one group.
    /// </summary>
    public async Task<IReadOnlyList<DuplicateGroup>> SuggestAsync(CancellationToken cancellationToken)
    {
        var byEmail = await db.Contacts.AsNoTracking().Where(c => c.Email != null)
            .GroupBy(c => c.Email!).Where(g => g.Count() > 1 && g.Any(c => c.ExternalId == null))
            .OrderByDescending(g => g.Max(c => c.LastSeenAt)).Select(g => g.Key).Take(MaxGroups).ToListAsync(cancellationToken);
        var byName = await db.Contacts.AsNoTracking().Where(c => c.Name != null)
            .GroupBy(c => c.Name!.ToLower()).Where(g => g.Count() > 1 && g.Any(c => c.ExternalId == null))
            .OrderByDescending(g => g.Max(c => c.LastSeenAt)).Select(g => g.Key).Take(MaxGroups).ToListAsync(cancellationToken);

        var groups = new List<DuplicateGroup>();
        var grouped = new HashSet<Guid>();
        foreach (var email in byEmail)
        {
            groups.Add(await GroupAsync("email", email, db.Contacts.Where(c => c.Email == email), grouped, cancellationToken));
        }

        foreach (var name in byName)
        {
            // Contacts already suggested by email are not suggested again by name.
            if (await GroupAsync("name", name, db.Contacts.Where(c => c.Name!.ToLower() == name), grouped, cancellationToken) is { Contacts.Count: > 1 } group)
            {
                groups.Add(group);
            }
        }

        return [.. groups.Take(MaxGroups)];
    }

    private static async Task<DuplicateGroup> GroupAsync(string reason, string value, IQueryable<Contact> members, HashSet<Guid> grouped, CancellationToken cancellationToken)
    {
        var contacts = (await members.AsNoTracking().OrderByDescending(c => c.LastSeenAt).Take(MaxGroupSize).ToListAsync(cancellationToken))
            .Where(c => grouped.Add(c.Id)).Select(ContactView.From).ToList();
        return new DuplicateGroup(reason, value, contacts);
    }
}
