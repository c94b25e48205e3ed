using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Data;

/// <summary>
/// The outbox promise: an event is announced exactly when its change was committed, handlers that fail
/// are retried, a dead node's work is finished by another, and concurrent processors never share a message.
/// Runs against SQLite and PostgreSQL through the two derived classes below.
/// </summary>
public abstract class OutboxTests
{
    // Several poll intervals (the factory polls every 200 ms): long enough for a duplicate to show up.
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(1);

    private readonly InboxCreatedRecorder _recorder = new();

    protected abstract PorchlightFactory CreateFactory(Action<IServiceCollection> configureServices, IDictionary<string, string?>? settings = null);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Outbox_CommittedChange_DispatchesEventExactlyOnce()
    {
        await using var factory = StartFactory();
        var workspace = await factory.CreateWorkspaceAsync();

        var inboxId = await CreateInboxAsync(factory, workspace, "Website chat");

        await Eventually.WaitUntilAsync(async () => (await MessageForAsync(factory, inboxId))?.ProcessedAt is not null, "the InboxCreated message is processed");
        await Task.Delay(SettleTime, Ct);
        Assert.Equal(1, _recorder.CallsFor(inboxId));
        var message = await MessageForAsync(factory, inboxId);
        Assert.NotNull(message);
        Assert.Equal(1, message.Attempts);
        Assert.Null(message.LockedBy);
        Assert.Null(message.FailedAt);
    }

    [Fact]
    public async Task Outbox_ChangeRolledBack_DispatchesNothingAndLeavesNoRow()
    {
        await using var factory = StartFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        Guid rolledBackId;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspace.WorkspaceId);
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            var inbox = Inbox.Create(workspace.WorkspaceId, "Never saved", InboxChannel.Api, WidgetSettings.Default, false, "unused", now);
            rolledBackId = inbox.Id;
            db.Inboxes.Add(inbox);
            await db.SaveChangesAsync(Ct);
            // Inside the transaction the event row exists, next to the change...
            Assert.True(await db.OutboxMessages.AnyAsync(m => m.Payload.Contains(rolledBackId.ToString()), Ct));
            await transaction.RollbackAsync(Ct);
        }

        // ...and a later committed change acts as a barrier: once it is dispatched, the processor has run past.
        var committedId = await CreateInboxAsync(factory, workspace, "Committed");
        await Eventually.WaitUntilAsync(async () => (await MessageForAsync(factory, committedId))?.ProcessedAt is not null, "the committed event is processed");
        await Task.Delay(SettleTime, Ct);

        Assert.Equal(0, _recorder.CallsFor(rolledBackId));
        Assert.Equal(1, _recorder.CallsFor(committedId));
        Assert.Null(await MessageForAsync(factory, rolledBackId));
        await using var check = factory.Services.CreateAsyncScope();
        Assert.False(await check.ServiceProvider.GetRequiredService<AppDbContext>().Inboxes.IgnoreQueryFilters().AnyAsync(i => i.Id == rolledBackId, Ct));
    }

    [Fact]
    public async Task Outbox_HandlerFailsOnFirstAttempt_IsRetriedAndSucceeds()
    {
        _recorder.FailFirstAttempt = true;
        await using var factory = StartFactory();
        var workspace = await factory.CreateWorkspaceAsync();

        var inboxId = await CreateInboxAsync(factory, workspace, "Flaky");

        await Eventually.WaitUntilAsync(async () => (await MessageForAsync(factory, inboxId))?.ProcessedAt is not null, "the retried message is processed");
        var message = await MessageForAsync(factory, inboxId);
        Assert.NotNull(message);
        Assert.Equal(2, message.Attempts);
        Assert.NotNull(message.ProcessedAt);
        Assert.Null(message.FailedAt);
        Assert.Null(message.LockedBy);
        await Task.Delay(SettleTime, Ct);
        Assert.Equal(2, _recorder.CallsFor(inboxId));
    }

    [Fact]
    public async Task Outbox_HandlerAlwaysFails_GivesUpAfterMaxAttempts()
    {
        _recorder.AlwaysFail = true;
        await using var factory = StartFactory(new Dictionary<string, string?> { ["Outbox:MaxAttempts"] = "3" });
        var workspace = await factory.CreateWorkspaceAsync();

        var inboxId = await CreateInboxAsync(factory, workspace, "Broken");

        await Eventually.WaitUntilAsync(async () => (await MessageForAsync(factory, inboxId))?.FailedAt is not null, "the message is given up");
        await Task.Delay(SettleTime, Ct);
        var message = await MessageForAsync(factory, inboxId);
        Assert.Equal(3, message!.Attempts);
        Assert.Null(message.ProcessedAt);
        Assert.Null(message.LockedBy);
        Assert.Contains("Handler failed for inbox", message.LastError, StringComparison.Ordinal);
        Assert.Equal(3, _recorder.CallsFor(inboxId));
    }

    [Fact]
    public async Task Outbox_MessageClaimedByDeadNode_IsPickedUpAfterLeaseExpires()
    {
        await using var factory = StartFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        var abandonedId = Guid.CreateVersion7();
        var leasedId = Guid.CreateVersion7();
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
            // A node that died mid-dispatch: its lease ran out a minute ago.
            AddClaimedMessage(db, workspace.WorkspaceId, abandonedId, "dead", now.AddMinutes(-2), leaseUntil: now.AddMinutes(-1));
            // A node that is still working: its lease runs for another hour, so nobody else may touch it.
            AddClaimedMessage(db, workspace.WorkspaceId, leasedId, "alive", now.AddMinutes(-2), leaseUntil: now.AddHours(1));
            await db.SaveChangesAsync(Ct);
        }

        await Eventually.WaitUntilAsync(async () => (await MessageForAsync(factory, abandonedId))?.ProcessedAt is not null, "the abandoned message is processed");
        await Task.Delay(SettleTime, Ct);

        Assert.Equal(1, _recorder.CallsFor(abandonedId));
        var abandoned = await MessageForAsync(factory, abandonedId);
        Assert.Equal(1, abandoned!.Attempts);
        Assert.Null(abandoned.LockedBy);
        Assert.Equal(0, _recorder.CallsFor(leasedId));
        var leased = await MessageForAsync(factory, leasedId);
        Assert.Null(leased!.ProcessedAt);
        Assert.Equal("alive", leased.LockedBy);
    }

    [Fact]
    public async Task OutboxProcessor_TwoConcurrentPasses_HandleEachMessageOnce()
    {
        await using var factory = StartFactory();
        // Only the two processors below may dispatch, each acting as its own node.
        await factory.Services.GetRequiredService<OutboxProcessor>().StopAsync(Ct);
        var workspace = await factory.CreateWorkspaceAsync();
        var inboxIds = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            inboxIds.Add(await CreateInboxAsync(factory, workspace, $"Inbox {i}"));
        }

        int pending;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            pending = await scope.ServiceProvider.GetRequiredService<AppDbContext>().OutboxMessages.CountAsync(m => m.ProcessedAt == null, Ct);
        }

        Assert.True(pending >= inboxIds.Count, $"expected at least {inboxIds.Count} pending messages, found {pending}");
        var first = ActivatorUtilities.CreateInstance<OutboxProcessor>(factory.Services);
        var second = ActivatorUtilities.CreateInstance<OutboxProcessor>(factory.Services);
        var claimed = 0;
        for (var round = 0; round < 50; round++)
        {
            var passes = await Task.WhenAll(
                Task.Run(() => first.ProcessPendingAsync(Ct), Ct),
                Task.Run(() => second.ProcessPendingAsync(Ct), Ct));
            claimed += passes.Sum();
            if (passes.Sum() == 0)
            {
                break;
            }
        }

        Assert.Equal(pending, claimed);
        Assert.All(inboxIds, id => Assert.Equal(1, _recorder.CallsFor(id)));
        await using var check = factory.Services.CreateAsyncScope();
        var messages = await check.ServiceProvider.GetRequiredService<AppDbContext>().OutboxMessages.AsNoTracking().ToListAsync(Ct);
        Assert.All(messages, m =>
        {
            Assert.NotNull(m.ProcessedAt);
            Assert.Equal(1, m.Attempts);
        });
    }

    [Fact]
    public async Task OutboxProcessor_UrgentEventBehindOthers_IsDispatchedFirst()
    {
        // One message a pass; the processor's own loop is stopped once the workspace's events are out, so only the
        // pass below dispatches what is added (a loop woken by the commit could otherwise claim the urgent message
        // first and finish it after the pass below finished the older one).
        await using var factory = StartFactory(new Dictionary<string, string?> { ["Outbox:BatchSize"] = "1" });
        var workspace = await factory.CreateWorkspaceAsync();
        await Eventually.WaitUntilAsync(async () => (await PendingAsync(factory)).Count == 0, "the workspace's own events are dispatched");
        var processor = factory.Services.GetServices<IHostedService>().OfType<OutboxProcessor>().Single();
        await processor.StopAsync(Ct);
        var now = DateTime.UtcNow;
        Guid olderId;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var older = OutboxMessage.Create(workspace.WorkspaceId, nameof(InboxCreated),
                JsonSerializer.Serialize(new InboxCreated(workspace.WorkspaceId, Guid.NewGuid(), InboxChannel.Api), DomainEventRegistry.Json), now.AddMinutes(-1));
            // A new conversation that no longer exists: its handlers find nothing to do.
            var urgent = OutboxMessage.Create(workspace.WorkspaceId, nameof(ConversationStarted),
                JsonSerializer.Serialize(new ConversationStarted(workspace.WorkspaceId, Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), 1), DomainEventRegistry.Json), now);
            db.OutboxMessages.AddRange(older, urgent);
            await db.SaveChangesAsync(Ct);
            olderId = older.Id;
        }

        Assert.Equal(1, await processor.ProcessPendingAsync(Ct));
        Assert.Equal([olderId], await PendingAsync(factory));
        Assert.Equal(1, await processor.ProcessPendingAsync(Ct));
        Assert.Empty(await PendingAsync(factory));
    }

    private static async Task<List<Guid>> PendingAsync(PorchlightFactory factory)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().OutboxMessages.Where(m => m.ProcessedAt == null).Select(m => m.Id).ToListAsync(Ct);
    }

    private PorchlightFactory StartFactory(IDictionary<string, string?>? settings = null) => CreateFactory(
        services => services
            .AddSingleton(_recorder)
            .AddDomainEventHandler<InboxCreated, RecordingInboxCreatedHandler>(),
        settings);

    private static async Task<Guid> CreateInboxAsync(PorchlightFactory factory, TestWorkspace workspace, string name)
    {
        using var client = factory.CreateApiClient(workspace.OwnerToken);
        var response = await client.PostAsJsonAsync("/api/v1/inboxes", new { name, channel = "Api" }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return body.GetProperty("id").GetGuid();
    }

    private static async Task<OutboxMessage?> MessageForAsync(PorchlightFactory factory, Guid inboxId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var id = inboxId.ToString();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().OutboxMessages.AsNoTracking()
            .SingleOrDefaultAsync(m => m.Type == nameof(InboxCreated) && m.Payload.Contains(id), Ct);
    }

    private static void AddClaimedMessage(AppDbContext db, Guid workspaceId, Guid inboxId, string node, DateTime occurredAt, DateTime leaseUntil)
    {
        var payload = JsonSerializer.Serialize(new InboxCreated(workspaceId, inboxId, InboxChannel.Api), DomainEventRegistry.Json);
        var message = OutboxMessage.Create(workspaceId, nameof(InboxCreated), payload, occurredAt);
        var entry = db.OutboxMessages.Add(message);
        entry.Property(m => m.LockedBy).CurrentValue = node;
        entry.Property(m => m.LockedUntil).CurrentValue = leaseUntil;
    }
}

public sealed class SqliteOutboxTests : OutboxTests
{
    protected override PorchlightFactory CreateFactory(Action<IServiceCollection> configureServices, IDictionary<string, string?>? settings = null) =>
        new(TestDatabase.Sqlite, settings: settings, configureServices: configureServices);
}

public sealed class PostgresOutboxTests(PostgresServer postgres) : OutboxTests
{
    protected override PorchlightFactory CreateFactory(Action<IServiceCollection> configureServices, IDictionary<string, string?>? settings = null) =>
        new(TestDatabase.Postgres, postgres, settings, configureServices);
}
