using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Contacts;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Privacy;
using Porchlight.Server.Features.Retention;
using Porchlight.Server.Features.Tracking;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Features.Tracking;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Retention;

/// <summary>
/// Retention policies age each class of a workspace's data with the shifted clock: nothing goes before its days, everything
/// unheld goes after them (deleted or anonymized, files included), legal holds keep what they hold, and each run's report
/// counts what it did.
/// </summary>
public abstract class RetentionTests(PorchlightFactory factory, ShiftedClock clock) : ApiTestBase(factory)
{
    private static readonly string[] VipTag = ["vip"];

    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");

    private RetentionJob Job => Factory.Services.GetRequiredService<RetentionJob>();

    [Fact]
    public async Task Conversations_DeletedAfterTheirDaysNotBefore_WithTheirFilesAndCopiesWhileReportsKeepCounting()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (old, visitor) = await ResolvedConversationAsync(owner, inboxToken, "My card was charged twice for order 7781");
        var file = await SendFileAsync(visitor, old);
        await owner.PostJsonAsync($"/api/v1/conversations/{old}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        await owner.PutJsonAsync($"/api/v1/contacts/{visitor.Id}", new { name = "Ada Lovelace", email = "ada@example.com", externalId = "crm-ada", tags = VipTag })
            .ExpectAsync(HttpStatusCode.OK);
        using var other = await TestVisitor.StartAsync(Factory, inboxToken);
        var (open, _) = await other.StartConversationAsync("Still waiting on this one");
        Assert.Single(StoredIds(workspace.WorkspaceId));
        await WaitForOutboxAsync(workspace.WorkspaceId);
        var factsBefore = await ReadAsync(db => db.ReportFacts.CountAsync(f => f.ConversationId == old, Ct));
        Assert.True(factsBefore > 0);
        var day = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var overview = $"/api/v1/reports/overview?from={day}&to={day}";
        var before = (await owner.GetJsonAsync(overview)).GetProperty("figures").GetProperty("conversations").GetInt32();
        await owner.PutJsonAsync("/api/v1/retention/policies", new { conversations = new { days = 30, action = "Delete" } }).ExpectAsync(HttpStatusCode.OK);

        clock.Advance(TimeSpan.FromDays(29));
        var early = Outcome(await RunAsync(workspace.WorkspaceId), RetentionDataClass.Conversations);

        Assert.Equal((0, 0, 0), (early.Deleted, early.Anonymized, early.SkippedByHold));
        await owner.GetJsonAsync($"/api/v1/conversations/{old}");

        clock.Advance(TimeSpan.FromDays(2));
        var run = await RunAsync(workspace.WorkspaceId);
        var outcome = Outcome(run, RetentionDataClass.Conversations);

        Assert.Equal((1, 0, 0, 1), (outcome.Deleted, outcome.Anonymized, outcome.SkippedByHold, outcome.ContactsAnonymized));
        Assert.NotNull(run.EndedAt);
        Assert.Null(run.Problem);
        await owner.GetAsync($"/api/v1/conversations/{old}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await owner.GetJsonAsync($"/api/v1/conversations/{open}");
        Assert.Equal(0, await ReadAsync(db => db.Messages.CountAsync(m => m.ConversationId == old, Ct)));
        Assert.Empty(StoredIds(workspace.WorkspaceId));
        Assert.False(await ReadAsync(db => db.Attachments.AnyAsync(a => a.Id == file.IdOf(), Ct)));
        // The contact had no other conversation: its details went with it; the row stays, an anonymous visitor.
        var contact = await ReadAsync(db => db.Contacts.SingleAsync(k => k.Id == visitor.Id, Ct));
        Assert.Equal((null, null, null, 0, 0), (contact.Name, contact.Email, contact.ExternalId, contact.Attributes.Count, contact.Tags.Count));
        // The report facts stay, so a report of that day still counts the conversation, even once the day is rolled up again.
        Assert.Equal(factsBefore, await ReadAsync(db => db.ReportFacts.CountAsync(f => f.ConversationId == old, Ct)));
        await ReadAsync(db => StaleReportDayMark(db, workspace.WorkspaceId, DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(before, (await owner.GetJsonAsync(overview)).GetProperty("figures").GetProperty("conversations").GetInt32());
        // The report is in the API.
        var listed = (await owner.GetJsonAsync("/api/v1/retention/runs")).GetProperty("items")[0];
        Assert.Equal(run.Id, listed.IdOf());
        var conversations = listed.GetProperty("classes").EnumerateArray().Single(c => c.Text("dataClass") == "Conversations");
        Assert.Equal(1, conversations.GetProperty("deleted").GetInt32());
    }

    [Fact]
    public async Task Conversations_Anonymized_TextsReplacedAndContactDetailsRemovedOnlyWithoutNewerConversations()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (alone, lonely) = await ResolvedConversationAsync(owner, inboxToken, "Please refund order 7781 to my account");
        await owner.PutJsonAsync($"/api/v1/contacts/{lonely.Id}", new { name = "Ada Lovelace", email = "ada@example.com" }).ExpectAsync(HttpStatusCode.OK);
        var (older, regular) = await ResolvedConversationAsync(owner, inboxToken, "Where is parcel 99?");
        await owner.PutJsonAsync($"/api/v1/contacts/{regular.Id}", new { name = "Grace Hopper", email = "grace@example.com" }).ExpectAsync(HttpStatusCode.OK);
        var file = await SendFileAsync(lonely, alone);
        await owner.PostJsonAsync($"/api/v1/conversations/{alone}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        await owner.PutJsonAsync("/api/v1/retention/policies", new { conversations = new { days = 10, action = "Anonymize" } }).ExpectAsync(HttpStatusCode.OK);
        clock.Advance(TimeSpan.FromDays(5));
        var newer = await regular.StartConversationAsync("Another question");

        clock.Advance(TimeSpan.FromDays(6));
        var outcome = Outcome(await RunAsync(workspace.WorkspaceId), RetentionDataClass.Conversations);

        Assert.Equal((0, 2, 1), (outcome.Deleted, outcome.Anonymized, outcome.ContactsAnonymized));
        foreach (var anonymized in new[] { alone, older })
        {
            var thread = (await owner.GetJsonAsync($"/api/v1/conversations/{anonymized}/messages")).EnumerateArray().ToList();
            // Every text people wrote is replaced (a message that only sent a file had none).
            Assert.All(thread.Where(m => m.Text("kind") != "Activity" && m.Text("text") != ""), m => Assert.Equal(RetentionJob.Placeholder, m.Text("text")));
            Assert.Equal(2, thread.Count(m => m.Text("text") == RetentionJob.Placeholder));
            Assert.DoesNotContain(thread, m => m.Text("text")!.Contains("7781", StringComparison.Ordinal) || m.Text("text")!.Contains("99", StringComparison.Ordinal));
            Assert.Equal(RetentionJob.Placeholder, (await owner.GetJsonAsync($"/api/v1/conversations/{anonymized}")).Text("lastMessagePreview"));
        }

        Assert.Empty(StoredIds(workspace.WorkspaceId));
        Assert.False(await ReadAsync(db => db.Attachments.AnyAsync(a => a.Id == file.IdOf(), Ct)));
        Assert.Null(await ReadAsync(db => db.Conversations.Where(c => c.Id == alone).Select(c => c.Opening).SingleAsync(Ct)));
        var (lonelyContact, regularContact) = (await ReadContactAsync(lonely.Id), await ReadContactAsync(regular.Id));
        Assert.Equal((null, null), (lonelyContact.Name, lonelyContact.Email));
        Assert.Equal(("Grace Hopper", "grace@example.com"), (regularContact.Name, regularContact.Email));
        Assert.Equal("Another question", (await owner.GetJsonAsync($"/api/v1/conversations/{newer.ConversationId}/messages")).EnumerateArray().First().Text("text"));
        // A second run finds nothing more to do.
        var again = Outcome(await RunAsync(workspace.WorkspaceId), RetentionDataClass.Conversations);
        Assert.Equal((0, 0), (again.Deleted, again.Anonymized));

        // The contact writes to the anonymized conversation again: the new text ages from then on, and goes in its turn.
        await lonely.SendAsync(alone, "Me again: order 8890").ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync($"/api/v1/conversations/{alone}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, Outcome(await RunAsync(workspace.WorkspaceId), RetentionDataClass.Conversations).Anonymized);
        clock.Advance(TimeSpan.FromDays(11));
        Assert.Equal(1, Outcome(await RunAsync(workspace.WorkspaceId), RetentionDataClass.Conversations).Anonymized);
        Assert.DoesNotContain((await owner.GetJsonAsync($"/api/v1/conversations/{alone}/messages")).EnumerateArray(),
            m => m.Text("text")!.Contains("8890", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LegalHold_OnAContactAndOnAConversation_KeepsThemUntilReleasedAndIsAudited()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (ofHeldContact, heldContact) = await ResolvedConversationAsync(owner, inboxToken, "Held by the contact");
        var (held, _) = await ResolvedConversationAsync(owner, inboxToken, "Held itself");
        var (free, _) = await ResolvedConversationAsync(owner, inboxToken, "Not held");
        var heldFile = await SendFileAsync(heldContact, ofHeldContact);
        await owner.PostJsonAsync($"/api/v1/conversations/{ofHeldContact}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        var contactHold = await owner.PutJsonAsync($"/api/v1/contacts/{heldContact.Id}/legal-hold", new { reason = "Case 2026-114" }).ExpectAsync(HttpStatusCode.OK);
        await owner.PutJsonAsync($"/api/v1/conversations/{held}/legal-hold", new { reason = "Chargeback dispute" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(("Case 2026-114", workspace.OwnerId), (contactHold.Text("reason"), contactHold.GetProperty("placedByAgentId").GetGuid()));
        await owner.PutJsonAsync($"/api/v1/conversations/{held}/legal-hold", new { reason = "  " }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "reason");
        await owner.PutJsonAsync($"/api/v1/contacts/{Guid.NewGuid()}/legal-hold", new { reason = "Nobody" }).ExpectProblemAsync(HttpStatusCode.NotFound);
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await agent.PutJsonAsync($"/api/v1/conversations/{free}/legal-hold", new { reason = "Not mine to place" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await owner.PutJsonAsync("/api/v1/retention/policies", new
        {
            conversations = new { days = 5, action = "Delete" }, attachments = new { days = 5 }, surveyAnswers = new { days = 5, action = "Delete" },
        }).ExpectAsync(HttpStatusCode.OK);

        clock.Advance(TimeSpan.FromDays(6));
        var run = await RunAsync(workspace.WorkspaceId);

        Assert.Equal((1, 2), (Outcome(run, RetentionDataClass.Conversations).Deleted, Outcome(run, RetentionDataClass.Conversations).SkippedByHold));
        Assert.Equal((0, 1), (Outcome(run, RetentionDataClass.Attachments).Deleted, Outcome(run, RetentionDataClass.Attachments).SkippedByHold));
        await owner.GetAsync($"/api/v1/conversations/{free}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await owner.GetJsonAsync($"/api/v1/conversations/{held}");
        await owner.GetJsonAsync($"/api/v1/conversations/{ofHeldContact}");
        Assert.Equal([heldFile.IdOf()], StoredIds(workspace.WorkspaceId));
        Assert.Equal(2, (await owner.GetJsonAsync("/api/v1/retention/legal-holds")).GetProperty("items").GetArrayLength());

        await owner.DeleteAsync($"/api/v1/contacts/{heldContact.Id}/legal-hold", Ct).ExpectAsync(HttpStatusCode.NoContent);
        await owner.DeleteAsync($"/api/v1/conversations/{held}/legal-hold", Ct).ExpectAsync(HttpStatusCode.NoContent);
        await owner.DeleteAsync($"/api/v1/conversations/{held}/legal-hold", Ct).ExpectAsync(HttpStatusCode.NoContent);
        var released = await RunAsync(workspace.WorkspaceId);

        Assert.Equal((2, 0), (Outcome(released, RetentionDataClass.Conversations).Deleted, Outcome(released, RetentionDataClass.Conversations).SkippedByHold));
        Assert.Empty(StoredIds(workspace.WorkspaceId));
        var trail = await owner.ListAllAsync("/api/v1/audit");
        Assert.Equal(2, trail.Count(e => e.Text("action") == "legal_hold.created"));
        Assert.Equal(2, trail.Count(e => e.Text("action") == "legal_hold.deleted"));
        var placed = trail.Single(e => e.Text("action") == "legal_hold.created" && e.GetProperty("changes").ToString().Contains("Case 2026-114", StringComparison.Ordinal));
        Assert.Equal(workspace.OwnerId, placed.GetProperty("actorAgentId").GetGuid());
    }

    [Fact]
    public async Task Attachments_DeletedAfterTheirDays_FilesGoneMessagesKept()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Here is the invoice");
        var file = await SendFileAsync(visitor, conversationId);
        await owner.PutJsonAsync("/api/v1/retention/policies", new { attachments = new { days = 7 } }).ExpectAsync(HttpStatusCode.OK);

        clock.Advance(TimeSpan.FromDays(6));
        Assert.Equal(0, Outcome(await RunAsync(workspace.WorkspaceId), RetentionDataClass.Attachments).Deleted);
        Assert.Single(StoredIds(workspace.WorkspaceId));

        clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, Outcome(await RunAsync(workspace.WorkspaceId), RetentionDataClass.Attachments).Deleted);

        Assert.Empty(StoredIds(workspace.WorkspaceId));
        Assert.False(await ReadAsync(db => db.Attachments.AnyAsync(a => a.Id == file.IdOf(), Ct)));
        var thread = (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).EnumerateArray().ToList();
        Assert.Equal("Here is the invoice", thread[0].Text("text"));
        Assert.All(thread, m => Assert.Equal(0, m.GetProperty("attachments").GetArrayLength()));
    }

    [Fact]
    public async Task TrackingEvents_WorkspacePolicyCapsTheInboxsDays_AndAHeldContactsEventsStay()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (heldKey, freeKey) = ("v_" + Guid.NewGuid().ToString("N"), "v_" + Guid.NewGuid().ToString("N"));
        using var heldVisitor = await TestVisitor.StartAsync(Factory, inboxToken, trackerVisitor: heldKey);
        await heldVisitor.StartConversationAsync("Hello");
        await Eventually.WaitUntilAsync(
            () => ReadAsync(db => db.TrackedVisitors.AnyAsync(v => v.VisitorKey == heldKey && v.ContactId == heldVisitor.Id, Ct)), "the browser is linked to the contact");
        await owner.PutJsonAsync($"/api/v1/contacts/{heldVisitor.Id}/legal-hold", new { reason = "Fraud inquiry" }).ExpectAsync(HttpStatusCode.OK);
        var now = clock.GetUtcNow().UtcDateTime;
        await AddEventsAsync(workspace.WorkspaceId, inboxId, freeKey, now.AddDays(-40), now.AddDays(-20), now.AddDays(-1));
        await AddEventsAsync(workspace.WorkspaceId, inboxId, heldKey, now.AddDays(-40));
        // The inbox keeps 396 days by default: alone, it removes none of these.
        await Factory.Services.GetRequiredService<TrackingRetention>().PurgeAsync(Ct);
        Assert.Equal(4, await ReadAsync(db => db.TrackedEvents.CountAsync(e => e.InboxId == inboxId, Ct)));
        await owner.PutJsonAsync("/api/v1/retention/policies", new { trackingEvents = new { days = 30 } }).ExpectAsync(HttpStatusCode.OK);

        var outcome = Outcome(await RunAsync(workspace.WorkspaceId), RetentionDataClass.TrackingEvents);

        Assert.Equal((1, 1), (outcome.Deleted, outcome.SkippedByHold));
        var left = await ReadAsync(db => db.TrackedEvents.Where(e => e.InboxId == inboxId).Select(e => new { e.VisitorKey, e.ReceivedAt }).ToListAsync(Ct));
        Assert.Equal(3, left.Count);
        Assert.Contains(left, e => e.VisitorKey == heldKey);
        Assert.DoesNotContain(left, e => e.VisitorKey == freeKey && e.ReceivedAt < now.AddDays(-30));
        // The inbox's own retention, shorter now, keeps the held browser's events too.
        var inbox = await owner.GetJsonAsync($"/api/v1/inboxes/{inboxId}");
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}", new { name = inbox.Text("name"), tracking = new { retentionDays = 5 } }).ExpectAsync(HttpStatusCode.OK);
        await Factory.Services.GetRequiredService<TrackingRetention>().PurgeAsync(Ct);
        var kept = await ReadAsync(db => db.TrackedEvents.Where(e => e.InboxId == inboxId).Select(e => e.VisitorKey).ToListAsync(Ct));
        Assert.Equal(2, kept.Count);
        Assert.Contains(heldKey, kept);
    }

    [Fact]
    public async Task SurveyAnswers_AnonymizedKeepTheirScores_DeletedAreGone()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/survey", new { isEnabled = true, askComment = true }).ExpectAsync(HttpStatusCode.OK);
        var (first, firstVisitor) = await ResolvedConversationAsync(owner, inboxToken, "Damaged parcel");
        var (second, secondVisitor) = await ResolvedConversationAsync(owner, inboxToken, "Late parcel");
        await firstVisitor.Http.PostJsonAsync($"/widget/v1/conversations/{first}/survey", new { rating = 4, comment = "Agent was great, call me on 555-0100" })
            .ExpectAsync(HttpStatusCode.OK);
        await secondVisitor.Http.PostJsonAsync($"/widget/v1/conversations/{second}/survey", new { rating = 2, comment = "Slow" }).ExpectAsync(HttpStatusCode.OK);
        await owner.PutJsonAsync("/api/v1/retention/policies", new { surveyAnswers = new { days = 20, action = "Anonymize" } }).ExpectAsync(HttpStatusCode.OK);

        clock.Advance(TimeSpan.FromDays(19));
        Assert.Equal(0, Outcome(await RunAsync(workspace.WorkspaceId), RetentionDataClass.SurveyAnswers).Anonymized);
        clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(2, Outcome(await RunAsync(workspace.WorkspaceId), RetentionDataClass.SurveyAnswers).Anonymized);

        var survey = await owner.GetJsonAsync($"/api/v1/conversations/{first}/survey");
        Assert.Equal((4, JsonValueKind.Null), (survey.GetProperty("rating").GetInt32(), survey.GetProperty("comment").ValueKind));

        await owner.PutJsonAsync("/api/v1/retention/policies", new { surveyAnswers = new { days = 20, action = "Delete" } }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, Outcome(await RunAsync(workspace.WorkspaceId), RetentionDataClass.SurveyAnswers).Deleted);
        Assert.Equal(0, await ReadAsync(db => db.SurveyResponses.CountAsync(s => s.ConversationId == first || s.ConversationId == second, Ct)));
    }

    [Fact]
    public async Task AuditEntries_OldestRemoved_ChainVerifiesFromTheAnchorAndStillFindsAChangedEntry()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        for (var i = 0; i < 3; i++)
        {
            await owner.PostJsonAsync("/api/v1/teams", new { name = Unique("Team") }).ExpectAsync(HttpStatusCode.Created);
        }

        var old = await SealedAsync(owner);
        var oldCount = old.GetProperty("sealedEntries").GetInt64();
        clock.Advance(TimeSpan.FromDays(400));
        await owner.PutJsonAsync("/api/v1/retention/policies", new { auditEntries = new { days = 365 } }).ExpectAsync(HttpStatusCode.OK);
        await owner.PostJsonAsync("/api/v1/teams", new { name = Unique("Recent team") }).ExpectAsync(HttpStatusCode.Created);
        await SealedAsync(owner);

        var outcome = Outcome(await RunAsync(workspace.WorkspaceId), RetentionDataClass.AuditEntries);

        Assert.Equal(oldCount, outcome.Deleted);
        var report = await SealedAsync(owner);
        Assert.True(report.GetProperty("intact").GetBoolean(), report.ToString());
        Assert.Equal(oldCount, report.GetProperty("anchorSequence").GetInt64());
        Assert.Equal(old.Text("headHash"), report.Text("anchorHash"));
        Assert.Equal(oldCount, report.GetProperty("removedEntries").GetInt64());
        var entries = (await owner.ListAllAsync("/api/v1/audit")).OrderBy(e => e.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(oldCount + 1, entries[0].GetProperty("sequence").GetInt64());
        Assert.Equal(old.Text("headHash"), entries[0].Text("previousHash"));
        Assert.Equal(report.GetProperty("sealedEntries").GetInt64(), entries.Count);
        Assert.Contains(entries, e => e.Text("action") == "audit.entries_removed");
        // Nothing more is old enough: a second run removes nothing and the chain still holds.
        Assert.Equal(0, Outcome(await RunAsync(workspace.WorkspaceId), RetentionDataClass.AuditEntries).Deleted);

        var victim = entries[1];
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            Assert.Equal(1, await db.AuditEntries.Where(e => e.Id == victim.IdOf()).ExecuteUpdateAsync(set => set.SetProperty(e => e.ActorName, "Someone else"), Ct));
        }

        var broken = await owner.GetJsonAsync("/api/v1/audit/verification");
        Assert.False(broken.GetProperty("intact").GetBoolean(), broken.ToString());
        Assert.Equal(victim.GetProperty("sequence").GetInt64(), broken.GetProperty("brokenAtSequence").GetInt64());
        Assert.Contains("changed", broken.Text("problem"), StringComparison.Ordinal);
        // Retention does not remove evidence of tampering: once that entry is old, the run stops before it and says why.
        clock.Advance(TimeSpan.FromDays(400));
        var stopped = await RunAsync(workspace.WorkspaceId);
        Assert.Contains("does not hold", stopped.Problem, StringComparison.Ordinal);
        Assert.Equal(victim.IdOf(), (await owner.GetJsonAsync("/api/v1/audit/verification")).GetProperty("brokenEntryId").GetGuid());
    }

    [Fact]
    public async Task Policies_InvalidDaysOrActions_RefusedWithFieldErrors_ValidOnesAreAudited()
    {
        var (workspace, owner) = await NewWorkspaceAsync();

        var refused = await owner.PutJsonAsync("/api/v1/retention/policies", new
        {
            conversations = new { days = 0, action = "Delete" },
            attachments = new { days = 30, action = "Anonymize" },
            trackingEvents = new { days = 3651 },
            auditEntries = new { days = 364 },
        }).ExpectProblemAsync(HttpStatusCode.BadRequest);

        var errors = refused.GetProperty("errors");
        Assert.Equal(["attachments.action", "auditEntries.days", "conversations.days", "trackingEvents.days"],
            errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.All((await owner.GetJsonAsync("/api/v1/retention/policies")).EnumerateArray(), p => Assert.Equal(JsonValueKind.Null, p.GetProperty("days").ValueKind));
        await owner.PutJsonAsync("/api/v1/retention/policies", new { surveyAnswers = new { days = 10, action = "Forget" } }).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var (_, _, supervisor) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);
        await supervisor.PutJsonAsync("/api/v1/retention/policies", new { auditEntries = new { days = 400 } }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await supervisor.GetAsync("/api/v1/retention/runs", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);

        var saved = await owner.PutJsonAsync("/api/v1/retention/policies", new { auditEntries = new { days = 400 }, conversations = new { days = 730, action = "Anonymize" } })
            .ExpectAsync(HttpStatusCode.OK);
        await owner.PutJsonAsync("/api/v1/retention/policies", new { conversations = new { days = (int?)null } }).ExpectAsync(HttpStatusCode.OK);

        var policies = saved.EnumerateArray().ToDictionary(p => p.Text("dataClass")!);
        Assert.Equal((400, "Delete"), (policies["AuditEntries"].GetProperty("days").GetInt32(), policies["AuditEntries"].Text("action")));
        Assert.Equal((730, "Anonymize"), (policies["Conversations"].GetProperty("days").GetInt32(), policies["Conversations"].Text("action")));
        var now = (await owner.GetJsonAsync("/api/v1/retention/policies")).EnumerateArray().ToDictionary(p => p.Text("dataClass")!);
        Assert.Equal(JsonValueKind.Null, now["Conversations"].GetProperty("days").ValueKind);
        var trail = await owner.ListAllAsync("/api/v1/audit?action=retention_policy.created");
        Assert.Equal(2, trail.Count);
        var changed = Assert.Single(await owner.ListAllAsync("/api/v1/audit?action=retention_policy.updated"));
        Assert.Contains("730", changed.GetProperty("changes").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ThousandsOfRows_AppliedInBatchesAndCountedExactly()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (inboxId, _) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var start = clock.GetUtcNow().UtcDateTime;
        await AddEventsAsync(workspace.WorkspaceId, inboxId, "v_" + Guid.NewGuid().ToString("N"), [.. Enumerable.Range(0, 3_000).Select(i => start.AddDays(-60).AddSeconds(i))]);
        var conversations = await AddResolvedConversationsAsync(workspace.WorkspaceId, inboxId, 450, messagesEach: 3);
        await owner.PutJsonAsync("/api/v1/retention/policies", new
        {
            trackingEvents = new { days = 30 }, conversations = new { days = 30, action = "Anonymize" },
        }).ExpectAsync(HttpStatusCode.OK);
        clock.Advance(TimeSpan.FromDays(31));

        var run = await RunAsync(workspace.WorkspaceId);

        Assert.Null(run.Problem);
        Assert.Equal(3_000, Outcome(run, RetentionDataClass.TrackingEvents).Deleted);
        Assert.Equal((450, 450), (Outcome(run, RetentionDataClass.Conversations).Anonymized, Outcome(run, RetentionDataClass.Conversations).ContactsAnonymized));
        Assert.Equal(0, await ReadAsync(db => db.TrackedEvents.CountAsync(e => e.InboxId == inboxId, Ct)));
        Assert.Equal(450 * 3, await ReadAsync(db => db.Messages.CountAsync(m => conversations.Contains(m.ConversationId) && m.Text == RetentionJob.Placeholder, Ct)));
        Assert.Equal(450, await ReadAsync(db => db.AnonymizedConversations.CountAsync(a => a.WorkspaceId == workspace.WorkspaceId, Ct)));
    }

    /// <summary>Waits until every entry of the caller's workspace is sealed, and answers the verification then.</summary>
    private static async Task<JsonElement> SealedAsync(HttpClient owner)
    {
        var report = default(JsonElement);
        await Eventually.WaitUntilAsync(async () =>
        {
            report = await owner.GetJsonAsync("/api/v1/audit/verification");
            return report.GetProperty("unsealedEntries").GetInt32() == 0;
        }, "the workspace's audit entries are sealed");
        return report;
    }

    private async Task<RetentionRun> RunAsync(Guid workspaceId) => Assert.Single(await Job.RunAsync(workspaceId, Ct));

    private static RetentionClassOutcome Outcome(RetentionRun run, RetentionDataClass dataClass) => run.Classes.Single(c => c.DataClass == dataClass);

    private async Task<(Guid ConversationId, TestVisitor Visitor)> ResolvedConversationAsync(HttpClient owner, string inboxToken, string text)
    {
        var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync(text);
        await owner.ReplyAsync(conversationId, "Thanks, we are on it.").ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        return (conversationId, visitor);
    }

    /// <summary>Uploads a file into the conversation and sends it in a message; answers the upload.</summary>
    private static async Task<JsonElement> SendFileAsync(TestVisitor visitor, Guid conversationId)
    {
        var content = new ByteArrayContent(Pdf);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        using var form = new MultipartFormDataContent { { content, "file", "invoice.pdf" } };
        var sent = await visitor.Http.PostAsync($"/widget/v1/conversations/{conversationId}/attachments", form, Ct).ExpectAsync(HttpStatusCode.Created);
        await visitor.Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/messages",
            new { clientId = TestVisitor.NewClientId(), text = "", attachmentIds = new[] { sent.IdOf() } }).ExpectAsync(HttpStatusCode.Created);
        return sent;
    }

    private async Task AddEventsAsync(Guid workspaceId, Guid inboxId, string visitorKey, params DateTime[] times)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var site = new TrackingSite(workspaceId, inboxId, TrackingSettings.Default);
        var agent = UserAgents.Read(TrackingIngestionTests.DesktopChrome);
        db.TrackedEvents.AddRange(times.Select((at, i) => TrackedEvent.From(
            site, visitorKey, "s_retention-visit", agent, new TrackerEvent("pageview", $"https://shop.example/page-{i}", null, null, null, null, null, null, null, null), at)));
        await db.SaveChangesAsync(Ct);
    }

    /// <summary>Resolved conversations of their own contacts, written straight to the database (nothing reacts to them); answers their ids.</summary>
    private async Task<List<Guid>> AddResolvedConversationsAsync(Guid workspaceId, Guid inboxId, int count, int messagesEach)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var number = await db.Conversations.IgnoreQueryFilters().Where(c => c.WorkspaceId == workspaceId).MaxAsync(c => (int?)c.Number, Ct) ?? 0;
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var contact = Contact.Create(workspaceId, $"bulk-{Guid.NewGuid():N}", now);
            contact.Change($"Customer {i}", $"customer-{i}-{Guid.NewGuid():N}@example.com", new CustomAttributes(), now);
            var conversation = Conversation.Start(workspaceId, inboxId, contact.Id, ++number, ConversationOrigin.Api, null, now);
            for (var sequence = 1; sequence <= messagesEach; sequence++)
            {
                var message = Message.Create(conversation, sequence, $"bulk-{Guid.NewGuid():N}", MessageKind.Incoming, null, $"Message {sequence} of customer {i}", now, PiiDetectors.None);
                conversation.Record(message);
                db.Messages.Add(message);
            }

            conversation.ChangeStatus(ConversationStatus.Resolved, null, now);
            contact.ClearDomainEvents();
            conversation.ClearDomainEvents();
            db.Contacts.Add(contact);
            db.Conversations.Add(conversation);
            ids.Add(conversation.Id);
        }

        await db.SaveChangesAsync(Ct);
        return ids;
    }

    private async Task<Contact> ReadContactAsync(Guid contactId) => await ReadAsync(db => db.Contacts.AsNoTracking().SingleAsync(k => k.Id == contactId, Ct));

    /// <summary>Has the day rolled up again from its facts before the next report reads it, as any later change of that day would.</summary>
    private static async Task<int> StaleReportDayMark(AppDbContext db, Guid workspaceId, DateOnly day)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(Ct);
        await Porchlight.Server.Features.Reports.StaleReportDay.MarkAsync(db, workspaceId, [day], Porchlight.Server.Features.Reports.StaleReportDay.All, Ct);
        await transaction.CommitAsync(Ct);
        return 0;
    }

    private async Task<T> ReadAsync<T>(Func<AppDbContext, Task<T>> read)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    private string Folder(Guid workspaceId) => Path.Combine(Factory.AttachmentsPath, workspaceId.ToString("N"));

    private List<Guid> StoredIds(Guid workspaceId) =>
        Directory.Exists(Folder(workspaceId)) ? [.. Directory.GetFiles(Folder(workspaceId)).Select(f => Guid.ParseExact(Path.GetFileName(f), "N")).Order()] : [];
}

public sealed class RetentionSqliteTests(SqliteClockFixture fixture) : RetentionTests(fixture.Factory, fixture.Clock), IClassFixture<SqliteClockFixture>;

public sealed class RetentionPostgresTests(PostgresClockFixture fixture) : RetentionTests(fixture.Factory, fixture.Clock), IClassFixture<PostgresClockFixture>;
