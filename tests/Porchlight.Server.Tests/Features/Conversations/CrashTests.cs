using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Testing;

namespace Porchlight.Server.Tests.Features.Conversations;

/// <summary>
/// The server process is killed (SIGKILL, no graceful stop) while visitors stream messages. After a restart,
/// every message the server acknowledged is there exactly once, and resending what was in flight stores
/// each of those once more at most.
/// </summary>
public sealed class CrashTests : IAsyncDisposable
{
    private const int Streams = 4;
    private readonly string _directory = Directory.CreateTempSubdirectory("porchlight-crash-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ServerKilled_WhileVisitorsStreamMessages_EveryAcknowledgedMessageSurvivesExactlyOnce()
    {
        var start = new ServerStart(PorchlightProcess.EntryAssembly, _directory, _directory, ["--Security:WidgetRequestsPerMinute=100000"]);
        var owner = await PorchlightProcess.RunAsync(_directory, "correct horse battery", "create-owner", "--email", "o@example.com", "--password-stdin",
            $"--Database:ConnectionString=Data Source={start.DatabasePath}");
        Assert.True(owner.ExitCode == 0, owner.ToString());
        var token = await PorchlightProcess.RunAsync(_directory, null, "create-token", "--email", "o@example.com", "--name", "crash", "--scopes", "read,write,admin",
            $"--Database:ConnectionString=Data Source={start.DatabasePath}");
        Assert.True(token.ExitCode == 0, token.ToString());

        var conversations = new List<(HttpClient Visitor, Guid ConversationId)>();
        var acknowledged = new ConcurrentDictionary<string, (Guid ConversationId, long Sequence)>();
        var unanswered = new ConcurrentDictionary<string, (HttpClient Visitor, Guid ConversationId)>();
        await using (var server = await ServerProcess.StartAsync(start, Ct))
        {
            using var agent = new HttpClient { BaseAddress = server.BaseAddress };
            agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.StandardOutput.Trim());
            var inbox = await agent.PostJsonAsync("/api/v1/inboxes", new { name = "Site", channel = "WebWidget" }).ExpectAsync(HttpStatusCode.Created);
            for (var i = 0; i < Streams; i++)
            {
                var visitor = new HttpClient { BaseAddress = server.BaseAddress };
                var session = await visitor.PostJsonAsync("/widget/v1/sessions", new { inboxToken = inbox.Text("publicToken") }).ExpectAsync(HttpStatusCode.OK);
                visitor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", session.Text("visitorToken"));
                var started = await visitor.PostJsonAsync("/widget/v1/conversations", new { clientId = TestVisitor.NewClientId(), text = "start" })
                    .ExpectAsync(HttpStatusCode.Created);
                conversations.Add((visitor, started.GetProperty("conversation").IdOf()));
            }

            using var streaming = new CancellationTokenSource();
            var streams = conversations.Select(c => StreamAsync(c.Visitor, c.ConversationId, acknowledged, unanswered, streaming.Token)).ToList();
            await Eventually.WaitUntilAsync(() => acknowledged.Count >= 200, "visitors have streamed a while");

            await server.KillAsync();
            await streaming.CancelAsync();
            await Task.WhenAll(streams);
        }

        await using (var restarted = await ServerProcess.StartAsync(start, Ct))
        {
            // The same browsers, with the same visitor tokens, talking to the restarted server.
            var reconnected = conversations.ToDictionary(c => c.Visitor, c => new HttpClient { BaseAddress = restarted.BaseAddress });
            foreach (var (before, after) in reconnected)
            {
                after.DefaultRequestHeaders.Authorization = before.DefaultRequestHeaders.Authorization;
            }

            // The widget resends what it never saw acknowledged, with the same client ids.
            foreach (var (clientId, (sender, conversationId)) in unanswered)
            {
                var visitor = reconnected[sender];
                using var response = await visitor.PostAsJsonAsync($"/widget/v1/conversations/{conversationId}/messages", new { clientId, text = clientId }, Ct);
                Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"Resend answered {response.StatusCode}");
            }

            var stored = new List<(string ClientId, long Sequence)>();
            foreach (var (visitor, conversationId) in conversations)
            {
                var messages = await ReadAllAsync(reconnected[visitor], conversationId);
                Assert.Equal(Enumerable.Range(1, messages.Count).Select(i => (long)i), messages.Select(m => m.Sequence));
                stored.AddRange(messages);
            }

            Assert.Equal(stored.Count, stored.Select(m => m.ClientId).Distinct().Count());
            foreach (var (clientId, (_, sequence)) in acknowledged)
            {
                Assert.Contains((clientId, sequence), stored);
            }

            Assert.All(unanswered.Keys, clientId => Assert.Contains(stored, m => m.ClientId == clientId));
            Assert.True(acknowledged.Count >= 200, $"Only {acknowledged.Count} messages were acknowledged before the kill.");
            foreach (var client in reconnected.Keys.Concat(reconnected.Values))
            {
                client.Dispose();
            }
        }
    }

    // Sends one message after another, as fast as answers come, until the server dies or the test stops it.
    internal static async Task StreamAsync(
        HttpClient visitor, Guid conversationId,
        ConcurrentDictionary<string, (Guid, long)> acknowledged, ConcurrentDictionary<string, (HttpClient, Guid)> unanswered, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var clientId = TestVisitor.NewClientId();
            unanswered[clientId] = (visitor, conversationId);
            try
            {
                using var response = await visitor.PostAsJsonAsync($"/widget/v1/conversations/{conversationId}/messages", new { clientId, text = clientId }, stop);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    return;
                }

                var message = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(stop);
                acknowledged[clientId] = (conversationId, message.GetProperty("sequence").GetInt64());
                unanswered.TryRemove(clientId, out _);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                return;
            }
        }
    }

    /// <summary>A conversation's whole thread as its visitor reads it, page after page.</summary>
    internal static async Task<List<(string ClientId, long Sequence)>> ReadAllAsync(HttpClient visitor, Guid conversationId)
    {
        var all = new List<(string, long)>();
        long after = 0;
        while (true)
        {
            var page = (await visitor.GetJsonAsync($"/widget/v1/conversations/{conversationId}/messages?after={after}")).EnumerateArray()
                .Select(m => (m.Text("clientId")!, m.GetProperty("sequence").GetInt64())).ToList();
            if (page.Count == 0)
            {
                return all;
            }

            all.AddRange(page);
            after = page[^1].Item2;
        }
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
