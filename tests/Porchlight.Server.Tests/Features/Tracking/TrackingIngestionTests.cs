using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Tracking;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Tracking;

/// <summary>The tracker's endpoint: batches in, 202 out, events stored in the background; bad batches refused whole.</summary>
public abstract class TrackingIngestionTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task Ingest_PageViewLeaveAndCustomEvent_Answers202AndStoresThemWithoutTheQuery()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var visitor = "v_" + Guid.NewGuid().ToString("N");

        using var response = await PostAsync(Factory.CreateClient(), $$"""
            { "site": "{{site}}", "visitor": "{{visitor}}", "session": "s_12345678", "events": [
              { "type": "pageview", "url": "https://shop.example/boots?utm_source=news&utm_campaign=winter&email=ada%40example.com#size",
                "title": "Boots", "referrer": "https://search.example/?q=boots", "screen": "1280x800", "language": "de-DE", "timeZone": "Europe/Berlin" },
              { "type": "leave", "url": "https://shop.example/boots", "durationMs": 4200 },
              { "type": "event", "name": "checkout_started", "properties": { "plan": "pro" } } ] }
            """);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        List<TrackedEvent> stored = [];
        await Eventually.WaitUntilAsync(async () => (stored = await StoredAsync(visitor)).Count == 3, "the three events stored");
        var view = stored.Single(e => e.Type == TrackedEventType.PageView);
        Assert.Equal(inboxId, view.InboxId);
        Assert.Equal("https://shop.example/boots", view.Url);
        Assert.Equal(("news", "winter"), (view.UtmSource, view.UtmCampaign));
        Assert.Equal("https://search.example/", view.Referrer);
        Assert.Equal(("Boots", "de-DE", "Europe/Berlin"), (view.Title, view.Language, view.TimeZone));
        Assert.Equal(4200, stored.Single(e => e.Type == TrackedEventType.PageLeave).DurationMs);
        var custom = stored.Single(e => e.Type == TrackedEventType.Custom);
        Assert.Equal("checkout_started", custom.Name);
        Assert.Equal("pro", custom.Properties["plan"]);
        Assert.All(stored, e => Assert.Equal("s_12345678", e.SessionKey));
        Assert.All(stored, e => Assert.Equal(("Chrome", "Windows", "Desktop"), (e.Browser, e.Os, e.Device)));
    }

    [Fact]
    public async Task Ingest_FromACrawler_Answers202AndCountsNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var crawler = "v_" + Guid.NewGuid().ToString("N");
        var person = "v_" + Guid.NewGuid().ToString("N");
        var client = Factory.CreateClient();

        using var crawled = await PostAsync(client, Batch(site, crawler), "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");
        using var visited = await PostAsync(client, Batch(site, person));

        Assert.Equal(HttpStatusCode.Accepted, crawled.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, visited.StatusCode);
        // The person's event, queued after the crawler's would have been, is stored: the crawler's was not.
        await Eventually.WaitUntilAsync(async () => (await StoredAsync(person)).Count == 1, "the person's page view stored");
        Assert.Empty(await StoredAsync(crawler));

        static string Batch(string site, string visitor) =>
            $$"""{ "site": "{{site}}", "visitor": "{{visitor}}", "session": "s_12345678", "events": [ { "type": "pageview", "url": "https://shop.example/" } ] }""";
    }

    [Fact]
    public async Task Ingest_MalformedBatch_Answers400NamingEachFieldAndStoresNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var visitor = "v_" + Guid.NewGuid().ToString("N");
        var client = Factory.CreateClient();

        var invalid = await PostAsync(client, $$"""
            { "site": "{{site}}", "visitor": "{{visitor}}", "session": "s_12345678", "events": [
              { "type": "pageview", "url": "https://shop.example/ok" },
              { "type": "pageview", "url": "javascript:alert(1)" },
              { "type": "event" },
              { "type": "click", "url": "https://shop.example/" } ] }
            """).ExpectAsync(HttpStatusCode.BadRequest);
        var notJson = await PostAsync(client, "{ this is not json").ExpectAsync(HttpStatusCode.BadRequest);
        var unknownField = await PostAsync(client, $$"""{ "site": "{{site}}", "visitor": "{{visitor}}", "session": "s_12345678", "cookie": "x", "events": [] }""")
            .ExpectAsync(HttpStatusCode.BadRequest);

        var fields = invalid.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["events[1].url", "events[2].name", "events[3].type"], fields);
        Assert.True(notJson.TryGetProperty("errors", out _));
        Assert.True(unknownField.TryGetProperty("errors", out _));
        // The valid event of the refused batch was not kept either; a later valid batch proves the writer ran meanwhile.
        using var later = await PostAsync(client, $$"""{ "site": "{{site}}", "visitor": "{{visitor}}", "session": "s_12345678", "events": [ { "type": "pageview", "url": "https://shop.example/later" } ] }""");
        Assert.Equal(HttpStatusCode.Accepted, later.StatusCode);
        await Eventually.WaitUntilAsync(async () => (await StoredAsync(visitor)).Count == 1, "the later event stored");
        Assert.Equal("https://shop.example/later", Assert.Single(await StoredAsync(visitor)).Url);
    }

    [Fact]
    public async Task Ingest_UnknownSite_Answers404()
    {
        using var response = await PostAsync(Factory.CreateClient(), """
            { "site": "inb_not-a-real-site-token", "visitor": "v_12345678", "session": "s_12345678", "events": [ { "type": "pageview", "url": "https://shop.example/" } ] }
            """);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    internal const string DesktopChrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    internal static Task<HttpResponseMessage> PostAsync(
        HttpClient client, string body, string userAgent = DesktopChrome, string origin = "https://shop.example", params (string Name, string Value)[] headers) =>
        SendAsync(client, TrackingFeature.Path, body, userAgent, origin, headers);

    /// <summary>A page of the site asking whether a proactive message waits (see TrackerPing).</summary>
    internal static Task<HttpResponseMessage> PingAsync(HttpClient client, string body) =>
        SendAsync(client, TrackingFeature.PingPath, body, DesktopChrome, "https://shop.example", []);

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string path, string body, string userAgent, string origin, (string Name, string Value)[] headers)
    {
        // What sendBeacon and the loader send: text/plain, so the browser asks no CORS preflight.
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "text/plain") };
        request.Headers.Add("Origin", origin);
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return client.SendAsync(request, Ct);
    }

    private async Task<List<TrackedEvent>> StoredAsync(string visitor)
    {
        using var scope = Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return await db.TrackedEvents.IgnoreQueryFilters().Where(e => e.VisitorKey == visitor).ToListAsync(Ct);
    }
}

public sealed class TrackingIngestionSqliteTests(SqliteApiFixture fixture) : TrackingIngestionTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class TrackingIngestionPostgresTests(PostgresApiFixture fixture) : TrackingIngestionTests(fixture.Factory), IClassFixture<PostgresApiFixture>;

/// <summary>With the write queue full, the endpoint sheds load instead of holding events it cannot store soon.</summary>
public sealed class TrackingQueueFullTests
{
    [Fact]
    public async Task Ingest_QueueFull_Answers503WithRetryAfter()
    {
        await using var factory = new PorchlightFactory(settings: new Dictionary<string, string?> { ["Tracking:QueueCapacity"] = "0" });
        var workspace = await factory.CreateWorkspaceAsync();
        using var owner = factory.CreateApiClient(workspace.OwnerToken);
        var (_, site) = await ChatSetup.CreateWidgetInboxAsync(owner);

        using var response = await TrackingIngestionTests.PostAsync(factory.CreateClient(), $$"""
            { "site": "{{site}}", "visitor": "v_12345678", "session": "s_12345678", "events": [ { "type": "pageview", "url": "https://shop.example/" } ] }
            """);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
    }
}

/// <summary>The endpoint's own limits per client address and per site, and its answers outside POST.</summary>
public sealed class TrackingLimitsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ingest_SiteOverItsMinute_Answers429WithRetryAfterAndOtherSitesGoOn()
    {
        await using var factory = new PorchlightFactory(settings: new Dictionary<string, string?> { ["Tracking:RequestsPerMinutePerSite"] = "2" });
        var workspace = await factory.CreateWorkspaceAsync();
        using var owner = factory.CreateApiClient(workspace.OwnerToken);
        var (_, busy) = await ChatSetup.CreateWidgetInboxAsync(owner, "Busy site");
        var (_, quiet) = await ChatSetup.CreateWidgetInboxAsync(owner, "Quiet site");
        var client = factory.CreateClient();

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await TrackingIngestionTests.PostAsync(client, Batch(busy));
            answers.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.InRange(int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
            }
        }

        using var other = await TrackingIngestionTests.PostAsync(client, Batch(quiet));

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], answers);
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
    }

    [Fact]
    public async Task Ingest_AddressOverItsMinute_Answers429()
    {
        await using var factory = new PorchlightFactory(settings: new Dictionary<string, string?> { ["Security:WidgetRequestsPerMinute"] = "1" });
        var workspace = await factory.CreateWorkspaceAsync();
        using var owner = factory.CreateApiClient(workspace.OwnerToken);
        var (_, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var client = factory.CreateClient();

        using var first = await TrackingIngestionTests.PostAsync(client, Batch(site));
        using var second = await TrackingIngestionTests.PostAsync(client, Batch(site));

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests), (first.StatusCode, second.StatusCode));
    }

    [Fact]
    public async Task Endpoint_PreflightAndOtherMethods_AnswerCorsAnd405()
    {
        await using var factory = new PorchlightFactory();
        var client = factory.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/t/v1/events");
        preflight.Headers.Add("Origin", "https://shop.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");

        using var answer = await client.SendAsync(preflight, Ct);
        using var get = await client.GetAsync("/t/v1/events", Ct);

        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal("*", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", answer.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
    }

    private static string Batch(string site) =>
        $$"""{ "site": "{{site}}", "visitor": "v_{{Guid.NewGuid():N}}", "session": "s_12345678", "events": [ { "type": "pageview", "url": "https://shop.example/" } ] }""";
}
