using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Porchlight.Testing;

namespace Porchlight.Bench;

/// <summary>
/// Idle visitor connections one node (or each of several) holds, and the server memory each one costs, next to a
/// bare SignalR hub and Kestrel's own WebSocket endpoint measured in the same run. Clients are raw WebSockets speaking
/// the SignalR JSON handshake and pings, opened by a child process per server (<see cref="HoldAsync"/>): one process
/// may hold only as many sockets as its open-file limit, so clients for two nodes need two processes.
/// </summary>
internal static class IdleConnections
{
    public const string ClientCommand = "idle-clients";

    private static readonly byte[] Handshake = Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e");
    private static readonly byte[] Ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");

    public static async Task<int> RunAsync(Options options)
    {
        var data = Directory.CreateTempSubdirectory("porchlight-bench-").FullName;
        Console.WriteLine($"# Idle connections: {options.Connections} per server, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        // Each baseline in a process of its own: memory freed by one measurement would flatter the next.
        await using (var kestrel = await Servers.StartBareAsync(data))
        {
            await MeasureAsync("Kestrel WebSocket, no SignalR", [kestrel], [Repeat(kestrel, "/ws", options.Connections)]);
        }

        await using (var bare = await Servers.StartBareAsync(data))
        {
            await MeasureAsync("bare SignalR hub", [bare], [Repeat(bare, "/hubs/relay", options.Connections)]);
        }

        if (options.Nodes.Length == 0)
        {
            var (server, apiToken) = await Servers.StartPorchlightAsync(data);
            await using (server)
            {
                var inbox = await CreateInboxAsync(server, apiToken);
                await MeasureAsync("Porchlight visitor hub (SQLite)", [server], [await VisitorUrlsAsync(server, inbox, options.Connections)]);
            }
        }

        // With --nodes, each count on a fresh PostgreSQL, the nodes sharing it and (more than one) a Redis; every node
        // holds the same number of visitors, so two nodes hold twice as many.
        foreach (var nodes in options.Nodes)
        {
            await using var cluster = await BenchCluster.StartAsync(nodes, data);
            var inbox = await CreateInboxAsync(cluster.Servers[0], cluster.Token);
            var urls = await Task.WhenAll(cluster.Servers.Select(s => VisitorUrlsAsync(s, inbox, options.Connections)));
            await MeasureAsync(nodes == 1 ? "Porchlight visitor hub, one node (PostgreSQL)" : $"Porchlight visitor hub, {nodes} nodes (PostgreSQL, Redis)",
                cluster.Servers, urls, cluster.Redis);
        }

        Directory.Delete(data, recursive: true);
        return 0;
    }

    private static List<Uri> Repeat(ServerProcess server, string path, int count) => [.. Enumerable.Repeat(new Uri(ToWebSocket(server.BaseAddress), path), count)];

    private static async Task<string> CreateInboxAsync(ServerProcess server, string token)
    {
        using var http = Servers.Http(server.BaseAddress);
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var inbox = await (await http.PostAsJsonAsync("/api/v1/inboxes", new { name = "Bench", channel = "WebWidget" })).Content.ReadFromJsonAsync<JsonElement>();
        return inbox.GetProperty("publicToken").GetString()!;
    }

    /// <summary>Hub addresses for <paramref name="count"/> new visitors of the inbox, each with its own visitor token from this node.</summary>
    private static async Task<List<Uri>> VisitorUrlsAsync(ServerProcess server, string inbox, int count)
    {
        using var http = Servers.Http(server.BaseAddress);
        var urls = new List<Uri>(count);
        for (var i = 0; i < count; i++)
        {
            var session = await (await http.PostAsJsonAsync("/widget/v1/sessions", new { inboxToken = inbox })).Content.ReadFromJsonAsync<JsonElement>();
            var token = Uri.EscapeDataString(session.GetProperty("visitorToken").GetString()!);
            urls.Add(new Uri(ToWebSocket(server.BaseAddress), $"/hubs/visitor?access_token={token}"));
        }

        return urls;
    }

    private static async Task MeasureAsync(string name, IReadOnlyList<ServerProcess> servers, IReadOnlyList<List<Uri>> urlsPerServer, RedisInstance? redis = null)
    {
        await Task.Delay(2000);
        var before = servers.Select(s => ProcessMemory.ResidentBytes(s.ProcessId)).ToList();
        var redisBefore = redis?.ProcessId is { } redisId ? ProcessMemory.ResidentBytes(redisId) : 0;
        var clients = await Task.WhenAll(urlsPerServer.Select(ClientProcess.StartAsync));
        try
        {
            await Task.Delay(10_000);
            var after = servers.Select(s => ProcessMemory.ResidentBytes(s.ProcessId)).ToList();
            var open = clients.Sum(c => c.Open);
            var refused = clients.Sum(c => c.Refused);
            var grown = after.Zip(before, (a, b) => a - b).Sum();
            var memory = string.Join(", ", before.Zip(after, (b, a) => string.Create(CultureInfo.InvariantCulture, $"{b / 1048576.0:0.0} → {a / 1048576.0:0.0} MiB")));
            var redisGrowth = redis?.ProcessId is { } id
                ? string.Create(CultureInfo.InvariantCulture, $" | Redis RSS {redisBefore / 1048576.0:0.0} → {ProcessMemory.ResidentBytes(id) / 1048576.0:0.0} MiB")
                : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {open} open ({refused} refused) | server RSS {memory} | {grown / (double)Math.Max(1, open) / 1024:0.0} KiB per connection{redisGrowth} |"));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The child process's side: reads hub addresses from standard input up to an empty line, opens them (200 at a time),
    /// writes "open N refused M", then pings every 10 s until standard input closes.
    /// </summary>
    public static async Task<int> HoldAsync()
    {
        var urls = new List<Uri>();
        while (Console.ReadLine() is { Length: > 0 } line)
        {
            urls.Add(new Uri(line));
        }

        var sockets = new List<ClientWebSocket>();
        var refused = 0;
        foreach (var batch in urls.Chunk(200))
        {
            var opened = await Task.WhenAll(batch.Select(OpenAsync));
            sockets.AddRange(opened.OfType<ClientWebSocket>());
            refused += opened.Count(s => s is null);
        }

        Console.WriteLine($"open {sockets.Count} refused {refused}");
        using var parentGone = new CancellationTokenSource();
        var pinging = PingAsync(sockets, parentGone.Token);
        await Console.In.ReadToEndAsync();
        await parentGone.CancelAsync();
        await pinging;
        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }

        return 0;
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

    /// <summary>A child process of the bench holding one server's client sockets open until disposed.</summary>
    private sealed class ClientProcess(Process process, int open, int refused) : IAsyncDisposable
    {
        public int Open { get; } = open;

        public int Refused { get; } = refused;

        public static async Task<ClientProcess> StartAsync(List<Uri> urls)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            info.ArgumentList.Add(Servers.BenchDll);
            info.ArgumentList.Add(ClientCommand);
            var process = Process.Start(info) ?? throw new InvalidOperationException("The client process did not start.");
            foreach (var url in urls)
            {
                await process.StandardInput.WriteLineAsync(url.ToString());
            }

            await process.StandardInput.WriteLineAsync();
            await process.StandardInput.FlushAsync();
            var report = (await process.StandardOutput.ReadLineAsync() ?? "").Split(' ');
            if (report is not ["open", var open, "refused", var refused])
            {
                throw new InvalidOperationException("The client process ended before it reported.");
            }

            return new ClientProcess(process, int.Parse(open, CultureInfo.InvariantCulture), int.Parse(refused, CultureInfo.InvariantCulture));
        }

        public async ValueTask DisposeAsync()
        {
            process.StandardInput.Close();
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }
}
