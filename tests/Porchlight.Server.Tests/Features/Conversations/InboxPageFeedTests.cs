using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting.Cluster;
using Porchlight.Server.Tests.Hosting;

namespace Porchlight.Server.Tests.Features.Conversations;

/// <summary>Open inbox pages receive the workspace's live events; a failing page never holds up the others.</summary>
public sealed class InboxPageFeedTests
{
    private static readonly MessageResponse Message = new(
        Guid.CreateVersion7(), Guid.CreateVersion7(), 1, "client-0001", MessageKind.Incoming,
        new MessageAuthor("contact", Guid.CreateVersion7(), "Ada"), "Hello", DateTime.UtcNow, null, null, []);

    [Fact]
    public async Task Feed_PageThatThrows_DoesNotStopDeliveryToTheNextPage()
    {
        var feed = new LiveInboxFeed(new SingleNodeBus(), Options.Create(new JsonHubProtocolOptions()));
        var workspace = Guid.CreateVersion7();
        var broken = new RecordingPage { Throws = true };
        var healthy = new RecordingPage();
        using var first = feed.Subscribe(workspace, Guid.CreateVersion7(), new InboxFeedListener(broken, work => work(), NullLogger.Instance));
        using var second = feed.Subscribe(workspace, Guid.CreateVersion7(), new InboxFeedListener(healthy, work => work(), NullLogger.Instance));

        await feed.PublishAsync(workspace, listener => listener.MessageCreated(Message));

        Assert.Equal([Message.Id], healthy.Received);
        Assert.Equal([Message.Id], broken.Received);
    }

    [Fact]
    public async Task Feed_SlowPage_DoesNotMakeThePublisherWait()
    {
        var feed = new LiveInboxFeed(new SingleNodeBus(), Options.Create(new JsonHubProtocolOptions()));
        var workspace = Guid.CreateVersion7();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new RecordingPage { Gate = gate.Task };
        using var subscription = feed.Subscribe(workspace, Guid.CreateVersion7(), new InboxFeedListener(slow, work => Task.Run(work), NullLogger.Instance));

        var publish = feed.PublishAsync(workspace, listener => listener.MessageCreated(Message));

        Assert.True(publish.IsCompletedSuccessfully, "the publisher returned before the page finished");
        gate.SetResult();
        await Eventually.WaitUntilAsync(() => slow.Received.Count == 1, "the page applies the event once it can");
    }

    [Fact]
    public async Task Feed_AfterUnsubscribe_ThePageHearsNothing()
    {
        var feed = new LiveInboxFeed(new SingleNodeBus(), Options.Create(new JsonHubProtocolOptions()));
        var workspace = Guid.CreateVersion7();
        var page = new RecordingPage();
        var subscription = feed.Subscribe(workspace, Guid.CreateVersion7(), new InboxFeedListener(page, work => work(), NullLogger.Instance));

        subscription.Dispose();
        await feed.PublishAsync(workspace, listener => listener.MessageCreated(Message));

        Assert.Empty(page.Received);
    }

    [Fact]
    public async Task Feed_EventForTheAgentsWhoMaySeeAnInbox_ReachesOnlyTheirPages()
    {
        var feed = new LiveInboxFeed(new SingleNodeBus(), Options.Create(new JsonHubProtocolOptions()));
        var workspace = Guid.CreateVersion7();
        var (member, outsider) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var (memberPage, outsiderPage) = (new RecordingPage(), new RecordingPage());
        using var first = feed.Subscribe(workspace, member, new InboxFeedListener(memberPage, work => work(), NullLogger.Instance));
        using var second = feed.Subscribe(workspace, outsider, new InboxFeedListener(outsiderPage, work => work(), NullLogger.Instance));

        await feed.PublishAsync(workspace, listener => listener.MessageCreated(Message), new HashSet<Guid> { member });

        Assert.Equal([Message.Id], memberPage.Received);
        Assert.Empty(outsiderPage.Received);
    }

    private sealed class RecordingPage : IInboxEvents
    {
        public List<Guid> Received { get; } = [];

        public bool Throws { get; init; }

        public Task Gate { get; init; } = Task.CompletedTask;

        public async Task OnMessageCreatedAsync(MessageResponse message)
        {
            await Gate;
            lock (Received)
            {
                Received.Add(message.Id);
            }

            if (Throws)
            {
                throw new InvalidOperationException("This page is broken.");
            }
        }

        public Task OnMessageUpdatedAsync(MessageResponse message) => Task.CompletedTask;

        public Task OnConversationChangedAsync(ConversationResponse conversation) => Task.CompletedTask;

        public Task OnTypingAsync(AgentTypingNotice notice) => Task.CompletedTask;

        public Task OnReadAsync(AgentReadNotice notice) => Task.CompletedTask;

        public Task OnMentionedAsync(MentionNotice notice) => Task.CompletedTask;

        public Task OnPresenceChangedAsync(Server.Features.Agents.PresenceNotice notice) => Task.CompletedTask;

        public Task OnContactChangedAsync(ContactNotice notice) => Task.CompletedTask;

        public Task OnSlaAlertAsync(Porchlight.Server.Features.Sla.SlaAlertNotice notice) => Task.CompletedTask;

        public Task OnEventsMissedAsync() => Task.CompletedTask;
    }
}
