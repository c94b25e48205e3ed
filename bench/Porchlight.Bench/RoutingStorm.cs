using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.ApiTokens;
using Porchlight.Server.Hosting;
using Porchlight.Testing;

namespace Porchlight.Bench;

/// <summary>What the storm is made of; every figure of the docs' table comes from one run of these.</summary>
internal sealed record StormOptions(
    int Agents, int Teams, int Conversations, int Bursts, double BurstEverySeconds, int BurstRate,
    double HandlingMinSeconds, double HandlingMaxSeconds, int VisitorHubsEvery, int[] Nodes, int TimeoutSeconds, int Seed)
{
    public static StormOptions Parse(string[] args)
    {
        string Value(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);
        var handling = Value("--handling", "6,30").Split(',');
        return new StormOptions(
            (int)Number(Value("--agents", "200")),
            (int)Number(Value("--teams", "10")),
            (int)Number(Value("--conversations", "5000")),
            (int)Number(Value("--bursts", "10")),
            Number(Value("--burst-every", "10")),
            (int)Number(Value("--burst-rate", "250")),
            Number(handling[0]),
            Number(handling[^1]),
            (int)Number(Value("--visitor-hubs-every", "1")),
            [.. Value("--nodes", "1,2").Split(',').Select(n => (int)Number(n))],
            (int)Number(Value("--timeout", "600")),
            (int)Number(Value("--seed", "1")));
    }
}

/// <summary>
/// The routing storm: agents with caps in teams of different strategies, conversations arriving in bursts faster
/// than the agents can take them, agents resolving at their own random rates; on one node (SQLite) and on two nodes
/// sharing one PostgreSQL. Measures how fast assignments are decided, how fast freed capacity is reused, how close
/// the visitors' estimated waits came to their real waits, and checks from the server's own records that no
/// conversation was handed out twice and no cap was exceeded. Exits 1 when either happened.
/// </summary>
internal static partial class RoutingStorm
{
    private const string Password = "storm-password-1";

    private static readonly string[] Strategies = ["LeastLoaded", "RoundRobin", "Skills"];

    // What visitors open with; the rules of the Skills teams' inboxes turn "refund"/"invoice" and "shipping"/"delivery" into needs.
    private static readonly string[] Openings =
    [
        "I need a refund for order 4711",
        "How long does shipping to Berlin take?",
        "Hello, I have a question about my account",
        "Where is the invoice for my refund, and when is the delivery?",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var options = StormOptions.Parse(args);
        ThreadPool.SetMinThreads(32, 32); // the load generator's own callbacks must not wait for the pool to grow
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# Routing storm: {options.Agents} agents in {options.Teams} teams, {options.Conversations} conversations in {options.Bursts} bursts every {options.BurstEverySeconds} s at {options.BurstRate}/s, mean handling per agent {options.HandlingMinSeconds}–{options.HandlingMaxSeconds} s, visitor hubs for {Every(options.VisitorHubsEvery)}, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));
        var data = Directory.CreateTempSubdirectory("porchlight-storm-").FullName;
        await using (var bare = await Servers.StartBareAsync(data))
        {
            await BaselineAsync(bare);
        }

        var clean = true;
        foreach (var nodes in options.Nodes)
        {
            clean &= await ConfigurationAsync(options, Path.Combine(data, $"nodes-{nodes}"), nodes);
        }

        Directory.Delete(data, recursive: true);
        return clean ? 0 : 1;
    }

    private static string Every(int n) => n switch
    {
        1 => "every visitor",
        2 => "every 2nd visitor",
        3 => "every 3rd visitor",
        _ => $"every {n}th visitor",
    };

    /// <summary>Kestrel's empty endpoint at about the rate of the storm's requests, from the same run, as the baseline.</summary>
    private static async Task BaselineAsync(ServerProcess bare)
    {
        using var http = Servers.Http(bare.BaseAddress);
        foreach (var (rate, seconds, report) in new[] { (100, 3, false), (250, 10, true) })
        {
            var empty = new LatencyRecorder();
            await OpenLoop.RunAsync(rate, TimeSpan.FromSeconds(seconds), async (i, due) =>
            {
                var key = i.ToString(CultureInfo.InvariantCulture);
                empty.Sending(key, due);
                using var response = await http.GetAsync(new Uri("/empty", UriKind.Relative));
                empty.Received(key);
            });
            if (report)
            {
                Console.WriteLine($"| baseline | Kestrel empty endpoint (GET), {rate}/s open loop | {empty.Summary()} |");
            }
        }
    }

    private static async Task<bool> ConfigurationAsync(StormOptions options, string data, int nodes)
    {
        PostgresInstance? postgres = null;
        string[]? database = null;
        Func<AppDbContext> context;
        if (nodes > 1)
        {
            (postgres, var connection) = await Servers.StartPostgresAsync();
            database = ["--Database:Provider=Postgres", $"--Database:ConnectionString={connection}"];
            context = () => new PostgresAppDbContext(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(connection).Options, new TenantScope());
        }
        else
        {
            context = () => new SqliteAppDbContext(
                new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite($"Data Source={Servers.SqlitePath(Path.Combine(data, "node-0"))}").Options, new TenantScope());
        }

        // Accepting 200 invitations is 200 sign-ins from one address within a minute.
        string[] settings = ["--Security:SignInAttemptsPerMinute=1000000"];
        var servers = new List<ServerProcess>();
        try
        {
            var directories = Enumerable.Range(0, nodes).Select(n => Directory.CreateDirectory(Path.Combine(data, $"node-{n}")).FullName).ToList();
            var (first, token) = await Servers.StartPorchlightAsync(directories[0], database, settings);
            servers.Add(first);
            for (var n = 1; n < nodes; n++)
            {
                servers.Add(await Servers.RestartPorchlightAsync(directories[n], database, settings));
            }

            var label = nodes == 1 ? "one node, SQLite" : $"{nodes} nodes, one PostgreSQL";
            return await new Storm(options, servers, token, context, label, postgres?.Port).RunAsync();
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }

            if (postgres is not null)
            {
                await postgres.DisposeAsync();
            }
        }
    }

    [GeneratedRegex("""<input[^>]*name="__RequestVerificationToken"[^>]*>""")]
    private static partial Regex AntiforgeryInput();

    [GeneratedRegex("value=\"([^\"]+)\"")]
    private static partial Regex ValueAttribute();

    [GeneratedRegex("""(\d+)/(\d+) active""")]
    private static partial Regex LoadInReason();

    /// <summary>One agent as the bench drives them.</summary>
    private sealed record StormAgent(int Index, string Email, int Team, int Cap, double MeanHandlingSeconds)
    {
        public Guid Id { get; set; }

        public string Token { get; set; } = "";
    }

    /// <summary>Everything the bench saw of one conversation, from its start to its resolution.</summary>
    private sealed class Seen
    {
        public int Visitor { get; init; }

        public int Team { get; init; }

        public int Node { get; init; }

        public long StartSent { get; set; }

        public long StartAcknowledged { get; set; }

        public Guid Id { get; set; }

        public long Assigned { get; set; }

        public Guid? Assignee { get; set; }

        public int OtherAssignees { get; set; }

        public long ResolveSent { get; set; }

        public long ResolveAcknowledged { get; set; }

        public bool ResolveFinished { get; set; }

        public (long At, int Position, int? EstimatedWaitSeconds)? FirstPlace { get; set; }

        public int Notices { get; set; }
    }

    /// <summary>What the server recorded of one conversation, read back through the API after the run.</summary>
    private sealed record Recorded(Seen Seen, string Status, Guid? AssigneeId, Guid? TeamId, DateTime? ResolvedAt, List<Decision> Decisions);

    private sealed record Decision(string Outcome, Guid? TeamId, Guid? AgentId, string Reason, DateTime DecidedAt, double? WaitedSeconds);

    private sealed class Storm(StormOptions options, List<ServerProcess> servers, string ownerToken, Func<AppDbContext> context, string label, int? postgresPort)
    {
        private readonly DateTime _startUtc = DateTime.UtcNow;
        private readonly long _startTimestamp = Stopwatch.GetTimestamp();
        private readonly List<HttpClient> _http = [.. servers.Select(s => Servers.Http(s.BaseAddress))];
        private readonly List<StormAgent> _agents = [];
        private readonly Dictionary<Guid, StormAgent> _agentsById = [];
        private readonly List<(Guid Id, string Strategy)> _teams = [];
        private readonly List<string> _inboxTokens = [];
        private readonly ConcurrentDictionary<Guid, Seen> _byId = new();
        private readonly ConcurrentDictionary<Guid, List<(long At, Guid Agent)>> _assignedBeforeKnown = new();
        private readonly ConcurrentDictionary<Guid, List<(long At, int? Position, int? Estimate)>> _noticesBeforeKnown = new();
        private readonly ConcurrentDictionary<string, int> _failures = new();
        private readonly ConcurrentBag<Task> _work = [];
        private readonly List<(DateTime At, int Waiting)> _queueSamples = [];
        private readonly List<string> _supervisionViolations = [];
        private Seen[] _seen = [];
        private List<(string Name, double Delta)> _metrics = [];
        private int _unknownAssignees;
        private int _supervisionReads;

        private static double Seconds(long timestamp) => Stopwatch.GetElapsedTime(0, timestamp).TotalSeconds;

        private DateTime Utc(long timestamp) => _startUtc + Stopwatch.GetElapsedTime(_startTimestamp, timestamp);

        public async Task<bool> RunAsync()
        {
            var random = new Random(options.Seed);
            var setup = Stopwatch.StartNew();
            await SetUpAsync(random);
            Console.Error.WriteLine($"[{label}] workspace set up in {setup.Elapsed.TotalSeconds:0} s");

            var agentHubs = new List<RawHub>();
            foreach (var batch in _agents.SelectMany(a => servers.Select(s => (a, s))).Chunk(50))
            {
                agentHubs.AddRange(await Task.WhenAll(batch.Select(p => RawHub.OpenAsync(
                    new Uri(ToWebSocket(p.s.BaseAddress), $"/hubs/agent?access_token={Uri.EscapeDataString(p.a.Token)}")))));
            }

            var observers = new List<HubConnection>();
            foreach (var server in servers)
            {
                var observer = Servers.Hub(new Uri(server.BaseAddress, $"/hubs/agent?access_token={Uri.EscapeDataString(ownerToken)}"));
                observer.On<JsonElement>("ConversationChanged", Changed);
                await observer.StartAsync();
                observers.Add(observer);
            }

            await WaitUntilEveryoneIsOnlineAsync();
            var (visitors, visitorHubs) = await VisitorsAsync(random);
            Console.Error.WriteLine($"[{label}] {agentHubs.Count} agent connections, {visitorHubs.Count} visitor connections; the storm begins");

            var metricsBefore = await MetricsAsync();
            var cpu = new CpuMeter(servers, postgresPort);
            using var stopSampling = new CancellationTokenSource();
            var sampling = SuperviseAsync(stopSampling.Token);
            var stormStarted = Stopwatch.GetTimestamp();
            await ArriveAsync(visitors);
            var completed = await WaitForResolutionsAsync(stormStarted);
            var stormEnded = Stopwatch.GetTimestamp();
            var used = cpu.Used();
            var metricsAfter = await MetricsAsync();
            _metrics = [.. metricsAfter.Select(a => (a.Key, a.Value - metricsBefore.GetValueOrDefault(a.Key)))];
            await stopSampling.CancelAsync();
            await sampling;
            await Task.WhenAll(_work);

            var closedAgentHubs = agentHubs.Count(h => h.ClosedEarly);
            var agentBytes = agentHubs.Sum(h => h.Bytes);
            await Task.WhenAll(agentHubs.Select(h => h.DisposeAsync().AsTask()));
            await Task.WhenAll(observers.Select(o => o.DisposeAsync().AsTask()));
            await Task.WhenAll(visitorHubs.Select(h => h.DisposeAsync().AsTask()));

            var recorded = await ReadBackAsync();
            return Report(recorded, completed, stormStarted, stormEnded, used, closedAgentHubs, agentBytes, visitorHubs.Count);
        }

        // ---- Setting up the workspace through the API, as an administrator would ----

        private async Task SetUpAsync(Random random)
        {
            var admin = _http[0];
            var workspace = await SendAsync<JsonElement>(admin, HttpMethod.Get, "/api/v1/workspace", ownerToken, null);
            // Nobody is set Away for want of mouse movements while the bench runs.
            await SendAsync<JsonElement>(admin, HttpMethod.Put, "/api/v1/workspace", ownerToken, new
            {
                name = workspace.GetProperty("name").GetString(),
                timeZone = workspace.GetProperty("timeZone").GetString(),
                businessHours = workspace.GetProperty("businessHours"),
                autoAwayMinutes = 0,
            });

            for (var t = 0; t < options.Teams; t++)
            {
                var strategy = Strategies[t % Strategies.Length];
                var team = await SendAsync<JsonElement>(admin, HttpMethod.Post, "/api/v1/teams", ownerToken,
                    new { name = $"Team {t + 1:D2}", description = $"{strategy} team of the storm", strategy });
                _teams.Add((team.GetProperty("id").GetGuid(), strategy));
            }

            for (var i = 0; i < options.Agents; i++)
            {
                // Within each team: caps 2, 3, 4 and 5 for chats in turn, and each agent's own mean handling time.
                var team = i % options.Teams;
                var cap = 2 + i / options.Teams % 4;
                var mean = options.HandlingMinSeconds + random.NextDouble() * (options.HandlingMaxSeconds - options.HandlingMinSeconds);
                _agents.Add(new StormAgent(i, $"agent{i:D3}@storm.example.com", team, cap, mean));
            }

            await Parallel.ForEachAsync(_agents, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (agent, _) => await JoinAsync(agent));
            await foreach (var listed in ListAsync(admin, "/api/v1/agents"))
            {
                if (_agents.FirstOrDefault(a => a.Email == listed.GetProperty("email").GetString()) is { } agent)
                {
                    agent.Id = listed.GetProperty("id").GetGuid();
                    _agentsById[agent.Id] = agent;
                }
            }

            if (_agentsById.Count != _agents.Count)
            {
                throw new InvalidOperationException($"Only {_agentsById.Count} of {_agents.Count} agents joined.");
            }

            await MakeTokensAsync();
            await Parallel.ForEachAsync(_agents, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (agent, _) =>
            {
                var (teamId, strategy) = _teams[agent.Team];
                await SendAsync<JsonElement?>(admin, HttpMethod.Put, $"/api/v1/teams/{teamId}/members/{agent.Id}", ownerToken, null);
                await SendAsync<JsonElement>(admin, HttpMethod.Put, $"/api/v1/agents/{agent.Id}/caps", ownerToken,
                    new { all = (int?)null, chat = agent.Cap, email = (int?)null, api = (int?)null });
                if (strategy == "Skills")
                {
                    // Levels vary; one agent in five lacks billing, one in three lacks shipping: the reasons say what was missing.
                    var skills = new Dictionary<string, int>();
                    var j = agent.Index / options.Teams;
                    if (j % 5 != 0)
                    {
                        skills["billing"] = 1 + j % 5;
                    }

                    if (j % 3 != 0)
                    {
                        skills["shipping"] = 1 + (j * 2 % 5);
                    }

                    await SendAsync<JsonElement>(admin, HttpMethod.Put, $"/api/v1/agents/{agent.Id}/skills", ownerToken, new { skills });
                }
            });

            for (var t = 0; t < options.Teams; t++)
            {
                var (teamId, strategy) = _teams[t];
                var inbox = await SendAsync<JsonElement>(admin, HttpMethod.Post, "/api/v1/inboxes", ownerToken, new { name = $"Storm {t + 1:D2}", channel = "WebWidget" });
                var inboxId = inbox.GetProperty("id").GetGuid();
                _inboxTokens.Add(inbox.GetProperty("publicToken").GetString()!);
                await SendAsync<JsonElement>(admin, HttpMethod.Put, $"/api/v1/inboxes/{inboxId}/routing", ownerToken, new { defaultTeamId = teamId });
                if (strategy == "Skills")
                {
                    foreach (var (name, words, need) in new[] { ("Billing", "refund, invoice", "billing"), ("Shipping", "shipping, delivery", "shipping") })
                    {
                        await SendAsync<JsonElement>(admin, HttpMethod.Post, $"/api/v1/inboxes/{inboxId}/routing-rules", ownerToken, new
                        {
                            name,
                            isEnabled = true,
                            conditions = new[] { new { field = "message", @operator = "contains", value = words } },
                            teamId,
                            priority = (string?)null,
                            addLabels = new[] { need },
                        });
                    }
                }
            }
        }

        /// <summary>An agent joins by the invitation link, as a person does in the browser: the page, then its form.</summary>
        private async Task JoinAsync(StormAgent agent)
        {
            var invitation = await SendAsync<JsonElement>(_http[0], HttpMethod.Post, "/api/v1/invitations", ownerToken, new { email = agent.Email, role = "Agent" });
            var accept = new Uri(invitation.GetProperty("acceptUrl").GetString()!, UriKind.RelativeOrAbsolute);
            var path = accept.IsAbsoluteUri ? accept.PathAndQuery : accept.OriginalString;
            using var handler = new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
            using var browser = new HttpClient(handler) { BaseAddress = servers[0].BaseAddress };
            var page = await browser.GetStringAsync(new Uri(path, UriKind.Relative));
            var input = AntiforgeryInput().Match(page);
            var antiforgery = ValueAttribute().Match(input.Value);
            if (!input.Success || !antiforgery.Success)
            {
                throw new InvalidOperationException($"The invitation page of {agent.Email} has no form token.");
            }

            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["displayName"] = $"Agent {agent.Index:D3}",
                ["password"] = Password,
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(antiforgery.Groups[1].Value),
            });
            using var joined = await browser.PostAsync(new Uri(path, UriKind.Relative), form);
            if (joined.StatusCode != HttpStatusCode.Redirect || joined.Headers.Location?.OriginalString != "/")
            {
                throw new InvalidOperationException($"{agent.Email} could not join: {(int)joined.StatusCode} {joined.Headers.Location}");
            }
        }

        /// <summary>
        /// Each agent's personal API token, made as <c>porchlight create-token</c> makes it (the API takes no sign-in cookie, and
        /// 200 runs of the command line would take minutes): written straight into the database with the server's own model.
        /// </summary>
        private async Task MakeTokensAsync()
        {
            await using var db = context();
            var emails = _agents.Select(a => a.Email).ToList();
            var rows = await db.Agents.IgnoreQueryFilters().Where(a => emails.Contains(a.Email!)).ToListAsync();
            var now = DateTime.UtcNow;
            foreach (var row in rows)
            {
                var secret = SecretToken.Create("plt");
                db.ApiTokens.Add(ApiToken.Create(row, "storm", TokenScopes.Read | TokenScopes.Write, secret, SecretToken.Hash(secret), now, expiresAt: null));
                _agentsById[row.Id].Token = secret;
            }

            await db.SaveChangesAsync();
        }

        private async Task WaitUntilEveryoneIsOnlineAsync()
        {
            var deadline = Stopwatch.StartNew();
            foreach (var http in _http)
            {
                while (true)
                {
                    var figures = await SendAsync<JsonElement>(http, HttpMethod.Get, "/api/v1/routing/supervision", ownerToken, null);
                    var online = figures.GetProperty("agents").EnumerateArray()
                        .Count(a => _agentsById.ContainsKey(a.GetProperty("agentId").GetGuid()) && a.GetProperty("presence").GetString() == "Online");
                    if (online == _agents.Count)
                    {
                        break;
                    }

                    if (deadline.Elapsed > TimeSpan.FromMinutes(2))
                    {
                        throw new InvalidOperationException($"Only {online} of {_agents.Count} agents are online on {http.BaseAddress}.");
                    }

                    await Task.Delay(250);
                }
            }
        }

        /// <summary>Every visitor's widget session (the page load, before the storm), and the visitor hubs of the sample.</summary>
        private async Task<(List<(int Visitor, int Team, int Node, string Token, string Text)>, List<HubConnection>)> VisitorsAsync(Random random)
        {
            var plan = Enumerable.Range(0, options.Conversations)
                .Select(v => (Visitor: v, Team: random.Next(options.Teams), Node: v % servers.Count, Text: Openings[random.Next(Openings.Length)])).ToList();
            var visitors = new (int, int, int, string, string)[plan.Count];
            await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (v, _) =>
            {
                var session = await SendAsync<JsonElement>(_http[v.Node], HttpMethod.Post, "/widget/v1/sessions", null, new { inboxToken = _inboxTokens[v.Team] });
                visitors[v.Visitor] = (v.Visitor, v.Team, v.Node, session.GetProperty("visitorToken").GetString()!, v.Text);
            });

            var hubs = new ConcurrentBag<HubConnection>();
            await Parallel.ForEachAsync(visitors.Where(v => v.Item1 % options.VisitorHubsEvery == 0), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (v, ct) =>
            {
                var hub = Servers.Hub(new Uri(servers[v.Item3].BaseAddress, $"/hubs/visitor?access_token={Uri.EscapeDataString(v.Item4)}"));
                hub.On<JsonElement>("QueueChanged", Place);
                await hub.StartAsync(ct);
                hubs.Add(hub);
            });
            return ([.. visitors], [.. hubs]);
        }

        // ---- The storm ----

        /// <summary>Bursts of conversations, each sent open loop at the burst rate; a slow answer does not hold back the next start.</summary>
        private async Task ArriveAsync(List<(int Visitor, int Team, int Node, string Token, string Text)> visitors)
        {
            _seen = [.. visitors.Select(v => new Seen { Visitor = v.Visitor, Team = v.Team, Node = v.Node })];
            var perBurst = (int)Math.Ceiling(visitors.Count / (double)options.Bursts);
            var start = Stopwatch.GetTimestamp();
            var starts = new List<Task>(visitors.Count);
            for (var v = 0; v < visitors.Count; v++)
            {
                var (burst, within) = Math.DivRem(v, perBurst);
                var due = start + (long)((burst * options.BurstEverySeconds + within / (double)options.BurstRate) * Stopwatch.Frequency);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.FromMilliseconds(2))
                {
                    await Task.Delay(wait);
                }

                starts.Add(StartAsync(visitors[v], _seen[v]));
            }

            await Task.WhenAll(starts);
        }

        private async Task StartAsync((int Visitor, int Team, int Node, string Token, string Text) visitor, Seen seen)
        {
            seen.StartSent = Stopwatch.GetTimestamp();
            try
            {
                var started = await SendAsync<JsonElement>(_http[visitor.Node], HttpMethod.Post, "/widget/v1/conversations", visitor.Token,
                    new { clientId = $"storm-{visitor.Visitor:D6}", text = visitor.Text });
                seen.StartAcknowledged = Stopwatch.GetTimestamp();
                seen.Id = started.GetProperty("conversation").GetProperty("id").GetGuid();
                Know(seen);
            }
            catch (StormRequestException e)
            {
                _failures.AddOrUpdate($"start: {e.Message}", 1, (_, n) => n + 1);
            }
        }

        // The id is known from the start's answer; an assignment or a place in line can be heard before it arrives.
        private void Know(Seen seen)
        {
            lock (seen)
            {
                _byId[seen.Id] = seen;
                if (_assignedBeforeKnown.TryRemove(seen.Id, out var assignments))
                {
                    foreach (var (at, agent) in assignments)
                    {
                        Assign(seen, at, agent);
                    }
                }

                if (_noticesBeforeKnown.TryRemove(seen.Id, out var notices))
                {
                    foreach (var (at, position, estimate) in notices)
                    {
                        Notice(seen, at, position, estimate);
                    }
                }
            }
        }

        /// <summary>A conversation changed (seen on a node's agent hub): the first assignee is the assignment; a second one is a double assignment.</summary>
        private void Changed(JsonElement conversation)
        {
            var at = Stopwatch.GetTimestamp();
            if (conversation.GetProperty("assigneeId") is not { ValueKind: JsonValueKind.String } assignee)
            {
                return;
            }

            var id = conversation.GetProperty("id").GetGuid();
            var agent = assignee.GetGuid();
            if (_byId.TryGetValue(id, out var seen))
            {
                lock (seen)
                {
                    Assign(seen, at, agent);
                }

                return;
            }

            _assignedBeforeKnown.AddOrUpdate(id, _ => [(at, agent)], (_, list) =>
            {
                lock (list)
                {
                    list.Add((at, agent));
                }

                return list;
            });
            if (_byId.TryGetValue(id, out seen))
            {
                Know(seen);
            }
        }

        private void Assign(Seen seen, long at, Guid agentId)
        {
            if (seen.Assignee is { } earlier)
            {
                if (earlier != agentId)
                {
                    seen.OtherAssignees++;
                }

                return;
            }

            seen.Assignee = agentId;
            seen.Assigned = at;
            if (!_agentsById.TryGetValue(agentId, out var agent))
            {
                Interlocked.Increment(ref _unknownAssignees);
                return;
            }

            _work.Add(WorkAsync(agent, seen));
        }

        /// <summary>The agent handles the conversation for an exponential time around their own mean, then resolves it with their own token.</summary>
        private async Task WorkAsync(StormAgent agent, Seen seen)
        {
            var handling = -agent.MeanHandlingSeconds * Math.Log(1 - Random.Shared.NextDouble());
            await Task.Delay(TimeSpan.FromSeconds(handling));
            seen.ResolveSent = Stopwatch.GetTimestamp();
            try
            {
                await SendAsync<JsonElement>(_http[agent.Index % _http.Count], HttpMethod.Post, $"/api/v1/conversations/{seen.Id}/status", agent.Token, new { status = "Resolved" });
                seen.ResolveAcknowledged = Stopwatch.GetTimestamp();
            }
            catch (StormRequestException e)
            {
                _failures.AddOrUpdate($"resolve: {e.Message}", 1, (_, n) => n + 1);
            }
            finally
            {
                seen.ResolveFinished = true;
            }
        }

        private void Place(JsonElement notice)
        {
            var at = Stopwatch.GetTimestamp();
            var id = notice.GetProperty("conversationId").GetGuid();
            int? position = notice.GetProperty("position") is { ValueKind: JsonValueKind.Number } p ? p.GetInt32() : null;
            int? estimate = notice.GetProperty("estimatedWaitSeconds") is { ValueKind: JsonValueKind.Number } e ? e.GetInt32() : null;
            if (_byId.TryGetValue(id, out var seen))
            {
                lock (seen)
                {
                    Notice(seen, at, position, estimate);
                }

                return;
            }

            _noticesBeforeKnown.AddOrUpdate(id, _ => [(at, position, estimate)], (_, list) =>
            {
                lock (list)
                {
                    list.Add((at, position, estimate));
                }

                return list;
            });
            if (_byId.TryGetValue(id, out seen))
            {
                Know(seen);
            }
        }

        private static void Notice(Seen seen, long at, int? position, int? estimate)
        {
            seen.Notices++;
            if (seen.FirstPlace is null && position is { } place)
            {
                seen.FirstPlace = (at, place, estimate);
            }
        }

        private async Task<bool> WaitForResolutionsAsync(long stormStarted)
        {
            var deadline = stormStarted + options.TimeoutSeconds * Stopwatch.Frequency;
            var lastReport = Stopwatch.GetTimestamp();
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var started = _seen.Count(s => s.StartAcknowledged != 0);
                var resolved = _seen.Count(s => s.ResolveFinished);
                if (resolved == started && _work.All(w => w.IsCompleted))
                {
                    return true;
                }

                if (Stopwatch.GetElapsedTime(lastReport) > TimeSpan.FromSeconds(15))
                {
                    lastReport = Stopwatch.GetTimestamp();
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"[{label}] {Stopwatch.GetElapsedTime(stormStarted).TotalSeconds:0} s: {started} started, {_seen.Count(s => s.Assignee is not null)} assigned, {resolved} resolved, waiting (latest sample) {_queueSamples.LastOrDefault().Waiting}"));
                }

                await Task.Delay(100);
            }

            return false;
        }

        /// <summary>Reads the live queues page's figures every second, as a supervisor's screen does: no agent's load may pass their cap.</summary>
        private async Task SuperviseAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var figures = await SendAsync<JsonElement>(_http[0], HttpMethod.Get, "/api/v1/routing/supervision", ownerToken, null);
                    var at = DateTime.UtcNow;
                    _supervisionReads++;
                    lock (_queueSamples)
                    {
                        _queueSamples.Add((at, figures.GetProperty("teams").EnumerateArray().Sum(t => t.GetProperty("waiting").GetInt32())));
                    }

                    foreach (var agent in figures.GetProperty("agents").EnumerateArray())
                    {
                        foreach (var load in agent.GetProperty("load").EnumerateArray())
                        {
                            var (active, cap) = (load.GetProperty("active").GetInt32(), load.GetProperty("cap").GetInt32());
                            if (active > cap)
                            {
                                _supervisionViolations.Add($"{at:HH:mm:ss.fff} {agent.GetProperty("name").GetString()}: {load.GetProperty("channel").GetString()} {active}/{cap}");
                            }
                        }
                    }

                    await Task.Delay(1000, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                catch (StormRequestException e)
                {
                    _failures.AddOrUpdate($"supervision: {e.Message}", 1, (_, n) => n + 1);
                }
            }
        }

        // ---- After the storm: the server's own records ----

        /// <summary>Counters of every node's <c>/metrics</c>, summed over their labels and the nodes.</summary>
        private async Task<Dictionary<string, double>> MetricsAsync()
        {
            var totals = new Dictionary<string, double>();
            foreach (var http in _http)
            {
                var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
                foreach (var line in text.Split('\n'))
                {
                    if (line.StartsWith("porchlight_", StringComparison.Ordinal) && line.LastIndexOf(' ') is var space and > 0
                        && double.TryParse(line[(space + 1)..], CultureInfo.InvariantCulture, out var value))
                    {
                        var name = line.IndexOf('{', StringComparison.Ordinal) is var brace and > 0 ? line[..brace] : line[..space];
                        totals[name] = totals.GetValueOrDefault(name) + value;
                    }
                }
            }

            return totals;
        }

        private async Task<List<Recorded>> ReadBackAsync()
        {
            var recorded = new ConcurrentBag<Recorded>();
            await Parallel.ForEachAsync(_seen.Where(s => s.Id != Guid.Empty), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (seen, _) =>
            {
                var conversation = await SendAsync<JsonElement>(_http[0], HttpMethod.Get, $"/api/v1/conversations/{seen.Id}", ownerToken, null);
                var decisions = await SendAsync<JsonElement>(_http[0], HttpMethod.Get, $"/api/v1/conversations/{seen.Id}/routing", ownerToken, null);
                recorded.Add(new Recorded(
                    seen,
                    conversation.GetProperty("status").GetString()!,
                    GuidOrNull(conversation.GetProperty("assigneeId")),
                    GuidOrNull(conversation.GetProperty("teamId")),
                    conversation.GetProperty("resolvedAt") is { ValueKind: JsonValueKind.String } resolvedAt ? resolvedAt.GetDateTime().ToUniversalTime() : null,
                    [.. decisions.EnumerateArray().Select(d => new Decision(
                        d.GetProperty("outcome").GetString()!,
                        GuidOrNull(d.GetProperty("teamId")),
                        GuidOrNull(d.GetProperty("agentId")),
                        d.GetProperty("reason").GetString()!,
                        d.GetProperty("decidedAt").GetDateTime().ToUniversalTime(),
                        d.GetProperty("waitedSeconds") is { ValueKind: JsonValueKind.Number } w ? w.GetDouble() : null))]));
            });
            return [.. recorded.OrderBy(r => r.Seen.Visitor)];
        }

        private static Guid? GuidOrNull(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetGuid() : null;

        private bool Report(List<Recorded> recorded, bool completed, long stormStarted, long stormEnded, CpuUse cpu, int closedAgentHubs, long agentBytes, int visitorHubs)
        {
            var rows = new List<(string Figure, string Value)>();
            void Row(string figure, string value) => rows.Add((figure, value));
            var teamOf = _teams.Select((t, i) => (t.Id, i)).ToDictionary(t => t.Id, t => t.i);
            var capOf = _agents.ToDictionary(a => a.Id, a => a.Cap);
            var capacityOf = Enumerable.Range(0, options.Teams).Select(t => _agents.Where(a => a.Team == t).Sum(a => a.Cap)).ToArray();

            // -- Correctness: double assignments and caps, each checked more than one way.
            var assignedDecisions = recorded.SelectMany(r => r.Decisions.Where(d => d.Outcome == "Assigned").Select(d => (r, d))).ToList();
            var handedOutTwice = recorded.Where(r => r.Decisions.Count(d => d.Outcome == "Assigned") > 1).ToList();
            var neverAssigned = recorded.Where(r => r.Decisions.All(d => d.Outcome != "Assigned")).ToList();
            var seenWithTwo = recorded.Where(r => r.Seen.OtherAssignees > 0).ToList();
            var finalMismatch = recorded.Where(r => r.Decisions.LastOrDefault(d => d.Outcome == "Assigned") is { } d && d.AgentId != r.AssigneeId).ToList();
            var wrongTeam = recorded.Where(r => r.Decisions.Any(d => d.TeamId != _teams[r.Seen.Team].Id)
                || r.Decisions.Any(d => d.Outcome == "Assigned" && d.AgentId is { } a && _agentsById.TryGetValue(a, out var agent) && agent.Team != r.Seen.Team)).ToList();
            var notResolved = recorded.Where(r => r.Status != "Resolved").ToList();

            var reasonOverCap = 0;
            var reasonCapDiffers = 0;
            foreach (var (r, d) in assignedDecisions)
            {
                var load = LoadInReason().Match(d.Reason);
                if (!load.Success || d.AgentId is not { } agentId)
                {
                    reasonOverCap++;
                    continue;
                }

                var (active, cap) = (int.Parse(load.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(load.Groups[2].Value, CultureInfo.InvariantCulture));
                reasonOverCap += active >= cap ? 1 : 0;
                reasonCapDiffers += capOf.TryGetValue(agentId, out var configured) && configured != cap ? 1 : 0;
            }

            // The timeline from the server's own timestamps: at each assignment to an agent, their conversations assigned earlier
            // and not yet resolved (by the resolve's own timestamp, taken before its commit) must be fewer than their cap.
            var timelineOver = new List<string>();
            var countedBelowReason = 0;
            var countedAboveReason = 0;
            foreach (var agentAssignments in assignedDecisions.Where(x => x.d.AgentId is not null).GroupBy(x => x.d.AgentId!.Value))
            {
                var held = agentAssignments.Select(x => (Assigned: x.d.DecidedAt, Resolved: x.r.ResolvedAt ?? DateTime.MaxValue)).ToList();
                foreach (var (r, d) in agentAssignments)
                {
                    var active = held.Count(h => h.Assigned < d.DecidedAt && h.Resolved > d.DecidedAt);
                    var cap = capOf.GetValueOrDefault(agentAssignments.Key, int.MaxValue);
                    if (active + 1 > cap)
                    {
                        timelineOver.Add($"{agentAssignments.Key} at {d.DecidedAt:HH:mm:ss.ffffff}: {active + 1}/{cap}");
                    }

                    if (LoadInReason().Match(d.Reason) is { Success: true } load)
                    {
                        var reasoned = int.Parse(load.Groups[1].Value, CultureInfo.InvariantCulture);
                        countedBelowReason += active < reasoned ? 1 : 0;
                        countedAboveReason += active > reasoned ? 1 : 0;
                    }
                }
            }

            // -- Per team, from the server's decisions: how many waited (queued, not yet assigned) and how many it held
            // (queued, not yet resolved) over time.
            var queueEvents = new List<(DateTime At, int Delta)>[options.Teams];
            var heldEvents = new List<(DateTime At, int Delta)>[options.Teams];
            for (var t = 0; t < options.Teams; t++)
            {
                (queueEvents[t], heldEvents[t]) = ([], []);
            }

            foreach (var r in recorded)
            {
                var t = r.Seen.Team;
                if (r.Decisions.FirstOrDefault(d => d.Outcome == "Queued") is { } queued)
                {
                    queueEvents[t].Add((queued.DecidedAt, +1));
                    heldEvents[t].Add((queued.DecidedAt, +1));
                    if (r.Decisions.FirstOrDefault(d => d.Outcome == "Assigned") is { } assigned)
                    {
                        queueEvents[t].Add((assigned.DecidedAt, -1));
                    }

                    if (r.ResolvedAt is { } resolved)
                    {
                        heldEvents[t].Add((resolved, -1));
                    }
                }
            }

            var queueLine = queueEvents.Select(Timeline).ToArray();
            var heldLine = heldEvents.Select(Timeline).ToArray();

            // -- Decision latency where the team had room when the conversation arrived.
            var roomAtOnce = new List<double>();
            var roomAtOnceAcknowledged = new List<double>();
            var roomAtOnceServer = new List<double>();
            var waitedForRoom = new List<double>();
            var queueWaits = new List<double>();
            var startAnswers = new List<double>();
            var answeredToQueued = new List<double>();
            foreach (var r in recorded)
            {
                startAnswers.Add(Milliseconds(r.Seen.StartSent, r.Seen.StartAcknowledged));
                var queued = r.Decisions.FirstOrDefault(d => d.Outcome == "Queued");
                var assigned = r.Decisions.FirstOrDefault(d => d.Outcome == "Assigned");
                if (queued is null || assigned is null)
                {
                    continue;
                }

                answeredToQueued.Add((queued.DecidedAt - Utc(r.Seen.StartAcknowledged)).TotalMilliseconds);

                queueWaits.Add((assigned.DecidedAt - queued.DecidedAt).TotalMilliseconds);
                var heldBefore = ValueBefore(heldLine[r.Seen.Team], queued.DecidedAt);
                if (heldBefore < capacityOf[r.Seen.Team])
                {
                    roomAtOnceServer.Add((assigned.DecidedAt - queued.DecidedAt).TotalMilliseconds);
                    if (r.Seen.Assigned != 0)
                    {
                        roomAtOnce.Add(Milliseconds(r.Seen.StartSent, r.Seen.Assigned));
                        roomAtOnceAcknowledged.Add(Milliseconds(r.Seen.StartAcknowledged, r.Seen.Assigned));
                    }
                }
                else
                {
                    waitedForRoom.Add((assigned.DecidedAt - queued.DecidedAt).TotalMilliseconds);
                }
            }

            // -- From capacity freed (an agent's resolve answered) to that agent's next assignment, where their team's queue
            // had someone waiting at the resolve and until that assignment.
            var freedToNext = new List<double>();
            var freedToNextServer = new List<double>();
            var byAgent = recorded.Where(r => r.Seen.Assignee is not null && r.Decisions.Any(d => d.Outcome == "Assigned"))
                .GroupBy(r => r.Seen.Assignee!.Value)
                .ToDictionary(g => g.Key, g => g.Select(r => (Decided: r.Decisions.First(d => d.Outcome == "Assigned").DecidedAt, Seen: r.Seen)).OrderBy(x => x.Decided).ToList());
            foreach (var r in recorded)
            {
                if (r.ResolvedAt is not { } freed || r.Seen.ResolveAcknowledged == 0 || r.Seen.Assignee is not { } agentId || !byAgent.TryGetValue(agentId, out var theirs))
                {
                    continue;
                }

                var next = theirs.FirstOrDefault(x => x.Decided > freed);
                if (next.Seen is null || next.Seen.Assigned == 0)
                {
                    continue;
                }

                if (MinimumBetween(queueLine[r.Seen.Team], freed, next.Decided) > 0)
                {
                    freedToNext.Add(Milliseconds(r.Seen.ResolveAcknowledged, next.Seen.Assigned));
                    freedToNextServer.Add((next.Decided - freed).TotalMilliseconds);
                }
            }

            // -- The visitors' estimated wait against their real wait, from the first place in line each was told.
            var withHub = recorded.Where(r => r.Seen.Visitor % options.VisitorHubsEvery == 0).ToList();
            var toldPlace = withHub.Where(r => r.Seen.FirstPlace is not null && r.Seen.Assigned != 0).ToList();
            var estimated = toldPlace.Where(r => r.Seen.FirstPlace!.Value.EstimatedWaitSeconds is not null).ToList();
            var errors = estimated.Select(r => Math.Abs(r.Seen.FirstPlace!.Value.EstimatedWaitSeconds!.Value - Seconds(r.Seen.Assigned - r.Seen.FirstPlace!.Value.At))).ToList();
            var ratios = estimated.Select(r => Seconds(r.Seen.Assigned - r.Seen.FirstPlace!.Value.At) / Math.Max(1, r.Seen.FirstPlace!.Value.EstimatedWaitSeconds!.Value)).ToList();
            var waits = toldPlace.Select(r => Seconds(r.Seen.Assigned - r.Seen.FirstPlace!.Value.At)).ToList();

            // The same formula without its one-minute floor on the time span, computed here from the server's decisions.
            var assignedByTeam = Enumerable.Range(0, options.Teams)
                .Select(t => recorded.Where(r => r.Seen.Team == t).SelectMany(r => r.Decisions.Where(d => d.Outcome == "Assigned" && d.WaitedSeconds is not null))
                    .Select(d => d.DecidedAt).Order().ToList()).ToArray();
            var unfloored = new List<(double Error, double Ratio)>();
            foreach (var r in toldPlace)
            {
                var (at, position, _) = r.Seen.FirstPlace!.Value;
                var when = Utc(at);
                var recent = assignedByTeam[r.Seen.Team].Where(d => d <= when && d >= when - TimeSpan.FromMinutes(30)).TakeLast(20).ToList();
                if (recent.Count >= 3 && (when - recent[0]).TotalSeconds > 0)
                {
                    var perSecond = recent.Count / (when - recent[0]).TotalSeconds;
                    var estimate = Math.Ceiling(position / perSecond / 15) * 15;
                    var actual = Seconds(r.Seen.Assigned - at);
                    unfloored.Add((Math.Abs(estimate - actual), actual / Math.Max(1, estimate)));
                }
            }

            // -- Throughput and cost.
            var firstStart = _seen.Where(s => s.StartSent != 0).Min(s => s.StartSent);
            var lastResolve = _seen.Where(s => s.ResolveAcknowledged != 0).Select(s => s.ResolveAcknowledged).DefaultIfEmpty(stormEnded).Max();
            var lastAssignment = _seen.Where(s => s.Assigned != 0).Select(s => s.Assigned).DefaultIfEmpty(stormEnded).Max();
            var stormSeconds = Seconds(lastResolve - firstStart);
            var lastArrival = _seen.Max(s => s.StartSent);
            var assignedCount = recorded.Count(r => r.Decisions.Any(d => d.Outcome == "Assigned"));
            int peakWaiting;
            lock (_queueSamples)
            {
                peakWaiting = _queueSamples.Select(s => s.Waiting).DefaultIfEmpty(0).Max();
            }

            var doubles = handedOutTwice.Count + seenWithTwo.Count + finalMismatch.Count;
            var capViolations = reasonOverCap + timelineOver.Count + _supervisionViolations.Count;

            Row("conversations started (answered 2xx) / sent", $"{recorded.Count} / {_seen.Length}");
            Row("assigned / resolved (server's records)", $"{assignedCount} / {recorded.Count - notResolved.Count}");
            Row("storm: first start → last resolve", $"{stormSeconds:0.0} s (arrivals over {Seconds(lastArrival - firstStart):0.0} s, last assignment at {Seconds(lastAssignment - firstStart):0.0} s)");
            Row("throughput", $"{assignedCount / Seconds(lastAssignment - firstStart):0.0} assignments/s, {(recorded.Count - notResolved.Count) / stormSeconds:0.0} resolves/s; peak waiting {peakWaiting} (supervision, {_supervisionReads} reads)");
            Row("visitor's start answered (sent → 2xx)", Summary(startAnswers));
            Row("**decision latency, room at once** (start sent → assignment seen on the agent hub)", $"**{Summary(roomAtOnce)}**");
            Row("the same, from the start's answer", Summary(roomAtOnceAcknowledged));
            Row("the same, inside the server (queued → assigned decision)", Summary(roomAtOnceServer));
            Row("start answered → queued in its team (routing of a new conversation runs from the outbox)", Summary(answeredToQueued));
            Row("queue wait, all conversations (queued → assigned decision)", Summary(queueWaits));
            Row("queue wait of those that found no room", Summary(waitedForRoom));
            Row("**capacity freed → that agent's next assignment** (resolve answered → assignment seen), queue not empty", $"**{Summary(freedToNext)}**");
            Row("the same, inside the server (resolve's timestamp → assigned decision)", Summary(freedToNextServer));
            Row("**double assignments**", $"**{doubles}** (decisions: {handedOutTwice.Count} handed out twice; hub: {seenWithTwo.Count} seen with two assignees; final assignee ≠ decision: {finalMismatch.Count})");
            Row("**cap violations**", $"**{capViolations}** (reasons at or over cap: {reasonOverCap}; timeline from server timestamps: {timelineOver.Count}; supervision reads over cap: {_supervisionViolations.Count})");
            Row("cross-checks", $"never assigned {neverAssigned.Count}, not resolved {notResolved.Count}, outside their team {wrongTeam.Count}, assignee not a bench agent {_unknownAssignees}, reason's cap ≠ agent's cap {reasonCapDiffers}; timeline load below / above the reason's {countedBelowReason} / {countedAboveReason}");
            Row("visitors with a hub: told a place / with an estimate", $"{withHub.Count}: {toldPlace.Count} / {estimated.Count} ({(withHub.Count == 0 ? 0 : withHub.Sum(r => r.Seen.Notices) / (double)withHub.Count):0.0} queue notices each)");
            Row("real wait after the first place told", $"p50 {Percentile(waits, 50):0.0} s, p90 {Percentile(waits, 90):0.0} s, max {Percentile(waits, 100):0.0} s");
            Row("**ETA error** \\|estimate − real wait\\|", $"**p50 {Percentile(errors, 50):0.0} s, p90 {Percentile(errors, 90):0.0} s**");
            Row("real wait ÷ estimate", $"p10 {Percentile(ratios, 10):0.00}, p50 {Percentile(ratios, 50):0.00}, p90 {Percentile(ratios, 90):0.00}");
            Row("the estimate's formula without its 60 s floor (bench-side): error, real ÷ estimate", $"p50 {Percentile([.. unfloored.Select(u => u.Error)], 50):0.0} s, p90 {Percentile([.. unfloored.Select(u => u.Error)], 90):0.0} s; p50 {Percentile([.. unfloored.Select(u => u.Ratio)], 50):0.00} ({unfloored.Count} visitors)");
            Row("server CPU", cpu.Describe(recorded.Count));
            var metric = _metrics.ToDictionary(m => m.Name, m => m.Delta);
            Row("server metrics over the storm (all nodes)", string.Create(CultureInfo.InvariantCulture,
                $"outbox events dispatched {metric.GetValueOrDefault("porchlight_outbox_dispatched_total"):0} ({metric.GetValueOrDefault("porchlight_outbox_dispatched_total") / Math.Max(1, recorded.Count):0.0} per conversation); queue assignment (decide and commit, locks included) mean {metric.GetValueOrDefault("porchlight_routing_assignment_duration_milliseconds_sum") / Math.Max(1, metric.GetValueOrDefault("porchlight_routing_assignment_duration_milliseconds_count")):0.0} ms over {metric.GetValueOrDefault("porchlight_routing_assignment_duration_milliseconds_count"):0}"));
            Row("agent hubs", $"{_agents.Count * servers.Count} connections, {agentBytes / 1048576.0:0} MiB received in all, closed early {closedAgentHubs}; visitor hubs {visitorHubs}");
            Row("failed requests", _failures.IsEmpty ? "0" : string.Join("; ", _failures.Select(f => $"{f.Value} × {f.Key}")));
            Row("completed within the time-out", completed ? "yes" : $"NO ({options.TimeoutSeconds} s)");

            Console.WriteLine();
            Console.WriteLine($"## {label}");
            Console.WriteLine();
            Console.WriteLine("| figure | value |");
            Console.WriteLine("|---|---|");
            foreach (var (figure, value) in rows)
            {
                Console.WriteLine($"| {figure} | {value} |");
            }

            var problems = handedOutTwice.Select(r => $"handed out twice: {r.Seen.Id}: {string.Join("; ", r.Decisions.Select(d => $"{d.Outcome} {d.AgentId} {d.Reason} {d.DecidedAt:O}"))}")
                .Concat(seenWithTwo.Select(r => $"seen with two assignees: {r.Seen.Id}"))
                .Concat(finalMismatch.Select(r => $"final assignee differs from the decision: {r.Seen.Id}"))
                .Concat(timelineOver.Select(t => $"over cap by the timeline: {t}"))
                .Concat(_supervisionViolations.Select(v => $"over cap in supervision: {v}"))
                .Concat(neverAssigned.Take(10).Select(r => $"never assigned: {r.Seen.Id} ({string.Join("; ", r.Decisions.Select(d => d.Outcome))})"))
                .ToList();
            foreach (var problem in problems.Take(50))
            {
                Console.Error.WriteLine($"[{label}] {problem}");
            }

            if (!_failures.IsEmpty || !completed)
            {
                Console.Error.WriteLine(string.Join('\n', servers.SelectMany(s => s.Output.Split('\n').TakeLast(30))));
            }

            return doubles == 0 && capViolations == 0 && neverAssigned.Count == 0 && completed;
        }

        private static double Milliseconds(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

        private static string Summary(List<double> milliseconds) => milliseconds.Count == 0 ? "none" : string.Create(CultureInfo.InvariantCulture,
            $"p50 {Percentile(milliseconds, 50):0.0} ms, p99 {Percentile(milliseconds, 99):0.0} ms, max {Percentile(milliseconds, 100):0.0} ms (n = {milliseconds.Count})");

        private static double Percentile(List<double> values, double p)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length == 0 ? double.NaN : sorted[Math.Max(0, Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1))];
        }

        // A running count from +1/−1 events, as (time, value from then on), in time order.
        private static List<(DateTime At, int Value)> Timeline(List<(DateTime At, int Delta)> events)
        {
            var line = new List<(DateTime, int)>(events.Count);
            var value = 0;
            foreach (var (at, delta) in events.OrderBy(e => e.At).ThenBy(e => e.Delta))
            {
                line.Add((at, value += delta));
            }

            return line;
        }

        // The value just before a moment: events at that very moment (the conversation's own) do not count.
        private static int ValueBefore(List<(DateTime At, int Value)> line, DateTime at)
        {
            var value = 0;
            foreach (var (when, after) in line)
            {
                if (when >= at)
                {
                    break;
                }

                value = after;
            }

            return value;
        }

        // The smallest value from a moment until just before another.
        private static int MinimumBetween(List<(DateTime At, int Value)> line, DateTime from, DateTime until)
        {
            var minimum = ValueBefore(line, from);
            foreach (var (when, after) in line)
            {
                if (when >= until)
                {
                    break;
                }

                if (when >= from)
                {
                    minimum = Math.Min(minimum, after);
                }
            }

            return minimum;
        }

        // ---- HTTP ----

        private async IAsyncEnumerable<JsonElement> ListAsync(HttpClient http, string path)
        {
            string? cursor = null;
            do
            {
                var page = await SendAsync<JsonElement>(http, HttpMethod.Get, $"{path}?limit=200{(cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")}", ownerToken, null);
                foreach (var item in page.GetProperty("items").EnumerateArray())
                {
                    yield return item;
                }

                cursor = page.GetProperty("nextCursor").GetString();
            }
            while (cursor is not null);
        }

        private static async Task<T> SendAsync<T>(HttpClient http, HttpMethod method, string path, string? token, object? body)
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            try
            {
                using var response = await http.SendAsync(request);
                if (!response.IsSuccessStatusCode)
                {
                    var detail = await response.Content.ReadAsStringAsync();
                    throw new StormRequestException($"HTTP {(int)response.StatusCode} {method} {Regex.Replace(path, "[0-9a-f-]{36}", "{id}")}: {detail[..Math.Min(200, detail.Length)]}");
                }

                return response.Content.Headers.ContentLength == 0 ? default! : (await response.Content.ReadFromJsonAsync<T>())!;
            }
            catch (HttpRequestException e)
            {
                throw new StormRequestException(e.Message);
            }
            catch (TaskCanceledException)
            {
                throw new StormRequestException("timed out (60 s)");
            }
        }
    }

    private static Uri ToWebSocket(Uri http) => new(http.ToString().Replace("http://", "ws://", StringComparison.Ordinal));

    /// <summary>
    /// An agent's hub connection as the agent app holds it: it keeps the agent present on that node and receives every
    /// event of the workspace. It reads and counts what arrives without parsing it (the observers parse), so 400
    /// connections cost the load generator little while the server does all the work of sending to each.
    /// </summary>
    private sealed class RawHub : IAsyncDisposable
    {
        private static readonly byte[] Handshake = Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e");
        private static readonly byte[] Ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");
        private readonly ClientWebSocket _socket;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _reading;
        private readonly Task _pinging;
        private long _bytes;

        private RawHub(ClientWebSocket socket)
        {
            _socket = socket;
            _reading = ReadAsync();
            _pinging = PingAsync();
        }

        public long Bytes => Interlocked.Read(ref _bytes);

        public bool ClosedEarly { get; private set; }

        public static async Task<RawHub> OpenAsync(Uri url)
        {
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(url, CancellationToken.None);
            await socket.SendAsync(Handshake, WebSocketMessageType.Text, true, CancellationToken.None);
            var buffer = new byte[4096];
            var answer = await socket.ReceiveAsync(buffer, CancellationToken.None);
            var text = Encoding.UTF8.GetString(buffer, 0, answer.Count);
            if (!text.StartsWith("{}\u001e", StringComparison.Ordinal))
            {
                socket.Dispose();
                throw new InvalidOperationException($"The agent hub refused the connection: {text}");
            }

            return new RawHub(socket);
        }

        private async Task ReadAsync()
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var received = await _socket.ReceiveAsync(buffer, _stop.Token);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        ClosedEarly = true;
                        return;
                    }

                    Interlocked.Add(ref _bytes, received.Count);
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (WebSocketException)
            {
                ClosedEarly = !_stop.IsCancellationRequested;
            }
        }

        // SignalR closes a connection that says nothing for 30 s.
        private async Task PingAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromSeconds(10), _stop.Token);
                    await _socket.SendAsync(Ping, WebSocketMessageType.Text, true, _stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (WebSocketException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_reading, _pinging);
            _socket.Abort();
            _socket.Dispose();
            _stop.Dispose();
        }
    }

    private sealed record CpuUse(TimeSpan[] Servers, TimeSpan Postgres, TimeSpan Generator, TimeSpan Wall)
    {
        public string Describe(int conversations)
        {
            var servers = string.Create(CultureInfo.InvariantCulture,
                $"{string.Join(" + ", Servers.Select(s => s.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"))} over {Wall.TotalSeconds:0} s ({Servers.Sum(s => s.TotalSeconds) / Wall.TotalSeconds * 100:0}% of one core), {Servers.Sum(s => s.TotalMilliseconds) / conversations:0.0} ms per conversation");
            var postgres = Postgres > TimeSpan.Zero
                ? string.Create(CultureInfo.InvariantCulture, $"; PostgreSQL {Postgres.TotalSeconds:0.0} s ({Postgres.TotalMilliseconds / conversations:0.0} ms per conversation)")
                : "";
            return servers + postgres + string.Create(CultureInfo.InvariantCulture, $"; load generator {Generator.TotalSeconds:0.0} s");
        }
    }

    /// <summary>Processor time of the server processes, of PostgreSQL (its postmaster and every backend, live or ended) and of the bench.</summary>
    private sealed class CpuMeter
    {
        private readonly List<ServerProcess> _servers;
        private readonly int? _postgresPort;
        private readonly TimeSpan[] _serverStart;
        private readonly TimeSpan _postgresStart;
        private readonly TimeSpan _generatorStart = Process.GetCurrentProcess().TotalProcessorTime;
        private readonly long _started = Stopwatch.GetTimestamp();

        public CpuMeter(List<ServerProcess> servers, int? postgresPort)
        {
            (_servers, _postgresPort) = (servers, postgresPort);
            _serverStart = [.. servers.Select(s => Of(s.ProcessId))];
            _postgresStart = Postgres();
        }

        public CpuUse Used() => new(
            [.. _servers.Select((s, i) => Of(s.ProcessId) - _serverStart[i])],
            Postgres() - _postgresStart,
            Process.GetCurrentProcess().TotalProcessorTime - _generatorStart,
            Stopwatch.GetElapsedTime(_started));

        private static TimeSpan Of(int processId)
        {
            using var process = Process.GetProcessById(processId);
            return process.TotalProcessorTime;
        }

        private TimeSpan Postgres()
        {
            if (_postgresPort is not { } port)
            {
                return TimeSpan.Zero;
            }

            var stats = Directory.GetDirectories("/proc").Select(d => Path.GetFileName(d)).Where(n => n.All(char.IsAsciiDigit))
                .Select(pid => { try { return (Pid: pid, Cmd: File.ReadAllText($"/proc/{pid}/cmdline"), Stat: File.ReadAllText($"/proc/{pid}/stat")); } catch (IOException) { return default; } })
                .Where(p => p.Stat is not null).ToList();
            var postmaster = stats.FirstOrDefault(p => p.Cmd.Contains("postgres", StringComparison.Ordinal) && p.Cmd.Contains($"\0-p\0{port}\0", StringComparison.Ordinal));
            if (postmaster.Stat is null)
            {
                return TimeSpan.Zero;
            }

            // Fields after the command's closing parenthesis: state is 3rd, ppid 4th, utime 14th, stime 15th, cutime 16th, cstime 17th.
            static long Ticks(string field) => long.Parse(field, CultureInfo.InvariantCulture);
            static string[] Fields(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = Fields(postmaster.Stat).Skip(11).Take(4).Sum(Ticks);
            ticks += stats.Where(p => Fields(p.Stat)[1] == postmaster.Pid).Sum(p => Fields(p.Stat).Skip(11).Take(2).Sum(Ticks));
            return TimeSpan.FromSeconds(ticks / 100.0);
        }
    }

    private sealed class StormRequestException(string message) : Exception(message);
}
