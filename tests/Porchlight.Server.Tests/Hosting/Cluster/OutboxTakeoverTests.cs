using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Webhooks;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Hosting.Cluster;

/// <summary>
/// A node dies in the middle of the outbox's work, with events claimed and webhooks on the wire: the other nodes
/// take over what it left once its leases run out, and every event reaches its receiver at least once, always under
/// one delivery id, so a receiver that de-duplicates by that id sees each event exactly once.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class OutboxTakeoverTests(ClusterFixture cluster)
{
    private const int Conversations = 12;

    private static readonly string StatusChanged = DomainEventRegistry.NameOf(typeof(ConversationStatusChanged));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Outbox_NodeKilledMidBatch_AnotherNodeFinishesWithEveryDeliveryOnceByItsId()
    {
        // Node C gives up its claims soon when it dies: outbox messages after 5 s, webhook deliveries after two
        // timeouts of 3 s (and a send that timed out is tried again a second later rather than half a minute).
        var startingC = cluster.StartNodeAsync(settings: ["--Outbox:Lease=00:00:05", "--Webhooks:Timeout=00:00:03", "--Webhooks:RetryDelay=00:00:01"]);
        var setUpFrom = DateTime.UtcNow;
        using var ownerOnA = cluster.Owner(cluster.NodeA);
        var inbox = (await ownerOnA.PostJsonAsync("/api/v1/inboxes", new { name = "Outbox takeover", channel = "Api" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        var conversationIds = new List<Guid>();
        for (var i = 0; i < Conversations; i++)
        {
            var started = await ownerOnA.PostJsonAsync($"/api/v1/inboxes/{inbox}/conversations",
                new { clientId = TestVisitor.NewClientId(), text = "Hello", contact = new { externalId = $"takeover-{Guid.NewGuid():N}" } }).ExpectAsync(HttpStatusCode.Created);
            conversationIds.Add(started.GetProperty("conversation").IdOf());
        }

        await using var receiver = await WebhookReceiver.StartAsync();
        var webhook = (await ownerOnA.PostJsonAsync("/api/v1/webhooks", new { url = receiver.Url.ToString(), events = new[] { WebhookEvents.ConversationStatusChanged } })
            .ExpectAsync(HttpStatusCode.Created)).IdOf();
        var nodeC = await startingC;
        await using var db = cluster.NewDbContext();
        await Eventually.WaitUntilAsync(async () =>
            !await db.OutboxMessages.AnyAsync(m => m.OccurredAt >= setUpFrom && m.ProcessedAt == null, Ct)
            && await db.ReportFacts.Where(f => conversationIds.Contains(f.ConversationId)).Select(f => f.ConversationId).Distinct().CountAsync(Ct) == Conversations,
            "the new conversations' events are handled and their report facts written");

        // A node refreshes a conversation's report facts after it wrote the webhook delivery of its status change: with
        // the facts held here, a node dispatching the change has written its delivery and waits to finish the event.
        var firstHalf = conversationIds.GetRange(0, Conversations / 2);
        var secondHalf = conversationIds.GetRange(Conversations / 2, Conversations / 2);
        await using var firstHalfHeld = await HoldReportFactsAsync(firstHalf);
        await using var secondHalfHeld = await HoldReportFactsAsync(secondHalf);
        using var ownerOnC = cluster.Owner(nodeC);
        var producedFrom = DateTime.UtcNow;
        foreach (var conversationId in conversationIds)
        {
            await ownerOnC.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Pending" }).ExpectAsync(HttpStatusCode.OK);
        }

        // Node C waits on the first change it claimed, the others wait for it. Once what was written so far is
        // delivered, the receiver keeps what it is sent unanswered and the first half goes: node C finishes a batch of
        // changes and stops at the first one of the second half, with deliveries on the wire.
        await Eventually.ValueAsync(() => db.WebhookDeliveries.Where(d => d.SubscriptionId == webhook).Select(d => d.State).ToListAsync(Ct),
            states => states.Count > 0 && states.TrueForAll(state => state == WebhookDeliveryState.Delivered),
            "the first changes claimed have their deliveries written, and delivered");
        receiver.Hold();
        await firstHalfHeld.Database.RollbackTransactionAsync(Ct);
        var nodeCs = $"{Environment.MachineName}:{nodeC.ProcessId}:";
        var (claimedByC, sendingByC) = await Eventually.ValueAsync(async () =>
        {
            var claimed = await ClaimedByAsync(db, nodeCs, webhook, secondHalf);
            var seen = receiver.Received.Select(r => r.Headers[WebhookSender.IdHeader]).ToHashSet();
            var sending = await db.WebhookDeliveries.Where(d => d.SubscriptionId == webhook && d.State == WebhookDeliveryState.Pending && d.LockedBy!.StartsWith(nodeCs))
                .Select(d => d.Id).ToListAsync(Ct);
            return (Claimed: claimed.FirstOrDefault(), Sending: sending.Find(id => seen.Contains(id.ToString())));
        }, found => found.Claimed != Guid.Empty && found.Sending != Guid.Empty,
            "node C has claimed a change of the second half, and waits for the receiver's answer to a delivery it sent");
        var finishedBeforeTheKill = await db.OutboxMessages.CountAsync(m => m.Type == StatusChanged && m.OccurredAt >= producedFrom && m.ProcessedAt != null, Ct);

        await nodeC.KillAsync();
        var killedAt = DateTime.UtcNow;
        receiver.AnswerHeld();
        await secondHalfHeld.Database.RollbackTransactionAsync(Ct);

        // Nodes A and B finish: what node C never claimed at once, what it held once its leases have run out.
        var events = await Eventually.ValueAsync(
            () => db.OutboxMessages.AsNoTracking().Where(m => m.Type == StatusChanged && m.OccurredAt >= producedFrom).ToListAsync(Ct),
            all => all.Count == Conversations && all.TrueForAll(m => m.ProcessedAt != null), "every status change is handled", TimeSpan.FromSeconds(40));
        var deliveries = await Eventually.ValueAsync(
            () => db.WebhookDeliveries.AsNoTracking().Where(d => d.SubscriptionId == webhook).ToListAsync(Ct),
            all => all.Count >= Conversations && all.TrueForAll(d => d.State == WebhookDeliveryState.Delivered), "every delivery is accepted", TimeSpan.FromSeconds(40));
        Assert.InRange(finishedBeforeTheKill, 1, Conversations - 1); // the node died mid-batch: some changes done, others not

        // The database: each change handled once, at its first attempt, and reported by one delivery, all accepted.
        Assert.Equal(conversationIds.Order(), events.Select(m => ConversationOf(m.Payload)).Order());
        Assert.All(events, m => Assert.Equal((1, (DateTime?)null, (string?)null, (string?)null), (m.Attempts, m.FailedAt, m.LastError, m.LockedBy)));
        Assert.True(events.Single(m => m.Id == claimedByC).ProcessedAt > killedAt, "the change node C held when it died is finished by another node");
        Assert.Equal(conversationIds.Order(), deliveries.Select(d => d.OrderingKey).Order());
        Assert.All(deliveries, d => Assert.Null(d.LockedBy));
        Assert.True(deliveries.Single(d => d.Id == sendingByC).LastAttemptAt > killedAt, "the delivery node C was sending when it died is sent again by another node");

        // The receiver: every change at least once, the delivery on the wire when node C died more than once, and each
        // change always under one delivery id with the same body, so de-duplicating by the id leaves each exactly once.
        var received = receiver.Received.Select(r => (Id: Guid.Parse(r.Headers[WebhookSender.IdHeader]), r.Body, r.Json)).ToList();
        Assert.All(received, r => Assert.Equal(r.Id, r.Json.GetProperty("id").GetGuid()));
        Assert.True(received.Count(r => r.Id == sendingByC) >= 2, "the delivery on the wire when node C died reached the receiver again");
        var byChange = received.GroupBy(r => r.Json.GetProperty("data").GetProperty("conversation").IdOf()).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(conversationIds.Order(), byChange.Keys.Order());
        Assert.All(byChange.Values, copies => Assert.Single(copies.Select(c => (c.Id, c.Body)).Distinct()));
        var deduplicated = received.DistinctBy(r => r.Id).ToList();
        Assert.Equal(deliveries.Select(d => d.Id).Order(), deduplicated.Select(r => r.Id).Order());
        Assert.All(deduplicated, r => Assert.Equal(("Open", "Pending"), (r.Json.GetProperty("data").Text("from"), r.Json.GetProperty("data").Text("to"))));
    }

    // The status changes of these conversations that the node claimed and has not finished, with their delivery written.
    private static async Task<List<Guid>> ClaimedByAsync(PostgresAppDbContext db, string node, Guid webhook, List<Guid> conversationIds)
    {
        var claimed = (await db.OutboxMessages.Where(m => m.Type == StatusChanged && m.LockedBy!.StartsWith(node) && m.ProcessedAt == null)
                .Select(m => new { m.Id, m.Payload }).ToListAsync(Ct))
            .ConvertAll(m => (m.Id, ConversationId: ConversationOf(m.Payload)));
        var about = claimed.ConvertAll(m => m.ConversationId);
        var written = await db.WebhookDeliveries.Where(d => d.SubscriptionId == webhook && about.Contains(d.OrderingKey)).Select(d => d.OrderingKey).ToListAsync(Ct);
        return [.. claimed.Where(m => written.Contains(m.ConversationId) && conversationIds.Contains(m.ConversationId)).Select(m => m.Id)];
    }

    private static Guid ConversationOf(string payload) => JsonDocument.Parse(payload).RootElement.GetProperty("conversationId").GetGuid();

    // Holds the report facts of these conversations, as a long write would, until the transaction ends (rolled back,
    // or with the context at the latest).
    private async Task<PostgresAppDbContext> HoldReportFactsAsync(List<Guid> conversationIds)
    {
        var db = cluster.NewDbContext();
        await db.Database.BeginTransactionAsync(Ct);
        var ids = conversationIds.ToArray();
        await db.Database.ExecuteSqlAsync($"""SELECT 1 FROM "ReportFacts" WHERE "ConversationId" = ANY({ids}) FOR UPDATE""", Ct);
        return db;
    }
}
