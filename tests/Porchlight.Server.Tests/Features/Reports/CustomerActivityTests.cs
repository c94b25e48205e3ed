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

namespace Porchlight.Server.Tests.Features.Reports;

/// <summary>
/// Customers' activity around a conversation: an identified customer's visits in the days before it began against
/// the same span after it was resolved, counted once that span has passed, and grouped by a contact attribute.
/// </summary>
public sealed class CustomerActivityTests : IAsyncLifetime
{
    private readonly ShiftedClock _clock = new();
    private PorchlightFactory _factory = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _factory = new PorchlightFactory(configureServices: services => services.AddSingleton<TimeProvider>(new StorageClock(_clock)));
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _factory.DisposeAsync();

    [Fact]
    public async Task CustomerActivity_OneCustomerComesBackMoreOneLess_ComparesTheWindowsOnceTheyHavePassed()
    {
        var workspace = await _factory.CreateWorkspaceAsync("Acme Support");
        using var owner = _factory.CreateApiClient(workspace.OwnerToken);
        var (_, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var tracker = _factory.CreateClient();
        var (pro, free, anonymous) = ("v_" + Guid.NewGuid().ToString("N"), "v_" + Guid.NewGuid().ToString("N"), "v_" + Guid.NewGuid().ToString("N"));
        await VisitAsync(tracker, site, pro, "s_pro_before", Page("/"), Page("/boots"));
        await VisitAsync(tracker, site, free, "s_free_before", Page("/"));
        await VisitAsync(tracker, site, anonymous, "s_anon_before", Page("/"));
        await ConverseAsync(owner, site, pro, new { userId = "user-pro", attributes = new Dictionary<string, string> { ["plan"] = "pro" } });
        await ConverseAsync(owner, site, free, new { userId = "user-free", attributes = new Dictionary<string, string> { ["plan"] = "free" } });
        await ConverseAsync(owner, site, anonymous, identify: null); // not identified: another device could hide their visits
        var pending = await owner.GetJsonAsync("/api/v1/reports/customer-activity?days=30&windowDays=7");

        _clock.Advance(TimeSpan.FromDays(1));
        await VisitAsync(tracker, site, pro, "s_pro_after_1", Page("/"), Page("/boots"), Page("/checkout"));
        _clock.Advance(TimeSpan.FromDays(1));
        await VisitAsync(tracker, site, pro, "s_pro_after_2", Page("/orders"), new { type = "event", name = "reorder", properties = new { } });
        _clock.Advance(TimeSpan.FromDays(6));
        var report = await owner.GetJsonAsync("/api/v1/reports/customer-activity?days=30&windowDays=7&attribute=plan");

        Assert.Equal((0, 2), (pending.GetProperty("conversations").GetInt32(), pending.GetProperty("pending").GetInt32()));
        Assert.Equal((2, 0, 1, 1, 0.5), (report.GetProperty("conversations").GetInt32(), report.GetProperty("pending").GetInt32(),
            report.GetProperty("moreActive").GetInt32(), report.GetProperty("lessActive").GetInt32(), report.GetProperty("moreActiveRate").GetDouble()));
        Assert.Equal("2 visits, 3 page views, 0 events", Figures(report.GetProperty("before")));
        Assert.Equal("2 visits, 4 page views, 1 events", Figures(report.GetProperty("after")));
        var groups = report.GetProperty("groups").EnumerateArray().ToDictionary(g => g.Text("value")!);
        Assert.Equal(("1 visits, 2 page views, 0 events", "2 visits, 4 page views, 1 events"), (Figures(groups["pro"].GetProperty("before")), Figures(groups["pro"].GetProperty("after"))));
        Assert.Equal(("1 visits, 1 page views, 0 events", "0 visits, 0 page views, 0 events"), (Figures(groups["free"].GetProperty("before")), Figures(groups["free"].GetProperty("after"))));
        await owner.GetAsync("/api/v1/reports/customer-activity?windowDays=0", Ct).ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    private static string Figures(JsonElement f) =>
        $"{f.GetProperty("visits").GetInt32()} visits, {f.GetProperty("pageViews").GetInt32()} page views, {f.GetProperty("events").GetInt32()} events";

    private static object Page(string path) => new { type = "pageview", url = "https://shop.example" + path };

    // One visit (a session of the tracker), waited for until the writer stored all of it.
    private async Task VisitAsync(HttpClient tracker, string site, string visitor, string session, params object[] events)
    {
        using (var response = await TrackingIngestionTests.PostAsync(tracker, JsonSerializer.Serialize(new { site, visitor, session, events })))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await Eventually.WaitUntilAsync(async () =>
        {
            await using var scope = _factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            return await db.TrackedSessions.AnyAsync(s => s.SessionKey == session && s.PageViews + s.CustomEvents == events.Length, Ct);
        }, $"the visit {session} is stored");
    }

    // The tracked visitor opens the chat (identifying when told to), writes, and is answered with a resolve.
    private async Task ConverseAsync(HttpClient owner, string site, string trackerVisitor, object? identify)
    {
        using var visitor = await TestVisitor.StartAsync(_factory, site, trackerVisitor: trackerVisitor);
        using var customer = identify is null
            ? null
            : await TestVisitor.StartAsync(_factory, site, (await visitor.Http.PostJsonAsync("/widget/v1/identify", identify).ExpectAsync(HttpStatusCode.OK)).Text("visitorToken"));
        var (conversationId, _) = await (customer ?? visitor).StartConversationAsync("Where is my order?");
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
    }
}
