using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Contacts;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Widget;

/// <summary>
/// Live events for one widget visitor: the messages, typing and read state of their own conversations.
/// The connection joins only its contact's group, so nothing of another visitor can reach it.
/// </summary>
[Authorize(AuthenticationSchemes = VisitorAuthenticationHandler.SchemeName)]
public sealed class VisitorHub(TenantScope tenant, AppDbContext db, ConversationBroadcaster broadcaster) : Hub<IVisitorClient>
{
    public const string Path = "/hubs/visitor";

    /// <summary>The largest message a visitor's connection may send; a larger one closes the connection.</summary>
    public const long MaxMessageBytes = 4 * 1024;

    /// <summary>
    /// One contact's connections in one inbox. Identify in an inbox that does not verify identity yields a
    /// token for a known contact; scoping the group to the inbox keeps that token from hearing the
    /// contact's conversations in inboxes that do verify.
    /// </summary>
    public static string ContactGroup(Guid inboxId, Guid contactId) => $"contact:{inboxId:N}:{contactId:N}";

    public override async Task OnConnectedAsync()
    {
        if (VisitorIdentity.From(Context.User!) is not { } visitor)
        {
            Context.Abort();
            return;
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, ContactGroup(visitor.InboxId, visitor.ContactId));
        await base.OnConnectedAsync();
    }

    /// <summary>Tells the agents that the visitor is typing (or stopped) in one of their conversations.</summary>
    public async Task Typing(Guid conversationId, bool isTyping)
    {
        if (VisitorIdentity.From(Context.User!) is not { } visitor)
        {
            return;
        }

        tenant.Enter(visitor.WorkspaceId);
        var owned = await db.Conversations
            .Where(c => c.Id == conversationId && c.ContactId == visitor.ContactId && c.InboxId == visitor.InboxId)
            .Select(c => new { c.ContactId })
            .FirstOrDefaultAsync(Context.ConnectionAborted);
        if (owned is null)
        {
            return;
        }

        var contact = await db.Contacts.Where(c => c.Id == visitor.ContactId)
            .Select(c => new { c.Name, c.Email }).FirstOrDefaultAsync(Context.ConnectionAborted);
        await broadcaster.ContactTypingAsync(conversationId, visitor.InboxId, Contact.NameFor(visitor.ContactId, contact?.Name, contact?.Email), isTyping);
    }
}
