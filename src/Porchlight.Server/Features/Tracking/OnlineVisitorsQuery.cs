using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Contacts;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Tracking;

/// <summary>
/// A visitor on the site now. <c>inView</c> is false when the page was hidden (another tab, a closed window) after it
/// was shown. <c>contactId</c>, <c>contactName</c> and <c>conversationId</c> (their latest) once they opened the chat.
/// </summary>
public sealed record OnlineVisitorResponse(
    Guid InboxId,
    string VisitorKey,
    Guid? ContactId,
    string? ContactName,
    Guid? ConversationId,
    string? Url,
    string? Title,
    bool InView,
    DateTime PageSince,
    DateTime VisitStartedAt,
    DateTime LastSeenAt,
    bool IsReturning,
    int Visits,
    string Browser,
    string Os,
    string Device,
    string? Country);

/// <summary>The workspace's visitors on its sites now (see LiveVisitors), with the contacts they chat as.</summary>
public sealed class OnlineVisitorsQuery(AppDbContext db, ActingAgent actor, LiveVisitors live)
{
    public async Task<List<OnlineVisitorResponse>> HandleAsync(Guid? inboxId, CancellationToken cancellationToken)
    {
        var online = live.Online(actor.WorkspaceId, inboxId);
        var contactIds = online.Where(v => v.ContactId is not null).Select(v => v.ContactId!.Value).Distinct().ToList();
        var contacts = contactIds.Count == 0
            ? []
            : await db.Contacts.AsNoTracking().Where(c => contactIds.Contains(c.Id))
                .Select(c => new { c.Id, c.Name, c.Email }).ToDictionaryAsync(c => c.Id, cancellationToken);
        var conversations = contactIds.Count == 0
            ? []
            : (await db.Conversations.AsNoTracking().Where(c => contactIds.Contains(c.ContactId))
                .Select(c => new { c.ContactId, c.Id, c.LastActivityAt }).ToListAsync(cancellationToken))
                .GroupBy(c => c.ContactId).ToDictionary(g => g.Key, g => g.MaxBy(c => c.LastActivityAt)!.Id);
        return online.Select(v =>
        {
            // A contact removed since (or of another workspace, which cannot happen) is shown as an anonymous visitor.
            var contact = v.ContactId is { } id && contacts.TryGetValue(id, out var found) ? found : null;
            return new OnlineVisitorResponse(
                v.InboxId, v.VisitorKey, contact?.Id, contact is null ? null : Contact.NameFor(contact.Id, contact.Name, contact.Email),
                contact is not null && conversations.TryGetValue(contact.Id, out var conversationId) ? conversationId : null,
                v.Url, v.Title, v.InView, v.PageSince, v.VisitStartedAt, v.LastSeenAt, v.IsReturning, v.Visits, v.Browser, v.Os, v.Device, v.Country);
        }).ToList();
    }
}
