using Porchlight.Server.Features.Agents;

namespace Porchlight.Server.Features.Conversations;

/// <summary>What an open inbox page does with the workspace's live events, on its own renderer thread.</summary>
public interface IInboxEvents
{
    Task OnMessageCreatedAsync(MessageResponse message);

    Task OnMessageUpdatedAsync(MessageResponse message);

    Task OnConversationChangedAsync(ConversationResponse conversation);

    Task OnTypingAsync(AgentTypingNotice notice);

    Task OnReadAsync(AgentReadNotice notice);

    /// <summary>Every page of the workspace hears of a mention; a page acts only on its own agent's.</summary>
    Task OnMentionedAsync(MentionNotice notice);

    Task OnPresenceChangedAsync(PresenceNotice notice);

    Task OnContactChangedAsync(ContactNotice notice);

    /// <summary>Every page of the workspace hears of an SLA alert; a page acts only on its own agent's.</summary>
    Task OnSlaAlertAsync(Sla.SlaAlertNotice notice);

    /// <summary>
    /// Events of other nodes may have been missed (the link between the nodes was down and is back): read again
    /// what the page shows.
    /// </summary>
    Task OnEventsMissedAsync();
}

/// <summary>
/// Subscribes an inbox page to <see cref="LiveInboxFeed"/>. The feed delivers on the publisher's thread (an HTTP
/// request, a hub call, another agent's circuit) and to one listener after another, so this only queues the
/// event on the page's dispatcher and returns: a slow or failing page never delays or breaks the others.
/// The dispatcher runs queued work in order, so the page sees events in the order they were published.
/// </summary>
public sealed class InboxFeedListener(IInboxEvents page, Func<Func<Task>, Task> dispatch, ILogger logger) : IAgentClient, IFeedGapListener
{
    public Task EventsMissed() => Queue(page.OnEventsMissedAsync);

    public Task MessageCreated(MessageResponse message) => Queue(() => page.OnMessageCreatedAsync(message));

    public Task MessageUpdated(MessageResponse message) => Queue(() => page.OnMessageUpdatedAsync(message));

    public Task ConversationChanged(ConversationResponse conversation) => Queue(() => page.OnConversationChangedAsync(conversation));

    public Task Typing(AgentTypingNotice notice) => Queue(() => page.OnTypingAsync(notice));

    public Task Read(AgentReadNotice notice) => Queue(() => page.OnReadAsync(notice));

    public Task Mentioned(MentionNotice notice) => Queue(() => page.OnMentionedAsync(notice));

    public Task PresenceChanged(PresenceNotice notice) => Queue(() => page.OnPresenceChangedAsync(notice));

    public Task ContactChanged(ContactNotice notice) => Queue(() => page.OnContactChangedAsync(notice));

    public Task SlaAlert(Sla.SlaAlertNotice notice) => Queue(() => page.OnSlaAlertAsync(notice));

    private Task Queue(Func<Task> work)
    {
        _ = RunAsync(work);
        return Task.CompletedTask;
    }

    private async Task RunAsync(Func<Task> work)
    {
        try
        {
            await dispatch(work);
        }
        catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException)
        {
            // The page closed between the publish and its turn; nothing to show.
        }
#pragma warning disable CA1031 // A page that failed to show a live event catches up on its next refresh; the publisher must not see it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogWarning(e, "An inbox page could not apply a live event.");
        }
    }
}
