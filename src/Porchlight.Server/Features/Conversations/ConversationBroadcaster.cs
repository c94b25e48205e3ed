using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting.Cluster;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Features.Widget;

namespace Porchlight.Server.Features.Conversations;

/// <summary>
/// The one place that decides who hears about a change of a conversation: the agents who may see its inbox (hub
/// connections and open agent-app pages; <see cref="InboxAudience"/>), and the conversation's contact on the visitor
/// hub, who never hears of private notes. Called after the change was committed; a failed broadcast loses nothing,
/// because clients catch up by sequence when they reconnect.
/// </summary>
public sealed class ConversationBroadcaster(
    IHubContext<AgentHub, IAgentClient> agents,
    IHubContext<VisitorHub, IVisitorClient> visitors,
    LiveInboxFeed feed,
    InboxAudience audience,
    TenantScope tenant,
    IServiceProvider services,
    ILogger<ConversationBroadcaster> logger)
{
    // The context (and NoteMentions, which uses it) is taken from the scope only when a broadcast needs it:
    // most broadcasts (every chat message) do not, and creating a context per announcement was measurable.
    private AppDbContext Db => services.GetRequiredService<AppDbContext>();

    public Task MessageCreatedAsync(ConversationResponse conversation, MessageResponse message) => SafelyAsync(async () =>
    {
        await ToViewersAsync(conversation.InboxId, async client =>
        {
            await client.MessageCreated(message);
            await client.ConversationChanged(conversation);
        });
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
        await ToViewersAsync(conversation.InboxId, client => client.MessageUpdated(message));
        if (message.Kind is MessageKind.Incoming or MessageKind.Outgoing)
        {
            await visitors.Clients.Group(VisitorHub.ContactGroup(conversation.InboxId, conversation.Contact.Id)).MessageUpdated(VisitorMessage.From(message));
        }
    });

    public Task AgentTypingAsync(Guid conversationId, Guid agentId, string name, bool isTyping, CancellationToken cancellationToken) =>
        SafelyAsync(async () =>
        {
            if (await ContactOfAsync(conversationId, cancellationToken) is not { } owner)
            {
                return;
            }

            var notice = new AgentTypingNotice(conversationId, "agent", agentId, name, isTyping);
            await ToViewersAsync(owner.InboxId, client => client.Typing(notice));
            await visitors.Clients.Group(VisitorHub.ContactGroup(owner.InboxId, owner.ContactId)).Typing(new TypingNotice(conversationId, name, isTyping));
        });

    public Task ContactTypingAsync(Guid conversationId, Guid inboxId, string name, bool isTyping) => SafelyAsync(async () =>
    {
        var notice = new AgentTypingNotice(conversationId, "contact", null, name, isTyping);
        await ToViewersAsync(inboxId, client => client.Typing(notice));
    });

    /// <summary>An agent read up to <paramref name="sequence"/>: the visitor sees "Seen", teammates see it read.</summary>
    public Task ReadByAgentAsync(Guid conversationId, Guid inboxId, Guid contactId, long sequence) => SafelyAsync(async () =>
    {
        var notice = new AgentReadNotice(conversationId, "agent", sequence);
        await ToViewersAsync(inboxId, client => client.Read(notice));
        await visitors.Clients.Group(VisitorHub.ContactGroup(inboxId, contactId)).Read(new ReadNotice(conversationId, sequence));
    });

    public Task ReadByContactAsync(Guid conversationId, Guid inboxId, long sequence) => SafelyAsync(async () =>
    {
        var notice = new AgentReadNotice(conversationId, "contact", sequence);
        await ToViewersAsync(inboxId, client => client.Read(notice));
    });

    /// <summary>Agents see a conversation change that is not a message: its contact, after an identify merged two.</summary>
    public Task ConversationChangedAsync(ConversationResponse conversation) => SafelyAsync(async () =>
    {
        await ToViewersAsync(conversation.InboxId, client => client.ConversationChanged(conversation));
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

    /// <summary>
    /// Sends a conversation's event to the agents who may see its inbox: its hub's workspace group when that is
    /// everyone (one message, however many agents), else each of them by agent id; and the pages of this node alike.
    /// </summary>
    private async Task ToViewersAsync(Guid inboxId, Func<IAgentClient, Task> send)
    {
        var viewers = await audience.OfAsync(inboxId, CancellationToken.None);
        await send(viewers.Everyone
            ? agents.Clients.Group(AgentHub.WorkspaceGroup(tenant.WorkspaceId ?? Guid.Empty))
            : agents.Clients.Users([.. viewers.AgentIds.Select(id => id.ToString())]));
        await feed.PublishAsync(tenant.WorkspaceId, send, viewers.Everyone ? null : viewers.AgentIds);
    }

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

/// <summary>A listener of <see cref="LiveInboxFeed"/> told when events of other nodes may have been missed.</summary>
public interface IFeedGapListener
{
    Task EventsMissed();
}

/// <summary>
/// Live events for agent-app pages, the same events the agent hub carries: a page subscribes for its workspace and
/// receives them like a hub client would. A page lives on one node; what is published on another reaches it over
/// the cluster bus, and when the bus was down and is back, every page is told to read again what it shows.
/// </summary>
public sealed class LiveInboxFeed
{
    private const string Topic = "inbox-feed";
    private static readonly ClientContract Contract = ClientContract.Of(typeof(IAgentClient));

    // Each workspace's listeners, with the agent whose page each one is.
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<IAgentClient, Guid>> _listeners = new();
    private readonly IClusterBus _bus;
    private readonly JsonSerializerOptions _json;

    public LiveInboxFeed(IClusterBus bus, IOptions<JsonHubProtocolOptions> json)
    {
        _bus = bus;
        _json = json.Value.PayloadSerializerOptions;
        bus.Subscribe(Topic, DeliverFromAnotherNodeAsync);
        bus.Rejoined += (_, _) => TellOfMissedEvents();
    }

    public IDisposable Subscribe(Guid workspaceId, Guid agentId, IAgentClient listener)
    {
        var listeners = _listeners.GetOrAdd(workspaceId, _ => new());
        listeners[listener] = agentId;
        return new Subscription(() => listeners.TryRemove(listener, out _));
    }

    /// <param name="agentIds">The agents whose pages hear it (those who may see a conversation's inbox); null: every page.</param>
    public async Task PublishAsync(Guid? workspaceId, Func<IAgentClient, Task> deliver, IReadOnlySet<Guid>? agentIds = null)
    {
        if (workspaceId is not { } id)
        {
            return;
        }

        await DeliverHereAsync(id, deliver, agentIds);
        if (_bus.IsShared)
        {
            await _bus.PublishAsync(Topic, JsonSerializer.Serialize(
                new SharedFeedEvent(id, agentIds, ClientContract.Record(deliver, _json))));
        }
    }

    private async Task DeliverHereAsync(Guid workspaceId, Func<IAgentClient, Task> deliver, IReadOnlySet<Guid>? agentIds)
    {
        if (!_listeners.TryGetValue(workspaceId, out var listeners))
        {
            return;
        }

        foreach (var (listener, agentId) in listeners)
        {
            if (agentIds is null || agentIds.Contains(agentId))
            {
                await deliver(listener);
            }
        }
    }

    private Task DeliverFromAnotherNodeAsync(string payload)
    {
        var shared = JsonSerializer.Deserialize<SharedFeedEvent>(payload) ?? throw new JsonException("An empty live event.");
        return DeliverHereAsync(shared.WorkspaceId, async listener =>
        {
            foreach (var call in shared.Calls)
            {
                await Contract.InvokeAsync(listener, call, _json);
            }
        }, shared.AgentIds);
    }

    // The hub's clients are closed to reconnect and catch up by sequence; a page has no connection to close, so it is
    // told instead. Listeners queue the reload on their page and return, so this loop does not wait for pages.
    private void TellOfMissedEvents()
    {
        foreach (var listener in _listeners.Values.SelectMany(listeners => listeners.Keys).OfType<IFeedGapListener>())
        {
            _ = listener.EventsMissed();
        }
    }

    private sealed record SharedFeedEvent(Guid WorkspaceId, IReadOnlySet<Guid>? AgentIds, IReadOnlyList<ClientCall> Calls);

    private sealed class Subscription(Action unsubscribe) : IDisposable
    {
        public void Dispose() => unsubscribe();
    }
}
