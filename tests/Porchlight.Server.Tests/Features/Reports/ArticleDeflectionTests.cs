using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Features.KnowledgeBase;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Reports;

/// <summary>
/// Article deflection: a read in the widget is deflected when its reader begins no conversation in the day after it;
/// reads are counted once a day has passed, per article and in total, and follow a visitor who identifies. The reports
/// ask for three days: 25 hours after a read late in the evening is two days later in the workspace's zone.
/// </summary>
public sealed class ArticleDeflectionTests : IAsyncLifetime
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
    public async Task SelfService_ReadsFollowedOrNotByAConversation_DeflectionCountsOnlyReadsADayOld()
    {
        var workspace = await _factory.CreateWorkspaceAsync("Acme Support");
        using var owner = _factory.CreateApiClient(workspace.OwnerToken);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var returns = await owner.CreateArticleAsync("Returning an item", "You have 30 days to return an item.");
        var sizes = await owner.CreateArticleAsync("Size guide", "Boots run half a size small.");
        using var asker = await TestVisitor.StartAsync(_factory, inboxToken);
        using var reader = await TestVisitor.StartAsync(_factory, inboxToken);
        using var anonymous = _factory.CreateClient();

        // The asker reads and writes anyway; the reader reads one article twice (one read) and another, and writes nothing.
        await ReadAsync(asker.Http, inboxToken, returns);
        await asker.StartConversationAsync("I still cannot find the return form");
        await ReadAsync(reader.Http, inboxToken, returns);
        await ReadAsync(reader.Http, inboxToken, returns);
        await ReadAsync(reader.Http, inboxToken, sizes);
        await ReadAsync(anonymous, inboxToken, sizes); // no visitor token: a view of the article, nobody's read
        var fresh = await owner.GetJsonAsync("/api/v1/reports/self-service?days=3");

        _clock.Advance(TimeSpan.FromHours(25));
        var settled = await owner.GetJsonAsync("/api/v1/reports/self-service?days=3");

        Assert.Equal((3, 2, 0, JsonValueKind.Null), (fresh.GetProperty("reads").GetInt32(), fresh.GetProperty("readers").GetInt32(),
            fresh.GetProperty("settled").GetInt32(), fresh.GetProperty("deflectionRate").ValueKind));
        Assert.Equal((3, 3, 1), (settled.GetProperty("reads").GetInt32(), settled.GetProperty("settled").GetInt32(), settled.GetProperty("followedByConversation").GetInt32()));
        Assert.Equal(2.0 / 3, settled.GetProperty("deflectionRate").GetDouble(), 6);
        var rows = settled.GetProperty("articles").EnumerateArray().ToDictionary(a => a.Text("title")!);
        Assert.Equal((2, 1, 0.5), (rows["Returning an item"].GetProperty("reads").GetInt32(), rows["Returning an item"].GetProperty("followedByConversation").GetInt32(),
            rows["Returning an item"].GetProperty("deflectionRate").GetDouble()));
        Assert.Equal((1, 0, 1.0), (rows["Size guide"].GetProperty("reads").GetInt32(), rows["Size guide"].GetProperty("followedByConversation").GetInt32(),
            rows["Size guide"].GetProperty("deflectionRate").GetDouble()));
        var csv = (await owner.GetAsync("/api/v1/reports/self-service.csv?days=3", Ct).ExpectAsync(HttpStatusCode.OK)).GetString()!;
        Assert.Contains($"{returns},Returning an item,2,2,1,0.5,0,0", csv, StringComparison.Ordinal);
        Assert.EndsWith(",total,3,3,1,0.667,,\n", csv.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        var (otherInboxId, _) = await ChatSetup.CreateWidgetInboxAsync(owner, "Elsewhere");
        Assert.Equal(0, (await owner.GetJsonAsync($"/api/v1/reports/self-service?days=3&inboxId={otherInboxId}")).GetProperty("reads").GetInt32());
    }

    [Fact]
    public async Task SelfService_VisitorReadsThenIdentifiesAndWrites_TheReadIsFollowedByTheirConversation()
    {
        var workspace = await _factory.CreateWorkspaceAsync("Acme Support");
        using var owner = _factory.CreateApiClient(workspace.OwnerToken);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var returns = await owner.CreateArticleAsync("Returning an item", "You have 30 days to return an item.");
        using var visitor = await TestVisitor.StartAsync(_factory, inboxToken);
        await ReadAsync(visitor.Http, inboxToken, returns);

        var identified = await visitor.Http.PostJsonAsync("/widget/v1/identify", new { userId = "user-7", email = "ada@example.com" }).ExpectAsync(HttpStatusCode.OK);
        using var ada = await TestVisitor.StartAsync(_factory, inboxToken, identified.Text("visitorToken"));
        await ada.StartConversationAsync("The return form does not load");
        _clock.Advance(TimeSpan.FromHours(25));

        var report = await owner.GetJsonAsync("/api/v1/reports/self-service?days=3");
        Assert.Equal((1, 1, 1, 0.0), (report.GetProperty("readers").GetInt32(), report.GetProperty("settled").GetInt32(),
            report.GetProperty("followedByConversation").GetInt32(), report.GetProperty("deflectionRate").GetDouble()));
    }

    private static Task<JsonElement> ReadAsync(HttpClient client, string inboxToken, Guid articleId) =>
        client.GetAsync($"/widget/v1/inboxes/{inboxToken}/articles/{articleId}", Ct).ExpectAsync(HttpStatusCode.OK);
}
