using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Tracking;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Hosting;

namespace Porchlight.Server.Tests.Features.Tracking;

/// <summary>A site's statistics, read from the daily rollups, agree with a fresh count of what was tracked, late events included.</summary>
public abstract partial class TrackedVisitsTests
{
    [Fact]
    public async Task Statistics_VisitsPagesAndAChat_RolledUpIntoTheSitesFiguresAndConversationRatePerPage()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (reader, asker) = (NewKey("v_"), NewKey("v_"));
        var client = Factory.CreateClient();
        await SendAsync(client, site, reader, "s_reader-visit", Page("https://shop.example/?utm_source=news&utm_campaign=winter", "https://search.example/q"));
        await SendAsync(client, site, reader, "s_reader-visit", Page("https://shop.example/pricing"));
        await SendAsync(client, site, asker, "s_asker-visit", Page("https://shop.example/pricing"));
        await EventuallyAsync(db => db.TrackedSessions.Where(s => s.InboxId == inboxId).ToListAsync(Ct), 2, pageViews: 3);
        using var visitor = await StartVisitorAsync(site, asker);
        await visitor.StartConversationAsync("Is there a discount for schools?");

        await RollUpAsync();
        var statistics = await StatisticsAsync(owner, inboxId);

        var totals = statistics.GetProperty("totals");
        Assert.Equal((2, 2, 3, 0.5, 1, 0.5), (totals.GetProperty("visitors").GetInt32(), totals.GetProperty("visits").GetInt32(), totals.GetProperty("pageViews").GetInt32(),
            totals.GetProperty("bounceRate").GetDouble(), totals.GetProperty("conversations").GetInt32(), totals.GetProperty("conversationRate").GetDouble()));
        Assert.True(statistics.GetProperty("upToDate").GetBoolean());
        Assert.Equal(
            ["https://shop.example/pricing 2 2 1 0.5", "https://shop.example/ 1 1 0 0"],
            statistics.GetProperty("topPages").EnumerateArray().Select(p => $"{p.Text("url")} {p.GetProperty("pageViews")} {p.GetProperty("visits")} {p.GetProperty("conversations")} {p.GetProperty("conversationRate")}"));
        Assert.Equal(["https://shop.example/pricing"], statistics.GetProperty("pagesBeforeConversations").EnumerateArray().Select(p => p.Text("url")));
        Assert.Equal(["(direct) 1 1", "search.example 1 0"], Sources(statistics, "referrers").Select(s => $"{s.Text("name")} {s.GetProperty("visits")} {s.GetProperty("conversations")}"));
        Assert.Equal(["https://shop.example/ 1 0", "https://shop.example/pricing 1 1"], Sources(statistics, "entryPages").Select(s => $"{s.Text("name")} {s.GetProperty("visits")} {s.GetProperty("bounceRate")}"));
        Assert.Equal(["news"], Sources(statistics, "utmSources").Select(s => s.Text("name")));
        Assert.Equal(["winter"], Sources(statistics, "utmCampaigns").Select(s => s.Text("name")));
        Assert.Equal(["Desktop 2"], Sources(statistics, "devices").Select(s => $"{s.Text("name")} {s.GetProperty("visits")}"));
        Assert.Equal(7, statistics.GetProperty("days").GetArrayLength());
        Assert.Equal(2, statistics.GetProperty("days").EnumerateArray().Sum(d => d.GetProperty("visits").GetInt32()));
    }

    [Fact]
    public async Task Statistics_LateEventsOfRolledUpDays_FiguresBecomeWhatAFreshCountGives()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var visitor = NewKey("v_");
        var client = Factory.CreateClient();
        // Yesterday's visit, one page so far: stored as the writer would have stored it then.
        var yesterday = DateTime.UtcNow.AddDays(-1);
        using (var scope = Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var workspaceId = await db.Inboxes.Where(i => i.Id == inboxId).Select(i => i.WorkspaceId).SingleAsync(Ct);
            var first = TrackedEvent.From(
                new TrackingSite(workspaceId, inboxId, TrackingSettings.Default), visitor, "s_since-yesterday", UserAgents.Read(TrackingIngestionTests.DesktopChrome),
                new TrackerEvent("pageview", "https://shop.example/late-night", null, null, null, null, null, null, null, null), yesterday);
            var visit = TrackedSession.Begin(first, isReturning: false, null, null);
            visit.Saw(first);
            db.AddRange(first, visit);
            await db.SaveChangesAsync(Ct);
        }

        await SendAsync(client, site, visitor, "s_today-visit", Page("https://shop.example/a"));
        await EventuallyAsync(db => db.TrackedSessions.Where(s => s.InboxId == inboxId).ToListAsync(Ct), 2, pageViews: 2);
        await RollUpAsync();
        Assert.Equal(1.0, (await StatisticsAsync(owner, inboxId, days: 1)).GetProperty("totals").GetProperty("bounceRate").GetDouble());

        // Both visits go on after their days were rolled up: yesterday's visit past midnight, today's a page later.
        await SendAsync(client, site, visitor, "s_since-yesterday", Page("https://shop.example/after-midnight"));
        await SendAsync(client, site, visitor, "s_today-visit", Page("https://shop.example/b"));
        await EventuallyAsync(db => db.TrackedSessions.Where(s => s.InboxId == inboxId).ToListAsync(Ct), 2, pageViews: 4);
        Assert.False((await StatisticsAsync(owner, inboxId, days: 2)).GetProperty("upToDate").GetBoolean());
        await RollUpAsync();

        var yesterdays = await StatisticsAsync(owner, inboxId, to: DateOnly.FromDateTime(yesterday), days: 1);
        Assert.Equal((1, 2, 0.0), Totals(yesterdays));
        var both = await StatisticsAsync(owner, inboxId, days: 2);
        Assert.Equal((2, 4, 0.0), Totals(both));
        Assert.True(both.GetProperty("upToDate").GetBoolean());
        Assert.Equal(4, both.GetProperty("topPages").EnumerateArray().Sum(p => p.GetProperty("pageViews").GetInt32()));
    }

    [Fact]
    public async Task Statistics_BadPeriodOrTop_Answers400NamingTheField()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, _) = await ChatSetup.CreateWidgetInboxAsync(owner);

        var backwards = await owner.GetAsync($"/api/v1/inboxes/{inboxId}/statistics?from=2026-11-30&to=2026-11-01", Ct).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var tooLong = await owner.GetAsync($"/api/v1/inboxes/{inboxId}/statistics?from=2024-01-01&to=2026-11-01", Ct).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var tooMany = await owner.GetAsync($"/api/v1/inboxes/{inboxId}/statistics?top=1000", Ct).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(backwards.GetProperty("errors").TryGetProperty("from", out _));
        Assert.True(tooLong.GetProperty("errors").TryGetProperty("from", out _));
        Assert.True(tooMany.GetProperty("errors").TryGetProperty("top", out _));
    }

    [Fact]
    public async Task Statistics_InboxOfAnotherWorkspaceOrAnAgent_Answers404Or403()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, stranger) = await NewWorkspaceAsync("Elsewhere");
        var (inboxId, _) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (_, _, supervisor) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);

        await stranger.GetAsync($"/api/v1/inboxes/{inboxId}/statistics", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await agent.GetAsync($"/api/v1/inboxes/{inboxId}/statistics", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await supervisor.GetJsonAsync($"/api/v1/inboxes/{inboxId}/statistics");
    }

    [Fact]
    public async Task Rollup_DayRolledUpMomentsAgoUnderASmallShare_WaitsItsTurnAndSaysSo()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var visitor = NewKey("v_");
        var client = Factory.CreateClient();
        // So small a share that a day rolled up now waits far longer than this test runs.
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Tracking:RollupShare"] = "0.0001" }).Build();
        var rollups = ActivatorUtilities.CreateInstance<TrackingRollups>(Factory.Services, (IConfiguration)settings);
        await SendAsync(client, site, visitor, "s_paced-visit", Page("https://shop.example/a"));
        await EventuallyAsync(db => db.TrackedSessions.Where(s => s.InboxId == inboxId).ToListAsync(Ct), 1, pageViews: 1);
        await rollups.RollUpAsync(Ct);

        await SendAsync(client, site, visitor, "s_paced-visit", Page("https://shop.example/b"));
        await EventuallyAsync(db => db.TrackedSessions.Where(s => s.InboxId == inboxId).ToListAsync(Ct), 1, pageViews: 2);
        await rollups.RollUpAsync(Ct);

        var statistics = await StatisticsAsync(owner, inboxId, days: 1);
        Assert.Equal(1, statistics.GetProperty("totals").GetProperty("pageViews").GetInt32());
        Assert.False(statistics.GetProperty("upToDate").GetBoolean());
        await RollUpAsync(); // the server's own job, whose share lets every day through
        Assert.Equal(2, (await StatisticsAsync(owner, inboxId, days: 1)).GetProperty("totals").GetProperty("pageViews").GetInt32());
    }

    [Fact]
    public async Task PlainStatements_GatheredUpdateOfAMissingRow_FailsAsSaveChangesWouldAndStoresNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, _) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var scope = Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var workspaceId = await db.Inboxes.IgnoreQueryFilters().Where(i => i.Id == inboxId).Select(i => i.WorkspaceId).SingleAsync(Ct);
        await db.Database.OpenConnectionAsync(Ct);
        await using var commands = new PreparedCommands(db);
        var visitors = new RowStatements<TrackedVisitor>(db);
        var stored = TrackedVisitor.Create(workspaceId, inboxId, NewKey("v_"), DateTime.UtcNow);
        var never = TrackedVisitor.Create(workspaceId, inboxId, NewKey("v_"), DateTime.UtcNow);
        var before = visitors.Snapshot(never);
        never.BelongsTo(Guid.NewGuid());

        await using (var transaction = await db.Database.BeginTransactionAsync(Ct))
        {
            // Gathered on PostgreSQL (one round trip at the flush), run at once on SQLite: the same failure either way.
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(async () =>
            {
                commands.Gather();
                await visitors.InsertAsync(commands, [stored], Ct);
                await visitors.UpdateChangedAsync(commands, never, before, Ct);
                await commands.FlushAsync(Ct);
            });
        }

        Assert.False(await db.TrackedVisitors.IgnoreQueryFilters().AnyAsync(v => v.Id == stored.Id || v.Id == never.Id, Ct));
    }

    [Fact]
    public async Task StatisticsWarmUp_ASiteWithFigures_AnswersItsLastMonthWithoutAWarning()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await SendAsync(Factory.CreateClient(), site, NewKey("v_"), "s_warmed", Page("https://shop.example/"));
        await EventuallyAsync(db => db.TrackedSessions.Where(s => s.InboxId == inboxId).ToListAsync(Ct), 1, pageViews: 1);
        await RollUpAsync();
        using var logs = new CapturedLogs();
        using var loggers = new LoggerFactory([logs]);
        using var warmUp = ActivatorUtilities.CreateInstance<SiteStatisticsWarmUp>(Factory.Services, loggers.CreateLogger<SiteStatisticsWarmUp>());

        await warmUp.StartAsync(Ct);
        await warmUp.ExecuteTask!;

        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    private async Task RollUpAsync() => await Factory.Services.GetRequiredService<TrackingRollups>().RollUpAsync(Ct);

    /// <summary>The <paramref name="days"/> days up to <paramref name="to"/> (today), so a test that runs over midnight still counts everything.</summary>
    private static Task<JsonElement> StatisticsAsync(HttpClient owner, Guid inboxId, DateOnly? to = null, int days = 7)
    {
        var last = to ?? DateOnly.FromDateTime(DateTime.UtcNow);
        return owner.GetJsonAsync($"/api/v1/inboxes/{inboxId}/statistics?from={last.AddDays(1 - days):yyyy-MM-dd}&to={last:yyyy-MM-dd}");
    }

    private static (int Visits, int PageViews, double BounceRate) Totals(JsonElement statistics)
    {
        var totals = statistics.GetProperty("totals");
        return (totals.GetProperty("visits").GetInt32(), totals.GetProperty("pageViews").GetInt32(), totals.GetProperty("bounceRate").GetDouble());
    }

    private static JsonElement.ArrayEnumerator Sources(JsonElement statistics, string dimension) => statistics.GetProperty(dimension).EnumerateArray();
}
