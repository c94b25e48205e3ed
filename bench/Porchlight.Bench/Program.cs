using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Porchlight.Bench;
using Porchlight.Testing;

// Usage:
//   dotnet bench/Porchlight.Bench/bin/Release/net10.0/Porchlight.Bench.dll delivery [--rates 200,1000,3000] [--conversations 1000] [--seconds 20] [--nodes 1,2]
//   dotnet bench/Porchlight.Bench/bin/Release/net10.0/Porchlight.Bench.dll idle [--connections 15000] [--nodes 1,2]
//   dotnet bench/Porchlight.Bench/bin/Release/net10.0/Porchlight.Bench.dll tracking [--seconds 20] [--concurrency 64] [--shares 10,12.5,15,...,100] [--postgres | --postgres-only] [--nodes 2]
//   dotnet bench/Porchlight.Bench/bin/Release/net10.0/Porchlight.Bench.dll analytics [--events 10000000] [--requests 50] [--postgres]
//   dotnet bench/Porchlight.Bench/bin/Release/net10.0/Porchlight.Bench.dll kb-search [--articles 10000] [--requests 50] [--postgres]
//   dotnet bench/Porchlight.Bench/bin/Release/net10.0/Porchlight.Bench.dll reports [--conversations 1000000] [--requests 50] [--postgres | --postgres-only] [--keep]
//   dotnet bench/Porchlight.Bench/bin/Release/net10.0/Porchlight.Bench.dll webhooks [--rates 50,200,500] [--conversations 200] [--seconds 20] [--outage-minutes 10] [--outage-rate 5]
//   dotnet bench/Porchlight.Bench/bin/Release/net10.0/Porchlight.Bench.dll intents
//   dotnet bench/Porchlight.Bench/bin/Release/net10.0/Porchlight.Bench.dll sentiment
//   dotnet bench/Porchlight.Bench/bin/Release/net10.0/Porchlight.Bench.dll containment
//   dotnet bench/Porchlight.Bench/bin/Release/net10.0/Porchlight.Bench.dll storm [--agents 200] [--teams 10] [--conversations 5000] [--bursts 10] [--burst-every 10] [--burst-rate 250] [--handling 6,30] [--visitor-hubs-every 1] [--nodes 1,2] [--timeout 600] [--seed 1]
//   dotnet bench/Porchlight.Bench/bin/Release/net10.0/Porchlight.Bench.dll soak [--rates 100] [--conversations 1000] [--minutes 30] [--outage-at 10] [--outage-seconds 30]
// Build first: dotnet build Porchlight.slnx -c Release
if (args.Contains("bare-server"))
{
    await BareServer.RunAsync([.. args.Where(a => a != "bare-server")]);
    return 0;
}

if (args.FirstOrDefault() == IdleConnections.ClientCommand)
{
    return await IdleConnections.HoldAsync();
}

var options = Options.Parse(args);
return options.Command switch
{
    "delivery" => await Delivery.RunAsync(options),
    "idle" => await IdleConnections.RunAsync(options),
    "tracking" => await TrackingIngestion.RunAsync(options),
    "analytics" => await SiteStatistics.RunAsync(options),
    "storm" => await RoutingStorm.RunAsync(args),
    "kb-search" => await ArticleSearchLatency.RunAsync(options),
    "reports" => await ReportSpeed.RunAsync(options),
    "webhooks" => await WebhookDeliveryBench.RunAsync(
        options with
        {
            Rates = args.Contains("--rates") ? options.Rates : [50, 200, 500],
            Conversations = args.Contains("--conversations") ? options.Conversations : 200,
        },
        int.Parse(Value("--outage-minutes", "10"), CultureInfo.InvariantCulture),
        int.Parse(Value("--outage-rate", "5"), CultureInfo.InvariantCulture)),
    "soak" => await Soak.RunAsync(
        options with { Rates = args.Contains("--rates") ? options.Rates : [100] },
        int.Parse(Value("--minutes", "30"), CultureInfo.InvariantCulture),
        int.Parse(Value("--outage-at", "10"), CultureInfo.InvariantCulture),
        int.Parse(Value("--outage-seconds", "30"), CultureInfo.InvariantCulture)),
    "intents" => await IntentAccuracyBench.RunAsync(),
    "sentiment" => await SentimentAccuracyBench.RunAsync(),
    "containment" => await ContainmentBench.RunAsync(),
    _ => Usage(),
};

string Value(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;

static int Usage()
{
    Console.Error.WriteLine("usage: Porchlight.Bench (delivery [--rates 200,1000,3000] [--conversations 1000] [--seconds 20] [--nodes 1,2] | idle [--connections 15000] [--nodes 1,2] | tracking [--seconds 20] [--concurrency 64] [--shares 10,12.5,15,...,100] [--postgres | --postgres-only] [--nodes 2] | analytics [--events 10000000] [--requests 50] [--postgres] | kb-search [--articles 10000] [--requests 50] [--postgres] | reports [--conversations 1000000] [--requests 50] [--postgres | --postgres-only] [--keep] | webhooks [--rates 50,200,500] [--conversations 200] [--seconds 20] [--outage-minutes 10] [--outage-rate 5] | soak [--rates 100] [--conversations 1000] [--minutes 30] [--outage-at 10] [--outage-seconds 30] | intents | sentiment | containment | storm [--agents 200] [--teams 10] [--conversations 5000] [--bursts 10] [--burst-every 10] [--burst-rate 250] [--handling 6,30] [--visitor-hubs-every 1] [--nodes 1,2] [--timeout 600] [--seed 1])");
    return 2;
}

internal sealed record Options(
    string Command, int[] Rates, int Conversations, int Seconds, int Connections, int Concurrency, bool Postgres, int Events, int Requests, double[] Shares,
    int Articles, bool Keep, bool PostgresOnly, int[] Nodes)
{
    public static Options Parse(string[] args)
    {
        string Value(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        return new Options(
            args.FirstOrDefault() ?? "",
            [.. Value("--rates", "200,1000,3000").Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture))],
            int.Parse(Value("--conversations", "1000"), CultureInfo.InvariantCulture),
            int.Parse(Value("--seconds", "20"), CultureInfo.InvariantCulture),
            int.Parse(Value("--connections", "15000"), CultureInfo.InvariantCulture),
            int.Parse(Value("--concurrency", "64"), CultureInfo.InvariantCulture),
            args.Contains("--postgres"),
            int.Parse(Value("--events", "10000000"), CultureInfo.InvariantCulture),
            int.Parse(Value("--requests", "50"), CultureInfo.InvariantCulture),
            [.. Value("--shares", "10,12.5,15,17.5,20,22.5,25,27.5,30,32.5,35,37.5,40,45,50,55,60,70,80,90,100").Split(',').Select(r => double.Parse(r, CultureInfo.InvariantCulture))],
            int.Parse(Value("--articles", "10000"), CultureInfo.InvariantCulture),
            args.Contains("--keep"),
            args.Contains("--postgres-only"),
            [.. Value("--nodes", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(n => int.Parse(n, CultureInfo.InvariantCulture))]);
    }
}

/// <summary>Where the builds are, and how to start each server.</summary>
internal static class Servers
{
    public static string Root { get; } = FindRoot();

    /// <summary>A durable PostgreSQL (fsync on, as in production) with an empty database for the bench, and its connection string.</summary>
    public static async Task<(PostgresInstance Server, string ConnectionString)> StartPostgresAsync()
    {
        var postgres = await PostgresInstance.StartAsync(durable: true);
        await using (var admin = new Npgsql.NpgsqlConnection(postgres.ConnectionString("postgres")))
        {
            await admin.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand("CREATE DATABASE porchlight_bench", admin);
            await create.ExecuteNonQueryAsync();
        }

        return (postgres, postgres.ConnectionString("porchlight_bench"));
    }

    public static string PorchlightProject => Path.Combine(Root, "src", "Porchlight.Server");

    public static string PorchlightDll => Path.Combine(PorchlightProject, "bin", "Release", "net10.0", "porchlight.dll");

    public static string BenchDll => typeof(BareServer).Assembly.Location;

    public static Task<ServerProcess> StartBareAsync(string dataDirectory) => ServerProcess.StartAsync(
        new ServerStart(BenchDll, dataDirectory, dataDirectory, ["bare-server"]) { Environment = "Production" }, CancellationToken.None);

    /// <summary>
    /// Porchlight with an Owner and an API token made by the command line, on a fresh SQLite database in
    /// <paramref name="dataDirectory"/> unless <paramref name="database"/> names another (provider and connection string settings).
    /// </summary>
    public static async Task<(ServerProcess Server, string Token)> StartPorchlightAsync(string dataDirectory, string[]? database = null, params string[] settings)
    {
        database ??= SqliteDatabase(dataDirectory);
        await Cli(dataDirectory, "lantern-porch-7Qx42-dusk", ["create-owner", "--email", "bench@example.com", "--password-stdin", .. database]);
        var token = (await Cli(dataDirectory, null, ["create-token", "--email", "bench@example.com", "--name", "bench", "--scopes", "read,write,admin", .. database])).Trim();
        return (await RestartPorchlightAsync(dataDirectory, database, settings), token);
    }

    /// <summary>Porchlight with the demo workspace (`seed-demo`) on a fresh SQLite database, and an API token of its owner.</summary>
    public static async Task<(ServerProcess Server, string Token)> StartDemoAsync(string dataDirectory)
    {
        var database = SqliteDatabase(dataDirectory);
        await Cli(dataDirectory, null, ["seed-demo", .. database]);
        var token = (await Cli(dataDirectory, null, ["create-token", "--email", "owner@demo.porchlight.test", "--name", "bench", "--scopes", "read,write,admin", .. database])).Trim();
        return (await RestartPorchlightAsync(dataDirectory, database), token);
    }

    /// <summary>Porchlight again on the data <see cref="StartPorchlightAsync"/> set up, whose owner and token stay valid.</summary>
    public static Task<ServerProcess> RestartPorchlightAsync(string dataDirectory, string[]? database = null, params string[] settings)
    {
        var start = new ServerStart(PorchlightDll, PorchlightProject, dataDirectory,
            ["--Security:WidgetRequestsPerMinute=100000000", "--Logging:LogLevel:Default=Warning", .. database ?? SqliteDatabase(dataDirectory), .. settings])
        { Environment = "Production" };
        return ServerProcess.StartAsync(start, CancellationToken.None);
    }

    /// <summary>The SQLite file the server uses in <paramref name="dataDirectory"/>.</summary>
    public static string SqlitePath(string dataDirectory) => new ServerStart(PorchlightDll, PorchlightProject, dataDirectory, []).DatabasePath;

    private static string[] SqliteDatabase(string dataDirectory) => [$"--Database:ConnectionString=Data Source={SqlitePath(dataDirectory)}"];

    public static HttpClient Http(Uri baseAddress) => new(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>A hub client over WebSockets; with <paramref name="reconnect"/>, one that reconnects by itself as the widget and agent app do.</summary>
    public static HubConnection Hub(Uri url, bool reconnect = false)
    {
        var builder = new HubConnectionBuilder().WithUrl(url, o =>
        {
            o.Transports = HttpTransportType.WebSockets;
            o.SkipNegotiation = true;
        });
        return (reconnect ? builder.WithAutomaticReconnect() : builder).Build();
    }

    private static async Task<string> Cli(string directory, string? input, string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(PorchlightDll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await output : throw new InvalidOperationException($"{arguments[0]} failed: {await error}");
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Porchlight.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Porchlight.slnx was not found above the bench.");
    }
}

/// <summary>
/// Message delivery through the real path — visitor HTTP POST → stored → agent hub, and agent HTTP POST →
/// stored → visitor hub — next to Kestrel's empty endpoint and a bare SignalR relay at the same rates.
/// </summary>
internal static class Delivery
{
    public static async Task<int> RunAsync(Options options)
    {
        var data = Directory.CreateTempSubdirectory("porchlight-bench-").FullName;
        Console.WriteLine($"# Delivery: {options.Conversations} conversations, {options.Seconds} s per rate, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}");
        await using (var bare = await Servers.StartBareAsync(data))
        {
            await BaselinesAsync(bare, options);
        }

        if (options.Nodes.Length == 0)
        {
            var (server, token) = await Servers.StartPorchlightAsync(data);
            await using (server)
            {
                await PorchlightAsync([server], token, options, "one node, SQLite");
            }
        }

        // With --nodes, each count on a fresh PostgreSQL, the nodes sharing it and (more than one) a Redis.
        foreach (var nodes in options.Nodes)
        {
            await using var cluster = await BenchCluster.StartAsync(nodes, data);
            await PorchlightAsync(cluster.Servers, cluster.Token, options, nodes == 1 ? "one node, PostgreSQL" : $"{nodes} nodes, PostgreSQL and Redis");
        }

        Directory.Delete(data, recursive: true);
        return 0;
    }

    private static async Task BaselinesAsync(ServerProcess bare, Options options)
    {
        using var http = Servers.Http(bare.BaseAddress);
        var relayUrl = new Uri(bare.BaseAddress, "/hubs/relay");
        var visitors = new List<HubConnection>();
        var agent = Servers.Hub(relayUrl);
        await agent.StartAsync();
        await agent.InvokeAsync("Join", "agents");
        for (var i = 0; i < options.Conversations; i++)
        {
            var visitor = Servers.Hub(relayUrl);
            await visitor.StartAsync();
            await visitor.InvokeAsync("Join", $"v{i}");
            visitors.Add(visitor);
        }

        foreach (var (rate, warmUp) in WithWarmUp(options.Rates))
        {
            var empty = new LatencyRecorder();
            await OpenLoop.RunAsync(rate, TimeSpan.FromSeconds(options.Seconds), async (i, due) =>
            {
                var key = i.ToString(CultureInfo.InvariantCulture);
                empty.Sending(key, due);
                using var response = await http.GetAsync(new Uri("/empty", UriKind.Relative));
                empty.Received(key);
            });
            Report(warmUp, $"| {rate}/s | Kestrel empty endpoint (GET) | {empty.Summary()} |");

            var toAgent = new LatencyRecorder();
            var toVisitor = new LatencyRecorder();
            var relayCpu = new ProcessorTime(bare.ProcessId);
            using var agentHandler = agent.On<string>("relayed", toAgent.Received);
            var visitorHandlers = visitors.Select(v => v.On<string>("relayed", toVisitor.Received)).ToList();
            await OpenLoop.RunAsync(rate, TimeSpan.FromSeconds(options.Seconds), (i, due) =>
            {
                var key = $"{rate}-{i}";
                var conversation = i / 2 % visitors.Count;
                if (i % 2 == 0)
                {
                    toAgent.Sending(key, due);
                    return visitors[conversation].SendAsync("Send", "agents", key);
                }

                toVisitor.Sending(key, due);
                return agent.SendAsync("Send", $"v{conversation}", key);
            });
            await OpenLoop.DrainAsync(toAgent, toVisitor);
            Report(warmUp, $"| {rate}/s | bare SignalR relay, visitor → agent | {toAgent.Summary()} |");
            Report(warmUp, $"| {rate}/s | bare SignalR relay, agent → visitor | {toVisitor.Summary()} |");
            Report(warmUp, $"| {rate}/s | bare SignalR relay, {relayCpu.PerItem(toAgent.Sent + toVisitor.Sent, "message")} | |");
            visitorHandlers.ForEach(h => h.Dispose());
        }

        await Task.WhenAll(visitors.Select(v => v.DisposeAsync().AsTask()));
        await agent.DisposeAsync();
    }

    /// <summary>
    /// Conversation i's visitor talks to node i mod n (HTTP and hub); the agent answers it through the next node and
    /// listens on the first, so with several nodes most deliveries cross from one node to another.
    /// </summary>
    private static async Task PorchlightAsync(List<ServerProcess> servers, string token, Options options, string label)
    {
        var http = servers.Select(s => Servers.Http(s.BaseAddress)).ToList();
        var agentHttp = servers.Select(s => Servers.Http(s.BaseAddress)).ToList();
        agentHttp.ForEach(a => a.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token));
        var inbox = await (await agentHttp[0].PostAsJsonAsync("/api/v1/inboxes", new { name = "Bench", channel = "WebWidget" })).Content.ReadFromJsonAsync<JsonElement>();
        var inboxToken = inbox.GetProperty("publicToken").GetString();

        var order = new OrderCheck();
        var memoryBefore = servers.Sum(s => ProcessMemory.ResidentBytes(s.ProcessId));
        var conversations = await StartConversationsAsync(servers, http, inboxToken, options.Conversations, reconnect: false);
        var memoryAfter = servers.Sum(s => ProcessMemory.ResidentBytes(s.ProcessId));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| | Porchlight {label}: resident memory {memoryBefore / 1048576.0:0} MB before and {memoryAfter / 1048576.0:0} MB after {options.Conversations} visitors started a conversation and connected: {(memoryAfter - memoryBefore) / 1024.0 / options.Conversations:0.0} KB each | |"));

        var agentHub = Servers.Hub(new Uri(servers[0].BaseAddress, $"/hubs/agent?access_token={Uri.EscapeDataString(token)}"));
        await agentHub.StartAsync();

        foreach (var (rate, warmUp) in WithWarmUp(options.Rates))
        {
            var toAgent = new LatencyRecorder();
            var toVisitor = new LatencyRecorder();
            var acknowledged = new LatencyRecorder();
            using var agentHandler = agentHub.On<JsonElement>("MessageCreated", m =>
            {
                order.See("agent", m);
                toAgent.Received(m.GetProperty("clientId").GetString()!);
            });
            var visitorHandlers = conversations.Select(c => c.Hub.On<JsonElement>("MessageCreated", m =>
            {
                order.See("visitor", m);
                toVisitor.Received(m.GetProperty("clientId").GetString()!);
            })).ToList();
            var failures = 0;
            var reasons = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
            var cpu = new ProcessorTime([.. servers.Select(s => s.ProcessId)]);
            await OpenLoop.RunAsync(rate, TimeSpan.FromSeconds(options.Seconds), async (i, due) =>
            {
                var key = $"r{rate}-{i:D7}";
                var fromVisitor = i % 2 == 0;
                (fromVisitor ? toAgent : toVisitor).Sending(key, due);
                acknowledged.Sending(key, due);
                var (answered, failure) = await SendAsync(conversations[i / 2 % conversations.Length], fromVisitor, key, http, agentHttp, token);
                if (answered)
                {
                    acknowledged.Received(key);
                }

                if (failure is not null)
                {
                    Interlocked.Increment(ref failures);
                    reasons.AddOrUpdate(failure, 1, (_, n) => n + 1);
                }
            });
            await OpenLoop.DrainAsync(toAgent, toVisitor);
            Report(warmUp, $"| {rate}/s | Porchlight {label}, visitor → agent (stored) | {toAgent.Summary()} |");
            Report(warmUp, $"| {rate}/s | Porchlight {label}, agent → visitor (stored) | {toVisitor.Summary()} |");
            Report(warmUp, $"| {rate}/s | Porchlight {label}, sender's answer (stored) | {acknowledged.Summary()} |");
            if (failures > 0)
            {
                // Why requests failed, and the end of the servers' logs, go to stderr, outside the table.
                Console.Error.WriteLine(string.Join('\n', reasons.Select(r => $"{r.Value} × {r.Key}")));
                servers.ForEach(s => Console.Error.WriteLine(string.Join('\n', s.Output.Split('\n').TakeLast(40))));
            }

            Report(warmUp, $"| {rate}/s | Porchlight {label}, failed requests {failures}, out-of-order deliveries {order.Violations}, {cpu.PerItem(toAgent.Sent + toVisitor.Sent, "message")} | |");
            visitorHandlers.ForEach(h => h.Dispose());
        }

        await agentHub.DisposeAsync();
        await Task.WhenAll(conversations.Select(c => c.Hub.DisposeAsync().AsTask()));
        http.Concat(agentHttp).ToList().ForEach(h => h.Dispose());
    }

    /// <summary>
    /// Sends one message of <paramref name="conversation"/> keyed <paramref name="key"/>: the visitor's through its
    /// node, or the agent's reply through the next one. Answers whether the server answered, and why it failed if it did.
    /// </summary>
    internal static async Task<(bool Answered, string? Failure)> SendAsync(
        BenchConversation conversation, bool fromVisitor, string key, List<HttpClient> http, List<HttpClient> agentHttp, string token)
    {
        using var request = fromVisitor
            ? new HttpRequestMessage(HttpMethod.Post, $"/widget/v1/conversations/{conversation.Id}/messages")
            : new HttpRequestMessage(HttpMethod.Post, $"/api/v1/conversations/{conversation.Id}/messages");
        request.Content = JsonContent.Create(new { clientId = key, text = "How long does shipping to Berlin take?" });
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fromVisitor ? conversation.VisitorToken : token);
        try
        {
            using var response = await (fromVisitor ? http[conversation.Node] : agentHttp[(conversation.Node + 1) % http.Count]).SendAsync(request);
            return (true, response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}");
        }
        catch (HttpRequestException e)
        {
            return (false, e.Message);
        }
        catch (TaskCanceledException)
        {
            // The client gave up waiting (60 s): the server is past its capacity at this rate.
            return (false, "timed out");
        }
    }

    /// <summary>
    /// <paramref name="count"/> visitors each start a conversation with node i mod n and listen on its visitor hub,
    /// which reconnects by itself when <paramref name="reconnect"/>.
    /// </summary>
    internal static async Task<BenchConversation[]> StartConversationsAsync(
        List<ServerProcess> servers, List<HttpClient> http, string? inboxToken, int count, bool reconnect)
    {
        var conversations = new BenchConversation[count];
        for (var i = 0; i < count; i++)
        {
            var node = i % servers.Count;
            var session = await (await http[node].PostAsJsonAsync("/widget/v1/sessions", new { inboxToken })).Content.ReadFromJsonAsync<JsonElement>();
            var visitorToken = session.GetProperty("visitorToken").GetString()!;
            using var start = new HttpRequestMessage(HttpMethod.Post, "/widget/v1/conversations")
            {
                Content = JsonContent.Create(new { clientId = $"start-{i:D6}-{Guid.NewGuid():N}", text = "Hello" }),
            };
            start.Headers.Authorization = new AuthenticationHeaderValue("Bearer", visitorToken);
            var started = await (await http[node].SendAsync(start)).Content.ReadFromJsonAsync<JsonElement>();
            var hub = Servers.Hub(new Uri(servers[node].BaseAddress, $"/hubs/visitor?access_token={Uri.EscapeDataString(visitorToken)}"), reconnect);
            await hub.StartAsync();
            conversations[i] = new(started.GetProperty("conversation").GetProperty("id").GetGuid(), node, visitorToken, hub);
        }

        return conversations;
    }

    // A short unreported pass first, so JIT, connection pools and database caches are warm for the measured rates.
    private static IEnumerable<(int Rate, bool WarmUp)> WithWarmUp(int[] rates) => rates.Select(r => (r, false)).Prepend((100, true));

    private static void Report(bool warmUp, string line)
    {
        if (!warmUp)
        {
            Console.WriteLine(line);
        }
    }

    /// <summary>Counts deliveries whose sequence is lower than one the same receiver already saw for that conversation.</summary>
    internal sealed class OrderCheck
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, Guid), long> _last = new();
        private int _violations;

        public int Violations => _violations;

        public void See(string receiver, JsonElement message)
        {
            var key = (receiver, message.GetProperty("conversationId").GetGuid());
            var sequence = message.GetProperty("sequence").GetInt64();
            _last.AddOrUpdate(key, sequence, (_, last) =>
            {
                if (sequence < last)
                {
                    Interlocked.Increment(ref _violations);
                }

                return Math.Max(last, sequence);
            });
        }
    }
}

/// <summary>A visitor's conversation in a bench: which node the visitor talks to, its token and its hub connection.</summary>
internal sealed record BenchConversation(Guid Id, int Node, string VisitorToken, HubConnection Hub);

/// <summary>
/// Porchlight nodes on a fresh durable PostgreSQL they share, and (more than one node) a Redis: the scale-out setup
/// an operator runs. The first node creates the owner and the API token the bench uses.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    private BenchCluster(PostgresInstance postgres, string connectionString, RedisInstance? redis, List<ServerProcess> servers, string token) =>
        (Postgres, PostgresConnectionString, Redis, Servers, Token) = (postgres, connectionString, redis, servers, token);

    public PostgresInstance Postgres { get; }

    public string PostgresConnectionString { get; }

    public RedisInstance? Redis { get; }

    public List<ServerProcess> Servers { get; }

    public string Token { get; }

    /// <param name="settings">Every node's settings besides the database and Redis (<c>--Section:Key=value</c>).</param>
    public static async Task<BenchCluster> StartAsync(int nodes, string data, params string[] settings)
    {
        var (postgres, connection) = await global::Servers.StartPostgresAsync();
        var redis = nodes > 1 ? await RedisInstance.StartAsync() : null;
        string[] database = ["--Database:Provider=Postgres", $"--Database:ConnectionString={connection}"];
        string[] cluster = redis is null ? settings : [$"--Redis:ConnectionString={redis.ConnectionString}", .. settings];
        var directories = Enumerable.Range(0, nodes).Select(n => Directory.CreateDirectory(Path.Combine(data, $"nodes-{nodes}-{n}")).FullName).ToList();
        var (first, token) = await global::Servers.StartPorchlightAsync(directories[0], database, cluster);
        List<ServerProcess> servers = [first, .. await Task.WhenAll(directories.Skip(1).Select(d => global::Servers.RestartPorchlightAsync(d, database, cluster)))];
        return new BenchCluster(postgres, connection, redis, servers, token);
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Servers.Select(s => s.DisposeAsync().AsTask()));
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        await Postgres.DisposeAsync();
    }
}
