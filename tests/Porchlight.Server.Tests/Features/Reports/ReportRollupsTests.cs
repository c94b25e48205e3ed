using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Assistant;
using Porchlight.Server.Features.Contacts;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Reports;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Reports;

/// <summary>
/// The rollups the reports read are kept up to date piece by piece, as the event log grows; whatever order the entries
/// arrive in and however the refreshes and rollups interleave, they end up exactly what a full recomputation of every
/// conversation's log gives.
/// </summary>
public abstract class ReportRollupsTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    // Days around the night Berlin's clocks go forward (29 March 2026), so days in the workspace's zone differ from UTC days.
    private static readonly DateTime HistoryStart = new(2026, 3, 27, 18, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task Rollups_RandomHistoriesArrivingInPiecesAndOutOfOrder_EqualAFullRecomputation(int seed)
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        await owner.PutJsonAsync("/api/v1/workspace", new
        {
            name = "Acme Support", timeZone = "Europe/Berlin",
            businessHours = Enumerable.Range(1, 5).Select(d => new { day = ((DayOfWeek)d).ToString(), opens = "09:00:00", closes = "17:00:00" }),
        }).ExpectAsync(System.Net.HttpStatusCode.OK);
        var (inboxId, _) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var random = new Random(seed);
        var agents = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        var teams = new[] { Guid.NewGuid(), Guid.NewGuid() };

        var conversations = await StartConversationsAsync(workspace.WorkspaceId, inboxId, random, count: 24);
        var entries = conversations.SelectMany(c => RandomHistory(workspace.WorkspaceId, c.Id, c.CreatedAt, random, agents, teams)).ToList();
        Shuffle(entries, random);

        var rollups = Factory.Services.GetRequiredService<ReportRollups>();
        for (var applied = 0; applied < entries.Count;)
        {
            var piece = entries.Skip(applied).Take(random.Next(1, 12)).ToList();
            applied += piece.Count;
            await using var scope = Factory.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspace.WorkspaceId);
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            db.ConversationEvents.AddRange(piece);
            await db.SaveChangesAsync(Ct);
            var facts = scope.ServiceProvider.GetRequiredService<ReportFacts>();
            foreach (var conversationId in piece.Select(e => e.ConversationId).Distinct().OrderBy(_ => random.Next()))
            {
                await facts.RefreshAsync(conversationId, Ct);
            }

            if (random.Next(3) == 0)
            {
                // Relabelled between pieces: the label rollup must follow the conversation's labels now.
                var relabelledId = conversations[random.Next(conversations.Count)].Id;
                var relabelled = await db.Conversations.SingleAsync(c => c.Id == relabelledId, Ct);
                relabelled.ChangeLabels(RandomLabels(random));
                await db.SaveChangesAsync(Ct);
            }

            if (random.Next(3) == 0)
            {
                await rollups.RollUpAsync(workspace.WorkspaceId, Ct);
            }
        }

        await WaitForOutboxAsync(workspace.WorkspaceId); // the conversations' own start events refresh their facts too
        await rollups.RollUpAsync(workspace.WorkspaceId, Ct);

        var (expected, actual) = await ExpectedAndActualAsync(workspace.WorkspaceId);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, (count, seconds, business)) in expected)
        {
            var got = actual[key];
            Assert.True(count == got.Count && Math.Abs(seconds - got.Seconds) < 1e-6 && Math.Abs(business - got.Business) < 1e-6,
                $"{key}: expected {count} / {seconds} s / {business} s, rolled up {got.Count} / {got.Seconds} s / {got.Business} s");
        }
    }

    [Fact]
    public async Task Relabel_AConversationsLabelsChange_ItsFactsTakeThemAndOnlyTheLabelRollupIsMarked()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (inboxId, _) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var conversationId = (await StartConversationsAsync(workspace.WorkspaceId, inboxId, new Random(3), count: 1))[0].Id;
        await WaitForOutboxAsync(workspace.WorkspaceId);
        await Factory.Services.GetRequiredService<ReportRollups>().RollUpAsync(workspace.WorkspaceId, Ct);
        await using var scope = Factory.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspace.WorkspaceId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();

        (await db.Conversations.SingleAsync(c => c.Id == conversationId, Ct)).ChangeLabels(Vip);
        await db.SaveChangesAsync(Ct);
        await WaitForOutboxAsync(workspace.WorkspaceId);

        Assert.Equal(["[\"vip\"]"], await db.ReportFacts.Where(f => f.ConversationId == conversationId).Select(f => f.LabelSet).Distinct().ToListAsync(Ct));
        // The figures do not depend on labels: their rollups are not rolled up again (the label rollup's mark may already be cleared by the job).
        Assert.DoesNotContain(StaleRollup.Figures, await db.StaleReportDays.Where(d => d.WorkspaceId == workspace.WorkspaceId).Select(d => d.Rollup).ToListAsync(Ct));
    }

    [Fact]
    public async Task Backfill_ConversationsLoggedBeforeFactsExisted_GetTheirFactsAgain()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (inboxId, _) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var conversations = await StartConversationsAsync(workspace.WorkspaceId, inboxId, new Random(7), count: 3);
        await WaitForOutboxAsync(workspace.WorkspaceId);
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var ids = conversations.Select(c => c.Id).ToList();
        var before = await db.ReportFacts.CountAsync(f => ids.Contains(f.ConversationId), Ct);
        await db.ReportFacts.Where(f => ids.Contains(f.ConversationId)).ExecuteDeleteAsync(Ct);

        var computed = await Factory.Services.GetRequiredService<ReportRollups>().BackfillAsync(Ct);

        Assert.True(computed >= 3, $"computed {computed}");
        Assert.Equal(6, before); // each began (and reached people) on its day
        Assert.Equal(before, await db.ReportFacts.CountAsync(f => ids.Contains(f.ConversationId), Ct));
    }

    private async Task<List<(Guid Id, DateTime CreatedAt)>> StartConversationsAsync(Guid workspaceId, Guid inboxId, Random random, int count)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var started = new List<(Guid, DateTime)>();
        for (var i = 0; i < count; i++)
        {
            var at = HistoryStart.AddMinutes(random.Next(0, 20 * 24 * 60)); // a few conversations a day: a day one leaves may see no other
            var contact = db.Contacts.Add(Contact.ForVisitor(workspaceId, Guid.NewGuid(), at)).Entity;
            var conversation = db.Conversations.Add(Conversation.Start(workspaceId, inboxId, contact.Id, 1000 + i, ConversationOrigin.Chat, null, at)).Entity;
            conversation.ChangeLabels(RandomLabels(random));
            started.Add((conversation.Id, at));
        }

        await db.SaveChangesAsync(Ct);
        return started;
    }

    private static readonly string[] Labels = ["billing", "refund", "shipping"];
    private static readonly string[] Vip = ["vip"];

    private static string[] RandomLabels(Random random) => [.. Labels.Where(_ => random.Next(3) == 0)];

    /// <summary>A plausible but random life: the assistant first or not, messages, replies, queues, assignments, snoozes, resolves and reopens.</summary>
    private static List<ConversationEvent> RandomHistory(Guid workspaceId, Guid conversationId, DateTime start, Random random, Guid[] agents, Guid[] teams)
    {
        var at = start;
        var entries = new List<ConversationEvent>();
        void Add(IDomainEvent domainEvent) => entries.Add(ConversationEvent.For(domainEvent, at)!);
        if (random.Next(3) == 0)
        {
            Add(new AssistantJoined(workspaceId, conversationId));
        }

        var status = ConversationStatus.Open;
        for (var step = random.Next(2, 14); step > 0; step--)
        {
            at = at.AddMinutes(random.Next(0, 3) == 0 ? random.Next(60, 72 * 60) : random.Next(0, 45));
            Guid? agent = agents[random.Next(agents.Length)];
            Guid? team = random.Next(4) == 0 ? null : teams[random.Next(teams.Length)];
            switch (random.Next(9))
            {
                case 0: Add(new ReplyAwaited(workspaceId, conversationId, at, First: false)); break;
                case 1: Add(new ReplyGiven(workspaceId, conversationId, at, agent)); break;
                case 2: Add(new ConversationAssigned(workspaceId, conversationId, null, null, null, team)); break;
                case 3: Add(new ConversationAssigned(workspaceId, conversationId, null, null, agent, team)); break;
                case 4: Add(new AssistantHandedOver(workspaceId, conversationId, Guid.Empty, team)); break;
                case 5 when status is ConversationStatus.Open or ConversationStatus.Snoozed:
                    Add(new ConversationStatusChanged(workspaceId, conversationId, status, ConversationStatus.Resolved, at));
                    status = ConversationStatus.Resolved;
                    break;
                case 6 when status is ConversationStatus.Resolved or ConversationStatus.Snoozed:
                    Add(new ConversationStatusChanged(workspaceId, conversationId, status, ConversationStatus.Open, at));
                    status = ConversationStatus.Open;
                    break;
                case 7 when status != ConversationStatus.Snoozed:
                    Add(new ConversationStatusChanged(workspaceId, conversationId, status, ConversationStatus.Snoozed, at));
                    status = ConversationStatus.Snoozed;
                    break;
                default: Add(new ReplyGiven(workspaceId, conversationId, at, agent)); break;
            }
        }

        return entries;
    }

    // A full recomputation of every conversation's log, in memory, next to what the rollups hold.
    private async Task<(Dictionary<string, (int Count, double Seconds, double Business)> Expected, Dictionary<string, (int Count, double Seconds, double Business)> Actual)>
        ExpectedAndActualAsync(Guid workspaceId)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var calendar = (await db.Workspaces.SingleAsync(Ct)).Calendar();
        var conversations = await db.Conversations.AsNoTracking().Select(c => new { c.Id, c.InboxId, c.Labels }).ToListAsync(Ct);
        var labels = conversations.ToDictionary(c => c.Id, c => string.Join(',', c.Labels));
        var logs = (await db.ConversationEvents.AsNoTracking().ToListAsync(Ct)).ToLookup(e => e.ConversationId, e => e.ToTimeline());
        var facts = conversations
            .SelectMany(c => ConversationMeasures.Of([.. logs[c.Id]], calendar).Facts.Select(f => ReportFact.Of(f, workspaceId, c.Id, c.InboxId, calendar)))
            .ToList();
        // The three rollups: by agent, added up over agents (the team rollup, keyed without one), and by the conversation's labels now.
        var expected = facts.GroupBy(f => Key(f.Day, f.InboxId, f.TeamId, f.AgentId, f.Metric, f.Bucket))
            .Concat(facts.GroupBy(f => Key(f.Day, f.InboxId, f.TeamId, null, f.Metric, f.Bucket)))
            .Concat(facts.GroupBy(f => Key(f.Day, f.InboxId, f.TeamId, null, f.Metric, f.Bucket) + " labelled " + labels[f.ConversationId]))
            .ToDictionary(g => g.Key, g => (g.Count(), g.Sum(f => f.Milliseconds) / 1000.0, g.Sum(f => f.BusinessMilliseconds) / 1000.0));
        var actual = (await db.ReportRollups.AsNoTracking().ToListAsync(Ct))
            .Select(r => (Key: Key(r.Day, r.InboxId, r.TeamId, r.AgentId, r.Metric, r.Bucket), r.Count, r.Milliseconds, r.BusinessMilliseconds))
            .Concat((await db.ReportTeamRollups.AsNoTracking().ToListAsync(Ct))
                .Select(r => (Key: Key(r.Day, r.InboxId, r.TeamId, null, r.Metric, r.Bucket), r.Count, r.Milliseconds, r.BusinessMilliseconds)))
            .Concat((await db.ReportLabelRollups.AsNoTracking().ToListAsync(Ct))
                .Select(r => (Key: Key(r.Day, r.InboxId, r.TeamId, null, r.Metric, r.Bucket) + " labelled " + string.Join(',', JsonSerializer.Deserialize<List<string>>(r.LabelSet)!),
                    r.Count, r.Milliseconds, r.BusinessMilliseconds)))
            .ToDictionary(r => r.Key, r => (r.Count, r.Milliseconds / 1000.0, r.BusinessMilliseconds / 1000.0));
        return (expected, actual);
    }

    private static string Key(DateOnly day, Guid inboxId, Guid teamId, Guid? agentId, ReportMetric metric, int bucket) =>
        $"{day:yyyy-MM-dd} {inboxId:N} {teamId:N} {(agentId is { } agent ? agent.ToString("N") : "any agent")} {metric} {bucket}";

    private static void Shuffle<T>(List<T> items, Random random)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}

public sealed class ReportRollupsSqliteTests(SqliteApiFixture fixture) : ReportRollupsTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class ReportRollupsPostgresTests(PostgresApiFixture fixture) : ReportRollupsTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
