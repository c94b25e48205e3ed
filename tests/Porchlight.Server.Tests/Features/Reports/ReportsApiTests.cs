using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Reports;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Features.KnowledgeBase;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Reports;

/// <summary>
/// The reports through the API: a conversation answered and resolved shows in the overview, the agents' table adds up
/// to the overview, the CSV holds the table's numbers, and bad periods or foreign filters change nothing.
/// </summary>
public abstract class ReportsApiTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    private static readonly string[] BillingAndRefund = ["billing", "refund"];
    private static readonly string[] Billing = ["billing"];
    private static readonly string[] Refund = ["refund"];
    private static readonly string[] Shipping = ["shipping"];
    private static readonly string[] RefundExamples = ["I want my money back", "refund please", "return for a refund", "how do I get a refund", "refund my order"];

    [Fact]
    public async Task Overview_AnsweredAndResolved_CountsTheConversationItsResponseAndItsResolve()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var conversationId = await AnsweredAndResolvedAsync(owner);
        var measures = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/measures");

        var figures = (await ResolvedReportAsync(owner, "overview")).GetProperty("figures");

        Assert.Equal(1, figures.GetProperty("conversations").GetInt32());
        Assert.Equal(1, figures.GetProperty("reachedPeople").GetInt32());
        var firstResponse = figures.GetProperty("firstResponse");
        Assert.Equal(1, firstResponse.GetProperty("count").GetInt32());
        Assert.Equal(measures.GetProperty("firstResponse").GetProperty("calendarSeconds").GetDouble(), firstResponse.GetProperty("averageSeconds").GetDouble(), precision: 3);
        Assert.Equal(1, firstResponse.GetProperty("distribution").EnumerateArray().Sum(b => b.GetInt32()));
        Assert.Equal(1, figures.GetProperty("resolution").GetProperty("count").GetInt32());
        Assert.Equal(1, figures.GetProperty("resolvedInOneContact").GetInt32());
        Assert.Equal(1.0, figures.GetProperty("firstContactResolutionRate").GetDouble());
        Assert.Equal(0, figures.GetProperty("reopens").GetInt32());
        Assert.Equal(JsonValueKind.Null, figures.GetProperty("containmentRate").ValueKind); // the assistant attended nothing
        Assert.Equal(workspace.OwnerId, (await owner.GetJsonAsync("/api/v1/reports/agents")).GetProperty("rows").EnumerateArray()
            .Single(r => r.GetProperty("figures").GetProperty("firstResponse").GetProperty("count").GetInt32() == 1).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Breakdown_ByAgentTeamAndInbox_RowsAddUpToTheOverview()
    {
        var (_, owner) = await NewWorkspaceAsync();
        await AnsweredAndResolvedAsync(owner);
        await AnsweredAndResolvedAsync(owner);
        var overview = (await ResolvedReportAsync(owner, "overview", expected: 2)).GetProperty("figures");

        foreach (var by in new[] { "agents", "teams", "inboxes" })
        {
            var breakdown = await owner.GetJsonAsync($"/api/v1/reports/{by}");
            Assert.Equal(overview.GetRawText(), breakdown.GetProperty("total").GetRawText());
            var rows = breakdown.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("figures")).ToList();
            foreach (var count in new[] { "conversations", "reachedPeople", "resolvedConversations", "resolvedInOneContact", "reopens", "transfers" })
            {
                Assert.Equal(overview.GetProperty(count).GetInt32(), rows.Sum(r => r.GetProperty(count).GetInt32()));
            }

            Assert.Equal(
                overview.GetProperty("firstResponse").GetProperty("totalSeconds").GetDouble(),
                rows.Sum(r => r.GetProperty("firstResponse").GetProperty("totalSeconds").GetDouble()), precision: 6);
        }
    }

    [Fact]
    public async Task Csv_AgentsTable_HoldsTheTablesNumbersRowByRow()
    {
        var (_, owner) = await NewWorkspaceAsync();
        await AnsweredAndResolvedAsync(owner);
        await ResolvedReportAsync(owner, "overview");
        var table = await owner.GetJsonAsync("/api/v1/reports/agents");

        var response = await owner.GetAsync("/api/v1/reports/agents.csv", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).ToList();

        var header = lines[0].ToList();
        var rows = table.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(rows.Count + 2, lines.Count); // header, a line per row, the total
        for (var i = 0; i < rows.Count; i++)
        {
            var line = lines[i + 1];
            Assert.Equal(rows[i].GetProperty("name").GetString(), line[header.IndexOf("name")]);
            var figures = rows[i].GetProperty("figures");
            Assert.Equal(figures.GetProperty("conversations").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), line[header.IndexOf("conversations")]);
            Assert.Equal(figures.GetProperty("firstResponse").GetProperty("count").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), line[header.IndexOf("first_responses")]);
            Assert.Equal(figures.GetProperty("resolvedConversations").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), line[header.IndexOf("resolved_conversations")]);
        }

        Assert.Equal("total", lines[^1][header.IndexOf("name")]);
        Assert.Equal("1", lines[^1][header.IndexOf("conversations")]);
    }

    [Fact]
    public async Task Overview_PeriodEndsBeforeItStarts_AnswersAFieldError()
    {
        var (_, owner) = await NewWorkspaceAsync();

        var problem = await owner.GetAsync("/api/v1/reports/overview?from=2026-11-30&to=2026-11-01", Ct).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("from", out _));
    }

    [Fact]
    public async Task Overview_ComparedPeriod_IsAsLongAndEndsTheDayBefore()
    {
        var (_, owner) = await NewWorkspaceAsync();

        var report = await owner.GetJsonAsync("/api/v1/reports/overview?from=2026-03-01&to=2026-03-31");

        Assert.Equal("2026-01-29", report.Text("previousFrom"));
        Assert.Equal("2026-02-28", report.Text("previousTo"));
        Assert.Equal(31, report.GetProperty("days").GetArrayLength());
    }

    [Fact]
    public async Task Reports_FilterByAnotherWorkspacesInbox_AnswersNotFound()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, stranger) = await NewWorkspaceAsync("Other Co");
        var (foreignInboxId, _) = await ChatSetup.CreateWidgetInboxAsync(stranger);

        await owner.GetAsync($"/api/v1/reports/overview?inboxId={foreignInboxId}", Ct).ExpectAsync(HttpStatusCode.NotFound);
        await owner.GetAsync($"/api/v1/reports/agents?teamId={Guid.NewGuid()}", Ct).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Reports_AnAgentWithoutReportAccess_IsForbidden()
    {
        var (workspace, _) = await NewWorkspaceAsync();
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);

        await agent.GetAsync("/api/v1/reports/overview", Ct).ExpectAsync(HttpStatusCode.Forbidden);
        await agent.GetAsync("/api/v1/reports/agents.csv", Ct).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Breakdown_ByLabelAndIntent_TwoLabelsCountInBothRowsAndOnceInTheTotal()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var refundAndBilling = await AnsweredAndResolvedAsync(owner);
        var billing = await AnsweredAndResolvedAsync(owner);
        await AnsweredAndResolvedAsync(owner);
        await owner.PutJsonAsync($"/api/v1/conversations/{refundAndBilling}/labels", new { labels = BillingAndRefund }).ExpectAsync(HttpStatusCode.OK);
        await owner.PutJsonAsync($"/api/v1/conversations/{billing}/labels", new { labels = Billing }).ExpectAsync(HttpStatusCode.OK);
        await owner.PostJsonAsync("/api/v1/assistant/intents", new
        {
            name = "refund", examples = RefundExamples,
        }).ExpectAsync(HttpStatusCode.Created);
        await ResolvedReportAsync(owner, "overview", expected: 3);
        await WaitForOutboxAsync(workspace.WorkspaceId); // the label changes mark their days for the label rollup

        var labels = await owner.GetJsonAsync("/api/v1/reports/labels");
        var intents = await owner.GetJsonAsync("/api/v1/reports/intents");
        var ownersReplies = await owner.GetJsonAsync($"/api/v1/reports/labels?agentId={workspace.OwnerId}");

        Assert.Equal([("billing", 2), ("refund", 1), ("No label", 1)], Conversations(labels));
        Assert.Equal([("refund", 1), ("No intent", 2)], Conversations(intents));
        Assert.Equal(3, labels.GetProperty("total").GetProperty("conversations").GetInt32());
        Assert.Equal(2, labels.GetProperty("rows")[0].GetProperty("figures").GetProperty("firstResponse").GetProperty("count").GetInt32());
        Assert.Equal(labels.GetProperty("total").GetProperty("conversations").GetInt32(), (await owner.GetJsonAsync("/api/v1/reports/overview")).GetProperty("figures").GetProperty("conversations").GetInt32());
        // One agent's figures come from their facts, not the rollup: the owner answered all three.
        Assert.Equal([("billing", 2), ("refund", 1), ("No label", 1)], FirstResponses(ownersReplies));
        var csv = await owner.GetAsync("/api/v1/reports/labels.csv", Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains("\n,billing,2,", csv.GetString(), StringComparison.Ordinal);

        static List<(string, int)> FirstResponses(JsonElement report) =>
            [.. report.GetProperty("rows").EnumerateArray().Select(r => (r.Text("name")!, r.GetProperty("figures").GetProperty("firstResponse").GetProperty("count").GetInt32()))];
    }

    [Fact]
    public async Task Breakdown_ByLabel_ARelabelledConversationMovesToItsNewLabel()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var conversationId = await AnsweredAndResolvedAsync(owner);
        await owner.PutJsonAsync($"/api/v1/conversations/{conversationId}/labels", new { labels = Billing }).ExpectAsync(HttpStatusCode.OK);
        await WaitForOutboxAsync(workspace.WorkspaceId);
        Assert.Equal([("billing", 1)], Conversations(await owner.GetJsonAsync("/api/v1/reports/labels")));

        await owner.PutJsonAsync($"/api/v1/conversations/{conversationId}/labels", new { labels = Shipping }).ExpectAsync(HttpStatusCode.OK);
        await WaitForOutboxAsync(workspace.WorkspaceId);

        Assert.Equal([("shipping", 1)], Conversations(await owner.GetJsonAsync("/api/v1/reports/labels")));
    }

    // Each row's name and conversations.
    private static List<(string, int)> Conversations(JsonElement report) =>
        [.. report.GetProperty("rows").EnumerateArray().Select(r => (r.Text("name")!, r.GetProperty("figures").GetProperty("conversations").GetInt32()))];

    [Fact]
    public async Task Surveys_AnsweredWithAComment_ListedWithTheOverviewsScores()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner, Unique("Chat"));
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/survey", new { isEnabled = true, rating = "Stars", askComment = true }).ExpectAsync(HttpStatusCode.OK);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("My order never came.");
        await owner.ReplyAsync(conversationId, "Sorry, let me check.").ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        await visitor.Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/survey", new { rating = 2, comment = "Took three days." }).ExpectAsync(HttpStatusCode.OK);

        var report = await Eventually.ValueAsync(() => owner.GetJsonAsync("/api/v1/reports/surveys"),
            r => r.GetProperty("figures").GetProperty("satisfaction").GetProperty("count").GetInt32() == 1, "the report counts the answer");

        var answer = report.GetProperty("answers").EnumerateArray().Single();
        Assert.Equal((conversationId, 2, "Took three days."), (answer.GetProperty("conversationId").GetGuid(), answer.GetProperty("rating").GetInt32(), answer.Text("comment")));
        Assert.Equal(1, report.GetProperty("comments").GetInt32());
        Assert.Equal(0.0, report.GetProperty("figures").GetProperty("satisfiedRate").GetDouble());
        Assert.Equal((await owner.GetJsonAsync("/api/v1/reports/overview")).GetProperty("figures").GetRawText(), report.GetProperty("figures").GetRawText());
        var elsewhere = await ChatSetup.CreateWidgetInboxAsync(owner, Unique("Other chat"));
        Assert.Empty((await owner.GetJsonAsync($"/api/v1/reports/surveys?inboxId={elsewhere.InboxId}")).GetProperty("answers").EnumerateArray());
    }

    [Fact]
    public async Task RepeatContacts_AContactComesBackAfterAResolve_CountsOnceOfThree()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner, Unique("Chat"));
        using var returning = await TestVisitor.StartAsync(Factory, inboxToken);
        var (first, _) = await returning.StartConversationAsync("My parcel is late.");
        await owner.PostJsonAsync($"/api/v1/conversations/{first}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        var (second, _) = await returning.StartConversationAsync("Still no parcel.");
        using var newcomer = await TestVisitor.StartAsync(Factory, inboxToken);
        await newcomer.StartConversationAsync("Do you sell gift cards?");

        var repeat = await Eventually.ValueAsync(() => owner.GetJsonAsync($"/api/v1/reports/repeat-contacts?inboxId={inboxId}"),
            r => r.GetProperty("conversations").GetInt32() == 3, "the three conversations are counted");

        Assert.NotEqual(first, second);
        Assert.Equal((3, 1, 1), (repeat.GetProperty("conversations").GetInt32(), repeat.GetProperty("within7Days").GetInt32(), repeat.GetProperty("within30Days").GetInt32()));
        Assert.Equal(1.0 / 3, repeat.GetProperty("rate7Days").GetDouble(), precision: 6);
    }

    [Fact]
    public async Task Insights_AnUnhappyTopicGrows_ListedFirstAsRisingWithItsNegativeTone()
    {
        var (_, owner) = await NewWorkspaceAsync();
        for (var i = 0; i < 5; i++)
        {
            var unhappy = await AnsweredAndResolvedAsync(owner, "This is terrible, I am very angry and disappointed with the refund.");
            await owner.PutJsonAsync($"/api/v1/conversations/{unhappy}/labels", new { labels = Refund }).ExpectAsync(HttpStatusCode.OK);
        }

        var happy = await AnsweredAndResolvedAsync(owner, "Thanks, the delivery was great and fast!");
        await owner.PutJsonAsync($"/api/v1/conversations/{happy}/labels", new { labels = Shipping }).ExpectAsync(HttpStatusCode.OK);

        // Labels reach the label rollup after the figures do (a relabel is handled after its commit), so both are waited for.
        var insights = await Eventually.ValueAsync(() => owner.GetJsonAsync("/api/v1/reports/insights"),
            r => r.GetProperty("tone").GetProperty("conversations").GetInt32() == 6
                && r.GetProperty("topics").EnumerateArray().Sum(t => t.GetProperty("conversations").GetInt32()) == 6,
            "every conversation's tone and label are counted");

        var topics = insights.GetProperty("topics").EnumerateArray().ToList();
        Assert.Equal(["refund", "shipping"], topics.Select(t => t.Text("label")));
        Assert.Equal((5, 0, true, 1.0), (topics[0].GetProperty("conversations").GetInt32(), topics[0].GetProperty("previousConversations").GetInt32(),
            topics[0].GetProperty("rising").GetBoolean(), topics[0].GetProperty("negativeRate").GetDouble()));
        Assert.False(topics[1].GetProperty("rising").GetBoolean());
        Assert.True(topics[1].GetProperty("averageSentiment").GetDouble() > 0);
        Assert.Equal(5, insights.GetProperty("tone").GetProperty("negative").GetInt32());
        Assert.Equal(6, insights.GetProperty("toneByDay").EnumerateArray().Sum(d => d.GetProperty("tone").GetProperty("conversations").GetInt32()));
        var examples = topics[0].GetProperty("examples").EnumerateArray().ToList();
        Assert.Equal(3, examples.Count);
        Assert.All(examples, e => Assert.StartsWith("This is terrible", e.Text("opening"), StringComparison.Ordinal));

        // The customers' own words: five of six opened with "very angry", none before, so it is rising.
        Assert.Equal((6, 0), (insights.GetProperty("sampledConversations").GetInt32(), insights.GetProperty("previousSampledConversations").GetInt32()));
        var angry = insights.GetProperty("phrases").EnumerateArray().Single(p => p.Text("phrase") == "angry disappointed");
        Assert.Equal((5, true), (angry.GetProperty("conversations").GetInt32(), angry.GetProperty("rising").GetBoolean()));
        Assert.Equal(5.0 / 6, angry.GetProperty("share").GetDouble(), precision: 6);
    }

    private async Task<Guid> AnsweredAndResolvedAsync(HttpClient owner, string question = "Is the Alpine tent in stock?")
    {
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner, Unique("Chat"));
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync(question);
        await owner.ReplyAsync(conversationId, "Yes, in green and orange.").ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        return conversationId;
    }

    // The figures follow the outbox: the report is read again until it counts the conversations resolved.
    private static Task<JsonElement> ResolvedReportAsync(HttpClient owner, string report, int expected = 1) =>
        Eventually.ValueAsync(
            () => owner.GetJsonAsync($"/api/v1/reports/{report}"),
            r => r.GetProperty("figures").GetProperty("resolvedConversations").GetInt32() == expected,
            $"the report counts {expected} resolved conversation(s)");

    [Fact]
    public async Task SelfServiceAndCustomerActivity_FreshReadAndResolve_ShownButNotYetCounted()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var articleId = await owner.CreateArticleAsync("Returning an item", "You have 30 days to return an item.");
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken, trackerVisitor: "v_" + Guid.NewGuid().ToString("N"));
        await visitor.Http.GetAsync($"/widget/v1/inboxes/{inboxToken}/articles/{articleId}", Ct).ExpectAsync(HttpStatusCode.OK);
        var identified = await visitor.Http.PostJsonAsync("/widget/v1/identify", new { userId = "user-1" }).ExpectAsync(HttpStatusCode.OK);
        using var customer = await TestVisitor.StartAsync(Factory, inboxToken, identified.Text("visitorToken"));
        var (conversationId, _) = await customer.StartConversationAsync("The return form does not load");
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);

        var selfService = await owner.GetJsonAsync("/api/v1/reports/self-service?days=1");
        var activity = await owner.GetJsonAsync("/api/v1/reports/customer-activity?days=1&attribute=plan");

        // Both wait until a day (the deflection window) or a week (the activity window) has passed.
        Assert.Equal((1, 1, 0, JsonValueKind.Null), (selfService.GetProperty("reads").GetInt32(), selfService.GetProperty("readers").GetInt32(),
            selfService.GetProperty("settled").GetInt32(), selfService.GetProperty("deflectionRate").ValueKind));
        Assert.Equal((0, 1, JsonValueKind.Null), (activity.GetProperty("conversations").GetInt32(), activity.GetProperty("pending").GetInt32(),
            activity.GetProperty("moreActiveRate").ValueKind));
    }

    [Fact]
    public async Task Recompute_HolidaysRemoved_TheReportsBusinessTimesFollowTheNewCalendar()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await SetCalendarAsync(owner, holidays: [today.AddDays(-1), today, today.AddDays(1)]); // closed around now: no business time
        await AnsweredAndResolvedAsync(owner);
        var closed = (await ResolvedReportAsync(owner, "overview")).GetProperty("figures").GetProperty("firstResponse");

        var changed = DateTime.UtcNow;
        await SetCalendarAsync(owner, holidays: []);
        await Factory.Services.GetRequiredService<FactsRecompute>().RunAsync(Ct);

        var open = (await owner.GetJsonAsync("/api/v1/reports/overview")).GetProperty("figures").GetProperty("firstResponse");
        var status = await owner.GetJsonAsync("/api/v1/reports/recompute");
        Assert.Equal(0, closed.GetProperty("averageBusinessSeconds").GetDouble());
        Assert.True(open.GetProperty("averageSeconds").GetDouble() > 0);
        Assert.Equal(open.GetProperty("averageSeconds").GetDouble(), open.GetProperty("averageBusinessSeconds").GetDouble(), precision: 3);
        Assert.False(status.GetProperty("inProgress").GetBoolean());
        Assert.True(status.GetProperty("completedAt").GetDateTime() >= changed);
    }

    [Fact]
    public async Task Recompute_AskedByAnAgentOrAnOwner_OnlyTheOwnerMayAndItFinishes()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await AnsweredAndResolvedAsync(owner);

        await agent.PostAsync("/api/v1/reports/recompute", null, Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        var asked = await owner.PostAsync("/api/v1/reports/recompute", null, Ct).ExpectAsync(HttpStatusCode.Accepted);
        await Factory.Services.GetRequiredService<FactsRecompute>().RunAsync(Ct);

        Assert.NotEqual(JsonValueKind.Null, asked.GetProperty("requestedAt").ValueKind);
        Assert.False((await owner.GetJsonAsync("/api/v1/reports/recompute")).GetProperty("inProgress").GetBoolean());
        Assert.Equal(1, (await ResolvedReportAsync(owner, "overview")).GetProperty("figures").GetProperty("conversations").GetInt32());
    }

    private static Task<JsonElement> SetCalendarAsync(HttpClient owner, DateOnly[] holidays) =>
        owner.PutJsonAsync("/api/v1/workspace", new
        {
            name = "Acme Support", timeZone = "UTC", holidays,
            businessHours = Enum.GetNames<DayOfWeek>().Select(day => new { day, opens = "00:00:00", closes = "23:59:59.9999999" }),
        }).ExpectAsync(HttpStatusCode.OK);
}

public sealed class ReportsApiSqliteTests(SqliteApiFixture fixture) : ReportsApiTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class ReportsApiPostgresTests(PostgresApiFixture fixture) : ReportsApiTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
