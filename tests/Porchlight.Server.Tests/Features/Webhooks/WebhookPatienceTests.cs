using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Webhooks;
using Porchlight.Server.Hosting;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Email;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Webhooks;

/// <summary>
/// How long and how often a failing receiver is tried, on a clock the test moves: retries back off with jitter up
/// to a cap and then give up; a failing receiver untried for a minute is probed; a receiver failing for a day gets
/// its webhook switched off with a notice to the admins; a receiver back from an outage gets what waited at once,
/// each conversation's deliveries in order.
/// The server's own sender runs on real time and leaves these deliveries alone: they are due a month from now.
/// </summary>
public sealed class WebhookPatienceTests(WebhookPatienceFixture fixture) : ApiTestBase(fixture.Factory), IClassFixture<WebhookPatienceFixture>
{
    private static readonly WebhookOptions Defaults = new();

    [Fact]
    public async Task Sender_ReceiverAlwaysFails_RetriesDoubleFromThirtySecondsToAnHourWithJitterThenTheDeliveryIsDead()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(30));
        var sender = SenderAt(clock, maxAttempts: 15);
        var (workspace, owner) = await NewWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync(500);
        var (webhook, _) = await WebhookTests.CreateWebhookAsync(owner, receiver, WebhookEvents.ConversationCreated);
        var deliveryId = await AddDeliveryAsync(workspace.WorkspaceId, webhook, Guid.NewGuid(), clock);
        var firstAttemptAt = clock.GetUtcNow().UtcDateTime;
        var cappedDelays = new List<TimeSpan>();

        for (var attempt = 1; attempt < 15; attempt++)
        {
            Assert.Equal(1, await sender.SendDueAsync(Ct));
            var delivery = await ReadAsync(deliveryId);
            Assert.Equal((WebhookDeliveryState.Pending, attempt, 500), (delivery.State, delivery.Attempts, delivery.LastStatusCode));
            var delay = delivery.NextAttemptAt - delivery.LastAttemptAt!.Value;
            var doubled = TimeSpan.FromTicks(Math.Min(TimeSpan.FromHours(1).Ticks, TimeSpan.FromSeconds(30).Ticks << (attempt - 1)));
            Assert.InRange(delay, doubled * 0.8, doubled * 1.2);
            if (doubled == TimeSpan.FromHours(1))
            {
                cappedDelays.Add(delay);
            }

            clock.SetUtcNow(new DateTimeOffset(delivery.NextAttemptAt.AddSeconds(-1), TimeSpan.Zero));
            Assert.Equal(0, await sender.SendDueAsync(Ct));
            clock.SetUtcNow(new DateTimeOffset(delivery.NextAttemptAt, TimeSpan.Zero));
        }

        Assert.Equal(1, await sender.SendDueAsync(Ct));
        var dead = await ReadAsync(deliveryId);
        Assert.Equal((WebhookDeliveryState.Dead, 15), (dead.State, dead.Attempts));
        Assert.True(cappedDelays.Distinct().Count() > 1, "Retries at the cap are spread, not all at the same moment.");
        Assert.Equal(15, receiver.Received.Count);
        Assert.Single(receiver.Received.Select(r => r.Headers[WebhookSender.IdHeader]).Distinct());
        // About nine hours of trying: less than the day a receiver may fail before its webhook is switched off.
        var subscription = await owner.GetJsonAsync($"/api/v1/webhooks/{webhook}");
        Assert.True(subscription.GetProperty("isActive").GetBoolean());
        Assert.Equal(firstAttemptAt, subscription.GetProperty("failingSince").GetDateTime().ToUniversalTime(), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Sender_ReceiverFailsForADay_WebhookSwitchedOffAdminsEmailedAndDeliveriesWaitUntilItIsOnAgain()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(30));
        var sender = SenderAt(clock, maxAttempts: 100);
        var (workspace, owner) = await NewWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync(503);
        var (webhook, _) = await WebhookTests.CreateWebhookAsync(owner, receiver, WebhookEvents.ConversationCreated);
        var deliveryId = await AddDeliveryAsync(workspace.WorkspaceId, webhook, Guid.NewGuid(), clock);
        var firstAttemptAt = clock.GetUtcNow().UtcDateTime;

        var attempts = 0;
        while ((await owner.GetJsonAsync($"/api/v1/webhooks/{webhook}")).GetProperty("isActive").GetBoolean())
        {
            Assert.True(++attempts < 50, "The webhook is switched off within a day and a retry.");
            Assert.Equal(1, await sender.SendDueAsync(Ct));
            clock.SetUtcNow(new DateTimeOffset((await ReadAsync(deliveryId)).NextAttemptAt, TimeSpan.Zero));
        }

        var waiting = await ReadAsync(deliveryId);
        Assert.InRange(waiting.LastAttemptAt!.Value - firstAttemptAt, Defaults.DisableAfter, Defaults.DisableAfter + (Defaults.MaxRetryDelay * 1.2));
        Assert.Equal(WebhookDeliveryState.Pending, waiting.State);
        var off = await owner.GetJsonAsync($"/api/v1/webhooks/{webhook}");
        Assert.Contains("503", off.Text("disabledReason"), StringComparison.Ordinal);
        Assert.Equal(waiting.LastAttemptAt.Value, off.GetProperty("disabledAt").GetDateTime().ToUniversalTime(), TimeSpan.FromSeconds(1));
        var notice = await Eventually.ValueAsync(
            () => Task.FromResult(fixture.Smtp.Messages.FirstOrDefault(m => m.Contains(workspace.OwnerEmail, StringComparison.OrdinalIgnoreCase))),
            m => m is not null, "the owner was emailed");
        Assert.Contains("Webhook switched off: Operations", notice, StringComparison.Ordinal);
        // Switched off, its deliveries are not tried (so they do not give up) until a person switches it on.
        Assert.Equal(0, await sender.SendDueAsync(Ct));
        receiver.AnswerFromNowOn(200);

        var on = await owner.PutJsonAsync($"/api/v1/webhooks/{webhook}", new { url = receiver.Url.ToString(), events = new[] { WebhookEvents.ConversationCreated }, isActive = true })
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal((System.Text.Json.JsonValueKind.Null, System.Text.Json.JsonValueKind.Null, System.Text.Json.JsonValueKind.Null),
            (on.GetProperty("disabledAt").ValueKind, on.GetProperty("disabledReason").ValueKind, on.GetProperty("failingSince").ValueKind));
        Assert.Equal(1, await sender.SendDueAsync(Ct));
        Assert.Equal(WebhookDeliveryState.Delivered, (await ReadAsync(deliveryId)).State);
    }

    [Fact]
    public async Task Sender_ReceiverBackAfterAnOutage_WaitingRetriesGoAtOnceAndEachConversationInOrder()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(30));
        var sender = SenderAt(clock, maxAttempts: 15);
        var (workspace, owner) = await NewWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync(502);
        var (webhook, _) = await WebhookTests.CreateWebhookAsync(owner, receiver, WebhookEvents.ConversationCreated);
        var (conversationA, conversationB) = (Guid.NewGuid(), Guid.NewGuid());
        var firstOfA = await AddDeliveryAsync(workspace.WorkspaceId, webhook, conversationA, clock);
        var secondOfA = await AddDeliveryAsync(workspace.WorkspaceId, webhook, conversationA, clock);
        var onlyOfB = await AddDeliveryAsync(workspace.WorkspaceId, webhook, conversationB, clock);

        // The second of A waits behind the first; B has its own line.
        Assert.Equal(2, await sender.SendDueAsync(Ct));
        Assert.Equal(0, (await ReadAsync(secondOfA)).Attempts);
        clock.Advance(TimeSpan.FromSeconds(5));
        receiver.AnswerFromNowOn(204);
        var fresh = await AddDeliveryAsync(workspace.WorkspaceId, webhook, Guid.NewGuid(), clock);

        // The fresh one is accepted: the receiver is back, so the backed-off retries are due now, not in half a minute.
        Assert.Equal(1, await sender.SendDueAsync(Ct));
        Assert.Equal(2, await sender.SendDueAsync(Ct));
        Assert.Equal(1, await sender.SendDueAsync(Ct));

        foreach (var id in new[] { firstOfA, secondOfA, onlyOfB, fresh })
        {
            Assert.Equal(WebhookDeliveryState.Delivered, (await ReadAsync(id)).State);
        }

        var accepted = receiver.Received.Skip(2).Select(r => Guid.Parse(r.Headers[WebhookSender.IdHeader])).ToList();
        Assert.Equal(fresh, accepted[0]);
        Assert.True(accepted.IndexOf(firstOfA) < accepted.IndexOf(secondOfA), "A's deliveries arrive in the order they were written.");
        Assert.Equal(JsonNull, (await owner.GetJsonAsync($"/api/v1/webhooks/{webhook}")).GetProperty("failingSince").ValueKind);
    }

    [Fact]
    public async Task Sender_FailingReceiverUntriedForAMinute_ItsOldestDeliveryIsProbedWithoutCostingAnAttempt()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(30));
        var sender = SenderAt(clock, maxAttempts: 15, probing: true);
        var (workspace, owner) = await NewWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync(503);
        var (webhook, _) = await WebhookTests.CreateWebhookAsync(owner, receiver, WebhookEvents.ConversationCreated);
        var deliveryId = await AddDeliveryAsync(workspace.WorkspaceId, webhook, Guid.NewGuid(), clock);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            clock.SetUtcNow(new DateTimeOffset((await ReadAsync(deliveryId)).NextAttemptAt, TimeSpan.Zero));
            Assert.Equal(1, await sender.SendDueAsync(Ct));
        }

        // Three failures: the next retry is two minutes (give or take a fifth) away, more than the probe's minute.
        var backedOff = await ReadAsync(deliveryId);
        Assert.True(backedOff.NextAttemptAt > backedOff.LastAttemptAt!.Value.AddSeconds(90), $"next at {backedOff.NextAttemptAt:O}");
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, await sender.SendDueAsync(Ct));
        clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(1, await sender.SendDueAsync(Ct));

        var probed = await ReadAsync(deliveryId);
        Assert.Equal((WebhookDeliveryState.Pending, 3, backedOff.NextAttemptAt, 503), (probed.State, probed.Attempts, probed.NextAttemptAt, probed.LastStatusCode));
        Assert.Equal(clock.GetUtcNow().UtcDateTime, probed.LastAttemptAt!.Value, TimeSpan.FromSeconds(1));
        Assert.Equal(4, receiver.Received.Count);
        receiver.AnswerFromNowOn(204);
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(1, await sender.SendDueAsync(Ct));
        Assert.Equal((WebhookDeliveryState.Delivered, 4), ((await ReadAsync(deliveryId)).State, (await ReadAsync(deliveryId)).Attempts));
    }

    private const System.Text.Json.JsonValueKind JsonNull = System.Text.Json.JsonValueKind.Null;

    // The server's sender as configured by default, on the test's clock; without probes unless asked, so each
    // attempt is the back-off's.
    private WebhookSender SenderAt(FakeTimeProvider clock, int maxAttempts, bool probing = false) => new(
        Factory.Services.GetRequiredService<IServiceScopeFactory>(),
        Factory.Services.GetRequiredService<IHttpClientFactory>(),
        Factory.Services.GetRequiredService<WebhookSecrets>(),
        clock,
        Options.Create(new WebhookOptions { MaxAttempts = maxAttempts, ProbeInterval = probing ? Defaults.ProbeInterval : TimeSpan.FromDays(2) }),
        Factory.Services.GetRequiredService<PorchlightMetrics>(),
        NullLogger<WebhookSender>.Instance);

    private async Task<Guid> AddDeliveryAsync(Guid workspaceId, Guid webhook, Guid conversationId, FakeTimeProvider clock)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var id = TimeOrderedIds.Next();
        db.WebhookDeliveries.Add(WebhookDelivery.Create(
            workspaceId, webhook, id, WebhookEvents.ConversationCreated, $$"""{"id":"{{id}}"}""", sourceKey: null, conversationId, clock.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(Ct);
        return id;
    }

    private async Task<WebhookDelivery> ReadAsync(Guid deliveryId)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().WebhookDeliveries.IgnoreQueryFilters().AsNoTracking()
            .SingleAsync(d => d.Id == deliveryId, Ct);
    }
}

/// <summary>A server whose email goes to a loopback SMTP server, so the notice to admins can be read.</summary>
public sealed class WebhookPatienceFixture : IAsyncDisposable
{
    public WebhookPatienceFixture() => Factory = new PorchlightFactory(settings: Smtp.Settings("Porchlight <porchlight@acme.test>"));

    public LoopbackSmtpServer Smtp { get; } = new();

    public PorchlightFactory Factory { get; }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}
