using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;
using Porchlight.Testing;

namespace Porchlight.Server.Tests.Hosting.Cluster;

/// <summary>
/// An upgrade as docs/deploy.md tells operators to run one: the nodes of the previous release are replaced one at a
/// time, the first node of this version migrates the schema, and meanwhile nodes of both versions serve the same
/// workspace. Clients of either version chat live with clients of the other, and nothing is lost.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed partial class RollingUpgradeTests(ClusterFixture cluster)
{
    private const string Database = "upgrade";

    [Fact]
    public async Task RollingUpgrade_NodesOfThePreviousReleaseAndThisOneSideBySide_ClientsOfEitherChatLiveAndNothingIsLost()
    {
        var previous = await PreviousRelease.DllAsync();
        // A cluster of its own beside the collection's: its own database, and its own keys and channels in Redis.
        string[] upgradeCluster = [$"--Redis:ConnectionString={cluster.Redis.ConnectionString}", "--Redis:ChannelPrefix=upgrade"];
        var token = await cluster.CreateOwnerAsync(previous, Database);
        var oldA = await cluster.StartNodeAsync(Database, upgradeCluster, previous);
        var oldB = await cluster.StartNodeAsync(Database, upgradeCluster, previous);
        using var ownerOnOldA = cluster.Owner(oldA, token);
        var (_, publicToken) = await ChatSetup.CreateWidgetInboxAsync(ownerOnOldA, "Upgrade chat");
        using var firstVisitor = await TestVisitor.StartAsync(oldB.BaseAddress, publicToken);
        var (firstConversation, _) = await firstVisitor.StartConversationAsync("Before the upgrade");
        await using var agentOnOldA = await HubRecorder.AgentAsync(oldA.BaseAddress, token);

        // Node B is upgraded: stopped as systemd stops it, and started on this version, which migrates the schema.
        await oldB.StopAsync();
        var newB = await cluster.StartNodeAsync(Database, upgradeCluster);
        using var firstVisitorOnNewB = MovedTo(firstVisitor, newB);
        await using var firstVisitorHub = await HubRecorder.VisitorAsync(newB.BaseAddress, firstVisitor.Token);
        await using var agentOnNewB = await HubRecorder.AgentAsync(newB.BaseAddress, token);

        // Side by side, both ways: a visitor on the new version with an agent on the old one...
        await firstVisitorOnNewB.PostJsonAsync($"/widget/v1/conversations/{firstConversation}/messages",
            new { clientId = TestVisitor.NewClientId(), text = "Asked on the new version" }).ExpectAsync(HttpStatusCode.Created);
        await agentOnOldA.WaitForAsync("MessageCreated", m => m.Text("text") == "Asked on the new version", "the agent on the old version hears the visitor on the new one");
        await ownerOnOldA.ReplyAsync(firstConversation, "Answered on the old version").ExpectAsync(HttpStatusCode.Created);
        await firstVisitorHub.WaitForAsync("MessageCreated", m => m.Text("text") == "Answered on the old version", "the visitor on the new version hears the agent on the old one");

        // ...and a visitor who starts on the old version, on the new schema, with an agent on the new one.
        using var secondVisitor = await TestVisitor.StartAsync(oldA.BaseAddress, publicToken);
        await using var secondVisitorHub = await HubRecorder.VisitorAsync(oldA.BaseAddress, secondVisitor.Token);
        var (secondConversation, _) = await secondVisitor.StartConversationAsync("Started on the old version");
        await agentOnNewB.WaitForAsync("MessageCreated", m => m.Text("text") == "Started on the old version", "the agent on the new version hears the visitor on the old one");
        using var ownerOnNewB = cluster.Owner(newB, token);
        await ownerOnNewB.ReplyAsync(secondConversation, "Answered on the new version").ExpectAsync(HttpStatusCode.Created);
        await secondVisitorHub.WaitForAsync("MessageCreated", m => m.Text("text") == "Answered on the new version", "the visitor on the old version hears the agent on the new one");

        // The old nodes served all of it without an error of their own.
        Assert.DoesNotMatch(ErrorLine(), oldA.Output);
        Assert.DoesNotMatch(ErrorLine(), oldB.Output);

        // Node A is upgraded too; both conversations read back whole, once each and in order, from the new version.
        await oldA.StopAsync();
        var newA = await cluster.StartNodeAsync(Database, upgradeCluster);
        using var firstVisitorOnNewA = MovedTo(firstVisitor, newA);
        using var secondVisitorOnNewA = MovedTo(secondVisitor, newA);
        Assert.Equal(["Before the upgrade", "Asked on the new version", "Answered on the old version"], await TextsAsync(firstVisitorOnNewA, firstConversation));
        Assert.Equal(["Started on the old version", "Answered on the new version"], await TextsAsync(secondVisitorOnNewA, secondConversation));
        Assert.DoesNotMatch(ErrorLine(), newA.Output);
        Assert.DoesNotMatch(ErrorLine(), newB.Output);
    }

    // A log line at Error or Critical, as the console logger writes them.
    [GeneratedRegex("^(fail|crit):", RegexOptions.Multiline)]
    private static partial Regex ErrorLine();

    // The load balancer sends the same browser to another node; it keeps its visitor token.
    private static HttpClient MovedTo(TestVisitor visitor, ServerProcess node)
    {
        var moved = new HttpClient { BaseAddress = node.BaseAddress };
        moved.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", visitor.Token);
        return moved;
    }

    private static async Task<List<string>> TextsAsync(HttpClient visitor, Guid conversationId)
    {
        var messages = (await visitor.GetJsonAsync($"/widget/v1/conversations/{conversationId}/messages")).EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, messages.Count).Select(i => (long)i), messages.Select(m => m.SequenceOf()));
        return [.. messages.Select(m => m.Text("text")!)];
    }
}
