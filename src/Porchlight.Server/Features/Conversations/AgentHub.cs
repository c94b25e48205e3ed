using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Conversations;

public sealed record AgentTypingNotice(Guid ConversationId, string Who, Guid? AgentId, string Name, bool IsTyping);

public sealed record AgentReadNotice(Guid ConversationId, string Reader, long Sequence);

/// <summary>A contact's name, email or attributes changed (the site identified the visitor or sent attributes).</summary>
public sealed record ContactNotice(Guid ContactId);

/// <summary>What the agent hub sends to agents' apps and integrations.</summary>
public interface IAgentClient
{
    Task MessageCreated(MessageResponse message);

    Task MessageUpdated(MessageResponse message);

    Task ConversationChanged(ConversationResponse conversation);

    Task Typing(AgentTypingNotice notice);

    Task Read(AgentReadNotice notice);

    /// <summary>A teammate mentioned this agent in a private note; sent to the mentioned agent only.</summary>
    Task Mentioned(MentionNotice notice);

    /// <summary>A teammate's presence changed (Online, Away, Offline): they connected, chose a status, or left.</summary>
    Task PresenceChanged(PresenceNotice notice);

    /// <summary>
    /// A contact changed (identified, new attributes) or did something on the site: read it again with
    /// <c>GET /api/v1/contacts/{id}</c> and <c>GET /api/v1/contacts/{id}/activity</c>.
    /// </summary>
    Task ContactChanged(ContactNotice notice);

    /// <summary>A conversation's SLA is at risk or breached and its policy notifies supervisors; sent to each supervisor only.</summary>
    Task SlaAlert(Sla.SlaAlertNotice notice);
}

/// <summary>
/// Live events of a workspace for signed-in agents and API clients (an API token in
/// <c>Authorization: Bearer</c>, or <c>access_token</c> where headers cannot be set). Writes go through the REST API.
/// </summary>
[Authorize]
public sealed class AgentHub(ActingAgent actor, ConversationBroadcaster broadcaster, AgentPresence presence) : Hub<IAgentClient>
{
    public const string Path = "/hubs/agent";
    private const string PresenceKey = "presence";

    public static string WorkspaceGroup(Guid workspaceId) => $"workspace:{workspaceId:N}";

    public override async Task OnConnectedAsync()
    {
        if (!Enter())
        {
            Context.Abort();
            return;
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, WorkspaceGroup(actor.WorkspaceId));
        Context.Items[PresenceKey] = (actor.WorkspaceId, actor.AgentId);
        await presence.ConnectedAsync(actor.WorkspaceId, actor.AgentId);
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.TryGetValue(PresenceKey, out var value) && value is (Guid workspaceId, Guid agentId))
        {
            await presence.DisconnectedAsync(workspaceId, agentId);
        }

        await base.OnDisconnectedAsync(exception);
    }

    /// <summary>Tells the contact (and teammates) that this agent is typing in a conversation.</summary>
    public async Task Typing(Guid conversationId, bool isTyping)
    {
        if (Enter())
        {
            await presence.ActiveAsync(actor.WorkspaceId, actor.AgentId);
            await broadcaster.AgentTypingAsync(conversationId, actor.AgentId, actor.Name, isTyping, Context.ConnectionAborted);
        }
    }

    private bool Enter() => actor.Enter(Context.User ?? new(), Context.GetHttpContext()?.Connection.RemoteIpAddress?.ToString())
        && actor.Can(Permission.ViewConversations);
}
