using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Email;
using Porchlight.Server.Features.Webhooks;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Features.Tracking;
using Porchlight.Server.Tests.Features.Webhooks;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Privacy;

/// <summary>
/// Privacy requests about a contact (docs/privacy.md#privacy-requests). Each test builds a customer with everything a
/// customer leaves (conversations with messages, a file, an agent's reply naming them, mail records, a survey comment, notes,
/// tracked visits, webhook deliveries), every piece of it carrying one made-up marker; and another customer with a marker
/// of their own. The export must hold every piece of the first and nothing of the second; after an erasure no column of
/// any table holds the first marker (a scan over the whole database, not a list of places), the file is gone from disk,
/// search finds nothing, and the second customer is as they were.
/// </summary>
public abstract partial class PrivacyRequestTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task Export_ContactWithEverything_ZipHoldsEveryPieceAndNothingOfAnotherContact()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var customer = await CustomerAsync(workspace, owner);
        var other = await OtherCustomerAsync(owner, customer.InboxToken);

        using var response = await owner.GetAsync($"/api/v1/contacts/{customer.ContactId}/privacy-export", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        var fileName = response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName;
        Assert.Equal($"contact-{customer.ContactId}-{DateTime.UtcNow:yyyy-MM-dd}.zip", fileName?.Trim('"'));
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync(Ct)), ZipArchiveMode.Read);
        var texts = zip.Entries.ToDictionary(e => e.FullName, e => new StreamReader(e.Open()).ReadToEnd());
        var document = JsonDocument.Parse(texts["contact.json"]).RootElement;

        var contact = document.GetProperty("contact");
        Assert.Equal((customer.Name, customer.Email), (contact.Text("name"), contact.Text("email")));
        Assert.Equal(customer.Phone, contact.GetProperty("attributes").Text("phone"));
        Assert.Equal(customer.Company, document.GetProperty("company").Text("name"));
        Assert.Contains(customer.Marker, Assert.Single(document.GetProperty("notes").EnumerateArray()).Text("text"), StringComparison.Ordinal);
        var conversation = Assert.Single(document.GetProperty("conversations").EnumerateArray());
        var messages = conversation.GetProperty("messages").EnumerateArray().ToList();
        Assert.Contains(messages, m => m.Text("kind") == "Incoming" && m.Text("text") == customer.FirstWords);
        Assert.Contains(messages, m => m.Text("kind") == "Outgoing" && m.Text("text") == customer.Reply);
        Assert.Contains(messages, m => m.Text("kind") == "Note" && m.Text("text") == customer.InternalNote);
        var file = Assert.Single(messages.SelectMany(m => m.GetProperty("attachments").EnumerateArray()));
        Assert.Equal(customer.FileName, file.Text("fileName"));
        Assert.Equal(customer.FileContent, texts[file.Text("file")!]);
        Assert.NotEmpty(conversation.GetProperty("events").EnumerateArray());
        Assert.Equal((4, customer.SurveyComment), (conversation.GetProperty("survey").GetProperty("rating").GetInt32(), conversation.GetProperty("survey").Text("comment")));
        Assert.Contains(conversation.GetProperty("emails").EnumerateArray(), m => m.Text("subject") == customer.MailSubject && m.Text("fullText") == customer.MailText);
        Assert.Contains(document.GetProperty("emailsWithoutConversation").EnumerateArray(), m => m.Text("fromAddress") == customer.Email);
        var tracking = document.GetProperty("tracking");
        Assert.Equal(customer.TrackerKey, Assert.Single(tracking.GetProperty("visitors").EnumerateArray()).Text("visitorKey"));
        Assert.Contains(tracking.GetProperty("visits").EnumerateArray(), v => v.Text("entryUrl") == customer.PageUrl);
        Assert.Contains(tracking.GetProperty("events").EnumerateArray(), e => e.Text("url") == customer.PageUrl && e.Text("title") == customer.PageTitle);
        // Nothing of the other customer, in the document or any file.
        Assert.All(texts.Values, text => Assert.DoesNotContain(other.Marker, text, StringComparison.OrdinalIgnoreCase));

        var entry = Assert.Single(await owner.ListAllAsync("/api/v1/audit?action=contact.exported"));
        Assert.Equal(customer.ContactId.ToString(), entry.Text("entityId"));
        Assert.Equal(1, entry.GetProperty("changes").GetProperty("attachments").GetInt32());
        Assert.DoesNotContain(customer.Marker, entry.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("Anonymize")]
    [InlineData("Delete")]
    public async Task Erase_ContactWithEverything_NoTableHoldsTheirDataTheFileIsGoneAndTheOtherContactIsUntouched(string mode)
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var customer = await CustomerAsync(workspace, owner);
        var other = await OtherCustomerAsync(owner, customer.InboxToken);
        Assert.True((await owner.GetJsonAsync($"/api/v1/conversations?search={customer.Marker}&status=Resolved")).GetProperty("total").GetInt32() > 0);
        Assert.NotEmpty(await DatabaseScan.FindAsync(Factory, customer.Marker));
        var otherBefore = await other.SnapshotAsync(owner);

        var report = await owner.PostJsonAsync($"/api/v1/contacts/{customer.ContactId}/erasure", new { mode }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal((mode, mode == "Delete"), (report.Text("mode"), report.GetProperty("contactDeleted").GetBoolean()));
        Assert.Equal((1, 1, 1), (report.GetProperty("conversations").GetInt32(), report.GetProperty("attachments").GetInt32(), report.GetProperty("notes").GetInt32()));
        Assert.Equal(2, report.GetProperty("emailMessages").GetInt32());
        Assert.True(report.GetProperty("trackedEvents").GetInt32() >= 1 && report.GetProperty("trackedVisits").GetInt32() >= 1);
        await WaitForOutboxAsync(workspace.WorkspaceId);
        Assert.Empty(await DatabaseScan.FindAsync(Factory, customer.Marker));
        Assert.Empty(await DatabaseScan.FindAsync(Factory, customer.Email));
        Assert.False(File.Exists(customer.StoredFilePath), "The attachment's file is still on disk.");
        Assert.Equal(0, (await owner.GetJsonAsync($"/api/v1/conversations?search={customer.Marker}&status=Resolved")).GetProperty("total").GetInt32());
        Assert.Empty((await owner.GetJsonAsync($"/api/v1/contacts?q={customer.Marker}")).GetProperty("items").EnumerateArray());
        Assert.Equal(otherBefore, await other.SnapshotAsync(owner));
        Assert.NotEmpty(await DatabaseScan.FindAsync(Factory, other.Marker));

        var entry = Assert.Single(await owner.ListAllAsync("/api/v1/audit?action=contact.erased"));
        Assert.Equal((customer.ContactId.ToString(), mode), (entry.Text("entityId"), entry.GetProperty("changes").Text("mode")));
        if (mode == "Delete")
        {
            await owner.GetAsync($"/api/v1/contacts/{customer.ContactId}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
            await owner.GetAsync($"/api/v1/conversations/{customer.ConversationId}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
            await using var scope = Factory.Services.CreateAsyncScope();
            Assert.False(await scope.ServiceProvider.GetRequiredService<AppDbContext>().ReportFacts.IgnoreQueryFilters()
                .AnyAsync(f => f.ConversationId == customer.ConversationId, Ct), "The deleted conversation still counts in the reports.");
            return;
        }

        // Anonymized: an "Erased contact" with their conversation, its shape and the agent's words kept (their name and address taken out), theirs gone.
        var erased = await owner.GetJsonAsync($"/api/v1/contacts/{customer.ContactId}");
        Assert.Equal(("Erased contact", null), (erased.Text("name"), erased.Text("email")));
        Assert.Empty(erased.GetProperty("attributes").EnumerateObject());
        Assert.Equal(JsonValueKind.String, erased.GetProperty("erasedAt").ValueKind);
        var conversation = await owner.GetJsonAsync($"/api/v1/conversations/{customer.ConversationId}");
        Assert.Equal(("Resolved", "Erased contact"), (conversation.Text("status"), conversation.GetProperty("contact").Text("name")));
        var thread = (await owner.GetJsonAsync($"/api/v1/conversations/{customer.ConversationId}/messages")).EnumerateArray().ToList();
        Assert.All(thread.Where(m => m.Text("kind") == "Incoming" && m.Text("text") != ""), m => Assert.Equal("[erased]", m.Text("text")));
        Assert.Contains(thread, m => m.Text("text") == "Hi [erased], your refund is on its way to [erased].");
        Assert.Equal(4, (await owner.GetJsonAsync($"/api/v1/conversations/{customer.ConversationId}/survey")).GetProperty("rating").GetInt32());
    }

    [Fact]
    public async Task Erase_Twice_SecondFindsNothingMoreAndChangesNothingElse()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var customer = await CustomerAsync(workspace, owner);
        var other = await OtherCustomerAsync(owner, customer.InboxToken);
        await owner.PostJsonAsync($"/api/v1/contacts/{customer.ContactId}/erasure", new { mode = "Anonymize" }).ExpectAsync(HttpStatusCode.OK);
        var otherBefore = await other.SnapshotAsync(owner);
        var contactBefore = await owner.GetJsonAsync($"/api/v1/contacts/{customer.ContactId}");

        var again = await owner.PostJsonAsync($"/api/v1/contacts/{customer.ContactId}/erasure", new { mode = "Anonymize" }).ExpectAsync(HttpStatusCode.OK);

        foreach (var count in new[] { "messages", "attachments", "emailMessages", "notes", "surveyAnswers", "trackedVisitors", "trackedVisits", "trackedEvents", "webhookDeliveries" })
        {
            Assert.True(again.GetProperty(count).GetInt32() == 0, $"The second erasure found {again.GetProperty(count)} {count}.");
        }

        ApiCalls.AssertSameResource(contactBefore, await owner.GetJsonAsync($"/api/v1/contacts/{customer.ContactId}"));
        Assert.Equal(otherBefore, await other.SnapshotAsync(owner));
        Assert.Empty(await DatabaseScan.FindAsync(Factory, customer.Marker));
        Assert.Equal(2, (await owner.ListAllAsync("/api/v1/audit?action=contact.erased")).Count);

        // Deleted, the contact is gone: asked again, 404, and nothing else changes.
        await owner.PostJsonAsync($"/api/v1/contacts/{customer.ContactId}/erasure", new { mode = "Delete" }).ExpectAsync(HttpStatusCode.OK);
        await owner.PostJsonAsync($"/api/v1/contacts/{customer.ContactId}/erasure", new { mode = "Delete" }).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(otherBefore, await other.SnapshotAsync(owner));
    }

    [Fact]
    public async Task Erase_WithoutAMode_TakesTheWorkspacesSettingAndAnUnknownModeChangesNothing()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        Assert.Equal("Anonymize", (await owner.GetJsonAsync("/api/v1/workspace")).Text("erasureMode"));
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var customer = await OtherCustomerAsync(owner, inboxToken);
        var before = await customer.SnapshotAsync(owner);

        var bad = await owner.PostJsonAsync($"/api/v1/contacts/{customer.ContactId}/erasure", new { mode = "Shred" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "$.mode");
        var badSetting = await owner.PutJsonAsync("/api/v1/workspace", new { name = "Acme", timeZone = "UTC", businessHours = Array.Empty<object>(), erasureMode = "Shred" })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "$.erasureMode");

        Assert.Equal(before, await customer.SnapshotAsync(owner));
        Assert.Equal("Anonymize", (await owner.GetJsonAsync("/api/v1/workspace")).Text("erasureMode"));
        Assert.Empty(await owner.ListAllAsync("/api/v1/audit?action=contact.erased"));
        Assert.NotNull(bad.GetRawText());
        Assert.NotNull(badSetting.GetRawText());

        var current = await owner.GetJsonAsync("/api/v1/workspace");
        var updated = await owner.PutJsonAsync("/api/v1/workspace", new
        {
            name = current.Text("name"), timeZone = current.Text("timeZone"), businessHours = current.GetProperty("businessHours"), erasureMode = "Delete",
        }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Delete", updated.Text("erasureMode"));
        // An erasure cannot be undone: it is asked for with a body, if only an empty one that takes the workspace's mode.
        await owner.PostAsync($"/api/v1/contacts/{customer.ContactId}/erasure", null, Ct).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var report = await owner.PostJsonAsync($"/api/v1/contacts/{customer.ContactId}/erasure", new { }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("Delete", report.Text("mode"));
        await owner.GetAsync($"/api/v1/contacts/{customer.ContactId}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        var change = Assert.Single(await owner.ListAllAsync("/api/v1/audit?action=workspace.updated")).GetProperty("changes").GetProperty("ErasureMode");
        Assert.Equal(("Anonymize", "Delete"), (change.Text("before"), change.Text("after")));
        Assert.Empty(await DatabaseScan.FindAsync(Factory, customer.Marker));
        Assert.Equal(workspace.WorkspaceId, (await owner.GetJsonAsync("/api/v1/workspace")).IdOf());
    }

    [Fact]
    public async Task PrivacyRequests_AnotherWorkspacesContactOrAnUnknownOne_404AndNothingChanges()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var customer = await OtherCustomerAsync(owner, inboxToken);
        var (_, stranger) = await NewWorkspaceAsync("Another company");
        var before = await customer.SnapshotAsync(owner);

        foreach (var contactId in new[] { customer.ContactId, Guid.NewGuid() })
        {
            await stranger.GetAsync($"/api/v1/contacts/{contactId}/privacy-export", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
            await stranger.PostJsonAsync($"/api/v1/contacts/{contactId}/erasure", new { mode = "Delete" }).ExpectProblemAsync(HttpStatusCode.NotFound);
        }

        Assert.Equal(before, await customer.SnapshotAsync(owner));
        Assert.Empty(await stranger.ListAllAsync("/api/v1/audit?action=contact.erased"));
    }

    [Fact]
    public async Task PrivacyRequests_SupervisorOrAgent_403AndNothingChanges()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var customer = await OtherCustomerAsync(owner, inboxToken);
        var before = await customer.SnapshotAsync(owner);

        foreach (var role in new[] { AgentRole.Supervisor, AgentRole.Agent })
        {
            var (_, _, person) = await NewAgentAsync(workspace.WorkspaceId, role, ["read", "write", "admin"]);
            await person.GetAsync($"/api/v1/contacts/{customer.ContactId}/privacy-export", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
            await person.PostJsonAsync($"/api/v1/contacts/{customer.ContactId}/erasure", new { mode = "Delete" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        }

        Assert.Equal(before, await customer.SnapshotAsync(owner));
        Assert.Empty(await owner.ListAllAsync("/api/v1/audit?action=contact.exported"));
    }

    /// <summary>A customer with something of every kind a customer leaves, each piece carrying <see cref="Customer.Marker"/>.</summary>
    private async Task<Customer> CustomerAsync(TestWorkspace workspace, HttpClient owner)
    {
        var marker = Marker();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/survey", new { isEnabled = true, rating = "Stars", askComment = true }).ExpectAsync(HttpStatusCode.OK);
        await using var receiver = await WebhookReceiver.StartAsync();
        await WebhookTests.CreateWebhookAsync(owner, receiver, WebhookEvents.MessageCreated, WebhookEvents.ConversationCreated, WebhookEvents.ContactUpdated);
        var company = await owner.PostJsonAsync("/api/v1/companies", new { name = Unique("Globex") }).ExpectAsync(HttpStatusCode.Created);

        // The tracker saw the browser on a page, before the chat.
        var trackerKey = "v_" + Guid.NewGuid().ToString("N");
        var (pageUrl, pageTitle) = ($"https://shop.example/orders/{marker}", $"Orders of {marker}");
        using (var tracker = Factory.CreateClient())
        {
            var batch = JsonSerializer.Serialize(new { site = inboxToken, visitor = trackerKey, session = "s_" + Guid.NewGuid().ToString("N")[..12], events = new[] { new { type = "pageview", url = pageUrl, title = pageTitle } } });
            using var tracked = await TrackingIngestionTests.PostAsync(tracker, batch);
            Assert.Equal(HttpStatusCode.Accepted, tracked.StatusCode);
        }

        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken, trackerVisitor: trackerKey);
        var firstWords = $"Hello, my order {marker} never arrived";
        var (conversationId, _) = await visitor.StartConversationAsync(firstWords);
        var contactId = (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("contact").IdOf();
        var (name, email, phone) = ($"Ada {marker}", $"{marker}@example.com", "+44 7700 " + Random.Shared.Next(100000, 999999));
        await owner.PutJsonAsync($"/api/v1/contacts/{contactId}", new
        {
            name, email, externalId = $"crm-{marker}", attributes = new Dictionary<string, string> { ["phone"] = phone, ["city"] = $"{marker}ville" },
            companyId = company.IdOf().ToString(),
        }).ExpectAsync(HttpStatusCode.OK);
        await owner.PostJsonAsync($"/api/v1/contacts/{contactId}/notes", new { text = $"Called {marker} back twice" }).ExpectAsync(HttpStatusCode.Created);

        var (fileName, fileContent) = ($"{marker}-receipt.txt", $"Receipt for {marker}, paid in full");
        var uploaded = await UploadAsync(visitor.Http, $"/widget/v1/conversations/{conversationId}/attachments", Encoding.UTF8.GetBytes(fileContent), fileName)
            .ExpectAsync(HttpStatusCode.Created);
        await visitor.Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/messages",
            new { clientId = TestVisitor.NewClientId(), text = $"Here is my receipt, call me on {phone}", attachmentIds = new[] { uploaded.IdOf() } }).ExpectAsync(HttpStatusCode.Created);
        var reply = $"Hi {name}, your refund is on its way to {email}.";
        var replied = await owner.ReplyAsync(conversationId, reply).ExpectAsync(HttpStatusCode.Created);
        var internalNote = $"{marker} sounded upset";
        await owner.ReplyAsync(conversationId, internalNote, isPrivate: true).ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        var surveyComment = $"Thanks, from {marker}";
        await visitor.Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/survey", new { rating = 4, comment = surveyComment }).ExpectAsync(HttpStatusCode.OK);

        // The mails: the agent's reply as sent by email, and an auto-reply from the customer's address that became no conversation.
        var (mailSubject, mailText) = ($"Re: order {marker}", $"{reply}\n\n> {firstWords}");
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            db.EmailMessages.Add(EmailMessage.Sent(workspace.WorkspaceId, inboxId, conversationId, replied.IdOf(), $"{Guid.NewGuid():N}@support.example", mailSubject, "support@example.com", mailText, DateTime.UtcNow));
            db.EmailMessages.Add(EmailMessage.Received(workspace.WorkspaceId, inboxId, $"{Guid.NewGuid():N}@mail.example", $"Out of office: {marker}", email, $"{name} is away", AutomaticMailKind.AutoReply, DateTime.UtcNow));
            await db.SaveChangesAsync(Ct);
        }

        await Eventually.WaitUntilAsync(async () =>
        {
            await using var scope = Factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            return await db.TrackedVisitors.IgnoreQueryFilters().AnyAsync(v => v.VisitorKey == trackerKey && v.ContactId == contactId, Ct)
                && await db.TrackedEvents.IgnoreQueryFilters().AnyAsync(e => e.VisitorKey == trackerKey, Ct);
        }, "the tracker's visitor is linked to the contact");
        await receiver.WaitForAsync(4, "the webhook receiver got the conversation, its messages and the contact's change");
        await WaitForOutboxAsync(workspace.WorkspaceId);
        return new Customer(
            marker, contactId, conversationId, inboxToken, name, email, phone, company.Text("name")!, firstWords, reply, internalNote, fileName, fileContent,
            Path.Combine(Factory.AttachmentsPath, workspace.WorkspaceId.ToString("N"), uploaded.IdOf().ToString("N")), surveyComment, mailSubject, mailText,
            trackerKey, pageUrl, pageTitle);
    }

    /// <summary>Another customer of the same inbox, with a conversation, a file and a note of their own.</summary>
    private async Task<OtherCustomer> OtherCustomerAsync(HttpClient owner, string inboxToken)
    {
        var marker = Marker();
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync($"Question about {marker}");
        var contactId = (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("contact").IdOf();
        await owner.PutJsonAsync($"/api/v1/contacts/{contactId}", new { name = $"Grace {marker}", email = $"{marker}@example.org" }).ExpectAsync(HttpStatusCode.OK);
        await owner.PostJsonAsync($"/api/v1/contacts/{contactId}/notes", new { text = $"Prefers {marker}" }).ExpectAsync(HttpStatusCode.Created);
        var uploaded = await UploadAsync(visitor.Http, $"/widget/v1/conversations/{conversationId}/attachments", Encoding.UTF8.GetBytes($"Photo of {marker}"), $"{marker}.txt")
            .ExpectAsync(HttpStatusCode.Created);
        await visitor.Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/messages",
            new { clientId = TestVisitor.NewClientId(), text = $"See {marker}", attachmentIds = new[] { uploaded.IdOf() } }).ExpectAsync(HttpStatusCode.Created);
        await owner.ReplyAsync(conversationId, $"Thanks Grace {marker}").ExpectAsync(HttpStatusCode.Created);
        return new OtherCustomer(marker, contactId, conversationId);
    }

    /// <summary>Letters and digits no other test writes; lower case, as the database scan compares.</summary>
    private static string Marker() => "pm" + Guid.NewGuid().ToString("N")[..12];

    private static Task<HttpResponseMessage> UploadAsync(HttpClient client, string path, byte[] content, string fileName)
    {
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        return client.PostAsync(path, new MultipartFormDataContent { { file, "file", fileName } }, Ct);
    }

    private sealed record Customer(
        string Marker, Guid ContactId, Guid ConversationId, string InboxToken, string Name, string Email, string Phone, string Company, string FirstWords,
        string Reply, string InternalNote, string FileName, string FileContent, string StoredFilePath, string SurveyComment, string MailSubject, string MailText,
        string TrackerKey, string PageUrl, string PageTitle);

    [System.Text.RegularExpressions.GeneratedRegex("(/attachments/[0-9a-f-]+)\\?[^\"]*")]
    private static partial System.Text.RegularExpressions.Regex SignedLink();

    private sealed record OtherCustomer(string Marker, Guid ContactId, Guid ConversationId)
    {
        /// <summary>What the team reads of them: the contact, the conversation, its messages and files, the notes.</summary>
        public async Task<string> SnapshotAsync(HttpClient owner)
        {
            var parts = new[]
            {
                await owner.GetJsonAsync($"/api/v1/contacts/{ContactId}"),
                await owner.GetJsonAsync($"/api/v1/conversations/{ConversationId}"),
                await owner.GetJsonAsync($"/api/v1/conversations/{ConversationId}/messages"),
                await owner.GetJsonAsync($"/api/v1/contacts/{ContactId}/notes"),
            };
            // A file's link is signed anew on every read: its address is compared, not its signature.
            return string.Join("\n", parts.Select(p => SignedLink().Replace(Bookkeeping.Strip(p.GetRawText()), "$1")));
        }
    }
}

/// <summary>
/// Every column of every table, cast to text, searched for a string in any case: whatever the model says, where the text
/// could have been copied to. On SQLite the tables come from sqlite_master (full-text tables included), on PostgreSQL from
/// the schema's catalogue.
/// </summary>
internal static class DatabaseScan
{
    public static async Task<List<string>> FindAsync(PorchlightFactory factory, string text)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var sqlite = db.Database.IsSqlite();
        var columns = new List<(string Table, string Column)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = sqlite
                ? "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
                : "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()";
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                columns.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        Assert.True(columns.Count > 100, $"Only {columns.Count} columns were found to scan.");
        var found = new List<string>();
        foreach (var (table, column) in columns)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sqlite
                ? $"SELECT count(*) FROM \"{table}\" WHERE lower(CAST(\"{column}\" AS TEXT)) LIKE @pattern"
                : $"SELECT count(*) FROM \"{table}\" WHERE lower(\"{column}\"::text) LIKE @pattern";
            var pattern = command.CreateParameter();
            pattern.ParameterName = "@pattern";
            pattern.Value = $"%{text.ToLowerInvariant()}%";
            command.Parameters.Add(pattern);
            if (Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0)
            {
                found.Add($"{table}.{column}");
            }
        }

        return found;
    }
}

public sealed class PrivacyRequestSqliteTests(SqliteApiFixture fixture) : PrivacyRequestTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class PrivacyRequestPostgresTests(PostgresApiFixture fixture) : PrivacyRequestTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
