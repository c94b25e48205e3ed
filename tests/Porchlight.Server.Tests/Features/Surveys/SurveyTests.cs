using System.Net;
using System.Text.Json;
using Porchlight.Server.Features.Surveys;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Surveys;

/// <summary>
/// The survey after a conversation: offered to the visitor once the conversation is resolved (or an agent asks), one
/// answer per conversation that can be changed for a short while, scores checked against their scales, and counted in
/// the reports for the agent who had the conversation.
/// </summary>
public abstract class SurveyTests(PorchlightFactory factory, ShiftedClock clock) : ApiTestBase(factory)
{
    [Fact]
    public async Task Survey_VisitorAnswersAfterTheResolve_StoredForTheAgentAndCountedInTheReport()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (conversationId, visitor, _) = await ResolvedConversationAsync(owner, new { isEnabled = true, rating = "Stars", askEffort = true, askComment = true });

        var survey = await visitor.Http.GetJsonAsync($"/widget/v1/conversations/{conversationId}/survey");
        Assert.Equal("Stars", survey.GetProperty("questions").Text("rating"));
        Assert.True(survey.GetProperty("questions").GetProperty("askEffort").GetBoolean());
        Assert.Equal(JsonValueKind.Null, survey.GetProperty("answer").ValueKind);
        await visitor.Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/survey", new { rating = 5, effort = 6, comment = "  Quick and kind. " })
            .ExpectAsync(HttpStatusCode.OK);

        var stored = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/survey");
        Assert.Equal(5, stored.GetProperty("rating").GetInt32());
        Assert.Equal(6, stored.GetProperty("effort").GetInt32());
        Assert.Equal("Quick and kind.", stored.Text("comment"));
        Assert.Equal(workspace.OwnerId, stored.GetProperty("agentId").GetGuid());
        Assert.Equal("Widget", stored.Text("channel"));
        var figures = await Eventually.ValueAsync(async () => (await owner.GetJsonAsync("/api/v1/reports/overview")).GetProperty("figures"),
            f => f.GetProperty("satisfaction").GetProperty("count").GetInt32() == 1, "the report counts the answer");
        Assert.Equal(5.0, figures.GetProperty("satisfaction").GetProperty("average").GetDouble());
        Assert.Equal(1.0, figures.GetProperty("satisfiedRate").GetDouble());
        Assert.Equal(6.0, figures.GetProperty("effort").GetProperty("average").GetDouble());
        var ownersRow = (await owner.GetJsonAsync("/api/v1/reports/agents")).GetProperty("rows").EnumerateArray()
            .Single(r => r.GetProperty("id").ValueKind != JsonValueKind.Null && r.GetProperty("id").GetGuid() == workspace.OwnerId);
        Assert.Equal(1, ownersRow.GetProperty("figures").GetProperty("satisfaction").GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Survey_ChangedWithinTheWindow_TheNewAnswerStandsAndLaterItCannotChange()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (conversationId, visitor, _) = await ResolvedConversationAsync(owner, new { isEnabled = true, rating = "Emoji" });
        var path = $"/widget/v1/conversations/{conversationId}/survey";
        await visitor.Http.PostJsonAsync(path, new { rating = 2 }).ExpectAsync(HttpStatusCode.OK);

        clock.Advance(SurveyResponse.EditWindow - TimeSpan.FromMinutes(1));
        var changed = await visitor.Http.PostJsonAsync(path, new { rating = 4 }).ExpectAsync(HttpStatusCode.OK);
        clock.Advance(TimeSpan.FromMinutes(2));
        await visitor.Http.PostJsonAsync(path, new { rating = 1 }).ExpectProblemAsync(HttpStatusCode.Conflict);

        Assert.Equal(4, changed.GetProperty("answer").GetProperty("rating").GetInt32());
        var stored = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/survey");
        Assert.Equal(4, stored.GetProperty("rating").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, stored.GetProperty("changedAt").ValueKind);
    }

    [Theory]
    [InlineData("""{"rating": 6}""", "rating")]
    [InlineData("""{"rating": 0}""", "rating")]
    [InlineData("""{"effort": 8}""", "effort")]
    [InlineData("""{"recommend": 11}""", "recommend")]
    [InlineData("""{}""", "rating")]
    public async Task Survey_AnswerOutsideItsScale_AnswersAFieldErrorAndStoresNothing(string body, string field)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (conversationId, visitor, _) = await ResolvedConversationAsync(owner, new { isEnabled = true, rating = "Stars", askEffort = true, askRecommend = true });

        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var problem = await visitor.Http.PostAsync($"/widget/v1/conversations/{conversationId}/survey", content, Ct).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        await owner.GetAsync($"/api/v1/conversations/{conversationId}/survey", Ct).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Survey_AnsweringWhatIsNotAsked_IsRefused()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (conversationId, visitor, _) = await ResolvedConversationAsync(owner, new { isEnabled = true, rating = "Stars", askComment = false });

        await visitor.Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/survey", new { rating = 5, comment = "hi" }).ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Survey_BeforeTheResolve_OpensOnlyWhenAnAgentAsks()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/survey", new { isEnabled = true }).ExpectAsync(HttpStatusCode.OK);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Can I change my delivery address?");
        var path = $"/widget/v1/conversations/{conversationId}/survey";
        await visitor.Http.GetAsync(path, Ct).ExpectAsync(HttpStatusCode.NotFound);

        var asked = await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/survey", new { }).ExpectAsync(HttpStatusCode.OK);
        var again = await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/survey", new { }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("Requested", asked.Text("channel"));
        Assert.Equal(asked.GetProperty("requestedAt").GetDateTime(), again.GetProperty("requestedAt").GetDateTime());
        Assert.Equal("Stars", (await visitor.Http.GetJsonAsync(path)).GetProperty("questions").Text("rating"));
    }

    [Fact]
    public async Task Survey_InboxAsksNone_TheVisitorSeesNoneAndAskingIsAConflict()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (conversationId, visitor, inboxToken) = await ResolvedConversationAsync(owner, settings: null);

        await visitor.Http.GetAsync($"/widget/v1/conversations/{conversationId}/survey", Ct).ExpectAsync(HttpStatusCode.NotFound);
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/survey", new { }).ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.False((await visitor.Http.GetJsonAsync($"/widget/v1/inboxes/{inboxToken}")).GetProperty("survey").GetBoolean());
    }

    [Fact]
    public async Task Survey_AnotherVisitorsConversation_AnswersNotFound()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (conversationId, _, inboxToken) = await ResolvedConversationAsync(owner, new { isEnabled = true });
        using var stranger = await TestVisitor.StartAsync(Factory, inboxToken);

        await stranger.Http.GetAsync($"/widget/v1/conversations/{conversationId}/survey", Ct).ExpectAsync(HttpStatusCode.NotFound);
        await stranger.Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/survey", new { rating = 1 }).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Settings_Saved_ReadBackAndShownToTheWidget()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var before = await owner.GetJsonAsync($"/api/v1/inboxes/{inboxId}/survey");
        Assert.False(before.GetProperty("isEnabled").GetBoolean());

        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/survey", new { isEnabled = true, rating = "Emoji", askRecommend = true }).ExpectAsync(HttpStatusCode.OK);
        var after = await owner.GetJsonAsync($"/api/v1/inboxes/{inboxId}/survey");

        Assert.Equal("Emoji", after.Text("rating"));
        Assert.True(after.GetProperty("askRecommend").GetBoolean());
        Assert.True(after.GetProperty("askComment").GetBoolean());
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        Assert.True((await visitor.Http.GetJsonAsync($"/widget/v1/inboxes/{inboxToken}")).GetProperty("survey").GetBoolean());
        await owner.PutJsonAsync($"/api/v1/inboxes/{Guid.NewGuid()}/survey", new { isEnabled = true }).ExpectAsync(HttpStatusCode.NotFound);
    }

    private async Task<(Guid ConversationId, TestVisitor Visitor, string InboxToken)> ResolvedConversationAsync(HttpClient owner, object? settings)
    {
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        if (settings is not null)
        {
            await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/survey", settings).ExpectAsync(HttpStatusCode.OK);
        }

        var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("My parcel arrived damaged.");
        await owner.ReplyAsync(conversationId, "Sorry to hear that! A replacement is on its way.").ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        return (conversationId, visitor, inboxToken);
    }
}

public sealed class SurveySqliteTests(SqliteClockFixture fixture) : SurveyTests(fixture.Factory, fixture.Clock), IClassFixture<SqliteClockFixture>;

public sealed class SurveyPostgresTests(PostgresClockFixture fixture) : SurveyTests(fixture.Factory, fixture.Clock), IClassFixture<PostgresClockFixture>;
