using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Porchlight.Testing;

namespace Porchlight.Bench;

/// <summary>
/// A long steady chat load on two nodes (PostgreSQL and Redis), with Redis gone for a while in the middle: minute by
/// minute, delivery latency, what was lost or doubled, failed requests, and each node's memory and processor time,
/// to show whether anything grows. Clients reconnect and read what they missed, as the widget and the agent app do.
/// </summary>
internal static class Soak
{
    public static async Task<int> RunAsync(Options options, int minutes, int outageAtMinute, int outageSeconds)
    {
        var rate = options.Rates[0];
        var data = Directory.CreateTempSubdirectory("porchlight-soak-").FullName;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# Soak: two nodes (PostgreSQL, Redis), {rate} messages/s over {options.Conversations} conversations for {minutes} min, Redis killed at minute {outageAtMinute} for {outageSeconds} s, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}"));
        await using var cluster = await BenchCluster.StartAsync(2, data);
        var servers = cluster.Servers;
        var http = servers.Select(s => Servers.Http(s.BaseAddress)).ToList();
        var agentHttp = servers.Select(s => Servers.Http(s.BaseAddress)).ToList();
        agentHttp.ForEach(a => a.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cluster.Token));
        var inbox = await (await agentHttp[0].PostAsJsonAsync("/api/v1/inboxes", new { name = "Soak", channel = "WebWidget" })).Content.ReadFromJsonAsync<JsonElement>();
        var conversations = await Delivery.StartConversationsAsync(servers, http, inbox.GetProperty("publicToken").GetString(), options.Conversations, reconnect: true);
        var agentHub = Servers.Hub(new Uri(servers[0].BaseAddress, $"/hubs/agent?access_token={Uri.EscapeDataString(cluster.Token)}"), reconnect: true);
        await agentHub.StartAsync();

        var toAgent = Enumerable.Range(0, minutes).Select(_ => new LatencyRecorder()).ToArray();
        var toVisitor = Enumerable.Range(0, minutes).Select(_ => new LatencyRecorder()).ToArray();
        var failures = new int[minutes];
        var seen = new ConcurrentDictionary<(bool Agent, Guid Conversation), SeenSequences>();
        void Heard(bool agent, JsonElement message, bool live)
        {
            seen.GetOrAdd((agent, message.GetProperty("conversationId").GetGuid()), _ => new()).See(message.GetProperty("sequence").GetInt64());
            var key = message.GetProperty("clientId").GetString()!;
            if (key.StartsWith('m'))
            {
                var recorder = (agent ? toAgent : toVisitor)[int.Parse(key.AsSpan(1, key.IndexOf('-', StringComparison.Ordinal) - 1), CultureInfo.InvariantCulture)];
                if (live)
                {
                    recorder.Received(key);
                }
                else
                {
                    recorder.CaughtUp(key);
                }
            }
        }

        // Once reconnected, a client reads back from the end of what it saw without a gap: a message written through
        // its own node may have reached it just before the connection dropped, after one from the other node that never did.
        long SeenWithoutGap(bool agent, Guid conversation) => seen.GetOrAdd((agent, conversation), _ => new()).Contiguous;
        agentHub.On<JsonElement>("MessageCreated", m => Heard(true, m, live: true));
        agentHub.Reconnected += async _ =>
        {
            foreach (var conversation in conversations)
            {
                await CatchUpAsync(agentHttp[0], $"/api/v1/conversations/{conversation.Id}/messages", SeenWithoutGap(true, conversation.Id), m => Heard(true, m, live: false));
            }
        };
        foreach (var conversation in conversations)
        {
            conversation.Hub.On<JsonElement>("MessageCreated", m => Heard(false, m, live: true));
            conversation.Hub.Reconnected += async _ =>
            {
                using var visitor = Servers.Http(servers[conversation.Node].BaseAddress);
                visitor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", conversation.VisitorToken);
                await CatchUpAsync(visitor, $"/widget/v1/conversations/{conversation.Id}/messages", SeenWithoutGap(false, conversation.Id), m => Heard(false, m, live: false));
            };
        }

        // Each node's memory and processor time at the end of every minute; Redis goes away and comes back meanwhile.
        var samples = new List<(long[] Resident, TimeSpan[] Processor)>();
        using var stop = new CancellationTokenSource();
        var sampling = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
            samples.Add(Sample(servers));
            while (await timer.WaitForNextTickAsync(stop.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
            {
                samples.Add(Sample(servers));
                Console.Error.WriteLine($"minute {samples.Count - 1} of {minutes}");
            }
        });
        var outage = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromMinutes(outageAtMinute));
            await cluster.Redis!.KillAsync();
            await Task.Delay(TimeSpan.FromSeconds(outageSeconds));
            await cluster.Redis.StartAgainAsync();
        });

        await OpenLoop.RunAsync(rate, TimeSpan.FromMinutes(minutes), async (i, due) =>
        {
            var minute = Math.Min(minutes - 1, i / (rate * 60));
            var key = $"m{minute}-{i:D8}";
            var fromVisitor = i % 2 == 0;
            (fromVisitor ? toAgent : toVisitor)[minute].Sending(key, due);
            var (_, failure) = await Delivery.SendAsync(conversations[i / 2 % conversations.Length], fromVisitor, key, http, agentHttp, cluster.Token);
            if (failure is not null)
            {
                Interlocked.Increment(ref failures[minute]);
            }
        });
        await stop.CancelAsync();
        await Task.WhenAll(sampling, outage);
        samples.Add(Sample(servers));
        await OpenLoop.DrainAsync([.. toAgent, .. toVisitor]);

        Console.WriteLine("| minute | messages | p50 | p99 | max | read back after reconnecting | lost | heard twice | failed requests | node 1 resident MB | node 2 resident MB | server CPU per message |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (var minute = 0; minute < minutes; minute++)
        {
            var all = toAgent[minute].Merged(toVisitor[minute]);
            var (resident, processor) = samples[Math.Min(minute + 1, samples.Count - 1)];
            var (_, processorBefore) = samples[minute];
            var cpu = processor.Zip(processorBefore, (after, before) => (after - before).TotalMilliseconds).Sum() / Math.Max(1, all.Sent);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {minute + 1}{(minute == outageAtMinute ? " (Redis away)" : "")} | {all.Sent} | {all.Percentile(50):0.00} ms | {all.Percentile(99):0.00} ms | {all.Percentile(100):0.00} ms | {all.CaughtUpCount} | {all.Pending} | {all.Duplicates} | {failures[minute]} | {resident[0] / 1048576.0:0} | {resident[1] / 1048576.0:0} | {cpu:0.00} ms |"));
        }

        if (failures.Sum() > 0 || toAgent.Concat(toVisitor).Any(r => r.Pending > 0))
        {
            // The end of the servers' logs (warnings and errors) goes to stderr, outside the table.
            servers.ForEach(s => Console.Error.WriteLine(string.Join('\n', s.Output.Split('\n').TakeLast(40))));
        }

        await agentHub.DisposeAsync();
        await Task.WhenAll(conversations.Select(c => c.Hub.DisposeAsync().AsTask()));
        http.Concat(agentHttp).ToList().ForEach(h => h.Dispose());
        Directory.Delete(data, recursive: true);
        return 0;
    }

    /// <summary>
    /// The sequences a client saw of one conversation: every one up to <see cref="Contiguous"/>, and some beyond. A
    /// sequence the client is not shown (a private note, for a visitor) holds it back; the catch-up then reads more
    /// than it needs, and what it already had counts once.
    /// </summary>
    private sealed class SeenSequences
    {
        private readonly SortedSet<long> _ahead = [];

        // The conversation's first message was sent before the client connected.
        private long _contiguous = 1;

        public long Contiguous
        {
            get
            {
                lock (_ahead)
                {
                    return _contiguous;
                }
            }
        }

        public void See(long sequence)
        {
            lock (_ahead)
            {
                if (sequence > _contiguous)
                {
                    _ahead.Add(sequence);
                    while (_ahead.Remove(_contiguous + 1))
                    {
                        _contiguous++;
                    }
                }
            }
        }
    }

    private static (long[] Resident, TimeSpan[] Processor) Sample(List<ServerProcess> servers) => (
        [.. servers.Select(s => ProcessMemory.ResidentBytes(s.ProcessId))],
        [.. servers.Select(s =>
        {
            using var process = Process.GetProcessById(s.ProcessId);
            return process.TotalProcessorTime;
        })]);

    // Reads what came after the last message a client saw, page by page, as the widget and the agent app do after a reconnection.
    private static async Task CatchUpAsync(HttpClient client, string path, long after, Action<JsonElement> heard)
    {
        while (true)
        {
            var page = (await client.GetFromJsonAsync<JsonElement>($"{path}?after={after}&limit=100")).EnumerateArray().ToList();
            if (page.Count == 0)
            {
                return;
            }

            page.ForEach(heard);
            after = page[^1].GetProperty("sequence").GetInt64();
        }
    }
}
