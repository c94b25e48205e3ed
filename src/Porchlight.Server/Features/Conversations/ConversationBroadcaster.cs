using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Widget;

namespace Porchlight.Server.Features.Conversations;

/// <summary>
/// The one place that decides who hears about a change of a conversation: the workspace's agents (hub
/// connections and open agent-app pages), and the conversation's contact on the visitor hub, who never
/// hears of private notes. Called after the change was committed; a failed broadcast loses nothing,
/// because clients catch up by sequence when they reconnect.
/// </summary>
public sealed class ConversationBroadcaster(
    IHubContext<AgentHub, IAgentClient> agents,
    IHubContext<VisitorHub, IVisitorClient> visitors,
    LiveInboxFeed feed,
    TenantScope tenant,
    IServiceProvider services,
    ILogger<ConversationBroadcaster> logger)
{
    // The context (and NoteMentions, which uses it) is taken from the scope only when a broadcast needs it:
    // most broadcasts (every chat message) do not, and creating a context per announcement was measurable.
    private AppDbContext Db => services.GetRequiredService<AppDbContext>();

    public Task MessageCreatedAsync(ConversationResponse conversation, MessageResponse message) => SafelyAsync(async () =>
    {
        var group = AgentHub.WorkspaceGroup(tenant.WorkspaceId ?? Guid.Empty);
        await agents.Clients.Group(group).MessageCreated(message);
        await agents.Clients.Group(group).ConversationChanged(conversation);
        var contact = visitors.Clients.Group(VisitorHub.ContactGroup(conversation.InboxId, conversation.Contact.Id));
        if (message.Kind is MessageKind.Incoming or MessageKind.Outgoing)
        {
            await contact.MessageCreated(VisitorMessage.From(message));
        }
        else if (message.Kind == MessageKind.Activity)
        {
            // The visitor does not see activities, only what they changed: resolved, reopened.
            await contact.ConversationUpdated(new ConversationNotice(conversation.Id, conversation.Status.ToString().ToLowerInvariant()));
        }

        await feed.PublishAsync(tenant.WorkspaceId, async listener =>
        {
            await listener.MessageCreated(message);
            await listener.ConversationChanged(conversation);
        });
        await MentionedAsync(conversation, message, []);
    });

    /// <summary>
    /// Each agent a note newly mentions hears it, and nobody else: on the agent hub by their agent id (all
    /// their connections, any workspace group aside), and on their open agent-app pages.
    /// </summary>
    public Task MentionedAsync(ConversationResponse conversation, MessageResponse note, IReadOnlyCollection<Guid> alreadyMentioned) =>
        note.Kind != MessageKind.Note ? Task.CompletedTask : SafelyAsync(async () =>
        {
            foreach (var notice in await services.GetRequiredService<NoteMentions>().NoticesAsync(conversation, note, alreadyMentioned, CancellationToken.None))
            {
                await agents.Clients.User(notice.AgentId.ToString()).Mentioned(notice);
                await feed.PublishAsync(tenant.WorkspaceId, listener => listener.Mentioned(notice));
            }
        });

    /// <summary>Each notice goes to its supervisor only: their hub connections and their open agent-app pages.</summary>
    public Task SlaAlertAsync(Guid workspaceId, IReadOnlyList<Sla.SlaAlertNotice> notices) => SafelyAsync(async () =>
    {
        foreach (var notice in notices)
        {
            await agents.Clients.User(notice.AgentId.ToString()).SlaAlert(notice);
            await feed.PublishAsync(workspaceId, listener => listener.SlaAlert(notice));
        }
    });

    public Task MessageUpdatedAsync(ConversationResponse conversation, MessageResponse message) => SafelyAsync(async () =>
    {
        await agents.Clients.Group(AgentHub.WorkspaceGroup(tenant.WorkspaceId ?? Guid.Empty)).MessageUpdated(message);
        if (message.Kind is MessageKind.Incoming or MessageKind.Outgoing)
        {
            await visitors.Clients.Group(VisitorHub.ContactGroup(conversation.InboxId, conversation.Contact.Id)).MessageUpdated(VisitorMessage.From(message));
        }

        await feed.PublishAsync(tenant.WorkspaceId, listener => listener.MessageUpdated(message));
    });

    public Task AgentTypingAsync(Guid conversationId, Guid agentId, string name, bool isTyping, CancellationToken cancellationToken) =>
        SafelyAsync(async () =>
        {
            if (await ContactOfAsync(conversationId, cancellationToken) is not { } owner)
            {
                return;
            }

            var notice = new AgentTypingNotice(conversationId, "agent", agentId, name, isTyping);
            await agents.Clients.Group(AgentHub.WorkspaceGroup(tenant.WorkspaceId ?? Guid.Empty)).Typing(notice);
            await visitors.Clients.Group(VisitorHub.ContactGroup(owner.InboxId, owner.ContactId)).Typing(new TypingNotice(conversationId, name, isTyping));
            await feed.PublishAsync(tenant.WorkspaceId, listener => listener.Typing(notice));
        });

    public Task ContactTypingAsync(Guid conversationId, string name, bool isTyping) => SafelyAsync(async () =>
    {
        var notice = new AgentTypingNotice(conversationId, "contact", null, name, isTyping);
        await agents.Clients.Group(AgentHub.WorkspaceGroup(tenant.WorkspaceId ?? Guid.Empty)).Typing(notice);
        await feed.PublishAsync(tenant.WorkspaceId, listener => listener.Typing(notice));
    });

    /// <summary>An agent read up to <paramref name="sequence"/>: the visitor sees "Seen", teammates see it read.</summary>
    public Task ReadByAgentAsync(Guid conversationId, Guid inboxId, Guid contactId, long sequence) => SafelyAsync(async () =>
    {
        var notice = new AgentReadNotice(conversationId, "agent", sequence);
        await agents.Clients.Group(AgentHub.WorkspaceGroup(tenant.WorkspaceId ?? Guid.Empty)).Read(notice);
        await visitors.Clients.Group(VisitorHub.ContactGroup(inboxId, contactId)).Read(new ReadNotice(conversationId, sequence));
        await feed.PublishAsync(tenant.WorkspaceId, listener => listener.Read(notice));
    });

    public Task ReadByContactAsync(Guid conversationId, long sequence) => SafelyAsync(async () =>
    {
        var notice = new AgentReadNotice(conversationId, "contact", sequence);
        await agents.Clients.Group(AgentHub.WorkspaceGroup(tenant.WorkspaceId ?? Guid.Empty)).Read(notice);
        await feed.PublishAsync(tenant.WorkspaceId, listener => listener.Read(notice));
    });

    /// <summary>Agents see a conversation change that is not a message: its contact, after an identify merged two.</summary>
    public Task ConversationChangedAsync(ConversationResponse conversation) => SafelyAsync(async () =>
    {
        await agents.Clients.Group(AgentHub.WorkspaceGroup(tenant.WorkspaceId ?? Guid.Empty)).ConversationChanged(conversation);
        await feed.PublishAsync(tenant.WorkspaceId, listener => listener.ConversationChanged(conversation));
    });

    /// <summary>
    /// Agents see conversations that now belong to <paramref name="contact"/> (an identify or a merge moved them) and the
    /// contact's new details.
    /// </summary>
    public async Task ConversationsMovedAsync(Contacts.Contact contact, IEnumerable<Conversation> moved)
    {
        foreach (var conversation in moved)
        {
            await ConversationChangedAsync(ConversationResponse.From(conversation, contact));
        }

        await ContactChangedAsync(contact.Id);
    }

    /// <summary>Agents see a contact's new name, email or attributes beside its conversations.</summary>
    public Task ContactChangedAsync(Guid contactId) => SafelyAsync(async () =>
    {
        var notice = new ContactNotice(contactId);
        await agents.Clients.Group(AgentHub.WorkspaceGroup(tenant.WorkspaceId ?? Guid.Empty)).ContactChanged(notice);
        await feed.PublishAsync(tenant.WorkspaceId, listener => listener.ContactChanged(notice));
    });

    private async Task<(Guid InboxId, Guid ContactId)?> ContactOfAsync(Guid conversationId, CancellationToken cancellationToken) =>
        await Db.Conversations.Where(c => c.Id == conversationId).Select(c => new { c.InboxId, c.ContactId }).FirstOrDefaultAsync(cancellationToken)
            is { } found ? (found.InboxId, found.ContactId) : null;

    private async Task SafelyAsync(Func<Task> broadcast)
    {
        try
        {
            await broadcast();
        }
#pragma warning disable CA1031 // The change is committed; a client that missed this catches up on reconnect.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogWarning(e, "A live update could not be sent.");
        }
    }
}

/// <summary>
/// Live events for agent-app pages of this node, the same events the agent hub carries: a page subscribes
/// for its workspace and receives them like a hub client would.
/// </summary>
public sealed class LiveInboxFeed
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<IAgentClient, byte>> _listeners = new();

    public IDisposable Subscribe(Guid workspaceId, IAgentClient listener)
    {
        var listeners = _listeners.GetOrAdd(workspaceId, _ => new());
        listeners[listener] = 0;
        return new Subscription(() => listeners.TryRemove(listener, out _));
    }

    public async Task PublishAsync(Guid? workspaceId, Func<IAgentClient, Task> deliver)
    {
        if (workspaceId is not { } id || !_listeners.TryGetValue(id, out var listeners))
        {
            return;
        }

        foreach (var listener in listeners.Keys)
        {
            await deliver(listener);
        }
    }

    private sealed class Subscription(Action unsubscribe) : IDisposable
    {
        public void Dispose() => unsubscribe();
    }
}
