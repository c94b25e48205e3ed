using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Agents;

/// <summary>
/// Live presence for an app page that shows agents but not conversations. It listens to <see cref="LiveInboxFeed"/>
/// through <see cref="InboxFeedListener"/>, which runs each event on the page's dispatcher and keeps a failing
/// page away from the publisher, and ignores everything but presence. <c>reload</c> reads the page's agents again
/// when presence changes of other nodes may have been missed.
/// </summary>
public sealed class PresenceEvents(Func<PresenceNotice, Task> changed, Func<Task> reload) : IInboxEvents
{
    public static IDisposable Subscribe(
        LiveInboxFeed feed, Guid workspaceId, Func<PresenceNotice, Task> changed, Func<Task> reload, Func<Func<Task>, Task> dispatch, ILogger logger) =>
        // As nobody's page: it hears the workspace's events (presence among them), never a conversation's.
        feed.Subscribe(workspaceId, Guid.Empty, new InboxFeedListener(new PresenceEvents(changed, reload), dispatch, logger));

    public Task OnPresenceChangedAsync(PresenceNotice notice) => changed(notice);

    public Task OnEventsMissedAsync() => reload();

    public Task OnMessageCreatedAsync(MessageResponse message) => Task.CompletedTask;

    public Task OnMessageUpdatedAsync(MessageResponse message) => Task.CompletedTask;

    public Task OnConversationChangedAsync(ConversationResponse conversation) => Task.CompletedTask;

    public Task OnTypingAsync(AgentTypingNotice notice) => Task.CompletedTask;

    public Task OnReadAsync(AgentReadNotice notice) => Task.CompletedTask;

    public Task OnMentionedAsync(MentionNotice notice) => Task.CompletedTask;

    public Task OnContactChangedAsync(ContactNotice notice) => Task.CompletedTask;

    public Task OnSlaAlertAsync(Sla.SlaAlertNotice notice) => Task.CompletedTask;
}
