using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Inboxes;

/// <summary>Each web-widget inbox decides what its widget asks before the first message, and the server holds visitors to it.</summary>
public abstract class PreChatFormTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    // Order number (required), email (required), a topic to pick, a phone number, and consent (required).
    private static readonly object SupportForm = new
    {
        enabled = true,
        fields = new object[]
        {
            new { key = "order_number", label = "Order number", type = "Text", required = true, placeholder = "e.g. 47110" },
            new { key = "email", label = "Email", type = "Email", required = true },
            new { key = "topic", label = "Topic", type = "Select", options = new[] { "Shipping", "Returns", "Billing" } },
            new { key = "phone", label = "Phone", type = "Phone" },
            new { key = "consent", label = "I agree that you store my details", type = "Checkbox", required = true },
        },
    };

    [Fact]
    public async Task PreChatForm_NewWidgetInbox_AsksOptionalNameAndEmail()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);

        var form = (await owner.GetJsonAsync($"/api/v1/inboxes/{inboxId}")).GetProperty("widget").GetProperty("preChatForm");
        var asked = (await Factory.CreateClient().GetJsonAsync($"/widget/v1/inboxes/{inboxToken}")).GetProperty("preChatFields");

        Assert.True(form.GetProperty("enabled").GetBoolean());
        Assert.Equal(["name:Text:False", "email:Email:False"], Describe(form.GetProperty("fields")));
        Assert.Equal(["name:text:False", "email:email:False"], Describe(asked));
    }

    [Fact]
    public async Task UpdateInbox_CustomPreChatForm_SavedInOrderAndShownToTheWidget()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);

        var updated = await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}", new { name = "Website chat", widget = new { preChatForm = SupportForm } })
            .ExpectAsync(HttpStatusCode.OK);

        var reread = await owner.GetJsonAsync($"/api/v1/inboxes/{inboxId}");
        ApiCalls.AssertSameResource(updated, reread);
        var form = reread.GetProperty("widget").GetProperty("preChatForm");
        Assert.Equal(["order_number:Text:True", "email:Email:True", "topic:Select:False", "phone:Phone:False", "consent:Checkbox:True"], Describe(form.GetProperty("fields")));
        var asked = (await Factory.CreateClient().GetJsonAsync($"/widget/v1/inboxes/{inboxToken}")).GetProperty("preChatFields");
        Assert.Equal(["order_number:text:True", "email:email:True", "topic:select:False", "phone:phone:False", "consent:checkbox:True"], Describe(asked));
        Assert.Equal("e.g. 47110", asked[0].Text("placeholder"));
        Assert.Equal(["Shipping", "Returns", "Billing"], asked[2].GetProperty("options").EnumerateArray().Select(o => o.GetString()));

        // Left out on a later update: unchanged. Switched off: the widget asks nothing, but the questions are kept.
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}", new { name = "Website chat", widget = new { greeting = "Hello" } }).ExpectAsync(HttpStatusCode.OK);
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}", new { name = "Website chat", widget = new { preChatForm = new { enabled = false } } })
            .ExpectAsync(HttpStatusCode.OK);
        var off = (await owner.GetJsonAsync($"/api/v1/inboxes/{inboxId}")).GetProperty("widget").GetProperty("preChatForm");
        Assert.False(off.GetProperty("enabled").GetBoolean());
        Assert.Equal(5, off.GetProperty("fields").GetArrayLength());
        Assert.Empty((await Factory.CreateClient().GetJsonAsync($"/widget/v1/inboxes/{inboxToken}")).GetProperty("preChatFields").EnumerateArray());
    }

    [Fact]
    public async Task UpdateInbox_InvalidPreChatForm_Returns400NamingEachFieldAndChangesNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, _) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var before = await owner.GetJsonAsync($"/api/v1/inboxes/{inboxId}");
        var fields = new object[]
        {
            new { key = "Order Number", label = "Order", type = "Text" },
            new { key = "topic", label = "Topic", type = "Select" },
            new { key = "topic", label = "Topic again", type = "Text" },
            new { key = "note", label = "", type = "Textarea" },
            new { key = "email", label = "Email", type = "Text" },
            new { key = "size", label = new string('x', 81), type = "Select", options = new[] { "S", "S" } },
        };

        var problem = await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}", new { name = "Website chat", widget = new { preChatForm = new { fields } } })
            .ExpectProblemAsync(HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                "widget.preChatForm.fields[0].key", "widget.preChatForm.fields[1].options", "widget.preChatForm.fields[2].key",
                "widget.preChatForm.fields[3].label", "widget.preChatForm.fields[4].type", "widget.preChatForm.fields[5].label",
                "widget.preChatForm.fields[5].options",
            ],
            errors);
        var tooMany = Enumerable.Range(0, 21).Select(i => new { key = $"q{i}", label = $"Question {i}", type = "Text" });
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}", new { name = "Website chat", widget = new { preChatForm = new { fields = tooMany } } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "widget.preChatForm.fields");
        ApiCalls.AssertSameResource(before, await owner.GetJsonAsync($"/api/v1/inboxes/{inboxId}"));
    }

    [Fact]
    public async Task StartConversation_RequiredAnswersMissingOrWrong_Returns400NamingEachAndStoresNothing()
    {
        var (owner, visitor) = await VisitorOfSupportFormAsync();
        using var _ = visitor;

        var missing = await StartAsync(visitor, new { name = "Ada" }).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var wrong = await StartAsync(visitor, new { order_number = "47110", email = "ada@", topic = "Gardening", phone = "call me", consent = "yes" })
            .ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["fields.consent", "fields.email", "fields.order_number"], ErrorFields(missing));
        Assert.Equal(["fields.consent", "fields.email", "fields.phone", "fields.topic"], ErrorFields(wrong));
        Assert.Empty((await visitor.Http.GetJsonAsync("/widget/v1/conversations")).EnumerateArray());
        Assert.Empty((await owner.GetJsonAsync("/api/v1/conversations")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task StartConversation_AnswersFitTheForm_FillTheContactAndUnaskedKeysAreDropped()
    {
        var (owner, visitor) = await VisitorOfSupportFormAsync();
        using var _ = visitor;

        var started = await StartAsync(visitor, new
        {
            order_number = " 47110 ",
            email = "ada@example.com",
            topic = "Returns",
            phone = "+49 (30) 1234-567",
            consent = "true",
            name = "Not asked",
            plan = "enterprise",
        }).ExpectAsync(HttpStatusCode.Created);

        var conversation = await owner.GetJsonAsync($"/api/v1/conversations/{started.GetProperty("conversation").IdOf()}");
        var contact = await owner.GetJsonAsync($"/api/v1/contacts/{conversation.GetProperty("contact").IdOf()}");
        Assert.Equal("ada@example.com", contact.Text("email"));
        Assert.Equal("ada@example.com", contact.Text("name"));
        var attributes = contact.GetProperty("attributes").EnumerateObject().ToDictionary(a => a.Name, a => a.Value.GetString());
        Assert.Equal(
            new Dictionary<string, string?> { ["order_number"] = "47110", ["topic"] = "Returns", ["phone"] = "+49 (30) 1234-567", ["consent"] = "true" },
            attributes);
    }

    [Fact]
    public async Task StartConversation_FormSwitchedOff_NothingRequiredAndAnswersIgnored()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}", new { name = "Website chat", widget = new { preChatForm = SupportForm } }).ExpectAsync(HttpStatusCode.OK);
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}", new { name = "Website chat", widget = new { preChatForm = new { enabled = false } } })
            .ExpectAsync(HttpStatusCode.OK);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        var started = await StartAsync(visitor, new { email = "ada@example.com" }).ExpectAsync(HttpStatusCode.Created);

        var conversation = await owner.GetJsonAsync($"/api/v1/conversations/{started.GetProperty("conversation").IdOf()}");
        Assert.Equal(JsonValueKind.Null, conversation.GetProperty("contact").GetProperty("email").ValueKind);
    }

    [Fact]
    public async Task StartConversation_RetryAfterTheFormChanged_ReturnsTheConversationAlreadyStarted()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var body = new { clientId = TestVisitor.NewClientId(), text = "Hello", fields = new { name = "Ada" } };
        var first = await visitor.Http.PostJsonAsync("/widget/v1/conversations", body).ExpectAsync(HttpStatusCode.Created);

        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}", new { name = "Website chat", widget = new { preChatForm = SupportForm } }).ExpectAsync(HttpStatusCode.OK);
        var retry = await visitor.Http.PostJsonAsync("/widget/v1/conversations", body).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(first.GetProperty("conversation").IdOf(), retry.GetProperty("conversation").IdOf());
        Assert.Single((await visitor.Http.GetJsonAsync("/widget/v1/conversations")).EnumerateArray());
    }

    [Fact]
    public async Task PreChatForm_InboxFromBeforeTheSetting_ReadsAsOptionalNameAndEmail()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}", new { name = "Website chat", widget = new { preChatForm = SupportForm } }).ExpectAsync(HttpStatusCode.OK);

        // The value the migration gives inboxes that existed before pre-chat forms, as that provider's migration wrote it.
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var migration = db.GetService<IMigrationsAssembly>().Migrations.Single(m => m.Key.EndsWith("_PreChatForm", StringComparison.Ordinal));
            var added = ((Migration)Activator.CreateInstance(migration.Value.AsType())!).UpOperations.OfType<AddColumnOperation>()
                .Single(c => c is { Table: "Inboxes", Name: "PreChatForm" });
            await db.Database.ExecuteSqlAsync($"UPDATE \"Inboxes\" SET \"PreChatForm\" = {(string)added.DefaultValue!} WHERE \"PublicToken\" = {inboxToken}", Ct);
        }

        Assert.Equal(["name:Text:False", "email:Email:False"],
            Describe((await owner.GetJsonAsync($"/api/v1/inboxes/{inboxId}")).GetProperty("widget").GetProperty("preChatForm").GetProperty("fields")));
        Assert.Equal(["name:text:False", "email:email:False"],
            Describe((await Factory.CreateClient().GetJsonAsync($"/widget/v1/inboxes/{inboxToken}")).GetProperty("preChatFields")));
    }

    /// <summary>A workspace whose widget inbox asks <see cref="SupportForm"/>, and a visitor of it.</summary>
    private async Task<(HttpClient Owner, TestVisitor Visitor)> VisitorOfSupportFormAsync()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}", new { name = "Website chat", widget = new { preChatForm = SupportForm } }).ExpectAsync(HttpStatusCode.OK);
        return (owner, await TestVisitor.StartAsync(Factory, inboxToken));
    }

    private static Task<HttpResponseMessage> StartAsync(TestVisitor visitor, object fields) =>
        visitor.Http.PostJsonAsync("/widget/v1/conversations", new { clientId = TestVisitor.NewClientId(), text = "Where is my parcel?", fields });

    private static List<string> Describe(JsonElement fields) =>
        [.. fields.EnumerateArray().Select(f => $"{f.Text("key")}:{f.Text("type")}:{f.GetProperty("required").GetBoolean()}")];

    private static List<string> ErrorFields(JsonElement problem) =>
        [.. problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal)];
}

public sealed class PreChatFormSqliteTests(SqliteApiFixture fixture) : PreChatFormTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class PreChatFormPostgresTests(PostgresApiFixture fixture) : PreChatFormTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
