using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Retention;

public sealed record LegalHoldRequest(string? Reason);

public sealed record LegalHoldResponse(
    Guid Id, Guid? ContactId, Guid? ConversationId, string Reason, Guid? PlacedByAgentId, string PlacedByName, DateTime PlacedAt)
{
    public static LegalHoldResponse From(LegalHold hold) =>
        new(hold.Id, hold.ContactId, hold.ConversationId, hold.Reason, hold.PlacedByAgentId, hold.PlacedByName, hold.PlacedAt);
}

/// <summary>What holds a conversation: its own hold and its contact's.</summary>
public sealed record ConversationHolds(Guid ContactId, LegalHoldResponse? Conversation, LegalHoldResponse? Contact)
{
    public bool Held => Conversation is not null || Contact is not null;
}

/// <summary>
/// Places and releases legal holds on contacts and conversations. Each placement, change of reason and release is in the
/// audit trail (<c>legal_hold.created</c>, <c>.updated</c>, <c>.deleted</c>) with the contact or conversation, the
/// reason and who placed it.
/// </summary>
public sealed class LegalHolds(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    public async Task<Result<LegalHoldResponse>> PlaceOnContactAsync(Guid contactId, LegalHoldRequest request, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } invalid)
        {
            return invalid;
        }

        if (!await db.Contacts.AnyAsync(c => c.Id == contactId, cancellationToken))
        {
            return Failure.NotFound("Contact");
        }

        var hold = await db.LegalHolds.FirstOrDefaultAsync(h => h.ContactId == contactId, cancellationToken)
            ?? db.LegalHolds.Add(LegalHold.OnContact(actor.WorkspaceId, contactId, "", actor.AgentId, actor.Name, clock.GetUtcNow().UtcDateTime)).Entity;
        return await SaveAsync(hold, request, cancellationToken);
    }

    public async Task<Result<LegalHoldResponse>> PlaceOnConversationAsync(Guid conversationId, LegalHoldRequest request, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } invalid)
        {
            return invalid;
        }

        if (!await db.Conversations.AnyAsync(c => c.Id == conversationId, cancellationToken))
        {
            return Failure.NotFound("Conversation");
        }

        var hold = await db.LegalHolds.FirstOrDefaultAsync(h => h.ConversationId == conversationId, cancellationToken)
            ?? db.LegalHolds.Add(LegalHold.OnConversation(actor.WorkspaceId, conversationId, "", actor.AgentId, actor.Name, clock.GetUtcNow().UtcDateTime)).Entity;
        return await SaveAsync(hold, request, cancellationToken);
    }

    /// <summary>Releases the contact's hold; releasing a contact that is not held does nothing.</summary>
    public async Task<Result<Done>> ReleaseContactAsync(Guid contactId, CancellationToken cancellationToken)
    {
        if (!await db.Contacts.AnyAsync(c => c.Id == contactId, cancellationToken))
        {
            return Failure.NotFound("Contact");
        }

        return await ReleaseAsync(await db.LegalHolds.FirstOrDefaultAsync(h => h.ContactId == contactId, cancellationToken), cancellationToken);
    }

    /// <summary>Releases the conversation's own hold (its contact's stays); releasing one that is not held does nothing.</summary>
    public async Task<Result<Done>> ReleaseConversationAsync(Guid conversationId, CancellationToken cancellationToken)
    {
        if (!await db.Conversations.AnyAsync(c => c.Id == conversationId, cancellationToken))
        {
            return Failure.NotFound("Conversation");
        }

        return await ReleaseAsync(await db.LegalHolds.FirstOrDefaultAsync(h => h.ConversationId == conversationId, cancellationToken), cancellationToken);
    }

    /// <summary>The contact's hold, or null.</summary>
    public async Task<LegalHoldResponse?> OfContactAsync(Guid contactId, CancellationToken cancellationToken) =>
        await db.LegalHolds.AsNoTracking().Where(h => h.ContactId == contactId).FirstOrDefaultAsync(cancellationToken) is { } hold
            ? LegalHoldResponse.From(hold)
            : null;

    /// <summary>The holds on a conversation and on its contact; null when the conversation is not found.</summary>
    public async Task<ConversationHolds?> OfConversationAsync(Guid conversationId, CancellationToken cancellationToken)
    {
        if (await db.Conversations.AsNoTracking().Where(c => c.Id == conversationId).Select(c => new { c.ContactId }).FirstOrDefaultAsync(cancellationToken) is not { } conversation)
        {
            return null;
        }

        var holds = await db.LegalHolds.AsNoTracking().Where(h => h.ConversationId == conversationId || h.ContactId == conversation.ContactId)
            .ToListAsync(cancellationToken);
        return new ConversationHolds(
            conversation.ContactId,
            holds.Find(h => h.ConversationId == conversationId) is { } own ? LegalHoldResponse.From(own) : null,
            holds.Find(h => h.ContactId == conversation.ContactId) is { } contact ? LegalHoldResponse.From(contact) : null);
    }

    /// <summary>Every hold of the workspace, oldest first.</summary>
    public async Task<Result<Page<LegalHoldResponse>>> ListAsync(PageRequest page, CancellationToken cancellationToken) =>
        await db.LegalHolds.AsNoTracking().ToPageAsync(page, h => h.Id, LegalHoldResponse.From, cancellationToken);

    /// <summary>What each hold is on, as the app names it: the contact's name, or the conversation's number and contact.</summary>
    public async Task<Dictionary<Guid, string>> SubjectsAsync(IReadOnlyList<LegalHoldResponse> holds, CancellationToken cancellationToken)
    {
        var contactIds = holds.Where(h => h.ContactId is not null).Select(h => h.ContactId!.Value).ToList();
        var conversationIds = holds.Where(h => h.ConversationId is not null).Select(h => h.ConversationId!.Value).ToList();
        var contacts = await db.Contacts.AsNoTracking().Where(k => contactIds.Contains(k.Id)).Select(k => new { k.Id, k.Name, k.Email })
            .ToDictionaryAsync(k => k.Id, k => Contacts.Contact.NameFor(k.Id, k.Name, k.Email), cancellationToken);
        var conversations = await db.Conversations.AsNoTracking().Where(c => conversationIds.Contains(c.Id))
            .Select(c => new { c.Id, c.Number, Contact = db.Contacts.Where(k => k.Id == c.ContactId).Select(k => new { k.Id, k.Name, k.Email }).FirstOrDefault() })
            .ToListAsync(cancellationToken);
        var subjects = new Dictionary<Guid, string>();
        foreach (var hold in holds)
        {
            if (hold.ContactId is { } contactId && contacts.TryGetValue(contactId, out var name))
            {
                subjects[hold.Id] = name;
            }
            else if (conversations.Find(c => c.Id == hold.ConversationId) is { } conversation)
            {
                subjects[hold.Id] = $"Conversation #{conversation.Number}"
                    + (conversation.Contact is { } contact ? $" with {Contacts.Contact.NameFor(contact.Id, contact.Name, contact.Email)}" : "");
            }
        }

        return subjects;
    }

    private static Failure? Validate(LegalHoldRequest request)
    {
        var errors = new FieldErrors().Required("reason", request.Reason, LegalHold.MaxReasonLength);
        return errors.Any ? errors.ToFailure() : null;
    }

    private async Task<Result<LegalHoldResponse>> SaveAsync(LegalHold hold, LegalHoldRequest request, CancellationToken cancellationToken)
    {
        hold.Restate(request.Reason!.Trim());
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Placed by someone else at the same moment: theirs stands.
            return Failure.Conflict("A legal hold was placed at the same moment; reload to see it.");
        }

        return LegalHoldResponse.From(hold);
    }

    private async Task<Result<Done>> ReleaseAsync(LegalHold? hold, CancellationToken cancellationToken)
    {
        if (hold is not null)
        {
            db.LegalHolds.Remove(hold);
            await db.SaveChangesAsync(cancellationToken);
        }

        return default(Done);
    }
}
