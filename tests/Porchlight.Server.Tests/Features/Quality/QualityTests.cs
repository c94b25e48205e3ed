using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Quality;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Quality;

/// <summary>
/// Quality management as a team lead and an agent rely on it: scorecards with weights and scales, reviews whose total
/// is the weighted score, seen, acknowledged or disputed by the reviewed agent only, calibration sessions that hide the
/// others' scores until one has scored and then show the agreement, weekly sampling that tops each agent up to the
/// number asked, and agents' flags that land with the leads.
/// </summary>
public abstract class QualityTests(PorchlightFactory factory, ShiftedClock clock) : ApiTestBase(factory)
{
    private static readonly object[] Criteria =
    [
        new { name = "Greeting", weight = 1, scale = "YesNo" },
        new { name = "Accuracy", description = "Was the answer right?", weight = 3, scale = "FivePoints" },
        new { name = "Empathy", weight = 2, scale = "ThreePoints" },
    ];

    [Fact]
    public async Task Scorecard_Created_ReadBackWithEachCriterionsScale()
    {
        var (_, owner) = await NewWorkspaceAsync();

        var created = await owner.PostJsonAsync("/api/v1/quality/scorecards", new { name = "Chat quality", criteria = Criteria }).ExpectAsync(HttpStatusCode.Created);
        var read = await owner.GetJsonAsync($"/api/v1/quality/scorecards/{created.IdOf()}");

        var criteria = read.GetProperty("criteria").EnumerateArray().ToList();
        Assert.Equal(["Greeting", "Accuracy", "Empathy"], criteria.Select(c => c.Text("name")));
        Assert.Equal([(0, 1), (1, 5), (1, 3)], criteria.Select(c => (c.GetProperty("lowest").GetInt32(), c.GetProperty("highest").GetInt32())));
        Assert.Equal("Was the answer right?", criteria[1].Text("description"));
        Assert.True(read.GetProperty("isActive").GetBoolean());
    }

    [Theory]
    [InlineData("""{"name": "Card", "criteria": []}""", "criteria")]
    [InlineData("""{"name": "Card", "criteria": [{"name": "Tone", "weight": 0, "scale": "YesNo"}]}""", "criteria[0].weight")]
    [InlineData("""{"name": "Card", "criteria": [{"name": "Tone", "weight": 1}]}""", "criteria[0].scale")]
    [InlineData("""{"name": "Card", "criteria": [{"name": "Tone", "weight": 1, "scale": "YesNo"}, {"name": "tone", "weight": 1, "scale": "YesNo"}]}""", "criteria[1].name")]
    [InlineData("""{"name": " ", "criteria": [{"name": "Tone", "weight": 1, "scale": "YesNo"}]}""", "name")]
    public async Task Scorecard_Invalid_AnswersAFieldErrorAndStoresNothing(string body, string field)
    {
        var (_, owner) = await NewWorkspaceAsync();

        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var problem = await owner.PostAsync("/api/v1/quality/scorecards", content, Ct).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Empty((await owner.GetJsonAsync("/api/v1/quality/scorecards")).EnumerateArray());
    }

    [Fact]
    public async Task Review_SupervisorScoresAnAgentsConversation_WeightedTotalSeenByThatAgentOnly()
    {
        var team = await TeamAsync();
        var (conversationId, agentsReply) = await AnsweredConversationAsync(team, "My invoice shows the wrong address.", "I have corrected it, sorry!");

        var review = await team.Supervisor.PostJsonAsync("/api/v1/quality/reviews", new
        {
            conversationId, scorecardId = team.ScorecardId,
            scores = new object[] { Score(team, "Greeting", 1), Score(team, "Accuracy", 4, "Right, but say what changed."), Score(team, "Empathy", null) },
            messageComments = new[] { new { messageId = agentsReply, text = "Name the new address here." } },
            comment = "Good fix.",
        }).ExpectAsync(HttpStatusCode.Created);

        // Greeting 1 of 0–1 (weight 1) and accuracy 4 of 1–5 (0.75, weight 3); empathy does not apply: (1 + 2.25) / 4.
        Assert.Equal(81.3, review.GetProperty("percent").GetDouble());
        Assert.Equal(team.AgentId, review.GetProperty("agentId").GetGuid());
        Assert.Equal("Submitted", review.Text("status"));
        var mine = (await team.Agent.GetJsonAsync("/api/v1/quality/my-reviews")).EnumerateArray().Single();
        Assert.Equal(review.IdOf(), mine.IdOf());
        Assert.Equal("Name the new address here.", mine.GetProperty("messageComments")[0].Text("text"));
        Assert.Equal("Right, but say what changed.", mine.GetProperty("scores")[1].Text("comment"));
        await team.OtherAgent.GetAsync($"/api/v1/quality/reviews/{review.IdOf()}", Ct).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Empty((await team.OtherAgent.GetJsonAsync("/api/v1/quality/my-reviews")).EnumerateArray());
        await team.Agent.GetAsync("/api/v1/quality/reviews", Ct).ExpectAsync(HttpStatusCode.Forbidden);
        var listed = await team.Owner.GetJsonAsync($"/api/v1/quality/reviews?agentId={team.AgentId}");
        Assert.Equal(review.IdOf(), listed.GetProperty("items").EnumerateArray().Single().IdOf());
    }

    [Fact]
    public async Task Review_AgentDisputes_ReviewerScoresAgainAndTheAgentAcknowledges()
    {
        var team = await TeamAsync();
        var (conversationId, _) = await AnsweredConversationAsync(team, "Where is my order?", "It ships tomorrow.");
        var review = await team.Supervisor.PostJsonAsync("/api/v1/quality/reviews", new
        {
            conversationId, scorecardId = team.ScorecardId, scores = new[] { Score(team, "Accuracy", 2) },
        }).ExpectAsync(HttpStatusCode.Created);
        var path = $"/api/v1/quality/my-reviews/{review.IdOf()}";

        await team.Agent.PostJsonAsync($"{path}/dispute", new { note = " " }).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var disputed = await team.Agent.PostJsonAsync($"{path}/dispute", new { note = "The tracking page said tomorrow; that was right." }).ExpectAsync(HttpStatusCode.OK);
        await team.Agent.PostJsonAsync($"{path}/acknowledge", new { }).ExpectProblemAsync(HttpStatusCode.Conflict);
        await team.OtherAgent.PostJsonAsync($"{path}/acknowledge", new { }).ExpectAsync(HttpStatusCode.NotFound);
        await team.Owner.PutJsonAsync($"/api/v1/quality/reviews/{review.IdOf()}", new { scores = new[] { Score(team, "Accuracy", 5) } }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        var rescored = await team.Supervisor.PutJsonAsync($"/api/v1/quality/reviews/{review.IdOf()}", new
        {
            scores = new[] { Score(team, "Accuracy", 5) }, comment = "You were right, thanks.",
        }).ExpectAsync(HttpStatusCode.OK);
        var acknowledged = await team.Agent.PostJsonAsync($"{path}/acknowledge", new { note = "Thanks!" }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("Disputed", disputed.Text("status"));
        Assert.Equal(25.0, review.GetProperty("percent").GetDouble());
        Assert.Equal(100.0, rescored.GetProperty("percent").GetDouble());
        Assert.Equal("Submitted", rescored.Text("status"));
        Assert.Equal("Acknowledged", acknowledged.Text("status"));
        Assert.Equal("Thanks!", acknowledged.Text("agentResponse"));
        await team.Agent.PostJsonAsync($"{path}/acknowledge", new { }).ExpectProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Review_ScoresOutsideTheScaleOrRemarksOnAnotherConversation_FieldErrorsAndNothingStored()
    {
        var team = await TeamAsync();
        var (conversationId, _) = await AnsweredConversationAsync(team, "Can I pay by invoice?", "Yes, from the second order.");
        var (_, elsewhere) = await AnsweredConversationAsync(team, "Do you ship to Norway?", "We do.");

        var problem = await team.Supervisor.PostJsonAsync("/api/v1/quality/reviews", new
        {
            conversationId, scorecardId = team.ScorecardId,
            scores = new object[] { Score(team, "Greeting", 2), Score(team, "Accuracy", 0), new { criterionId = Guid.NewGuid(), score = 1 } },
            messageComments = new[] { new { messageId = elsewhere, text = "Not this conversation." } },
        }).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var nothingScored = await team.Supervisor.PostJsonAsync("/api/v1/quality/reviews", new
        {
            conversationId, scorecardId = team.ScorecardId, scores = new[] { Score(team, "Greeting", null) },
        }).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var ownWork = await team.Supervisor.PostJsonAsync("/api/v1/quality/reviews", new
        {
            conversationId, scorecardId = team.ScorecardId, agentId = team.SupervisorId, scores = new[] { Score(team, "Greeting", 1) },
        }).ExpectProblemAsync(HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.All(["scores[0].score", "scores[1].score", "scores[2].criterionId", "messageComments[0].messageId"],
            field => Assert.True(errors.TryGetProperty(field, out _), problem.ToString()));
        Assert.True(nothingScored.GetProperty("errors").TryGetProperty("scores", out _));
        Assert.True(ownWork.GetProperty("errors").TryGetProperty("agentId", out _));
        Assert.Empty((await team.Owner.GetJsonAsync("/api/v1/quality/reviews")).GetProperty("items").EnumerateArray());
        await team.Supervisor.PostJsonAsync("/api/v1/quality/reviews", new
        {
            conversationId = Guid.NewGuid(), scorecardId = team.ScorecardId, scores = new[] { Score(team, "Greeting", 1) },
        }).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Calibration_TwoReviewersScore_OthersHiddenUntilOwnScoresThenAgreementShown()
    {
        var team = await TeamAsync();
        var (conversationId, _) = await AnsweredConversationAsync(team, "The app crashes on login.", "Please update to 4.2; that fixes it.");
        var session = await team.Owner.PostJsonAsync("/api/v1/quality/calibrations", new
        {
            name = "March calibration", conversationId, scorecardId = team.ScorecardId, reviewerIds = new[] { team.OwnerId, team.SupervisorId },
        }).ExpectAsync(HttpStatusCode.Created);
        var path = $"/api/v1/quality/calibrations/{session.IdOf()}";

        await team.Supervisor.PutJsonAsync($"{path}/review", new
        {
            scores = new object[] { Score(team, "Greeting", 1), Score(team, "Accuracy", 3), Score(team, "Empathy", 3) },
        }).ExpectAsync(HttpStatusCode.OK);
        var beforeOwn = await team.Owner.GetJsonAsync(path);
        var afterOwn = await team.Owner.PutJsonAsync($"{path}/review", new
        {
            scores = new object[] { Score(team, "Greeting", 1), Score(team, "Accuracy", 5), Score(team, "Empathy", null) },
        }).ExpectAsync(HttpStatusCode.OK);

        Assert.False(beforeOwn.GetProperty("scoresVisible").GetBoolean());
        Assert.Empty(beforeOwn.GetProperty("reviews").EnumerateArray());
        Assert.Equal([team.SupervisorId], beforeOwn.GetProperty("submittedBy").EnumerateArray().Select(e => e.GetGuid()));
        var agreement = afterOwn.GetProperty("agreement");
        var byName = agreement.GetProperty("criteria").EnumerateArray().ToDictionary(c => c.Text("name")!);
        // Greeting: both 1 (100%); accuracy: 3 and 5 of 1–5, half the scale apart (50%); empathy scored once: no agreement.
        Assert.Equal(100.0, byName["Greeting"].GetProperty("agreementPercent").GetDouble());
        Assert.Equal(50.0, byName["Accuracy"].GetProperty("agreementPercent").GetDouble());
        Assert.Equal(JsonValueKind.Null, byName["Empathy"].GetProperty("agreementPercent").ValueKind);
        Assert.Equal(75.0, agreement.GetProperty("agreementPercent").GetDouble());
        // Totals: supervisor (1 + 3·0.5 + 2·1) / 6 = 75%, owner (1 + 3) / 4 = 100%.
        Assert.Equal(25.0, agreement.GetProperty("totalSpread").GetDouble());
        Assert.Empty((await team.Agent.GetJsonAsync("/api/v1/quality/my-reviews")).EnumerateArray());
        await team.Agent.GetAsync(path, Ct).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Calibration_AnAgentAsReviewer_IsRefused()
    {
        var team = await TeamAsync();
        var (conversationId, _) = await AnsweredConversationAsync(team, "Hello?", "Hi!");

        var problem = await team.Owner.PostJsonAsync("/api/v1/quality/calibrations", new
        {
            name = "Calibration", conversationId, scorecardId = team.ScorecardId, reviewerIds = new[] { team.SupervisorId, team.OtherAgentId },
        }).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("reviewerIds", out _));
        Assert.Empty((await team.Owner.GetJsonAsync("/api/v1/quality/calibrations")).EnumerateArray());
    }

    [Fact]
    public async Task Sampling_AWeekEnds_EachAgentGetsTheirNumberFromAnotherReviewerAndADrawAgainAddsNone()
    {
        var team = await TeamAsync();
        for (var i = 0; i < 4; i++)
        {
            await ResolvedByAsync(team, team.Agent, $"Question {i} for the agent");
        }

        await ResolvedByAsync(team, team.Supervisor, "A question for the supervisor");
        await Eventually.WaitUntilAsync(
            async () => (await team.Owner.GetJsonAsync("/api/v1/reports/overview")).GetProperty("figures").GetProperty("resolvedConversations").GetInt32() == 5,
            "the resolves are counted");
        await team.Owner.PutJsonAsync("/api/v1/quality/sampling", new
        {
            isEnabled = true, perAgentPerWeek = 3, scorecardId = team.ScorecardId, reviewerIds = new[] { team.OwnerId, team.SupervisorId },
        }).ExpectAsync(HttpStatusCode.OK);
        var today = TestWorkspace.Today(clock);

        clock.Advance(TimeSpan.FromDays(7));
        await Factory.Services.GetRequiredService<WeeklySampling>().DrawDueAsync(Ct);
        var drawn = (await team.Owner.GetJsonAsync("/api/v1/quality/reviews?status=Assigned")).GetProperty("items").EnumerateArray().ToList();
        var again = await team.Owner.PostJsonAsync("/api/v1/quality/sampling/draw", new { week = today }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(3, drawn.Count(r => r.GetProperty("agentId").GetGuid() == team.AgentId));
        Assert.Equal(1, drawn.Count(r => r.GetProperty("agentId").GetGuid() == team.SupervisorId));
        Assert.All(drawn, r => Assert.NotEqual(r.GetProperty("agentId").GetGuid(), r.GetProperty("reviewerId").GetGuid()));
        Assert.All(drawn, r => Assert.Equal(Porchlight.Server.Features.Reports.ReportPeriods.WeekOf(today), DateOnly.Parse(r.Text("sampledWeek")!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Single(drawn, r => r.GetProperty("reviewerId").GetGuid() == team.OwnerId && r.GetProperty("agentId").GetGuid() == team.SupervisorId);
        Assert.Empty(again.GetProperty("assigned").EnumerateArray());
        Assert.Equal(Porchlight.Server.Features.Reports.ReportPeriods.WeekOf(today), DateOnly.Parse((await team.Owner.GetJsonAsync("/api/v1/quality/sampling")).Text("lastDrawnWeek")!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Sampling_EnabledWithoutScorecardOrWithAnAgentAsReviewer_IsRefused()
    {
        var team = await TeamAsync();

        var noScorecard = await team.Owner.PutJsonAsync("/api/v1/quality/sampling", new { isEnabled = true, reviewerIds = new[] { team.OwnerId } })
            .ExpectProblemAsync(HttpStatusCode.BadRequest);
        var agentReviewer = await team.Owner.PutJsonAsync("/api/v1/quality/sampling", new { scorecardId = team.ScorecardId, reviewerIds = new[] { team.AgentId } })
            .ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(noScorecard.GetProperty("errors").TryGetProperty("scorecardId", out _));
        Assert.True(agentReviewer.GetProperty("errors").TryGetProperty("reviewerIds", out _));
        Assert.False((await team.Owner.GetJsonAsync("/api/v1/quality/sampling")).GetProperty("isEnabled").GetBoolean());
        await team.Owner.PutJsonAsync("/api/v1/quality/sampling", new { scorecardId = Guid.NewGuid() }).ExpectAsync(HttpStatusCode.NotFound);
        await team.Owner.PostJsonAsync("/api/v1/quality/sampling/draw", new { }).ExpectProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Flag_AgentRaisesOne_LeadsSeeItOpenAndCloseIt()
    {
        var team = await TeamAsync();
        var (conversationId, _) = await AnsweredConversationAsync(team, "How do I export my data?", "Let me find out.");

        await team.Agent.PostJsonAsync($"/api/v1/conversations/{conversationId}/flags", new { kind = "Sometimes", note = "x" }).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var flag = await team.Agent.PostJsonAsync($"/api/v1/conversations/{conversationId}/flags", new
        {
            kind = "MissingArticle", note = "Nothing in the knowledge base about exports.",
        }).ExpectAsync(HttpStatusCode.Created);
        var open = await team.Supervisor.GetJsonAsync("/api/v1/quality/flags");
        await team.Agent.GetAsync("/api/v1/quality/flags", Ct).ExpectAsync(HttpStatusCode.Forbidden);
        var closed = await team.Supervisor.PostJsonAsync($"/api/v1/quality/flags/{flag.IdOf()}/close", new { resolution = "Article written." })
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(flag.IdOf(), open.EnumerateArray().Single().IdOf());
        Assert.Equal(team.AgentId, flag.GetProperty("raisedBy").GetGuid());
        Assert.Equal("Article written.", closed.Text("resolution"));
        Assert.Empty((await team.Supervisor.GetJsonAsync("/api/v1/quality/flags")).EnumerateArray());
        Assert.Equal(flag.IdOf(), (await team.Supervisor.GetJsonAsync("/api/v1/quality/flags?closed=true")).EnumerateArray().Single().IdOf());
        Assert.Single((await team.Agent.GetJsonAsync($"/api/v1/conversations/{conversationId}/flags")).EnumerateArray());
        await team.Supervisor.PostJsonAsync($"/api/v1/quality/flags/{flag.IdOf()}/close", new { }).ExpectProblemAsync(HttpStatusCode.Conflict);
    }

    private static object Score(Team team, string criterion, int? score, string? comment = null) =>
        new { criterionId = team.Criteria[criterion], score, comment };

    /// <summary>A workspace with an owner, a supervisor, two agents, a widget inbox and the three-criterion scorecard.</summary>
    private async Task<Team> TeamAsync()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (supervisorId, _, supervisor) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (otherAgentId, _, otherAgent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var scorecard = await owner.PostJsonAsync("/api/v1/quality/scorecards", new { name = "Chat quality", criteria = Criteria }).ExpectAsync(HttpStatusCode.Created);
        return new Team(
            workspace.OwnerId, owner, supervisorId, supervisor, agentId, agent, otherAgentId, otherAgent, inboxToken, scorecard.IdOf(),
            scorecard.GetProperty("criteria").EnumerateArray().ToDictionary(c => c.Text("name")!, c => c.IdOf()));
    }

    /// <summary>A visitor asks, the team's agent answers: the conversation and the agent's reply.</summary>
    private async Task<(Guid ConversationId, Guid AgentsReply)> AnsweredConversationAsync(Team team, string question, string answer)
    {
        using var visitor = await TestVisitor.StartAsync(Factory, team.InboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync(question);
        var reply = await team.Agent.ReplyAsync(conversationId, answer).ExpectAsync(HttpStatusCode.Created);
        return (conversationId, reply.IdOf());
    }

    private async Task ResolvedByAsync(Team team, HttpClient agent, string question)
    {
        using var visitor = await TestVisitor.StartAsync(Factory, team.InboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync(question);
        await agent.ReplyAsync(conversationId, "Answered.").ExpectAsync(HttpStatusCode.Created);
        await agent.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
    }

    private sealed record Team(
        Guid OwnerId, HttpClient Owner, Guid SupervisorId, HttpClient Supervisor, Guid AgentId, HttpClient Agent, Guid OtherAgentId, HttpClient OtherAgent,
        string InboxToken, Guid ScorecardId, Dictionary<string, Guid> Criteria);
}

/// <summary>The weighted draw on its own: the harder conversations are picked more often, in proportion to their weight.</summary>
public sealed class SampleCandidateTests
{
    [Fact]
    public void Pick_OneLowRatedAmongTenOrdinary_PickedInProportionToItsWeight()
    {
        var lowRated = new SampleCandidate(Guid.NewGuid(), Guid.Empty, LowSatisfaction: true, false, false, false);
        var candidates = Enumerable.Range(0, 10).Select(_ => new SampleCandidate(Guid.NewGuid(), Guid.Empty, false, false, false, false)).Append(lowRated).ToList();
        var random = new Random(7);

        var share = Enumerable.Range(0, 20_000).Count(_ => SampleCandidate.Pick(candidates, 1, random)[0] == lowRated) / 20_000.0;

        // Weight 4 of a total of 14: 28.6%, where an unweighted draw would give 9.1%.
        Assert.InRange(share, 0.27, 0.30);
        Assert.Equal(4, lowRated.Weight);
        Assert.Equal("low satisfaction", lowRated.Reason);
    }

    [Fact]
    public void Pick_MoreWantedThanThereAre_PicksEachOnce()
    {
        var candidates = Enumerable.Range(0, 3).Select(_ => new SampleCandidate(Guid.NewGuid(), Guid.Empty, false, true, true, true)).ToList();

        var picked = SampleCandidate.Pick(candidates, 5, new Random(1));

        Assert.Equal(candidates.ToHashSet(), picked.ToHashSet());
        Assert.Equal("long handle time, negative tone, escalated", candidates[0].Reason);
    }
}

public sealed class QualitySqliteTests(SqliteClockFixture fixture) : QualityTests(fixture.Factory, fixture.Clock), IClassFixture<SqliteClockFixture>;

public sealed class QualityPostgresTests(PostgresClockFixture fixture) : QualityTests(fixture.Factory, fixture.Clock), IClassFixture<PostgresClockFixture>;
