using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Sla;
using Porchlight.Server.Hosting.Cluster;
using Porchlight.Server.Features.Webhooks;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Features.Webhooks;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Sla;

/// <summary>
/// Every covered conversation carries clocks for its first response, each next response and its resolution; they
/// stop when the promise is kept, warn and breach once when it is not, and a breach runs the policy's escalation.
/// </summary>
public abstract class SlaTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    private static readonly string[] UrgentOnly = ["Urgent"];

    [Fact]
    public async Task Clocks_ChatFromStartToResolve_EachStartsWhenTheContactWaitsAndStopsWhenAnswered()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await CreatePolicyAsync(owner, new { name = "Standard", firstResponseMinutes = 10, nextResponseMinutes = 5, resolutionMinutes = 60 });
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        var (conversationId, _) = await visitor.StartConversationAsync("My order has not arrived");
        var first = await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "FirstResponse" && c.Text("state") == "Running");
        Assert.Equal(TimeSpan.FromMinutes(10), Instant(first, "dueAt") - Instant(first, "startedAt"));
        Assert.Equal("Standard", first.Text("policyName"));
        await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "Resolution" && c.Text("state") == "Running");

        await owner.ReplyAsync(conversationId, "Let me look into it").ExpectAsync(HttpStatusCode.Created);
        await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "FirstResponse" && c.Text("state") == "Met");

        (await visitor.SendAsync(conversationId, "It was due on Monday")).EnsureSuccessStatusCode();
        var next = await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "NextResponse" && c.Text("state") == "Running");
        Assert.Equal(TimeSpan.FromMinutes(5), Instant(next, "dueAt") - Instant(next, "startedAt"));

        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "Resolution" && c.Text("state") == "Met");
        var clocks = await ClocksAsync(owner, conversationId);
        Assert.Equal(["FirstResponse:Met", "NextResponse:Met", "Resolution:Met"],
            clocks.Select(c => $"{c.Text("metric")}:{c.Text("state")}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Escalation_FirstResponseWarnsThenBreaches_SupervisorsHearItPriorityRisesAndTier2TakesOverOnce()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var tier2 = await owner.PostJsonAsync("/api/v1/teams", new { name = "Tier 2" }).ExpectAsync(HttpStatusCode.Created);
        var (supervisorId, _, supervisor) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await using var supervisorHub = await HubRecorder.ConnectAsync(Factory, "/hubs/agent", Token(supervisor), "SlaAlert");
        await using var agentHub = await HubRecorder.ConnectAsync(Factory, "/hubs/agent", Token(agent), "SlaAlert");
        await CreatePolicyAsync(owner, new
        {
            name = "Chat promise",
            firstResponseMinutes = 10,
            escalation = new object[]
            {
                new { stage = "Warning", action = "NotifySupervisors" },
                new { stage = "Breach", action = "RaisePriority", priority = "Urgent" },
                new { stage = "Breach", action = "MoveToTeam", teamId = tier2.IdOf() },
                new { stage = "Breach", action = "NotifySupervisors" },
            },
        });
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Nobody answers");
        var clock = await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "FirstResponse");
        var started = Instant(clock, "startedAt");

        await TimerAt(started.AddMinutes(8.5)).FireDueAsync(Ct);

        var warning = await supervisorHub.WaitForAsync("SlaAlert", n => n.GetProperty("conversationId").GetGuid() == conversationId, "the supervisor hears of the risk");
        Assert.Equal(("Warning", "FirstResponse", "Chat promise", supervisorId), (warning.Text("stage"), warning.Text("metric"), warning.Text("policyName"), warning.GetProperty("agentId").GetGuid()));
        Assert.NotNull((await ClocksAsync(owner, conversationId)).Single(c => c.Text("metric") == "FirstResponse").Text("warnedAt"));
        var watching = await supervisor.GetJsonAsync("/api/v1/routing/supervision");
        var risk = Assert.Single(watching.GetProperty("slaAtRisk").EnumerateArray());
        Assert.Equal((conversationId, "FirstResponse", false), (risk.GetProperty("conversationId").GetGuid(), risk.Text("metric"), risk.GetProperty("breached").GetBoolean()));
        Assert.Equal(1, watching.GetProperty("inboxes")[0].GetProperty("slaAtRisk").GetInt32());

        await TimerAt(started.AddMinutes(11)).FireDueAsync(Ct);

        await supervisorHub.WaitForAsync("SlaAlert", n => n.GetProperty("conversationId").GetGuid() == conversationId && n.Text("stage") == "Breach", "the supervisor hears of the breach");
        await Eventually.WaitUntilAsync(async () => (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).Text("priority") == "Urgent", "the priority rose");
        var conversation = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}");
        Assert.Equal(tier2.IdOf(), conversation.GetProperty("teamId").GetGuid());
        Assert.Contains(await ActivitiesAsync(owner, conversationId),
            a => a == "SLA: First response breached (policy “Chat promise”): priority raised to Urgent; moved to team Tier 2; supervisors notified");
        var breached = (await ClocksAsync(owner, conversationId)).Single(c => c.Text("metric") == "FirstResponse");
        Assert.True(breached.GetProperty("breached").GetBoolean());
        Assert.Equal("Running", breached.Text("state")); // the contact still waits: the clock runs on, late
        var tier2Figures = (await supervisor.GetJsonAsync("/api/v1/routing/supervision")).GetProperty("teams").EnumerateArray().Single(t => t.Text("name") == "Tier 2");
        Assert.Equal((1, 1), (tier2Figures.GetProperty("slaAtRisk").GetInt32(), tier2Figures.GetProperty("slaBreached").GetInt32()));

        await TimerAt(started.AddMinutes(20)).FireDueAsync(Ct);
        await supervisorHub.DrainAsync();
        await agentHub.DrainAsync();
        Assert.Equal(2, (await ActivitiesAsync(owner, conversationId)).Count(a => a.StartsWith("SLA:", StringComparison.Ordinal)));
        Assert.Equal(2, supervisorHub.All("SlaAlert").Count(n => n.GetProperty("conversationId").GetGuid() == conversationId));
        Assert.Empty(agentHub.All("SlaAlert")); // an agent without routing rights is not a supervisor
    }

    [Fact]
    public async Task Timer_ReplyInTimeNotYetHandledWhenTheTargetPasses_StopsTheClockAsMetAndAnnouncesNothing()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (_, _, supervisor) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);
        await using var supervisorHub = await HubRecorder.ConnectAsync(Factory, "/hubs/agent", Token(supervisor), "SlaAlert");
        await CreatePolicyAsync(owner, new
        {
            name = "Chat promise", firstResponseMinutes = 10, escalation = new object[] { new { stage = "Breach", action = "NotifySupervisors" } },
        });
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Anyone there?");
        var started = Instant(await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "FirstResponse"), "startedAt");
        await owner.ReplyAsync(conversationId, "Yes, here").ExpectAsync(HttpStatusCode.Created);
        var met = await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "FirstResponse" && c.Text("state") == "Met");
        // Put the clock back as it stood before the reply's event was handled: the reply is stored, the clock still runs.
        await RewindClockAsync(workspace.WorkspaceId, met.IdOf(), started);

        await TimerAt(started.AddMinutes(11)).FireDueAsync(Ct);

        var clock = (await ClocksAsync(owner, conversationId)).Single(c => c.Text("metric") == "FirstResponse");
        Assert.Equal(("Met", false, JsonValueKind.Null), (clock.Text("state"), clock.GetProperty("breached").GetBoolean(), clock.GetProperty("breachedAt").ValueKind));
        Assert.Equal(Instant(met, "stoppedAt"), Instant(clock, "stoppedAt")); // stopped at the reply, not when the timer ran
        await supervisorHub.DrainAsync();
        Assert.Empty(supervisorHub.All("SlaAlert"));
    }

    [Fact]
    public async Task FirstResponse_ReplyStoredBeforeTheConversationsStartIsHandled_IsMeasuredFromTheFirstMessageToTheReply()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await CreatePolicyAsync(owner, new { name = "Chat promise", firstResponseMinutes = 10 });
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Is my parcel lost?");
        var measured = await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "FirstResponse");
        await owner.ReplyAsync(conversationId, "It is on its way").ExpectAsync(HttpStatusCode.Created);
        var met = await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "FirstResponse" && c.Text("state") == "Met");
        // As if the reply had been stored before the conversation's start was handled: no clock had started yet.
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspace.WorkspaceId);
            await scope.ServiceProvider.GetRequiredService<AppDbContext>().SlaClocks.Where(c => c.ConversationId == conversationId).ExecuteDeleteAsync(Ct);
            await scope.ServiceProvider.GetServices<IDomainEventHandler<ConversationStarted>>().OfType<SyncSlaClocks>().Single()
                .HandleAsync(new ConversationStarted(workspace.WorkspaceId, conversationId, Guid.Empty, Guid.Empty, 1), Ct);
        }

        var clock = (await ClocksAsync(owner, conversationId)).Single(c => c.Text("metric") == "FirstResponse");
        Assert.Equal("Met", clock.Text("state"));
        Assert.Equal((Instant(measured, "startedAt"), Instant(met, "stoppedAt")), (Instant(clock, "startedAt"), Instant(clock, "stoppedAt")));
    }

    [Fact]
    public async Task FirstResponse_PolicyCoversTheConversationOnlyAfterTheReply_MeasuresNoFirstResponse()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await CreatePolicyAsync(owner, new { name = "Urgent only", priorities = UrgentOnly, firstResponseMinutes = 5, resolutionMinutes = 60 });
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("A small question");
        await owner.ReplyAsync(conversationId, "A small answer").ExpectAsync(HttpStatusCode.Created);
        await WaitForOutboxAsync(workspace.WorkspaceId);

        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/priority", new { priority = "Urgent" }).ExpectAsync(HttpStatusCode.OK);

        await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "Resolution" && c.Text("state") == "Running");
        Assert.DoesNotContain(await ClocksAsync(owner, conversationId), c => c.Text("metric") == "FirstResponse");
    }

    [Fact]
    public async Task Escalation_BreachDeliveredAgain_EscalatesOnce()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await CreatePolicyAsync(owner, new
        {
            name = "Chat promise", firstResponseMinutes = 10, escalation = new object[] { new { stage = "Breach", action = "RaisePriority", priority = "High" } },
        });
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Nobody answers");
        var clock = await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "FirstResponse");
        await TimerAt(Instant(clock, "startedAt").AddMinutes(11)).FireDueAsync(Ct);
        await Eventually.WaitUntilAsync(async () => (await ActivitiesAsync(owner, conversationId)).Any(a => a.StartsWith("SLA:", StringComparison.Ordinal)), "the breach escalated");
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/priority", new { priority = "Low" }).ExpectAsync(HttpStatusCode.OK);
        var breached = (await ClocksAsync(owner, conversationId)).Single(c => c.Text("metric") == "FirstResponse");

        // The outbox delivers at least once: the same event again, as after a crash before it was marked done.
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspace.WorkspaceId);
            await Handler<SlaBreached>(scope).HandleAsync(
                new SlaBreached(workspace.WorkspaceId, conversationId, breached.IdOf(), breached.GetProperty("policyId").GetGuid(), SlaMetric.FirstResponse, Instant(breached, "dueAt")),
                Ct);
        }

        Assert.Single(await ActivitiesAsync(owner, conversationId), a => a.StartsWith("SLA:", StringComparison.Ordinal));
        Assert.Equal("Low", (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).Text("priority"));
    }

    [Fact]
    public async Task Escalation_BreachWithAWebhook_IntegrationHearsTheBreachAndWhatTheEscalationDidOnceEach()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (webhook, _) = await WebhookTests.CreateWebhookAsync(owner, receiver, WebhookEvents.SlaBreached, WebhookEvents.ConversationEscalated);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await CreatePolicyAsync(owner, new
        {
            name = "Chat promise",
            firstResponseMinutes = 10,
            escalation = new object[] { new { stage = "Breach", action = "RaisePriority", priority = "Urgent" }, new { stage = "Breach", action = "NotifySupervisors" } },
        });
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Nobody answers");
        var clock = await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "FirstResponse");

        await TimerAt(Instant(clock, "startedAt").AddMinutes(11)).FireDueAsync(Ct);

        var received = await receiver.WaitForAsync(2, "the breach and the escalation reached the receiver");
        var breach = received.Single(r => r.Headers[WebhookSender.EventHeader] == WebhookEvents.SlaBreached).Json.GetProperty("data");
        Assert.Equal((conversationId, "FirstResponse", "Chat promise"), (breach.GetProperty("conversation").GetProperty("id").GetGuid(), breach.Text("metric"), breach.Text("policyName")));
        var escalation = received.Single(r => r.Headers[WebhookSender.EventHeader] == WebhookEvents.ConversationEscalated).Json.GetProperty("data");
        Assert.Equal(("Breach", "Urgent"), (escalation.Text("stage"), escalation.GetProperty("conversation").Text("priority")));
        Assert.Equal(["priority raised to Urgent", "supervisors notified"], escalation.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));

        // The outbox delivers at least once: the breach handled again tells nobody again.
        var breached = (await ClocksAsync(owner, conversationId)).Single(c => c.Text("metric") == "FirstResponse");
        var again = new SlaBreached(workspace.WorkspaceId, conversationId, breached.IdOf(), breached.GetProperty("policyId").GetGuid(), SlaMetric.FirstResponse, Instant(breached, "dueAt"));
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspace.WorkspaceId);
            foreach (var handler in scope.ServiceProvider.GetServices<IDomainEventHandler<SlaBreached>>())
            {
                await handler.HandleAsync(again, Ct);
            }
        }

        Assert.Equal(2, (await owner.GetJsonAsync($"/api/v1/webhooks/{webhook}/deliveries")).GetArrayLength());
    }

    [Fact]
    public async Task Escalation_ClockStoppedBeforeTheWarningIsHandled_EscalatesNothing()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await CreatePolicyAsync(owner, new
        {
            name = "Chat promise", firstResponseMinutes = 10, escalation = new object[] { new { stage = "Warning", action = "RaisePriority", priority = "Urgent" } },
        });
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Quick question");
        await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "FirstResponse");
        await owner.ReplyAsync(conversationId, "Sure, ask away").ExpectAsync(HttpStatusCode.Created);
        var met = await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "FirstResponse" && c.Text("state") == "Met");

        // A warning announced just before the reply, handled just after it.
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspace.WorkspaceId);
            await Handler<SlaWarned>(scope).HandleAsync(
                new SlaWarned(workspace.WorkspaceId, conversationId, met.IdOf(), met.GetProperty("policyId").GetGuid(), SlaMetric.FirstResponse, null), Ct);
        }

        Assert.DoesNotContain(await ActivitiesAsync(owner, conversationId), a => a.StartsWith("SLA:", StringComparison.Ordinal));
        Assert.Equal("None", (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).Text("priority"));
    }

    [Fact]
    public async Task Clock_BusinessHoursChangeWhileItRuns_FallsDueByTheNewHours()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await CreatePolicyAsync(owner, new { name = "Office hours", firstResponseMinutes = 30, businessHoursOnly = true });
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Hello?");
        var before = await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "FirstResponse" && c.Text("state") == "Running");

        // Open only on the day after next from now on, nine to five UTC: whatever was counted so far stays counted.
        var openDay = DateOnly.FromDateTime(Instant(before, "startedAt")).AddDays(2);
        await owner.PutJsonAsync("/api/v1/workspace", new
        {
            name = "Acme Support", timeZone = "UTC", businessHours = new[] { new { day = openDay.DayOfWeek.ToString(), opens = "09:00:00", closes = "17:00:00" } },
        }).ExpectAsync(HttpStatusCode.OK);

        var after = (await ClocksAsync(owner, conversationId)).Single(c => c.Text("metric") == "FirstResponse");
        var used = TimeSpan.FromMinutes(after.GetProperty("usedMinutes").GetDouble());
        Assert.InRange(Instant(after, "dueAt"), openDay.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc), openDay.ToDateTime(new TimeOnly(9, 30), DateTimeKind.Utc));
        Assert.Equal(openDay.ToDateTime(new TimeOnly(9, 30), DateTimeKind.Utc) - used, Instant(after, "dueAt"), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Clock_BusinessHoursPolicyOverAHoliday_IsDueInTheNextOpenPeriod()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        // Open on one weekday only, nine to five UTC; that day three days from now is a holiday, so the week after counts.
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var openDay = today.AddDays(3);
        await owner.PutJsonAsync("/api/v1/workspace", new
        {
            name = "Acme Support",
            timeZone = "UTC",
            businessHours = new[] { new { day = openDay.DayOfWeek.ToString(), opens = "09:00:00", closes = "17:00:00" } },
            holidays = new[] { openDay.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) },
        }).ExpectAsync(HttpStatusCode.OK);
        await CreatePolicyAsync(owner, new { name = "Office hours", firstResponseMinutes = 30, businessHoursOnly = true });
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        var (conversationId, _) = await visitor.StartConversationAsync("Hello?");

        var clock = await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "FirstResponse");
        Assert.Equal(openDay.AddDays(7).ToDateTime(new TimeOnly(9, 30), DateTimeKind.Utc), Instant(clock, "dueAt"));
        Assert.True(clock.GetProperty("businessHoursOnly").GetBoolean());
    }

    [Fact]
    public async Task Clock_PriorityRaisedToUrgent_FollowsTheStricterPolicy()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await CreatePolicyAsync(owner, new { name = "Urgent", priorities = UrgentOnly, firstResponseMinutes = 5 });
        await CreatePolicyAsync(owner, new { name = "Everyone else", firstResponseMinutes = 60 });
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Our site is down");
        var clock = await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "FirstResponse");
        Assert.Equal(("Everyone else", 60), (clock.Text("policyName"), clock.GetProperty("targetMinutes").GetInt32()));

        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/priority", new { priority = "Urgent" }).ExpectAsync(HttpStatusCode.OK);

        clock = await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "FirstResponse" && c.Text("policyName") == "Urgent");
        Assert.Equal(TimeSpan.FromMinutes(5), Instant(clock, "dueAt") - Instant(clock, "startedAt"));
    }

    [Fact]
    public async Task ResolutionClock_Snoozed_PausesAndRunsAgainWhenReopened()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await CreatePolicyAsync(owner, new { name = "Resolve within a day", resolutionMinutes = 24 * 60 });
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Please call me back tomorrow");
        await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "Resolution" && c.Text("state") == "Running");

        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Snoozed", snoozedUntil = DateTime.UtcNow.AddDays(1) })
            .ExpectAsync(HttpStatusCode.OK);
        var paused = await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "Resolution" && c.Text("state") == "Paused");
        Assert.Equal(JsonValueKind.Null, paused.GetProperty("dueAt").ValueKind);

        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Open" }).ExpectAsync(HttpStatusCode.OK);
        await WaitForClockAsync(owner, conversationId, c => c.Text("metric") == "Resolution" && c.Text("state") == "Running");
        Assert.Single(await ClocksAsync(owner, conversationId)); // the same cycle resumed, not a new one
    }

    [Fact]
    public async Task Policies_ReorderAndDelete_ApplyInTheNewOrder()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var first = await CreatePolicyAsync(owner, new { name = "First", firstResponseMinutes = 10 });
        var second = await CreatePolicyAsync(owner, new { name = "Second", firstResponseMinutes = 20 });

        var reordered = await owner.PutJsonAsync("/api/v1/sla/policies/order", new { policyIds = new[] { second.IdOf() } }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["Second", "First"], reordered.EnumerateArray().Select(p => p.Text("name")));

        await owner.DeleteAsync($"/api/v1/sla/policies/{second.IdOf()}", Ct).ExpectAsync(HttpStatusCode.NoContent);
        Assert.Equal([first.IdOf()], (await owner.GetJsonAsync("/api/v1/sla/policies")).EnumerateArray().Select(p => p.IdOf()));
    }

    [Theory]
    [InlineData("""{ "name": "No promise" }""", "firstResponseMinutes")]
    [InlineData("""{ "name": "Zero", "firstResponseMinutes": 0 }""", "firstResponseMinutes")]
    [InlineData("""{ "name": "Late warning", "firstResponseMinutes": 10, "warnAtPercent": 100 }""", "warnAtPercent")]
    [InlineData("""{ "name": "Nowhere", "firstResponseMinutes": 10, "escalation": [{ "stage": "Breach", "action": "MoveToTeam" }] }""", "escalation[0].teamId")]
    [InlineData("""{ "name": "Lower", "firstResponseMinutes": 10, "escalation": [{ "stage": "Breach", "action": "RaisePriority", "priority": "None" }] }""", "escalation[0].priority")]
    [InlineData("""{ "name": "Numeric priority", "firstResponseMinutes": 10, "priorities": [7] }""", "$.priorities[0]")]
    [InlineData("""{ "name": "Two priorities in one", "firstResponseMinutes": 10, "priorities": ["High, Low"] }""", "$.priorities[0]")]
    [InlineData("""{ "name": "", "firstResponseMinutes": 10 }""", "name")]
    public async Task CreatePolicy_InvalidField_Returns400NamingItAndCreatesNothing(string body, string field)
    {
        var (_, owner) = await NewWorkspaceAsync();

        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        await owner.PostAsync("/api/v1/sla/policies", content, Ct).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, field);

        Assert.Empty((await owner.GetJsonAsync("/api/v1/sla/policies")).EnumerateArray());
    }

    [Fact]
    public async Task CreatePolicy_TeamsOfAnotherWorkspace_Returns400AndCreatesNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, stranger) = await NewWorkspaceAsync();
        var theirs = await stranger.PostJsonAsync("/api/v1/teams", new { name = "Theirs" }).ExpectAsync(HttpStatusCode.Created);

        await owner.PostJsonAsync("/api/v1/sla/policies", new { name = "Covers theirs", firstResponseMinutes = 10, teamIds = new[] { theirs.IdOf() } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "teamIds");
        await owner.PostJsonAsync("/api/v1/sla/policies", new
        {
            name = "Escalates to theirs", firstResponseMinutes = 10, escalation = new[] { new { stage = "Breach", action = "MoveToTeam", teamId = theirs.IdOf() } },
        }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "escalation[0].teamId");

        Assert.Empty((await owner.GetJsonAsync("/api/v1/sla/policies")).EnumerateArray());
    }

    [Fact]
    public async Task CreatePolicy_AsAgent_Returns403()
    {
        var (workspace, _) = await NewWorkspaceAsync();
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);

        await agent.PostJsonAsync("/api/v1/sla/policies", new { name = "Mine", firstResponseMinutes = 10 }).ExpectProblemAsync(HttpStatusCode.Forbidden);
    }

    private static string Token(HttpClient client) => client.DefaultRequestHeaders.Authorization!.Parameter!;

    // The timer as the server runs it, reading the time from a clock the test moved on.
    private SlaTimer TimerAt(DateTime now) => new(
        Factory.Services.GetRequiredService<IServiceScopeFactory>(),
        Factory.Services.GetRequiredService<JobLeases>(),
        new FakeTimeProvider(new DateTimeOffset(now, TimeSpan.Zero)),
        Factory.Services.GetRequiredService<IConfiguration>(),
        NullLogger<SlaTimer>.Instance);

    [Fact]
    public async Task Report_OnePromiseKeptOneRunningLate_ComplianceIsHalfForThePolicysFirstResponse()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var policy = await CreatePolicyAsync(owner, new { name = "Chat promise", firstResponseMinutes = 10 });
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (kept, _) = await visitor.StartConversationAsync("Quick question");
        await WaitForClockAsync(owner, kept, c => c.Text("metric") == "FirstResponse");
        await owner.ReplyAsync(kept, "Quick answer").ExpectAsync(HttpStatusCode.Created);
        await WaitForClockAsync(owner, kept, c => c.Text("metric") == "FirstResponse" && c.Text("state") == "Met");
        using var other = await TestVisitor.StartAsync(Factory, inboxToken);
        var (broken, _) = await other.StartConversationAsync("Nobody answers");
        var clock = await WaitForClockAsync(owner, broken, c => c.Text("metric") == "FirstResponse");
        var breachedAt = Instant(clock, "startedAt").AddMinutes(11);
        await TimerAt(breachedAt).FireDueAsync(Ct);
        await WaitForClockAsync(owner, broken, c => c.Text("metric") == "FirstResponse" && c.GetProperty("breached").GetBoolean());

        // The late clock runs on (the contact still waits) and counts on the day of its breach: the period ends then.
        // Reports count the workspace's days: the breach's day is the one in its time zone, not in UTC.
        var zone = TimeZoneInfo.FindSystemTimeZoneById((await owner.GetJsonAsync("/api/v1/workspace")).Text("timeZone")!);
        var breachDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(breachedAt, DateTimeKind.Utc), zone));
        var period = $"days=2&to={breachDay:yyyy-MM-dd}";
        var report = await owner.GetJsonAsync($"/api/v1/reports/sla?{period}");

        var row = report.GetProperty("rows").EnumerateArray().Single();
        Assert.Equal((policy.IdOf(), "Chat promise", "FirstResponse"), (row.GetProperty("policyId").GetGuid(), row.Text("policyName"), row.Text("metric")));
        Assert.Equal((1, 1, 0.5), (row.GetProperty("met").GetInt32(), row.GetProperty("breached").GetInt32(), row.GetProperty("complianceRate").GetDouble()));
        Assert.Equal(0.5, report.GetProperty("complianceRate").GetDouble());
        var (otherInboxId, _) = await ChatSetup.CreateWidgetInboxAsync(owner, "Elsewhere");
        Assert.Empty((await owner.GetJsonAsync($"/api/v1/reports/sla?{period}&inboxId={otherInboxId}")).GetProperty("rows").EnumerateArray());
        var csv = (await owner.GetAsync($"/api/v1/reports/sla.csv?{period}", Ct).ExpectAsync(HttpStatusCode.OK)).GetString()!;
        Assert.Contains("Chat promise,FirstResponse,1,1,0.5", csv, StringComparison.Ordinal);
    }

    private static EscalateConversation Handler<TEvent>(AsyncServiceScope scope)
        where TEvent : IDomainEvent =>
        scope.ServiceProvider.GetServices<IDomainEventHandler<TEvent>>().OfType<EscalateConversation>().Single();

    // Sets a stopped clock running again from its start, as it stood before the event that stopped it was handled.
    private async Task RewindClockAsync(Guid workspaceId, Guid clockId, DateTime startedAt)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var rewound = await db.SlaClocks.Where(c => c.Id == clockId).ExecuteUpdateAsync(set => set
            .SetProperty(c => c.Outcome, (SlaOutcome?)null)
            .SetProperty(c => c.StoppedAt, (DateTime?)null)
            .SetProperty(c => c.UsedSeconds, 0)
            .SetProperty(c => c.RunningSince, startedAt)
            .SetProperty(c => c.WarnAt, startedAt.AddMinutes(8))
            .SetProperty(c => c.DueAt, startedAt.AddMinutes(10)), Ct);
        Assert.Equal(1, rewound);
    }

    private static Task<JsonElement> CreatePolicyAsync(HttpClient owner, object policy) =>
        owner.PostJsonAsync("/api/v1/sla/policies", policy).ExpectAsync(HttpStatusCode.Created);

    private static async Task<List<JsonElement>> ClocksAsync(HttpClient client, Guid conversationId) =>
        [.. (await client.GetJsonAsync($"/api/v1/conversations/{conversationId}/sla")).EnumerateArray()];

    // Clocks follow the conversation a moment after each change (from the outbox).
    private static async Task<JsonElement> WaitForClockAsync(HttpClient client, Guid conversationId, Func<JsonElement, bool> matches)
    {
        JsonElement found = default;
        await Eventually.WaitUntilAsync(async () =>
        {
            found = (await ClocksAsync(client, conversationId)).FirstOrDefault(matches);
            return found.ValueKind == JsonValueKind.Object;
        }, "the SLA clock is as expected");
        return found;
    }

    private static async Task<List<string>> ActivitiesAsync(HttpClient client, Guid conversationId) =>
        [.. (await client.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).EnumerateArray()
            .Where(m => m.Text("kind") == "Activity").Select(m => m.Text("text")!)];

    private static DateTime Instant(JsonElement clock, string property) => clock.GetProperty(property).GetDateTime().ToUniversalTime();
}

public sealed class SlaSqliteTests(SqliteApiFixture fixture) : SlaTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class SlaPostgresTests(PostgresApiFixture fixture) : SlaTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
