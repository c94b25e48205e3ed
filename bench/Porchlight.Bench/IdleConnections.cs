using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Porchlight.Testing;

namespace Porchlight.Bench;

/// <summary>
/// Idle visitor connections one node holds, and the server memory each one costs, next to a bare SignalR
/// hub measured in the same run. Clients are raw WebSockets speaking the SignalR JSON handshake and pings,
/// so the client side stays light enough to open many thousands from one process.
/// </summary>
internal static class IdleConnections
{
    private static readonly byte[] Handshake = Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e");
    private static readonly byte[] Ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");

    public static async Task<int> RunAsync(Options options)
    {
        var data = Directory.CreateTempSubdirectory("porchlight-bench-").FullName;
        Console.WriteLine($"# Idle connections: {options.Connections}, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}");
        // Each baseline in a process of its own: memory freed by one measurement would flatter the next.
        await using (var kestrel = await Servers.StartBareAsync(data))
        {
            await MeasureAsync("Kestrel WebSocket, no SignalR", kestrel, Enumerable.Repeat(new Uri(ToWebSocket(kestrel.BaseAddress), "/ws"), options.Connections));
        }

        await using (var bare = await Servers.StartBareAsync(data))
        {
            var urls = Enumerable.Repeat(new Uri(ToWebSocket(bare.BaseAddress), "/hubs/relay"), options.Connections);
            await MeasureAsync("bare SignalR hub", bare, urls);
        }

        var (server, apiToken) = await Servers.StartPorchlightAsync(data);
        await using (server)
        {
            using var http = Servers.Http(server.BaseAddress);
            var inbox = await CreateInboxAsync(server, apiToken);
            var urls = new List<Uri>(options.Connections);
            for (var i = 0; i < options.Connections; i++)
            {
                var session = await (await http.PostAsJsonAsync("/widget/v1/sessions", new { inboxToken = inbox })).Content.ReadFromJsonAsync<JsonElement>();
                var token = Uri.EscapeDataString(session.GetProperty("visitorToken").GetString()!);
                urls.Add(new Uri(ToWebSocket(server.BaseAddress), $"/hubs/visitor?access_token={token}"));
            }

            await MeasureAsync("Porchlight visitor hub", server, urls);
        }

        Directory.Delete(data, recursive: true);
        return 0;
    }

    private static async Task<string> CreateInboxAsync(ServerProcess server, string token)
    {
        using var http = Servers.Http(server.BaseAddress);
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var inbox = await (await http.PostAsJsonAsync("/api/v1/inboxes", new { name = "Bench", channel = "WebWidget" })).Content.ReadFromJsonAsync<JsonElement>();
        return inbox.GetProperty("publicToken").GetString()!;
    }

    private static async Task MeasureAsync(string name, ServerProcess server, IEnumerable<Uri> urls)
    {
        await Task.Delay(2000);
        var before = ProcessMemory.ResidentBytes(server.ProcessId);
        var sockets = new List<ClientWebSocket>();
        var failed = 0;
        foreach (var batch in urls.Chunk(200))
        {
            var opened = await Task.WhenAll(batch.Select(OpenAsync));
            sockets.AddRange(opened.Where(s => s is not null)!);
            failed += opened.Count(s => s is null);
        }

        using var keepAlive = new CancellationTokenSource();
        var pinging = PingAsync(sockets, keepAlive.Token);
        await Task.Delay(10_000);
        var after = ProcessMemory.ResidentBytes(server.ProcessId);
        var open = sockets.Count(s => s.State == WebSocketState.Open);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {open} open ({failed} refused) | server RSS {before / 1048576.0:0.0} MiB → {after / 1048576.0:0.0} MiB | {(after - before) / (double)Math.Max(1, open) / 1024:0.0} KiB per connection |"));
        await keepAlive.CancelAsync();
        await pinging;
        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }
    }

    private static async Task<ClientWebSocket?> OpenAsync(Uri url)
    {
        var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(url, CancellationToken.None);
            await socket.SendAsync(Handshake, WebSocketMessageType.Text, true, CancellationToken.None);
            var buffer = new byte[256];
            var answer = await socket.ReceiveAsync(buffer, CancellationToken.None);
            return answer.Count > 0 && Encoding.UTF8.GetString(buffer, 0, answer.Count) == "{}\u001e" ? socket : Fail(socket);
        }
        catch (WebSocketException)
        {
            return Fail(socket);
        }

        static ClientWebSocket? Fail(ClientWebSocket socket)
        {
            socket.Dispose();
            return null;
        }
    }

    // SignalR closes connections that stay silent for 30 s; an idle widget pings every 15 s, so do these.
    private static async Task PingAsync(List<ClientWebSocket> sockets, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var socket in sockets.Where(s => s.State == WebSocketState.Open))
                {
                    await socket.SendAsync(Ping, WebSocketMessageType.Text, true, stop);
                }

                await Task.Delay(TimeSpan.FromSeconds(10), stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static Uri ToWebSocket(Uri http) => new(http.ToString().Replace("http://", "ws://", StringComparison.Ordinal));
}
