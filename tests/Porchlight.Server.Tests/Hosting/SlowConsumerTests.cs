using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting.Cluster;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Hosting;

/// <summary>
/// One hub client on a slow link does not hold up what is sent to everyone else: it may fall behind by a bounded
/// number of messages, then its connection is closed and it catches up by sequence when it reconnects, like after
/// any dropped network.
/// </summary>
public sealed class SlowConsumerTests
{
    private const int Replies = 400;

    // Far more than the replies take on this machine even under a full test run's load (some seconds), far less than
    // the slow link needs to carry them (minutes): where every send waited for the slowest connection, the node's
    // every conversation moved at that link's pace.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private const int QueueLimit = 20;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AgentHub_OneConnectionOnASlowLink_TheOthersGetEveryMessageAtOnceAndItIsClosedOnceFarBehind()
    {
        await using var factory = new PorchlightFactory(
            settings: new Dictionary<string, string?> { [ClusterHubLifetimeManager<AgentHub>.QueueSetting] = QueueLimit.ToString(CultureInfo.InvariantCulture) },
            // A small send buffer for the server's sockets, as on a machine with many connections: otherwise the kernel
            // takes megabytes for the slow link before anything waits, and the test would need that much more. And
            // no minimum response rate, which drops a reader that falls under it now and then, depending on how the
            // link's window opens: the link here is slow, not idle, and its fate must not rest on that.
            configureServices: services => services
                .Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MinResponseDataRate = null)
                .Configure<SocketTransportOptions>(sockets => sockets.CreateBoundListenSocket = endpoint =>
                {
                    var listener = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
                    listener.SendBufferSize = 16 * 1024;
                    return listener;
                }));
        var address = factory.StartOnKestrel();
        var workspace = await factory.CreateWorkspaceAsync();
        using var owner = new HttpClient { BaseAddress = address };
        owner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", workspace.OwnerToken);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(address, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Where is my order?");
        await using var listening = await HubRecorder.AgentAsync(address, workspace.OwnerToken);
        await using var slow = await SlowLinkClient.ConnectAsync(address, workspace.OwnerToken);

        // Long replies, about 8 KB each: megabytes in all, which the slow link needs minutes to carry.
        var filler = new string('x', 8000);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Replies; i++)
        {
            using var reply = await owner.ReplyAsync(conversationId, $"{i:D4} {filler}");
            await reply.ExpectAsync(HttpStatusCode.Created);
        }

        // The replies were answered, and reached the agent on a fast link, in order, at this machine's pace, not the slow
        // link's.
        await Eventually.WaitUntilAsync(
            () => Task.FromResult(listening.All("MessageCreated").Count() == Replies), "every reply reaches the agent on a fast link", TimeSpan.FromSeconds(15));
        Assert.True(clock.Elapsed < Deadline, $"{Replies} replies took {clock.Elapsed} to be answered and heard");
        var order = listening.All("MessageCreated").Select(m => m.GetProperty("text").GetString()![..4]).ToList();
        Assert.Equal(Enumerable.Range(0, Replies).Select(i => $"{i:D4}"), order);

        // When the link recovers, its client reads what was on its way and finds its connection closed, well short of
        // every reply: the server closed it once it fell too far behind. The client reconnects and reads the rest by
        // sequence.
        slow.LinkRecovers();
        var heard = await slow.Ended.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        Assert.InRange(heard, 0, Replies - QueueLimit);
    }

    /// <summary>
    /// A hub client over a real WebSocket that reads at most 16 KiB four times a second (a poor mobile link, a few KiB/s
    /// to 64 KiB/s by how the frames fall) and pings, as a live client does, until its link recovers.
    /// </summary>
    private sealed class SlowLinkClient : IAsyncDisposable
    {
        private const char RecordSeparator = '\u001e';
        private readonly ClientWebSocket _socket;
        private readonly HttpMessageInvoker _invoker;
        private readonly CancellationTokenSource _stop = new();
        private readonly TaskCompletionSource<int> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _pinging;
        private readonly Task _reading;
        private volatile bool _recovered;

        private SlowLinkClient(ClientWebSocket socket, HttpMessageInvoker invoker)
        {
            _socket = socket;
            _invoker = invoker;
            _pinging = PingAsync();
            _reading = ReadSlowlyAsync();
        }

        /// <summary>Completes when the server ends the connection, with how many MessageCreated events had arrived.</summary>
        public Task<int> Ended => _ended.Task;

        /// <summary>From now on, reads at full speed.</summary>
        public void LinkRecovers() => _recovered = true;

        public static async Task<SlowLinkClient> ConnectAsync(Uri server, string accessToken)
        {
            var invoker = new HttpMessageInvoker(new SocketsHttpHandler
            {
                ConnectCallback = async (context, cancellationToken) =>
                {
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 64 * 1024, NoDelay = true };
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            });
            var socket = new ClientWebSocket();
            var uri = new UriBuilder(new Uri(server, $"/hubs/agent?access_token={Uri.EscapeDataString(accessToken)}")) { Scheme = "ws" }.Uri;
            await socket.ConnectAsync(uri, invoker, Ct);
            await SendAsync(socket, """{"protocol":"json","version":1}""");
            return new SlowLinkClient(socket, invoker);
        }

        private async Task ReadSlowlyAsync()
        {
            var text = new StringBuilder();
            var buffer = new byte[16 * 1024];
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var read = await _socket.ReceiveAsync(buffer, _stop.Token);
                    if (read.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    text.Append(Encoding.UTF8.GetString(buffer, 0, read.Count));
                    if (!_recovered)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(250), _stop.Token);
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException)
            {
                // Aborted by the server without a close message: the connection ended all the same.
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ended.TrySetResult(text.ToString().Split(RecordSeparator).Count(record => record.Contains("\"target\":\"MessageCreated\"", StringComparison.Ordinal)));
        }

        private async Task PingAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    await SendAsync(_socket, """{"type":6}""");
                    await Task.Delay(TimeSpan.FromSeconds(2), _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException)
            {
            }
        }

        private static Task SendAsync(ClientWebSocket socket, string message) =>
            socket.SendAsync(Encoding.UTF8.GetBytes(message + RecordSeparator), WebSocketMessageType.Text, endOfMessage: true, Ct);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_pinging, _reading);
            _socket.Abort();
            _socket.Dispose();
            _invoker.Dispose();
            _stop.Dispose();
        }
    }
}
