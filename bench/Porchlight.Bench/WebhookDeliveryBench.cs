using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Porchlight.Testing;

namespace Porchlight.Bench;

/// <summary>
/// Webhook delivery, from an agent's reply to the receiver's 2xx: messages are posted through the REST API at fixed
/// rates and each one's <c>message.created</c> delivery is timed at a receiver on this machine, next to the same
/// receiver's own ceiling (the bench posting the same body to it directly). Then the receiver goes away for a while
/// as replies keep coming, and comes back: what was lost, duplicated or out of order, and how fast the backlog drains.
/// </summary>
internal static class WebhookDeliveryBench
{
    private const string Text = "Your parcel left our warehouse this morning; it should reach you on Thursday.";
    private static readonly string[] MessageCreated = ["message.created"];

    public static async Task<int> RunAsync(Options options, int outageMinutes, int outageRate)
    {
        var data = Directory.CreateTempSubdirectory("porchlight-bench-").FullName;
        Console.WriteLine($"# Webhooks: {options.Conversations} conversations, {options.Seconds} s per rate, outage {outageMinutes} min at {outageRate}/s, "
            + $"{Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}");
        var port = LoopbackPorts.Free();
        var receiver = await Receiver.StartAsync(port);
        try
        {
            await BaselineAsync(receiver, options);
            var (server, token) = await Servers.StartPorchlightAsync(data, null, "--Webhooks:AllowPrivateTargets=true");
            await using (server)
            {
                using var api = Servers.Http(server.BaseAddress);
                api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                var conversations = await StartConversationsAsync(server, api, options.Conversations);
                var webhook = await api.PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url, events = MessageCreated, description = "Bench" });
                webhook.EnsureSuccessStatusCode();
                await ThroughputAsync(api, receiver, conversations, server, options);
                receiver = await OutageAsync(api, receiver, conversations, port, outageMinutes, outageRate);
            }
        }
        finally
        {
            await receiver.DisposeAsync();
        }

        Directory.Delete(data, recursive: true);
        return 0;
    }

    // The receiver's own ceiling: the same body posted straight to it, as many at once as the sender sends (4).
    private static async Task BaselineAsync(Receiver receiver, Options options)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4 });
        foreach (var rate in options.Rates)
        {
            receiver.Expect(new LatencyRecorder());
            var recorder = new LatencyRecorder();
            await OpenLoop.RunAsync(rate, TimeSpan.FromSeconds(options.Seconds), async (i, due) =>
            {
                var key = $"direct-{rate}-{i}";
                recorder.Sending(key, due);
                using var response = await http.PostAsync(receiver.Url, JsonContent.Create(Body(key, Guid.Empty, i)));
                recorder.Received(key);
            });
            Console.WriteLine($"| {rate}/s | receiver's own ceiling: the same body posted to it directly, 4 at a time | {recorder.Summary()} |");
        }
    }

    private static async Task ThroughputAsync(HttpClient api, Receiver receiver, List<Guid> conversations, ServerProcess server, Options options)
    {
        // An unreported pass first, so JIT, connection pools and database caches are warm for the measured rates.
        var warmUp = new LatencyRecorder();
        receiver.Expect(warmUp);
        await PostRepliesAsync(api, conversations, 50, TimeSpan.FromSeconds(10), "warm-up", warmUp, new LatencyRecorder());
        await DrainAsync(warmUp);
        foreach (var rate in options.Rates)
        {
            var delivered = new LatencyRecorder();
            var acknowledged = new LatencyRecorder();
            receiver.Expect(delivered);
            var cpu = new ProcessorTime(server.ProcessId);
            var started = Stopwatch.GetTimestamp();
            var failures = await PostRepliesAsync(api, conversations, rate, TimeSpan.FromSeconds(options.Seconds), $"r{rate}", delivered, acknowledged);
            var drain = await DrainAsync(delivered);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            Console.WriteLine($"| {rate}/s | Porchlight, reply posted → receiver's 2xx (message.created) | {delivered.Summary()} |");
            Console.WriteLine($"| {rate}/s | Porchlight, the reply's own answer (stored) | {acknowledged.Summary()} |");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {rate}/s | Porchlight, {delivered.ReceivedCount / seconds:0} deliveries/s over the run and its drain ({drain:0.0} s after the last reply), failed requests {failures}, out-of-order {receiver.OutOfOrder}, {cpu.PerItem(delivered.Sent, "message and its delivery")} | |"));
        }
    }

    /// <summary>
    /// The receiver stops listening (connections refused) while replies keep coming at <paramref name="rate"/>, then
    /// listens again on the same port: every reply must arrive once, each conversation in order.
    /// </summary>
    private static async Task<Receiver> OutageAsync(HttpClient api, Receiver receiver, List<Guid> conversations, int port, int minutes, int rate)
    {
        var delivered = new LatencyRecorder();
        var acknowledged = new LatencyRecorder();
        await receiver.DisposeAsync();
        var failures = await PostRepliesAsync(api, conversations, rate, TimeSpan.FromMinutes(minutes), "outage", delivered, acknowledged);
        var backlog = delivered.Pending;
        var back = Stopwatch.GetTimestamp();
        receiver = await receiver.RestartAsync(port);
        receiver.Expect(delivered);
        var firstAt = 0.0;
        while (delivered.Pending > 0 && Stopwatch.GetElapsedTime(back) < TimeSpan.FromMinutes(30))
        {
            await Task.Delay(100);
            if (firstAt == 0 && delivered.ReceivedCount > 0)
            {
                firstAt = Stopwatch.GetElapsedTime(back).TotalSeconds;
            }
        }

        var drained = Stopwatch.GetElapsedTime(back).TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(10)); // anything sent twice arrives in this time too
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| receiver down {minutes} min, {rate} replies/s | {backlog} waiting when it came back; first accepted after {firstAt:0.0} s; all in {drained:0.0} s "
            + $"({(backlog - delivered.Pending) / Math.Max(drained - firstAt, 0.001):0} deliveries/s); lost {delivered.Pending}, duplicated {delivered.Duplicates}, out-of-order {receiver.OutOfOrder}, failed requests {failures} | |"));
        return receiver;
    }

    // Waits until every delivery arrived (at most ten minutes; what is still missing then is reported lost); answers how long it took.
    private static async Task<double> DrainAsync(LatencyRecorder delivered)
    {
        var started = Stopwatch.GetTimestamp();
        while (delivered.Pending > 0 && Stopwatch.GetElapsedTime(started) < TimeSpan.FromMinutes(10))
        {
            await Task.Delay(50);
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task<int> PostRepliesAsync(
        HttpClient api, List<Guid> conversations, int rate, TimeSpan duration, string prefix, LatencyRecorder delivered, LatencyRecorder acknowledged)
    {
        var failures = 0;
        await OpenLoop.RunAsync(rate, duration, async (i, due) =>
        {
            var key = $"{prefix}-{i:D7}";
            var conversation = conversations[i % conversations.Count];
            delivered.Sending(key, due);
            acknowledged.Sending(key, due);
            try
            {
                using var response = await api.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", new { clientId = key, text = Text });
                acknowledged.Received(key);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref failures);
            }
        });
        return failures;
    }

    private static async Task<List<Guid>> StartConversationsAsync(ServerProcess server, HttpClient api, int count)
    {
        using var http = Servers.Http(server.BaseAddress);
        var inbox = await (await api.PostAsJsonAsync("/api/v1/inboxes", new { name = "Bench", channel = "WebWidget" })).Content.ReadFromJsonAsync<JsonElement>();
        var inboxToken = inbox.GetProperty("publicToken").GetString();
        var conversations = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var session = await (await http.PostAsJsonAsync("/widget/v1/sessions", new { inboxToken })).Content.ReadFromJsonAsync<JsonElement>();
            using var start = new HttpRequestMessage(HttpMethod.Post, "/widget/v1/conversations")
            {
                Content = JsonContent.Create(new { clientId = $"start-{i:D6}-{Guid.NewGuid():N}", text = "Where is my parcel?" }),
            };
            start.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.GetProperty("visitorToken").GetString());
            var started = await (await http.SendAsync(start)).Content.ReadFromJsonAsync<JsonElement>();
            conversations.Add(started.GetProperty("conversation").GetProperty("id").GetGuid());
        }

        return conversations;
    }

    // A body of the shape and size Porchlight sends, for the receiver's own ceiling.
    private static object Body(string clientId, Guid conversationId, long sequence) => new
    {
        id = Guid.NewGuid(),
        @event = "message.created",
        version = 1,
        createdAt = DateTime.UtcNow,
        workspaceId = Guid.Empty,
        data = new
        {
            conversation = new { id = conversationId, number = 1, status = "Open", priority = "None", labels = Array.Empty<string>(), contact = new { id = Guid.Empty, name = "Visitor" } },
            message = new { id = Guid.NewGuid(), conversationId, sequence, clientId, kind = "Outgoing", author = new { type = "agent", name = "Bench" }, text = Text, attachments = Array.Empty<object>() },
        },
    };

    /// <summary>Counts receipts of a conversation's message with a lower sequence than one already received, across the receiver's restarts.</summary>
    private sealed class ReceiptOrder
    {
        private readonly ConcurrentDictionary<Guid, long> _lastSequence = new();
        private int _outOfOrder;

        public int OutOfOrder => _outOfOrder;

        public void See(Guid conversation, long sequence) => _lastSequence.AddOrUpdate(conversation, sequence, (_, last) =>
        {
            if (sequence < last)
            {
                Interlocked.Increment(ref _outOfOrder);
            }

            return Math.Max(last, sequence);
        });
    }

    /// <summary>A webhook receiver: answers 204 at once and marks each message's client id received, checking each conversation's order.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ReceiptOrder _order;
        private LatencyRecorder _recorder = new();

        private Receiver(WebApplication app, int port, ReceiptOrder order)
        {
            _app = app;
            _order = order;
            Url = $"http://127.0.0.1:{port}/hooks";
        }

        public string Url { get; }

        public int OutOfOrder => _order.OutOfOrder;

        public static async Task<Receiver> StartAsync(int port, ReceiptOrder? order = null)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var receiver = new Receiver(app, port, order ?? new ReceiptOrder());
            app.MapPost("/hooks", async (HttpRequest request) =>
            {
                using var body = await JsonDocument.ParseAsync(request.Body);
                var message = body.RootElement.GetProperty("data").GetProperty("message");
                var conversation = message.GetProperty("conversationId").GetGuid();
                if (conversation != Guid.Empty)
                {
                    receiver._order.See(conversation, message.GetProperty("sequence").GetInt64());
                }

                Volatile.Read(ref receiver._recorder).Received(message.GetProperty("clientId").GetString()!);
                return Results.NoContent();
            });
            await app.StartAsync();
            return receiver;
        }

        /// <summary>The same receiver listening again on its port, its order check going on.</summary>
        public Task<Receiver> RestartAsync(int port) => StartAsync(port, _order);

        /// <summary>From now on, receipts count for <paramref name="recorder"/>.</summary>
        public void Expect(LatencyRecorder recorder) => Volatile.Write(ref _recorder, recorder);

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
