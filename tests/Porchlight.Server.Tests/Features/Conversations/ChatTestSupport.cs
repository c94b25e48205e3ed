using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Conversations;

/// <summary>A real SignalR connection that records every event it receives, to wait for and inspect them.</summary>
public sealed class HubRecorder : IAsyncDisposable
{
    private readonly ConcurrentQueue<(string Name, JsonElement Payload)> _events = new();

    private HubRecorder(HubConnection connection) => Connection = connection;

    public HubConnection Connection { get; }

    public IReadOnlyList<(string Name, JsonElement Payload)> Events => [.. _events];

    /// <summary>Connects to a hub of the in-memory server over WebSockets, authenticated by <paramref name="accessToken"/>.</summary>
    public static Task<HubRecorder> ConnectAsync(PorchlightFactory factory, string path, string accessToken, params string[] eventNames)
    {
        var server = factory.Server;
        return ConnectAsync(server.BaseAddress, path, accessToken, eventNames, options => options.WebSocketFactory = async (context, cancellationToken) =>
            await server.CreateWebSocketClient().ConnectAsync(context.Uri, cancellationToken));
    }

    /// <summary>Connects to a hub of a server listening on a real port (a node of a cluster), as a browser does.</summary>
    public static Task<HubRecorder> ConnectAsync(Uri baseAddress, string path, string accessToken, params string[] eventNames) =>
        ConnectAsync(baseAddress, path, accessToken, eventNames, _ => { });

    public static Task<HubRecorder> VisitorAsync(Uri baseAddress, string visitorToken) =>
        ReadyAsync(ConnectAsync(baseAddress, "/hubs/visitor", visitorToken, VisitorEvents));

    /// <summary>An API client on the agent hub; with <paramref name="reconnect"/>, one that reconnects by itself (SignalR's automatic reconnection).</summary>
    public static Task<HubRecorder> AgentAsync(Uri baseAddress, string apiToken, bool reconnect = false) =>
        ReadyAsync(ConnectAsync(baseAddress, "/hubs/agent", apiToken, AgentEvents, _ => { }, reconnect));

    private static readonly string[] VisitorEvents = ["MessageCreated", "MessageUpdated", "ConversationUpdated", "Typing", "Read"];
    private static readonly string[] AgentEvents = ["MessageCreated", "MessageUpdated", "ConversationChanged", "Typing", "Read", "Mentioned", "ContactChanged"];

    private static async Task<HubRecorder> ConnectAsync(
        Uri baseAddress, string path, string accessToken, string[] eventNames, Action<HttpConnectionOptions> transport, bool reconnect = false)
    {
        var builder = new HubConnectionBuilder()
            // As browsers do: WebSockets cannot carry an Authorization header, so the token rides in the query.
            .WithUrl(new Uri(baseAddress, $"{path}?access_token={Uri.EscapeDataString(accessToken)}"), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                transport(options);
            });
        var connection = (reconnect ? builder.WithAutomaticReconnect() : builder).Build();
        var recorder = new HubRecorder(connection);
        foreach (var name in eventNames)
        {
            connection.On<JsonElement>(name, payload => recorder._events.Enqueue((name, payload)));
        }

        await connection.StartAsync(TestContext.Current.CancellationToken);
        return recorder;
    }

    public static Task<HubRecorder> VisitorAsync(PorchlightFactory factory, string visitorToken) =>
        ReadyAsync(ConnectAsync(factory, "/hubs/visitor", visitorToken, VisitorEvents));

    public static Task<HubRecorder> AgentAsync(PorchlightFactory factory, string apiToken) =>
        ReadyAsync(ConnectAsync(factory, "/hubs/agent", apiToken, AgentEvents));

    // The server joins a connection to its groups in OnConnectedAsync, which can still be running when
    // StartAsync returns; it handles invocations only afterwards. Typing in no conversation is a no-op
    // round trip on both hubs, after which the connection hears everything sent to its groups.
    private static async Task<HubRecorder> ReadyAsync(Task<HubRecorder> connecting)
    {
        var recorder = await connecting;
        await recorder.Connection.InvokeAsync("Typing", Guid.Empty, false, TestContext.Current.CancellationToken);
        return recorder;
    }

    /// <summary>Waits for an event named <paramref name="name"/> whose payload matches, and returns it.</summary>
    public async Task<JsonElement> WaitForAsync(string name, Func<JsonElement, bool> matches, string what)
    {
        JsonElement found = default;
        await Eventually.WaitUntilAsync(() =>
        {
            foreach (var (eventName, payload) in _events)
            {
                if (eventName == name && matches(payload))
                {
                    found = payload;
                    return true;
                }
            }

            return false;
        }, what);
        return found;
    }

    public IEnumerable<JsonElement> All(string name) => _events.Where(e => e.Name == name).Select(e => e.Payload);

    /// <summary>
    /// Returns once everything the server sent this connection before now has been handled: the answer to an
    /// invocation travels behind them on the same connection. Lets a test assert that an event did not come.
    /// </summary>
    public Task DrainAsync() => Connection.InvokeAsync("Typing", Guid.Empty, false, TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}

/// <summary>A widget visitor: an HTTP client holding a visitor token, like the chat frame in a browser.</summary>
public sealed class TestVisitor(HttpClient http, string token, Guid id) : IDisposable
{
    public HttpClient Http { get; } = http;

    public string Token { get; } = token;

    public Guid Id { get; } = id;

    /// <summary>The chat frame starting a session; <paramref name="trackerVisitor"/>: the tracker's id for the browser it runs in.</summary>
    public static Task<TestVisitor> StartAsync(PorchlightFactory factory, string inboxToken, string? visitorToken = null, string? trackerVisitor = null) =>
        StartAsync(factory.CreateClient(), inboxToken, visitorToken, trackerVisitor);

    /// <summary>The chat frame of a page served by a node of a cluster, talking to that node.</summary>
    public static Task<TestVisitor> StartAsync(Uri node, string inboxToken) => StartAsync(new HttpClient { BaseAddress = node }, inboxToken, null, null);

    private static async Task<TestVisitor> StartAsync(HttpClient http, string inboxToken, string? visitorToken, string? trackerVisitor)
    {
        var session = await http.PostJsonAsync("/widget/v1/sessions", new { inboxToken, visitorToken, trackerVisitor }).ExpectAsync(HttpStatusCode.OK);
        var token = session.Text("visitorToken")!;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new TestVisitor(http, token, session.GetProperty("visitorId").GetGuid());
    }

    /// <summary>Starts a conversation with a first message and returns (conversation id, message).</summary>
    public async Task<(Guid ConversationId, JsonElement Message)> StartConversationAsync(string text, object? fields = null)
    {
        var started = await Http.PostJsonAsync("/widget/v1/conversations", new { clientId = NewClientId(), text, fields })
            .ExpectAsync(HttpStatusCode.Created);
        return (started.GetProperty("conversation").IdOf(), started.GetProperty("message"));
    }

    public Task<HttpResponseMessage> SendAsync(Guid conversationId, string text, string? clientId = null) =>
        Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/messages", new { clientId = clientId ?? NewClientId(), text });

    public async Task<List<JsonElement>> MessagesAsync(Guid conversationId, long after = 0) =>
        [.. (await Http.GetJsonAsync($"/widget/v1/conversations/{conversationId}/messages?after={after}")).EnumerateArray()];

    public static string NewClientId() => "c_" + Guid.NewGuid().ToString("N");

    public void Dispose() => Http.Dispose();
}

public static class ChatSetup
{
    /// <summary>Creates a web-widget inbox and returns its id and the public token of its snippet.</summary>
    public static async Task<(Guid InboxId, string PublicToken)> CreateWidgetInboxAsync(HttpClient owner, string name = "Website chat")
    {
        var inbox = await owner.PostJsonAsync("/api/v1/inboxes", new { name, channel = "WebWidget" }).ExpectAsync(HttpStatusCode.Created);
        return (inbox.IdOf(), inbox.Text("publicToken")!);
    }

    /// <summary>Limits the inbox to these sites (its tracking.allowedOrigins); no origins: any site again.</summary>
    public static async Task AllowOriginsAsync(this HttpClient owner, Guid inboxId, params string[] origins) =>
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}", new { name = "Website chat", tracking = new { allowedOrigins = origins } }).ExpectAsync(HttpStatusCode.OK);

    public static Task<HttpResponseMessage> ReplyAsync(this HttpClient agent, Guid conversationId, string text, bool isPrivate = false, string? clientId = null) =>
        agent.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { text, @private = isPrivate, clientId });

    public static Guid ConversationIdOf(this JsonElement message) => message.GetProperty("conversationId").GetGuid();

    public static long SequenceOf(this JsonElement message) => message.GetProperty("sequence").GetInt64();
}
