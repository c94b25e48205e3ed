using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Reports;
using Porchlight.Server.Features.Webhooks;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Features.Email;
using Porchlight.Server.Tests.Features.Webhooks;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Reports;

/// <summary>
/// The weekly digest: sent once per week, after it ends, to the agents who asked for it and may read the reports and
/// to the webhooks subscribed to it, with the week's figures; an agent without report access cannot ask for it.
/// </summary>
public sealed class WeeklyDigestTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Digest_AWeekEnds_SentOnceToWhoAskedWithTheWeeksFigures()
    {
        await using var smtp = new LoopbackSmtpServer();
        var clock = new ShiftedClock();
        await using var factory = new PorchlightFactory(
            settings: smtp.Settings("Porchlight <reports@acme.test>"), configureServices: services => services.AddSingleton<TimeProvider>(new StorageClock(clock)));
        var workspace = await factory.CreateWorkspaceAsync("Acme Support");
        using var owner = factory.CreateApiClient(workspace.OwnerToken);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using (var visitor = await TestVisitor.StartAsync(factory, inboxToken))
        {
            var (conversationId, _) = await visitor.StartConversationAsync("Where is my parcel?");
            await owner.ReplyAsync(conversationId, "On its way.").ExpectAsync(HttpStatusCode.Created);
            await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        }

        using var agent = factory.CreateApiClient((await factory.AddAgentAsync(workspace.WorkspaceId, AgentRole.Agent)).Token);
        await agent.PutJsonAsync("/api/v1/me/alerts", new { weeklyDigest = true }).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var preference = await owner.PutJsonAsync("/api/v1/me/alerts", new { weeklyDigest = true }).ExpectAsync(HttpStatusCode.OK);
        Assert.True(preference.GetProperty("weeklyDigest").GetBoolean());
        var thisWeek = ReportPeriods.WeekOf(TestWorkspace.Today(clock));
        await Eventually.WaitUntilAsync(
            async () => (await owner.GetJsonAsync($"/api/v1/reports/digest?week={thisWeek:yyyy-MM-dd}")).Text("text")!.Contains("Resolved: 1,", StringComparison.Ordinal),
            "the week's digest counts the resolve");

        var digests = factory.Services.GetRequiredService<WeeklyDigest>();
        var beforeTheWeekEnds = await digests.SendDueAsync(Ct); // last week's digest: nothing happened then, but it is sent
        clock.Advance(TimeSpan.FromDays(7));
        var afterTheWeekEnds = await digests.SendDueAsync(Ct);
        var again = await digests.SendDueAsync(Ct);

        Assert.Equal((1, 1, 0), (beforeTheWeekEnds, afterTheWeekEnds, again));
        var mail = smtp.Messages[^1];
        Assert.Contains($"To: {workspace.OwnerEmail}", mail, StringComparison.Ordinal);
        Assert.Contains("Subject: [Acme Support] Your week in support", mail, StringComparison.Ordinal);
        Assert.Contains("Conversations: 1 (the week before: 0)", mail, StringComparison.Ordinal);
        Assert.Contains("/reports?view=insights", mail, StringComparison.Ordinal);
        Assert.Equal(2, smtp.Messages.Count);
    }

    [Fact]
    public async Task Digest_AWebhookSubscribes_DeliveredOncePerWeekWithTheFigures()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var clock = new ShiftedClock();
        await using var factory = new PorchlightFactory(configureServices: services => services.AddSingleton<TimeProvider>(new StorageClock(clock)));
        var workspace = await factory.CreateWorkspaceAsync("Acme Support");
        using var owner = factory.CreateApiClient(workspace.OwnerToken);
        var (webhookId, _) = await WebhookTests.CreateWebhookAsync(owner, receiver, WebhookEvents.WeeklyDigest);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using (var visitor = await TestVisitor.StartAsync(factory, inboxToken))
        {
            var (conversationId, _) = await visitor.StartConversationAsync("Where is my parcel?");
            await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        }

        var thisWeek = ReportPeriods.WeekOf(TestWorkspace.Today(clock));
        await Eventually.WaitUntilAsync(
            async () => (await owner.GetJsonAsync($"/api/v1/reports/digest?week={thisWeek:yyyy-MM-dd}")).GetProperty("figures").GetProperty("resolvedConversations").GetInt32() == 1,
            "the week's digest counts the resolve");

        var digests = factory.Services.GetRequiredService<WeeklyDigest>();
        var beforeTheWeekEnds = await digests.SendDueAsync(Ct);
        clock.Advance(TimeSpan.FromDays(7));
        var afterTheWeekEnds = await digests.SendDueAsync(Ct);
        var again = await digests.SendDueAsync(Ct);

        Assert.Equal((1, 1, 0), (beforeTheWeekEnds, afterTheWeekEnds, again));
        var received = await receiver.WaitForAsync(2, "both weeks' digests reached the receiver");
        var digest = received.Single(r => r.Json.GetProperty("data").Text("week") == $"{thisWeek:yyyy-MM-dd}").Json;
        Assert.Equal(WebhookEvents.WeeklyDigest, digest.Text("event"));
        var data = digest.GetProperty("data");
        Assert.Equal((1, 0), (data.GetProperty("figures").GetProperty("conversations").GetInt32(), data.GetProperty("previous").GetProperty("conversations").GetInt32()));
        Assert.Contains("Conversations: 1 (the week before: 0)", data.Text("text"), StringComparison.Ordinal);
        Assert.Equal(2, (await owner.GetJsonAsync($"/api/v1/webhooks/{webhookId}/deliveries")).GetArrayLength());
    }
}
