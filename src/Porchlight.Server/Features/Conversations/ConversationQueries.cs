using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Conversations;

/// <summary>Which conversations a list shows, relative to the agent asking.</summary>
public enum ConversationView
{
    All,
    Mine,
    Unassigned,
}

public enum ConversationSort
{
    /// <summary>Most recent activity first.</summary>
    Newest,

    /// <summary>The contact who has waited longest for an answer first.</summary>
    OldestWaiting,

    /// <summary>Urgent first, then by most recent activity.</summary>
    Priority,
}

public sealed record ConversationFilter(
    ConversationView View = ConversationView.All,
    ConversationStatus? Status = ConversationStatus.Open,
    Guid? InboxId = null,
    Guid? TeamId = null,
    string? Label = null,
    ConversationPriority? Priority = null,
    string? Search = null,
    ConversationSort Sort = ConversationSort.Newest,
    int Limit = 50,
    int Offset = 0);

/// <summary>Open conversations per view, for the counts next to the inbox's filters.</summary>
public sealed record ConversationCounts(int Mine, int Unassigned, int All);

public sealed record ConversationList(IReadOnlyList<ConversationResponse> Items, int Total, ConversationCounts Counts);

public sealed record ContactConversation(Guid Id, int Number, ConversationStatus Status, string LastMessagePreview, DateTime LastActivityAt);

/// <summary>The company a contact is in, as the inbox shows it.</summary>
public sealed record ContactCompany(Guid Id, string Name, string? Domain);

public sealed record ContactResponse(
    Guid Id,
    string Name,
    string? Email,
    string? ExternalId,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<string> Tags,
    ContactCompany? Company,
    DateTime CreatedAt,
    DateTime LastSeenAt,
    IReadOnlyList<ContactConversation> Conversations,
    DateTime? ErasedAt = null);

/// <summary>The agent inbox's reads: the filtered list, one conversation, its messages, its contact.</summary>
public sealed class ConversationQueries(AppDbContext db, ActingAgent actor, MessageLog log, MessageViews views)
{
    public const int MaxLimit = 200;
    public const int MaxSearchLength = 100;

    public async Task<Result<ConversationList>> ListAsync(ConversationFilter filter, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().MaxLength("search", filter.Search, MaxSearchLength);
        if (filter.Limit is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"Between 1 and {MaxLimit}.");
        }

        if (filter.Offset < 0)
        {
            errors.Add("offset", "0 or more.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var query = db.Conversations.AsNoTracking();
        query = filter.View switch
        {
            ConversationView.Mine => query.Where(c => c.AssigneeId == actor.AgentId),
            ConversationView.Unassigned => query.Where(c => c.AssigneeId == null),
            _ => query,
        };
        if (filter.Status is { } status)
        {
            query = query.Where(c => c.Status == status);
        }

        if (filter.InboxId is { } inboxId)
        {
            query = query.Where(c => c.InboxId == inboxId);
        }

        if (filter.TeamId is { } teamId)
        {
            query = query.Where(c => c.TeamId == teamId);
        }

        if (filter.Priority is { } priority)
        {
            query = query.Where(c => c.Priority == priority);
        }

        if (!string.IsNullOrWhiteSpace(filter.Label))
        {
            var label = filter.Label.Trim().ToLowerInvariant();
            query = query.Where(c => c.Labels.Contains(label));
        }

        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var term = filter.Search.Trim().ToLowerInvariant();
            query = query.Where(c =>
                db.Contacts.Any(k => k.Id == c.ContactId && ((k.Name ?? "").ToLower().Contains(term) || (k.Email ?? "").ToLower().Contains(term)))
                || db.Messages.Any(m => m.ConversationId == c.Id && m.Text.ToLower().Contains(term)));
        }

        var total = await query.CountAsync(cancellationToken);
        var ordered = filter.Sort switch
        {
            ConversationSort.OldestWaiting => query.OrderBy(c => c.LastContactMessageAt == null).ThenBy(c => c.LastContactMessageAt).ThenBy(c => c.Id),
            // Priorities are stored by name; rank them explicitly, or the database would sort them alphabetically.
            ConversationSort.Priority => query
                .OrderByDescending(c => c.Priority == ConversationPriority.Urgent ? 4
                    : c.Priority == ConversationPriority.High ? 3
                    : c.Priority == ConversationPriority.Medium ? 2
                    : c.Priority == ConversationPriority.Low ? 1 : 0)
                .ThenByDescending(c => c.LastActivityAt).ThenBy(c => c.Id),
            _ => query.OrderByDescending(c => c.LastActivityAt).ThenByDescending(c => c.Id),
        };
        var page = await ordered.Skip(filter.Offset).Take(filter.Limit)
            .GroupJoin(db.Contacts, c => c.ContactId, k => k.Id, (c, contacts) => new { c, contacts })
            .SelectMany(x => x.contacts.DefaultIfEmpty(), (x, contact) => new { x.c, contact })
            .ToListAsync(cancellationToken);
        return new ConversationList([.. page.Select(x => ConversationResponse.From(x.c, x.contact))], total, await CountsAsync(cancellationToken));
    }

    public async Task<Result<ConversationResponse>> GetAsync(Guid conversationId, CancellationToken cancellationToken)
    {
        var found = await db.Conversations.AsNoTracking().Where(c => c.Id == conversationId)
            .Select(c => new { c, contact = db.Contacts.FirstOrDefault(k => k.Id == c.ContactId) })
            .FirstOrDefaultAsync(cancellationToken);
        return found is null ? Failure.NotFound("The conversation") : ConversationResponse.From(found.c, found.contact);
    }

    public async Task<Result<List<MessageResponse>>> MessagesAsync(Guid conversationId, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return Failure.Invalid("limit", $"Between 1 and {MaxLimit}.");
        }

        if (await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == conversationId, cancellationToken) is not { } conversation)
        {
            return Failure.NotFound("The conversation");
        }

        var messages = await log.ReadAsync(conversationId, Math.Max(0, afterSequence), limit, forContact: false, cancellationToken);
        return await views.DescribeAsync(conversation, messages, cancellationToken);
    }

    public async Task<Result<ContactResponse>> ContactAsync(Guid contactId, CancellationToken cancellationToken)
    {
        if (await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId, cancellationToken) is not { } contact)
        {
            return Failure.NotFound("The contact");
        }

        var conversations = await db.Conversations.AsNoTracking().Where(c => c.ContactId == contactId)
            .OrderByDescending(c => c.LastActivityAt).Take(20)
            .Select(c => new ContactConversation(c.Id, c.Number, c.Status, c.LastMessagePreview, c.LastActivityAt))
            .ToListAsync(cancellationToken);
        var company = await db.Companies.AsNoTracking().Where(c => c.Id == contact.CompanyId)
            .Select(c => new ContactCompany(c.Id, c.Name, c.Domain)).FirstOrDefaultAsync(cancellationToken);
        return new ContactResponse(
            contact.Id, contact.DisplayName, contact.Email, contact.ExternalId, contact.Attributes, contact.Tags, company, contact.CreatedAt, contact.LastSeenAt, conversations,
            contact.ErasedAt);
    }

    private async Task<ConversationCounts> CountsAsync(CancellationToken cancellationToken)
    {
        var open = db.Conversations.Where(c => c.Status == ConversationStatus.Open);
        var counts = await open.GroupBy(_ => 1).Select(g => new
        {
            Mine = g.Count(c => c.AssigneeId == actor.AgentId),
            Unassigned = g.Count(c => c.AssigneeId == null),
            All = g.Count(),
        }).FirstOrDefaultAsync(cancellationToken);
        return counts is null ? new ConversationCounts(0, 0, 0) : new ConversationCounts(counts.Mine, counts.Unassigned, counts.All);
    }
}
