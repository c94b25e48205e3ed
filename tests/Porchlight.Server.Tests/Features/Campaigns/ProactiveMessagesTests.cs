using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Features.Tracking;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Campaigns;

/// <summary>
/// Proactive messages: campaigns by rule and an agent's message to one visitor reach the visitor's page when it asks,
/// once, and are measured as they are shown, opened and answered.
/// </summary>
public abstract class ProactiveMessagesTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task Campaign_PageAndTimeOnItMatch_OfferedOnceOpenedAnsweredAndCounted()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var campaign = await owner.PostJsonAsync("/api/v1/campaigns", new
        {
            inboxId, name = "Pricing help", urlPattern = "/pricing*", minSecondsOnPage = 10, text = "Questions about our plans? Ask me.",
        }).ExpectAsync(HttpStatusCode.Created);
        var browser = NewKey();
        var client = Factory.CreateClient();

        using var tooSoon = await PingAsync(client, site, browser, "https://shop.example/pricing", seconds: 3);
        using var otherPage = await PingAsync(client, site, browser, "https://shop.example/about", seconds: 60);
        using var offered = await PingAsync(client, site, browser, "https://shop.example/pricing/teams", seconds: 12);
        using var again = await PingAsync(client, site, browser, "https://shop.example/pricing", seconds: 40);

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.OK, HttpStatusCode.NoContent),
            (tooSoon.StatusCode, otherPage.StatusCode, offered.StatusCode, again.StatusCode));
        var offer = JsonDocument.Parse(await offered.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(("Questions about our plans? Ask me.", "Olivia Owner"), (offer.Text("text"), offer.Text("senderName")));

        // The visitor opens the chat from it and answers: the conversation begins with the agent's message.
        using var visitor = await TestVisitor.StartAsync(Factory, site, trackerVisitor: browser);
        var opened = await visitor.Http.GetJsonAsync($"/widget/v1/proactive/{offer.Text("id")}");
        Assert.Equal("Questions about our plans? Ask me.", opened.Text("text"));
        var started = await visitor.Http.PostJsonAsync("/widget/v1/conversations", new { clientId = Guid.NewGuid().ToString(), text = "Is there a yearly price?", proactiveMessageId = offer.Text("id") })
            .ExpectAsync(HttpStatusCode.Created);
        var conversationId = started.GetProperty("conversation").GetProperty("id").GetGuid();
        var thread = (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).EnumerateArray();
        Assert.Equal(["Outgoing Questions about our plans? Ask me.", "Incoming Is there a yearly price?"], thread.Select(m => $"{m.Text("kind")} {m.Text("text")}"));

        var figures = await owner.GetJsonAsync($"/api/v1/campaigns/{campaign.IdOf()}");
        Assert.Equal((1, 1, 1), (figures.GetProperty("shown").GetInt32(), figures.GetProperty("opened").GetInt32(), figures.GetProperty("replied").GetInt32()));
    }

    [Fact]
    public async Task Campaign_OnACustomEvent_OfferedOnlyRightAfterIt()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await owner.PostJsonAsync("/api/v1/campaigns", new { inboxId, name = "Checkout", eventName = "checkout_failed", text = "Trouble paying? We can help." })
            .ExpectAsync(HttpStatusCode.Created);
        var browser = NewKey();
        var client = Factory.CreateClient();

        using var reading = await PingAsync(client, site, browser, "https://shop.example/checkout", seconds: 100);
        using var otherEvent = await PingAsync(client, site, browser, "https://shop.example/checkout", seconds: 100, eventName: "coupon_applied");
        using var failed = await PingAsync(client, site, browser, "https://shop.example/checkout", seconds: 100, eventName: "checkout_failed");

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.OK), (reading.StatusCode, otherEvent.StatusCode, failed.StatusCode));
    }

    [Fact]
    public async Task VisitorMessage_AgentWritesToAVisitorOnTheSite_TheirNextPingShowsItOnce()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, stranger) = await NewWorkspaceAsync("Elsewhere");
        var (inboxId, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var browser = NewKey();
        var client = Factory.CreateClient();
        await TrackedAsync(client, site, browser);

        await owner.PostJsonAsync($"/api/v1/visitors/{browser}/messages", new { inboxId, text = "" }).ExpectProblemAsync(HttpStatusCode.BadRequest);
        await owner.PostJsonAsync($"/api/v1/visitors/v_nobody-at-all/messages", new { inboxId, text = "Hello" }).ExpectProblemAsync(HttpStatusCode.NotFound);
        await stranger.PostJsonAsync($"/api/v1/visitors/{browser}/messages", new { inboxId, text = "Hello" }).ExpectProblemAsync(HttpStatusCode.NotFound);
        var sent = await owner.PostJsonAsync($"/api/v1/visitors/{browser}/messages", new { inboxId, text = "Hi! Can I help you find a size?" })
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(JsonValueKind.Null, sent.GetProperty("shownAt").ValueKind);

        using var shown = await PingAsync(client, site, browser, "https://shop.example/boots", seconds: 0);
        using var once = await PingAsync(client, site, browser, "https://shop.example/boots", seconds: 15);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.NoContent), (shown.StatusCode, once.StatusCode));
        Assert.Equal("Hi! Can I help you find a size?", JsonDocument.Parse(await shown.Content.ReadAsStringAsync(Ct)).RootElement.Text("text"));
    }

    [Fact]
    public async Task VisitorMessage_ReadOrAnsweredByAnotherVisitor_404And400()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (browser, otherBrowser) = (NewKey(), NewKey());
        var client = Factory.CreateClient();
        await TrackedAsync(client, site, browser);
        var sent = await owner.PostJsonAsync($"/api/v1/visitors/{browser}/messages", new { inboxId, text = "Your order #1234 has shipped." })
            .ExpectAsync(HttpStatusCode.Created);

        using var someoneElse = await TestVisitor.StartAsync(Factory, site, trackerVisitor: otherBrowser);

        await someoneElse.Http.GetAsync($"/widget/v1/proactive/{sent.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await someoneElse.Http.PostJsonAsync("/widget/v1/conversations", new { clientId = Guid.NewGuid().ToString(), text = "Hi", proactiveMessageId = sent.IdOf() })
            .ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Empty((await someoneElse.Http.GetJsonAsync("/widget/v1/conversations")).EnumerateArray());
    }

    [Fact]
    public async Task Campaigns_BadFieldsOrAnAgentOrAnotherWorkspace_RefusedAndNothingChanges()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, stranger) = await NewWorkspaceAsync("Elsewhere");
        var (inboxId, _) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, Server.Features.Agents.AgentRole.Agent);

        var bad = await owner.PostJsonAsync("/api/v1/campaigns", new { inboxId, name = "", urlPattern = "pricing", minSecondsOnPage = -1, text = "Hi" })
            .ExpectProblemAsync(HttpStatusCode.BadRequest);
        await agent.PostJsonAsync("/api/v1/campaigns", new { inboxId, name = "Mine", text = "Hi" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await stranger.PostJsonAsync("/api/v1/campaigns", new { inboxId, name = "Theirs", text = "Hi" }).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var made = await owner.PostJsonAsync("/api/v1/campaigns", new { inboxId, name = "Welcome back", minVisits = 2, text = "Welcome back!" }).ExpectAsync(HttpStatusCode.Created);
        await stranger.GetAsync($"/api/v1/campaigns/{made.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await stranger.DeleteAsync($"/api/v1/campaigns/{made.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal(["name", "urlPattern", "minSecondsOnPage"], bad.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Equal(["Welcome back"], (await owner.GetJsonAsync($"/api/v1/campaigns?inboxId={inboxId}")).EnumerateArray().Select(c => c.Text("name")));
        Assert.Empty((await stranger.GetJsonAsync("/api/v1/campaigns")).EnumerateArray());
    }

    private static string NewKey() => "v_" + Guid.NewGuid().ToString("N");

    private static Task<HttpResponseMessage> PingAsync(HttpClient client, string site, string visitor, string url, int seconds, string? eventName = null) =>
        TrackingIngestionTests.PingAsync(client, JsonSerializer.Serialize(new { site, visitor, session = "s_" + visitor[2..], url, seconds, @event = eventName }));

    /// <summary>A page view of <paramref name="visitor"/>, stored: the tracker knows the browser.</summary>
    private async Task TrackedAsync(HttpClient client, string site, string visitor)
    {
        using var response = await TrackingIngestionTests.PostAsync(client, JsonSerializer.Serialize(new
        {
            site, visitor, session = "s_" + visitor[2..], events = new[] { new { type = "pageview", url = "https://shop.example/boots" } },
        }));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Eventually.WaitUntilAsync(async () =>
        {
            using var scope = Factory.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<AppDbContext>().TrackedVisitors.IgnoreQueryFilters().AnyAsync(v => v.VisitorKey == visitor, Ct);
        }, "the visitor stored");
    }
}

public sealed class ProactiveMessagesSqliteTests(SqliteApiFixture fixture) : ProactiveMessagesTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class ProactiveMessagesPostgresTests(PostgresApiFixture fixture) : ProactiveMessagesTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
