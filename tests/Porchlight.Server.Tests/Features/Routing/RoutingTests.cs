using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Routing;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Routing;

/// <summary>
/// Conversations reach an online agent of the right team at once, wait in an honest queue when nobody has room,
/// and move the moment room frees up; no cap is exceeded and nothing is assigned twice, whoever decides.
/// </summary>
public abstract class RoutingTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task NewConversation_InboxTeamHasAnOnlineAgent_IsAssignedToThemWithTheReason()
    {
        var desk = await NewDeskAsync(agents: 1);
        await using var online = await HubRecorder.AgentAsync(Factory, desk.AgentTokens[0]);

        var conversationId = await StartConversationAsync(desk.InboxToken);

        await WaitForAssigneeAsync(desk.Owner, conversationId, desk.AgentIds[0]);
        var decisions = await DecisionsAsync(desk.Owner, conversationId);
        Assert.Equal(["Queued", "Assigned"], decisions.Select(d => d.Text("outcome")));
        Assert.Equal("new conversation in Website chat: the inbox's team", decisions[0].Text("reason"));
        Assert.Equal("least loaded, 0/5 active", decisions[1].Text("reason"));
        Assert.Equal(desk.AgentIds[0], decisions[1].GetProperty("agentId").GetGuid());
        var activities = (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).EnumerateArray()
            .Where(m => m.Text("kind") == "Activity").Select(m => m.Text("text")).ToList();
        Assert.Contains($"Assigned to Agent 1 by team {desk.TeamName} (least loaded, 0/5 active)", activities);
    }

    [Fact]
    public async Task Queue_InboxOneTeamMemberDoesNotWorkIn_ItsConversationsGoOnlyToTheInboxsMembers()
    {
        var desk = await NewDeskAsync(agents: 2);
        await desk.Owner.PutJsonAsync($"/api/v1/inboxes/{desk.InboxId}/members", new { agentIds = new[] { desk.AgentIds[1] } }).ExpectAsync(HttpStatusCode.OK);
        await using var outsider = await HubRecorder.AgentAsync(Factory, desk.AgentTokens[0]);
        await using var member = await HubRecorder.AgentAsync(Factory, desk.AgentTokens[1]);

        var first = await StartConversationAsync(desk.InboxToken);
        await WaitForAssigneeAsync(desk.Owner, first, desk.AgentIds[1]);
        var second = await StartConversationAsync(desk.InboxToken);

        // The least loaded would be the outsider now; the member takes it while they have room.
        await WaitForAssigneeAsync(desk.Owner, second, desk.AgentIds[1]);
        Assert.Equal("least loaded, 1/5 active", (await DecisionsAsync(desk.Owner, second))[^1].Text("reason"));
    }

    [Fact]
    public async Task Queue_NobodyHasRoom_ServesPriorityThenAgeTheMomentAConversationIsResolved()
    {
        var desk = await NewDeskAsync(agents: 1);
        await desk.Owner.PutJsonAsync($"/api/v1/agents/{desk.AgentIds[0]}/caps", new { all = 1 }).ExpectAsync(HttpStatusCode.OK);
        await using var online = await HubRecorder.AgentAsync(Factory, desk.AgentTokens[0]);
        var first = await StartConversationAsync(desk.InboxToken);
        await WaitForAssigneeAsync(desk.Owner, first, desk.AgentIds[0]);

        var second = await StartConversationAsync(desk.InboxToken);
        var third = await StartConversationAsync(desk.InboxToken);
        await Eventually.WaitUntilAsync(async () => (await QueueAsync(desk)).Count == 2, "both later conversations wait");
        await desk.Owner.PostJsonAsync($"/api/v1/conversations/{third}/priority", new { priority = "Urgent" }).ExpectAsync(HttpStatusCode.OK);
        var queue = await QueueAsync(desk);
        Assert.Equal([third, second], queue.Select(q => q.GetProperty("conversationId").GetGuid()));
        Assert.Equal([1, 2], queue.Select(q => q.GetProperty("position").GetInt32()));

        var agent = Factory.CreateApiClient(desk.AgentTokens[0]);
        await agent.PostJsonAsync($"/api/v1/conversations/{first}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);

        await WaitForAssigneeAsync(desk.Owner, third, desk.AgentIds[0]);
        Assert.Null(await AssigneeAsync(desk.Owner, second));
        Assert.Equal([second], (await QueueAsync(desk)).Select(q => q.GetProperty("conversationId").GetGuid()));
    }

    [Fact]
    public async Task Assignment_MembersOfflineAwayOrOnBreak_NobodyReceivesUntilOneComesOnline()
    {
        var desk = await NewDeskAsync(agents: 3);
        var away = Factory.CreateApiClient(desk.AgentTokens[1]);
        var onBreak = Factory.CreateApiClient(desk.AgentTokens[2]);
        await away.PutJsonAsync("/api/v1/me/availability", new { availability = "Away" }).ExpectAsync(HttpStatusCode.OK);
        await onBreak.PutJsonAsync("/api/v1/me/availability", new { availability = "Break" }).ExpectAsync(HttpStatusCode.OK);
        await using var awayHub = await HubRecorder.AgentAsync(Factory, desk.AgentTokens[1]);
        await using var breakHub = await HubRecorder.AgentAsync(Factory, desk.AgentTokens[2]);

        var conversationId = await StartConversationAsync(desk.InboxToken);
        await Eventually.WaitUntilAsync(async () => (await QueueAsync(desk)).Count == 1, "the conversation waits in the queue");
        await TeamPassAsync(Factory, desk); // a pass that finds only the away, the on-break and the disconnected member
        Assert.Null(await AssigneeAsync(desk.Owner, conversationId));

        await using var online = await HubRecorder.AgentAsync(Factory, desk.AgentTokens[0]);

        await WaitForAssigneeAsync(desk.Owner, conversationId, desk.AgentIds[0]);
    }

    [Fact]
    public async Task QueueNotice_VisitorsWaitForAFullTeam_HearTheirPlaceLiveAndWhenTheWaitIsOver()
    {
        var desk = await NewDeskAsync(agents: 1);
        await desk.Owner.PutJsonAsync($"/api/v1/agents/{desk.AgentIds[0]}/caps", new { all = 1 }).ExpectAsync(HttpStatusCode.OK);
        await using var online = await HubRecorder.AgentAsync(Factory, desk.AgentTokens[0]);
        var first = await StartConversationAsync(desk.InboxToken);
        await WaitForAssigneeAsync(desk.Owner, first, desk.AgentIds[0]);
        using var second = await TestVisitor.StartAsync(Factory, desk.InboxToken);
        using var third = await TestVisitor.StartAsync(Factory, desk.InboxToken);
        await using var secondHub = await HubRecorder.ConnectAsync(Factory, "/hubs/visitor", second.Token, "QueueChanged");
        await using var thirdHub = await HubRecorder.ConnectAsync(Factory, "/hubs/visitor", third.Token, "QueueChanged");

        var (secondId, _) = await second.StartConversationAsync("Is anyone there?");
        await secondHub.WaitForAsync("QueueChanged", Place(secondId, 1), "the second visitor is first in line");
        var (thirdId, _) = await third.StartConversationAsync("Hello?");
        await thirdHub.WaitForAsync("QueueChanged", Place(thirdId, 2), "the third visitor is second in line");
        var listed = Assert.Single((await third.Http.GetJsonAsync("/widget/v1/conversations")).EnumerateArray());
        Assert.Equal(2, listed.GetProperty("queue").GetProperty("position").GetInt32()); // what a widget opened now shows

        var agent = Factory.CreateApiClient(desk.AgentTokens[0]);
        await agent.PostJsonAsync($"/api/v1/conversations/{first}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);

        await secondHub.WaitForAsync("QueueChanged", Place(secondId, null), "the second visitor's wait is over");
        await thirdHub.WaitForAsync("QueueChanged", Place(thirdId, 1), "the third visitor moved up");
        Assert.Equal(desk.AgentIds[0], await AssigneeAsync(desk.Owner, secondId));
        Assert.DoesNotContain(thirdHub.All("QueueChanged"), n => n.GetProperty("conversationId").GetGuid() != thirdId); // nobody hears another's place
    }

    [Fact]
    public async Task Reopen_AssigneeWentOffline_ConversationGoesBackToTheTeamQueueNotToThem()
    {
        var desk = await NewDeskAsync(agents: 1);
        using var visitor = await TestVisitor.StartAsync(Factory, desk.InboxToken);
        var agent = Factory.CreateApiClient(desk.AgentTokens[0]);
        Guid conversationId;
        await using (await HubRecorder.AgentAsync(Factory, desk.AgentTokens[0]))
        {
            (conversationId, _) = await visitor.StartConversationAsync("My parcel is late");
            await WaitForAssigneeAsync(desk.Owner, conversationId, desk.AgentIds[0]);
            await agent.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        }

        await Eventually.WaitUntilAsync(async () => (await desk.Owner.GetJsonAsync("/api/v1/agents")).GetProperty("items").EnumerateArray()
            .Single(a => a.IdOf() == desk.AgentIds[0]).Text("presence") == "Offline", "the agent is offline");
        (await visitor.SendAsync(conversationId, "It still has not arrived")).EnsureSuccessStatusCode();

        await Eventually.WaitUntilAsync(async () => (await QueueAsync(desk)).Any(q => q.GetProperty("conversationId").GetGuid() == conversationId),
            "the reopened conversation waits in the team's queue");
        Assert.Null(await AssigneeAsync(desk.Owner, conversationId));
        var returned = (await DecisionsAsync(desk.Owner, conversationId)).Last();
        Assert.Equal("Returned", returned.Text("outcome"));
        Assert.Equal("reopened while Agent 1 is not online", returned.Text("reason"));
    }

    [Fact]
    public async Task ManualAssignment_AgentAtCap_Returns409ForAnAgentAndSucceedsForASupervisorOverride()
    {
        var desk = await NewDeskAsync(agents: 2);
        await desk.Owner.PutJsonAsync($"/api/v1/agents/{desk.AgentIds[0]}/caps", new { all = 1 }).ExpectAsync(HttpStatusCode.OK);
        await using var online = await HubRecorder.AgentAsync(Factory, desk.AgentTokens[0]);
        var first = await StartConversationAsync(desk.InboxToken);
        await WaitForAssigneeAsync(desk.Owner, first, desk.AgentIds[0]);
        var second = await StartConversationAsync(desk.InboxToken);
        await Eventually.WaitUntilAsync(async () => (await QueueAsync(desk)).Count == 1, "the second conversation waits");
        var colleague = Factory.CreateApiClient(desk.AgentTokens[1]);

        var refused = await colleague.PostJsonAsync($"/api/v1/conversations/{second}/assignment", new { assigneeId = desk.AgentIds[0], teamId = desk.TeamId })
            .ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("Agent 1 is at their cap (1/1 active)", refused.Text("detail"));
        await colleague.PostJsonAsync($"/api/v1/conversations/{second}/assignment", new { assigneeId = desk.AgentIds[0], teamId = desk.TeamId, overCap = true })
            .ExpectProblemAsync(HttpStatusCode.Forbidden);
        Assert.Null(await AssigneeAsync(desk.Owner, second));

        await desk.Owner.PostJsonAsync(
                $"/api/v1/conversations/{second}/assignment", new { assigneeId = desk.AgentIds[0], teamId = desk.TeamId, overCap = true, note = "VIP, knows the case" })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(desk.AgentIds[0], await AssigneeAsync(desk.Owner, second));
        Assert.Equal("assigned by Olivia Owner over the cap (2/1 active)", (await DecisionsAsync(desk.Owner, second)).Last().Text("reason"));
        var activity = (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{second}/messages")).EnumerateArray().Last();
        Assert.EndsWith("assigned the conversation to Agent 1 (" + desk.TeamName + "): “VIP, knows the case”", activity.Text("text"));
    }

    [Fact]
    public async Task Transfer_ToAnotherTeam_JoinsItsQueueAndItsAgentGetsIt()
    {
        var desk = await NewDeskAsync(agents: 1);
        var tier2 = await desk.Owner.PostJsonAsync("/api/v1/teams", new { name = Unique("Tier 2"), strategy = "RoundRobin" }).ExpectAsync(HttpStatusCode.Created);
        var (specialistId, _, specialist) = await NewAgentAsync(desk.WorkspaceId, AgentRole.Agent);
        await desk.Owner.PutJsonAsync($"/api/v1/teams/{tier2.IdOf()}/members/{specialistId}", new { }).ExpectAsync(HttpStatusCode.OK);
        await using var specialistHub = await HubRecorder.AgentAsync(Factory, specialist.DefaultRequestHeaders.Authorization!.Parameter!);
        var conversationId = await StartConversationAsync(desk.InboxToken);
        await Eventually.WaitUntilAsync(async () => (await QueueAsync(desk)).Count == 1, "the conversation waits for the first team");

        await desk.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/assignment", new { teamId = tier2.IdOf(), note = "Needs a refund" })
            .ExpectAsync(HttpStatusCode.OK);

        await WaitForAssigneeAsync(desk.Owner, conversationId, specialistId);
        var decisions = await DecisionsAsync(desk.Owner, conversationId);
        Assert.Equal(["Queued", "Queued", "Assigned"], decisions.Select(d => d.Text("outcome")));
        Assert.Equal("transferred by Olivia Owner", decisions[1].Text("reason"));
        Assert.Equal("round robin, next in turn, 0/5 active", decisions[2].Text("reason"));
    }

    [Fact]
    public async Task SkillsTeam_ConversationLabelledBilling_GoesToTheBillingAgentThenTheReturningContactToThemAgain()
    {
        var desk = await NewDeskAsync(agents: 2);
        await desk.Owner.PutJsonAsync($"/api/v1/teams/{desk.TeamId}", new { name = desk.TeamName, strategy = "Skills", preferPreviousAgent = true }).ExpectAsync(HttpStatusCode.OK);
        var skills = await desk.Owner.PutJsonAsync($"/api/v1/agents/{desk.AgentIds[1]}/skills", new { skills = new Dictionary<string, int> { ["Billing"] = 3 } })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(3, skills.GetProperty("skills").GetProperty("billing").GetInt32());
        // Both agents online but without room, so the conversation waits until it is labelled and room opens for both at once.
        await desk.Owner.PutJsonAsync("/api/v1/routing/caps", new { all = 0 }).ExpectAsync(HttpStatusCode.OK);
        await using var generalist = await HubRecorder.AgentAsync(Factory, desk.AgentTokens[0]);
        await using var billing = await HubRecorder.AgentAsync(Factory, desk.AgentTokens[1]);
        using var visitor = await TestVisitor.StartAsync(Factory, desk.InboxToken);
        var (first, _) = await visitor.StartConversationAsync("My invoice is wrong");
        await Eventually.WaitUntilAsync(async () => (await QueueAsync(desk)).Count == 1, "the conversation waits: nobody has room");
        await desk.Owner.PutJsonAsync($"/api/v1/conversations/{first}/labels", new { labels = new List<string> { "billing" } }).ExpectAsync(HttpStatusCode.OK);

        await desk.Owner.PutJsonAsync("/api/v1/routing/caps", new { all = 5 }).ExpectAsync(HttpStatusCode.OK);

        await WaitForAssigneeAsync(desk.Owner, first, desk.AgentIds[1]);
        Assert.Equal("best skilled: billing (level 3), 0/5 active", (await DecisionsAsync(desk.Owner, first)).Last().Text("reason"));
        var (second, _) = await visitor.StartConversationAsync("And one more question"); // no label: any agent would do
        await WaitForAssigneeAsync(desk.Owner, second, desk.AgentIds[1]);
        Assert.Equal("the contact's previous agent, 1/5 active", (await DecisionsAsync(desk.Owner, second)).Last().Text("reason"));
    }

    [Theory]
    [InlineData("""{"skills": {"billing": 6}}""")]
    [InlineData("""{"skills": {" ": 2}}""")]
    [InlineData("""{}""")]
    public async Task SetAgentSkills_BadSkills_Returns400AndChangesNothing(string body)
    {
        var desk = await NewDeskAsync(agents: 1);

        await desk.Owner.SendRawAsync(HttpMethod.Put, $"/api/v1/agents/{desk.AgentIds[0]}/skills", body).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "skills");

        Assert.Empty((await desk.Owner.GetJsonAsync($"/api/v1/agents/{desk.AgentIds[0]}/skills")).GetProperty("skills").EnumerateObject());
    }

    [Fact]
    public async Task Assignment_TwoNodesAndPeopleRacing_NeverAssignsTwiceNorExceedsACap()
    {
        const int agents = 4, cap = 2, conversations = 16;
        var desk = await NewDeskAsync(agents);
        await desk.Owner.PutJsonAsync("/api/v1/routing/caps", new { all = cap }).ExpectAsync(HttpStatusCode.OK);
        var started = await Task.WhenAll(Enumerable.Range(0, conversations).Select(_ => StartConversationAsync(desk.InboxToken)));
        await Eventually.WaitUntilAsync(async () => (await QueueAsync(desk)).Count == conversations, "every conversation waits, nobody is online");

        await using var otherNode = Factory.AnotherNode();
        var hubs = new List<HubRecorder>();
        try
        {
            // Every agent online on both nodes, as with two tabs behind a load balancer: both nodes' deciders see them.
            foreach (var token in desk.AgentTokens)
            {
                hubs.Add(await HubRecorder.AgentAsync(Factory, token));
                hubs.Add(await HubRecorder.AgentAsync(otherNode, token));
            }

            var random = new Random(5);
            var racers = new List<Task>();
            for (var i = 0; i < 6; i++)
            {
                racers.Add(TeamPassAsync(Factory, desk));
                racers.Add(TeamPassAsync(otherNode, desk));
            }

            for (var i = 0; i < agents; i++)
            {
                var agent = otherNode.CreateApiClient(desk.AgentTokens[i]);
                var agentId = desk.AgentIds[i];
                foreach (var conversationId in started.OrderBy(_ => random.Next()).Take(4))
                {
                    racers.Add(AssignToSelfAsync(agent, conversationId, agentId, desk.TeamId));
                }
            }

            await Task.WhenAll(racers);
            await Eventually.WaitUntilAsync(async () => (await QueueAsync(desk)).Count == conversations - (agents * cap), "every agent is filled to their cap");
        }
        finally
        {
            foreach (var hub in hubs)
            {
                await hub.DisposeAsync();
            }
        }

        var assignees = await Task.WhenAll(started.Select(id => AssigneeAsync(desk.Owner, id)));
        Assert.All(desk.AgentIds, agentId => Assert.Equal(cap, assignees.Count(a => a == agentId)));
        foreach (var conversationId in started)
        {
            // Handed out by a queue at most once; a person's own assignment may follow, which is a transfer, not a second pick.
            var byQueue = (await DecisionsAsync(desk.Owner, conversationId)).Count(d => d.Text("outcome") == "Assigned" && d.Text("reason")!.StartsWith("least loaded", StringComparison.Ordinal));
            Assert.InRange(byQueue, 0, 1);
        }
    }

    [Fact]
    public async Task Supervision_ConversationWaitsAndAnotherIsHeld_FiguresShowTheQueueTheLoadAndTheMetrics()
    {
        var desk = await NewDeskAsync(agents: 2);
        await desk.Owner.PutJsonAsync($"/api/v1/agents/{desk.AgentIds[0]}/caps", new { all = 1 }).ExpectAsync(HttpStatusCode.OK);
        var supervisor = Factory.CreateApiClient((await Factory.AddAgentAsync(desk.WorkspaceId, AgentRole.Supervisor)).Token);
        await supervisor.PutJsonAsync($"/api/v1/agents/{desk.AgentIds[1]}/availability", new { availability = "Break" }).ExpectAsync(HttpStatusCode.OK);
        await using var online = await HubRecorder.AgentAsync(Factory, desk.AgentTokens[0]);
        await using var onBreak = await HubRecorder.AgentAsync(Factory, desk.AgentTokens[1]);
        var held = await StartConversationAsync(desk.InboxToken);
        await WaitForAssigneeAsync(desk.Owner, held, desk.AgentIds[0]);
        var waiting = await StartConversationAsync(desk.InboxToken);
        await Eventually.WaitUntilAsync(async () => (await QueueAsync(desk)).Count == 1, "the second conversation waits");

        var figures = await supervisor.GetJsonAsync("/api/v1/routing/supervision");

        var team = Assert.Single(figures.GetProperty("teams").EnumerateArray());
        Assert.Equal((1, 1, 1, 1, 0), (team.GetProperty("waiting").GetInt32(), team.GetProperty("inProgress").GetInt32(),
            team.GetProperty("agentsOnline").GetInt32(), team.GetProperty("agentsOnBreak").GetInt32(), team.GetProperty("agentsOffline").GetInt32()));
        Assert.Equal(waiting, Assert.Single(team.GetProperty("queue").EnumerateArray()).GetProperty("conversationId").GetGuid());
        var agent = figures.GetProperty("agents").EnumerateArray().Single(a => a.GetProperty("agentId").GetGuid() == desk.AgentIds[0]);
        var chats = agent.GetProperty("load").EnumerateArray().Single(l => l.Text("channel") == "Chat");
        Assert.Equal((1, 1), (chats.GetProperty("active").GetInt32(), chats.GetProperty("cap").GetInt32()));
        var inbox = Assert.Single(figures.GetProperty("inboxes").EnumerateArray());
        Assert.Equal((1, 1), (inbox.GetProperty("unassigned").GetInt32(), inbox.GetProperty("inProgress").GetInt32()));
        await Factory.CreateApiClient(desk.AgentTokens[0]).GetAsync("/api/v1/routing/supervision", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await Factory.CreateApiClient(desk.AgentTokens[0]).PutJsonAsync($"/api/v1/agents/{desk.AgentIds[1]}/availability", new { availability = "Online" })
            .ExpectProblemAsync(HttpStatusCode.Forbidden);

        var metrics = (await Factory.CreateClient().GetStringAsync("/metrics", Ct)).Split('\n');
        Assert.Contains(metrics, line => line.StartsWith("porchlight_routing_assignments_total{", StringComparison.Ordinal) && line.Contains("by=\"queue\"", StringComparison.Ordinal));
        Assert.Contains(metrics, line => line.StartsWith("porchlight_routing_waiting{", StringComparison.Ordinal)
            && line.Contains($"team=\"{desk.TeamId}\"", StringComparison.Ordinal) && line.EndsWith(" 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RoutingRules_FirstMatchingRuleWins_SetsTeamPriorityAndLabelsOthersFallToTheInboxTeam()
    {
        var desk = await NewDeskAsync(agents: 1);
        var billing = await desk.Owner.PostJsonAsync("/api/v1/teams", new { name = Unique("Billing") }).ExpectAsync(HttpStatusCode.Created);
        var inboxId = desk.InboxId;
        var refunds = await desk.Owner.PostJsonAsync($"/api/v1/inboxes/{inboxId}/routing-rules", new
        {
            name = "Refunds and cancellations",
            conditions = new[] { new { field = "message", @operator = "contains", value = "refund, cancel" } },
            teamId = billing.IdOf(),
            priority = "High",
            addLabels = new List<string> { "Billing" },
        }).ExpectAsync(HttpStatusCode.Created);
        var lawyers = await desk.Owner.PostJsonAsync($"/api/v1/inboxes/{inboxId}/routing-rules", new
        {
            name = "Legal threats",
            conditions = new[] { new { field = "message", @operator = "contains", value = "lawyer" } },
            priority = "Urgent",
        }).ExpectAsync(HttpStatusCode.Created);
        // The legal rule goes first: a refund request that mentions a lawyer is urgent and stays with the inbox's team.
        await desk.Owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/routing-rules/order", new { ruleIds = new[] { lawyers.IdOf(), refunds.IdOf() } })
            .ExpectAsync(HttpStatusCode.OK);

        var refund = await StartConversationAsync(desk.InboxToken, "I want a refund for order 4711");
        var threat = await StartConversationAsync(desk.InboxToken, "Refund now or I call my lawyer");
        var question = await StartConversationAsync(desk.InboxToken, "Do you ship to Norway?");

        await Eventually.WaitUntilAsync(async () => (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{question}")).GetProperty("teamId").ValueKind != JsonValueKind.Null,
            "every conversation was routed");
        await Eventually.WaitUntilAsync(async () => (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{refund}")).GetProperty("teamId").ValueKind != JsonValueKind.Null,
            "the refund was routed");
        await Eventually.WaitUntilAsync(async () => (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{threat}")).GetProperty("teamId").ValueKind != JsonValueKind.Null,
            "the threat was routed");
        var routedRefund = await desk.Owner.GetJsonAsync($"/api/v1/conversations/{refund}");
        Assert.Equal((billing.IdOf(), "High"), (routedRefund.GetProperty("teamId").GetGuid(), routedRefund.Text("priority")));
        Assert.Equal(["billing"], routedRefund.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        var routedThreat = await desk.Owner.GetJsonAsync($"/api/v1/conversations/{threat}");
        Assert.Equal((desk.TeamId, "Urgent"), (routedThreat.GetProperty("teamId").GetGuid(), routedThreat.Text("priority")));
        Assert.Equal(desk.TeamId, (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{question}")).GetProperty("teamId").GetGuid());
        Assert.Equal("rule “Refunds and cancellations”", (await DecisionsAsync(desk.Owner, refund))[0].Text("reason"));
        Assert.Equal("rule “Legal threats”, then the inbox's team", (await DecisionsAsync(desk.Owner, threat))[0].Text("reason"));
        Assert.Equal(["Legal threats", "Refunds and cancellations"],
            (await desk.Owner.GetJsonAsync($"/api/v1/inboxes/{inboxId}/routing-rules")).EnumerateArray().Select(r => r.Text("name")));
    }

    [Fact]
    public async Task RoutingRules_RuleNamesAgents_TheLeastLoadedWithRoomTakesItElseTheTeamQueueDoes()
    {
        var desk = await NewDeskAsync(agents: 3);
        await desk.Owner.PutJsonAsync($"/api/v1/agents/{desk.AgentIds[1]}/caps", new { all = 1 }).ExpectAsync(HttpStatusCode.OK);
        await desk.Owner.PutJsonAsync($"/api/v1/agents/{desk.AgentIds[2]}/caps", new { all = 0 }).ExpectAsync(HttpStatusCode.OK);
        await desk.Owner.PostJsonAsync($"/api/v1/inboxes/{desk.InboxId}/routing-rules", new
        {
            name = "Key accounts",
            conditions = new[] { new { field = "message", @operator = "contains", value = "enterprise" } },
            agentIds = new[] { desk.AgentIds[1], desk.AgentIds[2] },
        }).ExpectAsync(HttpStatusCode.Created);
        await using var first = await HubRecorder.AgentAsync(Factory, desk.AgentTokens[0]);
        await using var second = await HubRecorder.AgentAsync(Factory, desk.AgentTokens[1]);
        await using var third = await HubRecorder.AgentAsync(Factory, desk.AgentTokens[2]);

        var keyAccount = await StartConversationAsync(desk.InboxToken, "Our enterprise plan renewal");
        await WaitForAssigneeAsync(desk.Owner, keyAccount, desk.AgentIds[1]);
        var another = await StartConversationAsync(desk.InboxToken, "Another enterprise question");
        await WaitForAssigneeAsync(desk.Owner, another, desk.AgentIds[0]);

        Assert.Equal("rule “Key accounts”, then the inbox's team: named agent, 0/1 active", (await DecisionsAsync(desk.Owner, keyAccount))[0].Text("reason"));
        var decisions = await DecisionsAsync(desk.Owner, another);
        Assert.Equal(("rule “Key accounts”, then the inbox's team: none of its agents could take it", "Assigned"),
            (decisions[0].Text("reason"), decisions[^1].Text("outcome")));
    }

    [Fact]
    public async Task RoutingRules_BrowserLanguageFromTheTracker_SendsGermanSpeakersToTheirTeam()
    {
        var desk = await NewDeskAsync(agents: 1);
        var german = await desk.Owner.PostJsonAsync("/api/v1/teams", new { name = Unique("Deutsch") }).ExpectAsync(HttpStatusCode.Created);
        await desk.Owner.PostJsonAsync($"/api/v1/inboxes/{desk.InboxId}/routing-rules", new
        {
            name = "German speakers", conditions = new[] { new { field = "language", @operator = "equals", value = "de" } }, teamId = german.IdOf(),
        }).ExpectAsync(HttpStatusCode.Created);
        var browser = "v_" + Guid.NewGuid().ToString("N");
        using var tracked = await Tracking.TrackingIngestionTests.PostAsync(Factory.CreateClient(), $$"""
            { "site": "{{desk.InboxToken}}", "visitor": "{{browser}}", "session": "s_12345678",
              "events": [ { "type": "pageview", "url": "https://shop.example/", "language": "de-AT" } ] }
            """);
        await Eventually.WaitUntilAsync(async () => await TrackedEventsOfAsync(browser) > 0, "the page view is stored");
        using var visitor = await TestVisitor.StartAsync(Factory, desk.InboxToken, trackerVisitor: browser);

        var (austrian, _) = await visitor.StartConversationAsync("Guten Tag");
        var other = await StartConversationAsync(desk.InboxToken, "Hello");

        await Eventually.WaitUntilAsync(async () => (await DecisionsAsync(desk.Owner, other)).Count > 0 && (await DecisionsAsync(desk.Owner, austrian)).Count > 0,
            "both conversations were routed");
        Assert.Equal(german.IdOf(), (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{austrian}")).GetProperty("teamId").GetGuid());
        Assert.Equal(desk.TeamId, (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{other}")).GetProperty("teamId").GetGuid());
    }

    private async Task<int> TrackedEventsOfAsync(string browser)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().TrackedEvents.IgnoreQueryFilters().CountAsync(e => e.VisitorKey == browser, Ct);
    }

    [Fact]
    public async Task RoutingRules_AgentOfAnotherWorkspace_Returns400AndCreatesNothing()
    {
        var desk = await NewDeskAsync(agents: 1);
        var stranger = await NewDeskAsync(agents: 1);

        await desk.Owner.PostJsonAsync($"/api/v1/inboxes/{desk.InboxId}/routing-rules", new
        {
            name = "Theirs", conditions = Array.Empty<object>(), agentIds = new[] { stranger.AgentIds[0] },
        }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "agentIds");

        Assert.Empty((await desk.Owner.GetJsonAsync($"/api/v1/inboxes/{desk.InboxId}/routing-rules")).EnumerateArray());
    }

    [Fact]
    public async Task RoutingRules_ContactWritesAgainWithinAWeek_SecondConversationIsRaisedToHigh()
    {
        var desk = await NewDeskAsync(agents: 1);
        var inboxId = desk.InboxId;
        await desk.Owner.PostJsonAsync($"/api/v1/inboxes/{inboxId}/routing-rules", new
        {
            name = "Writing again", conditions = new[] { new { field = "repeatContact", @operator = "equals", value = "7" } }, priority = "High",
        }).ExpectAsync(HttpStatusCode.Created);
        using var visitor = await TestVisitor.StartAsync(Factory, desk.InboxToken);

        var (first, _) = await visitor.StartConversationAsync("My parcel is late");
        var (second, _) = await visitor.StartConversationAsync("Still no parcel");

        await Eventually.WaitUntilAsync(async () => (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{second}")).Text("priority") == "High",
            "the repeated contact is raised");
        await Eventually.WaitUntilAsync(async () => (await DecisionsAsync(desk.Owner, first)).Count > 0, "the first conversation was routed");
        Assert.Equal("None", (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{first}")).Text("priority")); // nothing before it
    }

    [Fact]
    public async Task RoutingRules_BadRuleOrAnAgent_Returns400Or403AndChangesNothing()
    {
        var desk = await NewDeskAsync(agents: 1);
        var inboxId = desk.InboxId;
        var (other, otherOwner) = await NewWorkspaceAsync("Elsewhere Inc");
        var foreignTeam = await otherOwner.PostJsonAsync("/api/v1/teams", new { name = "Theirs" }).ExpectAsync(HttpStatusCode.Created);

        await desk.Owner.PostJsonAsync($"/api/v1/inboxes/{inboxId}/routing-rules", new
        {
            name = "Bad", conditions = new[] { new { field = "shoeSize", @operator = "equals", value = "42" } },
        }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "conditions[0].field");
        await desk.Owner.PostJsonAsync($"/api/v1/inboxes/{inboxId}/routing-rules", new { name = "Theirs", conditions = Array.Empty<object>(), teamId = foreignTeam.IdOf() })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "teamId");
        await Factory.CreateApiClient(desk.AgentTokens[0]).PostJsonAsync($"/api/v1/inboxes/{inboxId}/routing-rules", new { name = "Mine", conditions = Array.Empty<object>() })
            .ExpectProblemAsync(HttpStatusCode.Forbidden);

        Assert.Empty((await desk.Owner.GetJsonAsync($"/api/v1/inboxes/{inboxId}/routing-rules")).EnumerateArray());
    }

    [Theory]
    [InlineData("""{"all": -1}""", "caps.all")]
    [InlineData("""{"all": 5, "chat": 101}""", "caps.chat")]
    [InlineData("""{"chat": 3}""", "caps.all")]
    public async Task SetWorkspaceCaps_OutOfRange_Returns400AndChangesNothing(string body, string field)
    {
        var (_, owner) = await NewWorkspaceAsync();

        await owner.SendRawAsync(HttpMethod.Put, "/api/v1/routing/caps", body).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, field);

        Assert.Equal(ConcurrencyCaps.FallbackCap, (await owner.GetJsonAsync("/api/v1/routing/caps")).GetProperty("all").GetInt32());
    }

    [Fact]
    public async Task SetAgentCaps_ByAnAgentOrForAForeignAgent_IsForbiddenOrNotFound()
    {
        var desk = await NewDeskAsync(agents: 1);
        var (other, _) = await NewWorkspaceAsync("Elsewhere Inc");
        var agent = Factory.CreateApiClient(desk.AgentTokens[0]);

        await agent.PutJsonAsync($"/api/v1/agents/{desk.AgentIds[0]}/caps", new { all = 50 }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await desk.Owner.PutJsonAsync($"/api/v1/agents/{other.OwnerId}/caps", new { all = 50 }).ExpectProblemAsync(HttpStatusCode.NotFound);

        var caps = await desk.Owner.GetJsonAsync($"/api/v1/agents/{desk.AgentIds[0]}/caps");
        Assert.Equal(JsonValueKind.Null, caps.GetProperty("caps").GetProperty("all").ValueKind);
        Assert.Equal(ConcurrencyCaps.FallbackCap, caps.GetProperty("effective").GetProperty("chat").GetInt32());
    }

    private static Func<JsonElement, bool> Place(Guid conversationId, int? position) => notice =>
        notice.GetProperty("conversationId").GetGuid() == conversationId
        && (position is { } expected ? notice.GetProperty("position").ValueKind == JsonValueKind.Number && notice.GetProperty("position").GetInt32() == expected
            : notice.GetProperty("position").ValueKind == JsonValueKind.Null);

    private static async Task AssignToSelfAsync(HttpClient agent, Guid conversationId, Guid agentId, Guid teamId)
    {
        using var response = await agent.PostJsonAsync($"/api/v1/conversations/{conversationId}/assignment", new { assigneeId = agentId, teamId });
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"assigning to oneself answered {response.StatusCode}");
    }

    // A pass over the team's queue on a node, as its decider makes when woken: extra deciders racing the real ones.
    private static async Task TeamPassAsync(PorchlightFactory node, Desk desk)
    {
        await using var scope = node.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(desk.WorkspaceId);
        await scope.ServiceProvider.GetRequiredService<TeamDispatch>().RunAsync(desk.TeamId, TestContext.Current.CancellationToken);
    }

    private async Task<Desk> NewDeskAsync(int agents)
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var teamName = Unique("Support");
        var team = await owner.PostJsonAsync("/api/v1/teams", new { name = teamName }).ExpectAsync(HttpStatusCode.Created);
        var ids = new List<Guid>();
        var tokens = new List<string>();
        for (var i = 1; i <= agents; i++)
        {
            var (agentId, _, client) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
            await client.PatchJsonAsync("/api/v1/me", new { displayName = $"Agent {i}" }).ExpectAsync(HttpStatusCode.OK);
            await owner.PutJsonAsync($"/api/v1/teams/{team.IdOf()}/members/{agentId}", new { }).ExpectAsync(HttpStatusCode.OK);
            ids.Add(agentId);
            tokens.Add(client.DefaultRequestHeaders.Authorization!.Parameter!);
        }

        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/routing", new { defaultTeamId = team.IdOf() }).ExpectAsync(HttpStatusCode.OK);
        return new Desk(workspace.WorkspaceId, owner, inboxId, inboxToken, team.IdOf(), teamName, ids, tokens);
    }

    private async Task<Guid> StartConversationAsync(string inboxToken, string text = "Hello, I need help")
    {
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        return (await visitor.StartConversationAsync(text)).ConversationId;
    }

    private static async Task<Guid?> AssigneeAsync(HttpClient client, Guid conversationId)
    {
        var assignee = (await client.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("assigneeId");
        return assignee.ValueKind == JsonValueKind.Null ? null : assignee.GetGuid();
    }

    private static Task WaitForAssigneeAsync(HttpClient client, Guid conversationId, Guid agentId) =>
        Eventually.WaitUntilAsync(async () => await AssigneeAsync(client, conversationId) == agentId, "the conversation is assigned to the agent");

    private static async Task<List<JsonElement>> DecisionsAsync(HttpClient client, Guid conversationId) =>
        [.. (await client.GetJsonAsync($"/api/v1/conversations/{conversationId}/routing")).EnumerateArray()];

    private static async Task<List<JsonElement>> QueueAsync(Desk desk) =>
        [.. (await desk.Owner.GetJsonAsync($"/api/v1/teams/{desk.TeamId}/queue")).GetProperty("waiting").EnumerateArray()];

    private sealed record Desk(
        Guid WorkspaceId, HttpClient Owner, Guid InboxId, string InboxToken, Guid TeamId, string TeamName, IReadOnlyList<Guid> AgentIds, IReadOnlyList<string> AgentTokens);
}

public sealed class RoutingSqliteTests(SqliteApiFixture fixture) : RoutingTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class RoutingPostgresTests(PostgresApiFixture fixture) : RoutingTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
