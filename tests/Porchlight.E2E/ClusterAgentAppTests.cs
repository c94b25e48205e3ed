using Porchlight.E2E.Infrastructure;
using Porchlight.Testing;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// The agent app on two nodes sharing a database and a Redis, behind a load balancer without sticky sessions: the
/// page comes from one node, its circuit runs on the other, and live events cross between them.
/// </summary>
public sealed class ClusterAgentAppTests : BrowserTest
{
    private RedisInstance? _redis;

    protected override async Task<IReadOnlyList<string>> StartServicesAsync()
    {
        _redis = await RedisInstance.StartAsync();
        return [$"--Redis:ConnectionString={_redis.ConnectionString}", "--Redis:HeartbeatInterval=00:00:01"];
    }

    protected override async ValueTask StopServicesAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task AgentApp_PageFromOneNodeAndCircuitOnAnother_RunsLiveWithoutStickySessions()
    {
        var ct = TestContext.Current.CancellationToken;
        var agent = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var inboxToken = ApiVisitor.InboxTokenOf(await CreateWidgetInboxAsync(agent));
        await using var otherNode = await StartAnotherNodeAsync();
        // Pages and the circuit's negotiate request reach this node, the circuit's connection the other one: a page
        // that negotiated first would find its connection unknown there.
        using var balancer = CuttableLink.Split(pages: Server.BaseAddress, circuits: otherNode.BaseAddress);

        await agent.GotoAsync(balancer.Url("/inbox"));
        await Expect(agent.Locator(".pl-page[data-interactive='true']")).ToBeVisibleAsync();
        Assert.True(balancer.Connections.GetValueOrDefault(otherNode.BaseAddress) > 0, "the circuit's connection reached the other node");

        // A visitor writes through the page's node; the circuit on the other node hears of it live.
        using var visitor = await ApiVisitor.StartAsync(Server.BaseAddress, inboxToken, "Ada Lovelace", "Do the Ridgeline boots run small?", ct);
        var row = agent.Locator(".pl-conversation-row", new() { HasText = "Ada Lovelace" });
        await row.ClickAsync();
        var incoming = agent.Locator("#thread .pl-message[data-kind='incoming'] .pl-bubble");
        await Expect(incoming).ToHaveTextAsync(["Do the Ridgeline boots run small?"]);
        await visitor.SendAsync("I usually wear a 42.", ct);
        await Expect(incoming).ToHaveTextAsync(["Do the Ridgeline boots run small?", "I usually wear a 42."]);

        // The agent's reply, sent from the circuit's node, reaches the visitor.
        var composer = agent.Locator("#composer");
        await composer.FillAsync("Take a 43.");
        await composer.PressAsync("Enter");
        await Expect(agent.Locator("#thread .pl-message[data-kind='outgoing'] .pl-bubble")).ToHaveTextAsync(["Take a 43."]);
        await Eventually(async () => (await visitor.MessagesAsync(ct)).Last().GetProperty("text").GetString() == "Take a 43.");
        await Screenshot(agent, "cluster-agent-app");
    }

    [Fact]
    public async Task AgentApp_RedisAwayWhileAVisitorWritesOnTheOtherNode_PageShowsWhatItMissedOnceRedisIsBack()
    {
        var ct = TestContext.Current.CancellationToken;
        var agent = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var inboxToken = ApiVisitor.InboxTokenOf(await CreateWidgetInboxAsync(agent));
        await using var otherNode = await StartAnotherNodeAsync();

        // The agent's page runs on the other node; the visitor writes through this one.
        using var visitor = await ApiVisitor.StartAsync(Server.BaseAddress, inboxToken, "Ada Lovelace", "Do the Ridgeline boots run small?", ct);
        await agent.GotoAsync(otherNode.Url("/inbox"));
        await agent.Locator(".pl-conversation-row", new() { HasText = "Ada Lovelace" }).ClickAsync();
        var incoming = agent.Locator("#thread .pl-message[data-kind='incoming'] .pl-bubble");
        await Expect(incoming).ToHaveTextAsync(["Do the Ridgeline boots run small?"]);

        // Redis goes away: what the visitor writes meanwhile is stored, but no live event reaches the other node.
        await _redis!.KillAsync();
        await Eventually(async () => await otherNode.MetricAsync("porchlight_cluster_redis_connected", ct) == "0");
        await visitor.SendAsync("I usually wear a 42.", ct);

        // Redis is back: the page reads what it missed by itself, with no later event to reveal the gap.
        await _redis.StartAgainAsync();
        await Expect(incoming).ToHaveTextAsync(["Do the Ridgeline boots run small?", "I usually wear a 42."], new() { Timeout = 20_000 });
    }
}
