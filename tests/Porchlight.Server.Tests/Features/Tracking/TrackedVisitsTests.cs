using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Tracking;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Tracking;

/// <summary>
/// Visits and visitors summarised from tracked events, the inbox's tracking rules applied at the endpoint, and a
/// browser's pages linked to the contact its chat visitor is, so agents see them.
/// </summary>
public abstract partial class TrackedVisitsTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task Ingest_TwoVisits_CountsVisitsWithEntryExitPagesAndReturning()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var visitor = NewKey("v_");
        var client = Factory.CreateClient();

        await SendAsync(client, site, visitor, "s_first-visit", Page("https://shop.example/?utm_source=news&utm_campaign=winter", "https://search.example/q"));
        await SendAsync(client, site, visitor, "s_first-visit", Leave("https://shop.example/", 3000), Page("https://shop.example/boots"));
        await SendAsync(client, site, visitor, "s_second-visit", Page("https://shop.example/cart"));

        var sessions = await EventuallyAsync(db => db.TrackedSessions.Where(s => s.VisitorKey == visitor).OrderBy(s => s.StartedAt).ToListAsync(Ct), 2);
        var (first, second) = (sessions[0], sessions[1]);
        Assert.Equal(("https://shop.example/", "https://shop.example/boots", 2), (first.EntryUrl, first.ExitUrl, first.PageViews));
        Assert.Equal(("https://search.example/q", "news", "winter"), (first.Referrer, first.UtmSource, first.UtmCampaign));
        Assert.False(first.IsReturning);
        Assert.True(second.IsReturning);
        var summary = await ReadAsync(db => db.TrackedVisitors.SingleAsync(v => v.VisitorKey == visitor, Ct));
        Assert.Equal((2, "https://search.example/q", "news", "winter"), (summary.Visits, summary.FirstReferrer, summary.FirstUtmSource, summary.FirstUtmCampaign));
    }

    [Fact]
    public async Task Ingest_AnotherNodeAddsToAVisitThisNodeKnows_BothCountsAreKept()
    {
        var (client, site, visitor) = await FirstPageStoredAsync("s_shared-visit", "https://shop.example/first");

        // Another node stored two page views of the same visit meanwhile, adding to the row as every writer does.
        await ReadAsync(db => db.TrackedSessions.Where(s => s.VisitorKey == visitor)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.PageViews, s => s.PageViews + 2), Ct));
        await SendAsync(client, site, visitor, "s_shared-visit", Page("https://shop.example/fourth"));

        var visit = Assert.Single(await EventuallyAsync(db => db.TrackedSessions.Where(s => s.VisitorKey == visitor).ToListAsync(Ct), 1, pageViews: 4));
        Assert.Equal(("https://shop.example/first", "https://shop.example/fourth"), (visit.EntryUrl, visit.ExitUrl));
    }

    [Fact]
    public async Task Ingest_VisitDeletedAfterItsFirstPage_LaterPagesStoredInAVisitBegunAgain()
    {
        var (client, site, visitor) = await FirstPageStoredAsync("s_erased-visit", "https://shop.example/before");

        await ReadAsync(db => db.TrackedSessions.Where(s => s.VisitorKey == visitor).ExecuteDeleteAsync(Ct));
        await SendAsync(client, site, visitor, "s_erased-visit", Page("https://shop.example/after"));

        var visit = Assert.Single(await EventuallyAsync(db => db.TrackedSessions.Where(s => s.VisitorKey == visitor).ToListAsync(Ct), 1, pageViews: 1));
        Assert.Equal(("https://shop.example/after", "https://shop.example/after"), (visit.EntryUrl, visit.ExitUrl));
        Assert.Equal(2, await ReadAsync(db => db.TrackedEvents.CountAsync(e => e.VisitorKey == visitor, Ct)));
    }

    [Fact]
    public async Task Ingest_CookielessInbox_TellsTheVisitApartWithoutIdsAndStoresNoFullAddress()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await SetTrackingAsync(owner, inboxId, new { mode = "Cookieless", ipAddresses = "Hashed" });
        var client = Factory.CreateClient();

        using var first = await TrackingIngestionTests.PostAsync(client, Batch(site, null, null, Page("https://shop.example/cookieless-a")));
        using var second = await TrackingIngestionTests.PostAsync(client, Batch(site, null, null, Page("https://shop.example/cookieless-b")));

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (first.StatusCode, second.StatusCode));
        var session = Assert.Single(await EventuallyAsync(db => db.TrackedSessions.Where(s => s.InboxId == inboxId).ToListAsync(Ct), 1, pageViews: 2));
        Assert.StartsWith("c_", session.VisitorKey, StringComparison.Ordinal);
        Assert.Equal(("https://shop.example/cookieless-a", "https://shop.example/cookieless-b"), (session.EntryUrl, session.ExitUrl));
        Assert.StartsWith("h_", session.IpAddress, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_TrackingOffOrOriginNotAllowed_Answers403AndAnAllowedOriginIsTaken()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (offId, offSite) = await ChatSetup.CreateWidgetInboxAsync(owner, "Chat only");
        var (listedId, listedSite) = await ChatSetup.CreateWidgetInboxAsync(owner, "Allow-listed");
        await SetTrackingAsync(owner, offId, new { mode = "Off" });
        await SetTrackingAsync(owner, listedId, new { allowedOrigins = new List<string> { "https://Other.example/" } });
        var client = Factory.CreateClient();
        var visitor = NewKey("v_");

        // PostAsync says the request comes from https://shop.example.
        var off = await TrackingIngestionTests.PostAsync(client, Batch(offSite, visitor, "s_12345678", Page("https://shop.example/"))).ExpectProblemAsync(HttpStatusCode.Forbidden);
        var elsewhere = await TrackingIngestionTests.PostAsync(client, Batch(listedSite, visitor, "s_12345678", Page("https://shop.example/")))
            .ExpectProblemAsync(HttpStatusCode.Forbidden);
        using var listed = await TrackingIngestionTests.PostAsync(
            client, Batch(listedSite, visitor, "s_12345678", Page("https://other.example/")), origin: "https://other.example");

        Assert.Contains("does not track", off.Text("detail"), StringComparison.Ordinal);
        Assert.Contains("allowed origins", elsewhere.Text("detail"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, listed.StatusCode);
        var stored = await EventuallyAsync(db => db.TrackedEvents.Where(e => e.VisitorKey == visitor).ToListAsync(Ct), 1);
        Assert.Equal("https://other.example/", Assert.Single(stored).Url);
    }

    [Fact]
    public async Task Ingest_DoNotTrackOrGlobalPrivacyControl_Answers202AndStoresNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (dnt, gpc, person) = (NewKey("v_"), NewKey("v_"), NewKey("v_"));
        var client = Factory.CreateClient();

        using var withDnt = await TrackingIngestionTests.PostAsync(client, Batch(site, dnt, "s_12345678", Page("https://shop.example/")), headers: ("DNT", "1"));
        using var withGpc = await TrackingIngestionTests.PostAsync(client, Batch(site, gpc, "s_12345678", Page("https://shop.example/")), headers: ("Sec-GPC", "1"));
        await SendAsync(client, site, person, "s_12345678", Page("https://shop.example/"));

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (withDnt.StatusCode, withGpc.StatusCode));
        // The person's page view, queued after the others would have been, is stored; theirs are not.
        await EventuallyAsync(db => db.TrackedEvents.Where(e => e.VisitorKey == person).ToListAsync(Ct), 1);
        Assert.Empty(await ReadAsync(db => db.TrackedEvents.Where(e => e.VisitorKey == dnt || e.VisitorKey == gpc).ToListAsync(Ct)));
    }

    [Fact]
    public async Task Ingest_IdsMissingWhereTheSiteKeepsThem_Answers400NamingThem()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, site) = await ChatSetup.CreateWidgetInboxAsync(owner);

        var problem = await TrackingIngestionTests.PostAsync(Factory.CreateClient(), Batch(site, null, null, Page("https://shop.example/")))
            .ExpectProblemAsync(HttpStatusCode.BadRequest);

        var fields = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["session", "visitor"], fields);
    }

    [Fact]
    public async Task Ingest_InboxKeepsSomeQueryParameters_StoresOnlyThose()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await SetTrackingAsync(owner, inboxId, new { keptQueryParameters = new List<string> { "page", "category" } });
        var visitor = NewKey("v_");

        await SendAsync(Factory.CreateClient(), site, visitor, "s_12345678", Page("https://shop.example/list?email=ada%40example.com&category=boots&page=2"));

        var stored = await EventuallyAsync(db => db.TrackedEvents.Where(e => e.VisitorKey == visitor).ToListAsync(Ct), 1);
        Assert.Equal("https://shop.example/list?page=2&category=boots", Assert.Single(stored).Url);
    }

    [Fact]
    public async Task UpdateInbox_TrackingSettings_ValidatedSavedAndShownToTheLoader()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, site) = await ChatSetup.CreateWidgetInboxAsync(owner);

        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}", new { name = "Website chat", tracking = new { allowedOrigins = new List<string> { "https://shop.example/path" } } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "tracking.allowedOrigins");
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}", new { name = "Website chat", tracking = new { keptQueryParameters = new List<string> { "a b" } } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "tracking.keptQueryParameters");
        var saved = await SetTrackingAsync(owner, inboxId, new { mode = "Cookieless", requireConsent = true, allowedOrigins = new List<string> { "HTTPS://Shop.Example:443" } });
        var config = await Factory.CreateClient().GetJsonAsync($"/widget/v1/inboxes/{site}");

        var tracking = saved.GetProperty("tracking");
        Assert.Equal(("Cookieless", true, "Truncated"), (tracking.Text("mode"), tracking.GetProperty("requireConsent").GetBoolean(), tracking.Text("ipAddresses")));
        Assert.Equal(["https://shop.example"], tracking.GetProperty("allowedOrigins").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(("cookieless", true), (config.GetProperty("tracking").Text("mode"), config.GetProperty("tracking").GetProperty("requireConsent").GetBoolean()));
    }

    [Fact]
    public async Task Activity_VisitorOpensTheChat_AgentsSeeTheBrowsersPageTrail()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var browser = NewKey("v_");
        var client = Factory.CreateClient();
        await SendAsync(client, site, browser, "s_12345678", Page("https://shop.example/", title: "Shop"));
        await SendAsync(client, site, browser, "s_12345678", Leave("https://shop.example/", 2000), Page("https://shop.example/boots", title: "Boots"));
        await SendAsync(client, site, browser, "s_12345678", Custom("size_chart_opened", new { size = "42" }));

        using var visitor = await StartVisitorAsync(site, browser);
        await visitor.StartConversationAsync("Do these run small?");
        var activity = await EventuallyActivityAsync(owner, visitor.Id, steps: 3);

        Assert.Equal(1, activity.GetProperty("visits").GetInt32());
        var steps = activity.GetProperty("latestVisits")[0].GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["page", "page", "event"], steps.Select(s => s.Text("kind")));
        Assert.Equal(("Shop", 2000), (steps[0].Text("title"), steps[0].GetProperty("durationMs").GetInt32()));
        Assert.Equal(JsonValueKind.Null, steps[1].GetProperty("durationMs").ValueKind);
        Assert.Equal(("size_chart_opened", "42"), (steps[2].Text("name"), steps[2].GetProperty("properties").Text("size")));
        Assert.Equal("Boots", activity.GetProperty("currentPage").Text("title"));
    }

    [Fact]
    public async Task Activity_BeaconOfTheFirstPageArrivesLast_StepsAreInTheBrowsersOrder()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var browser = NewKey("v_");
        var client = Factory.CreateClient();
        var sent = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // The product page's beacon was delayed past the page the visitor went on to.
        await SendAtAsync(client, site, browser, sent + 900, Page("https://shop.example/cart", title: "Cart"));
        await SendAtAsync(client, site, browser, sent, Page("https://shop.example/boots", title: "Boots"));
        using var visitor = await StartVisitorAsync(site, browser);
        await visitor.StartConversationAsync("Hello");
        var activity = await EventuallyActivityAsync(owner, visitor.Id, steps: 2);

        var steps = activity.GetProperty("latestVisits")[0].GetProperty("steps").EnumerateArray().Select(s => s.Text("title"));
        Assert.Equal(["Boots", "Cart"], steps);
        Assert.Equal("Cart", activity.GetProperty("currentPage").Text("title"));
    }

    [Fact]
    public async Task Activity_AnonymousVisitorIdentifies_TheKnownContactKeepsAllTheirPages()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var laptop = NewKey("v_");
        var phone = NewKey("v_");
        var client = Factory.CreateClient();
        await SendAsync(client, site, laptop, "s_laptop-visit", Page("https://shop.example/laptop-page"));
        await SendAsync(client, site, phone, "s_phone-visit", Page("https://shop.example/phone-page"));

        // Anonymous on the laptop first, then signed in; on the phone signed in from the start.
        using var anonymous = await StartVisitorAsync(site, laptop);
        await anonymous.StartConversationAsync("Hello");
        var identified = await anonymous.Http.PostJsonAsync("/widget/v1/identify", new { userId = "user-7" }).ExpectAsync(HttpStatusCode.OK);
        var known = identified.GetProperty("contactId").GetGuid();
        using var onPhone = await StartVisitorAsync(site, phone, identified.Text("visitorToken"));
        var activity = await EventuallyActivityAsync(owner, known, visits: 2);

        var entries = activity.GetProperty("latestVisits").EnumerateArray().Select(v => v.Text("entryUrl")).Order(StringComparer.Ordinal);
        Assert.Equal(["https://shop.example/laptop-page", "https://shop.example/phone-page"], entries);
        await owner.GetAsync($"/api/v1/contacts/{anonymous.Id}/activity", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OnlineVisitors_VisitorsBrowsing_ListedWithTheirPageAndTheContactTheyChatAs()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, stranger) = await NewWorkspaceAsync("Elsewhere");
        var (inboxId, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (chatting, browsing) = (NewKey("v_"), NewKey("v_"));
        var client = Factory.CreateClient();
        await SendAsync(client, site, chatting, "s_chatting", Page("https://shop.example/help", title: "Help"));
        await SendAsync(client, site, browsing, "s_browsing", Page("https://shop.example/", title: "Home"));
        await SendAsync(client, site, browsing, "s_browsing", Leave("https://shop.example/", 1500), Page("https://shop.example/boots", title: "Boots"));
        using var visitor = await StartVisitorAsync(site, chatting);
        var (conversationId, _) = await visitor.StartConversationAsync("Can I return boots?");
        // A page view of the chatting visitor after the link, so the list knows their contact.
        await SendAsync(client, site, chatting, "s_chatting", Page("https://shop.example/returns", title: "Returns"));

        List<JsonElement> online = [];
        await Eventually.WaitUntilAsync(async () =>
        {
            online = [.. (await owner.GetJsonAsync($"/api/v1/visitors/online?inboxId={inboxId}")).EnumerateArray()];
            return online.Count == 2 && online.Any(v => v.Text("title") == "Returns");
        }, "both visitors online");

        var known = online.Single(v => v.Text("visitorKey") == chatting);
        Assert.Equal((visitor.Id, conversationId, "Returns"), (known.GetProperty("contactId").GetGuid(), known.GetProperty("conversationId").GetGuid(), known.Text("title")));
        var anonymous = online.Single(v => v.Text("visitorKey") == browsing);
        Assert.Equal(("Boots", true, JsonValueKind.Null), (anonymous.Text("title"), anonymous.GetProperty("inView").GetBoolean(), anonymous.GetProperty("contactId").ValueKind));
        Assert.Empty((await stranger.GetJsonAsync("/api/v1/visitors/online")).EnumerateArray());
    }

    [Fact]
    public async Task Retention_EventsPastTheirInboxsDays_RemovedAndVisitsKept()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (keepsLong, longSite) = await ChatSetup.CreateWidgetInboxAsync(owner, "Default retention");
        var (keepsShort, _) = await ChatSetup.CreateWidgetInboxAsync(owner, "Five days");
        await SetTrackingAsync(owner, keepsShort, new { retentionDays = 5 });
        var visitor = NewKey("v_");
        await SendAsync(Factory.CreateClient(), longSite, visitor, "s_recent-visit", Page("https://shop.example/today"));
        await EventuallyAsync(db => db.TrackedEvents.Where(e => e.VisitorKey == visitor).ToListAsync(Ct), 1);
        var now = DateTime.UtcNow;
        using (var scope = Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var workspaceId = await db.Inboxes.Where(i => i.Id == keepsLong).Select(i => i.WorkspaceId).SingleAsync(Ct);
            TrackedEvent Old(Guid inboxId, int daysAgo, string url) => TrackedEvent.From(
                new TrackingSite(workspaceId, inboxId, TrackingSettings.Default), visitor, "s_old-visit", UserAgents.Read(TrackingIngestionTests.DesktopChrome),
                new TrackerEvent("pageview", url, null, null, null, null, null, null, null, null), now.AddDays(-daysAgo));
            db.TrackedEvents.AddRange(
                Old(keepsLong, 400, "https://shop.example/long-400"), Old(keepsLong, 10, "https://shop.example/long-10"),
                Old(keepsShort, 10, "https://shop.example/short-10"), Old(keepsShort, 1, "https://shop.example/short-1"));
            await db.SaveChangesAsync(Ct);
        }

        var removed = await Factory.Services.GetRequiredService<TrackingRetention>().PurgeAsync(Ct);

        var left = await ReadAsync(db => db.TrackedEvents.Where(e => e.VisitorKey == visitor).Select(e => e.Url!).ToListAsync(Ct));
        Assert.Equal(["https://shop.example/long-10", "https://shop.example/short-1", "https://shop.example/today"], left.Order(StringComparer.Ordinal));
        Assert.True(removed >= 2, $"{removed} removed");
        Assert.Single(await ReadAsync(db => db.TrackedSessions.Where(s => s.VisitorKey == visitor).ToListAsync(Ct)));
    }

    [Fact]
    public async Task Activity_ContactOfAnotherWorkspace_Answers404()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, stranger) = await NewWorkspaceAsync("Elsewhere");
        var (_, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await StartVisitorAsync(site, NewKey("v_"));
        await visitor.StartConversationAsync("Hi");

        await owner.GetJsonAsync($"/api/v1/contacts/{visitor.Id}/activity");
        await stranger.GetAsync($"/api/v1/contacts/{visitor.Id}/activity", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    private static string NewKey(string prefix) => prefix + Guid.NewGuid().ToString("N");

    /// <summary>A new site and visitor whose visit's first page view the writer has stored.</summary>
    private async Task<(HttpClient Client, string Site, string Visitor)> FirstPageStoredAsync(string session, string url)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var visitor = NewKey("v_");
        var client = Factory.CreateClient();
        await SendAsync(client, site, visitor, session, Page(url));
        await EventuallyAsync(db => db.TrackedSessions.Where(s => s.VisitorKey == visitor).ToListAsync(Ct), 1, pageViews: 1);
        return (client, site, visitor);
    }

    private static object Page(string url, string? referrer = null, string? title = null) => new { type = "pageview", url, referrer, title };

    private static object Leave(string url, int durationMs) => new { type = "leave", url, durationMs };

    private static object Custom(string name, object properties) => new { type = "event", name, properties };

    private static readonly JsonSerializerOptions LeaveOutNulls = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private static string Batch(string site, string? visitor, string? session, params object[] events) =>
        JsonSerializer.Serialize(new { site, visitor, session, events }, LeaveOutNulls);

    private static async Task SendAsync(HttpClient client, string site, string visitor, string session, params object[] events)
    {
        using var response = await TrackingIngestionTests.PostAsync(client, Batch(site, visitor, session, events));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static async Task SendAtAsync(HttpClient client, string site, string visitor, long at, params object[] events)
    {
        using var response = await TrackingIngestionTests.PostAsync(client, JsonSerializer.Serialize(new { site, visitor, session = "s_12345678", at, events }, LeaveOutNulls));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static async Task<JsonElement> SetTrackingAsync(HttpClient owner, Guid inboxId, object tracking)
    {
        var inbox = await owner.GetJsonAsync($"/api/v1/inboxes/{inboxId}");
        return await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}", new { name = inbox.Text("name"), tracking }).ExpectAsync(HttpStatusCode.OK);
    }

    private Task<TestVisitor> StartVisitorAsync(string site, string trackerVisitor, string? visitorToken = null) =>
        TestVisitor.StartAsync(Factory, site, visitorToken, trackerVisitor);

    private static async Task<JsonElement> EventuallyActivityAsync(HttpClient owner, Guid contactId, int steps = 0, int visits = 0)
    {
        JsonElement activity = default;
        await Eventually.WaitUntilAsync(async () =>
        {
            activity = await owner.GetJsonAsync($"/api/v1/contacts/{contactId}/activity");
            var latest = activity.GetProperty("latestVisits");
            return activity.GetProperty("visits").GetInt32() >= visits
                && (steps == 0 || (latest.GetArrayLength() > 0 && latest[0].GetProperty("steps").GetArrayLength() == steps));
        }, "the contact's activity");
        return activity;
    }

    private async Task<T> ReadAsync<T>(Func<AppDbContext, Task<T>> read)
    {
        using var scope = Factory.Services.CreateScope();
        return await read(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    /// <summary>Waits until the writer stored <paramref name="count"/> rows (and, for visits, the page views of them all).</summary>
    private async Task<List<T>> EventuallyAsync<T>(Func<AppDbContext, Task<List<T>>> read, int count, int pageViews = 0)
    {
        List<T> rows = [];
        await Eventually.WaitUntilAsync(async () =>
        {
            rows = await ReadAsync(read);
            return rows.Count == count && (pageViews == 0 || rows.OfType<TrackedSession>().Sum(s => s.PageViews) == pageViews);
        }, $"{count} {typeof(T).Name} rows stored");
        return rows;
    }
}

public sealed class TrackedVisitsSqliteTests(SqliteApiFixture fixture) : TrackedVisitsTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class TrackedVisitsPostgresTests(PostgresApiFixture fixture) : TrackedVisitsTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
