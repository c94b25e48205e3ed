using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Webhooks;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Features.Webhooks;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.ApiChannel;

/// <summary>
/// An integration (an SMS gateway, an app's backend) speaks for its customers in an API inbox: it starts their
/// conversations and posts their messages by REST, idempotently by client id, and hears the agents' replies by webhook.
/// </summary>
public abstract class ApiChannelTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    private static readonly string[] ReadWrite = ["read", "write"];

    [Fact]
    public async Task ApiInbox_IntegrationRelaysBothWays_CustomerAndAgentTalkAndOnlyThisInboxIsReported()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var sms = await CreateApiInboxAsync(owner, "SMS");
        var (_, widgetToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await using var receiver = await WebhookReceiver.StartAsync();
        await owner.PostJsonAsync("/api/v1/webhooks", new { url = receiver.Url.ToString(), events = new[] { WebhookEvents.MessageCreated }, inboxIds = new[] { sms } })
            .ExpectAsync(HttpStatusCode.Created);
        var (_, _, integration) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Admin, ReadWrite);
        var start = new
        {
            clientId = "sms-0001-first",
            text = "Hi, my order #1001 has not arrived",
            contact = new { externalId = "+4915112345678", name = "Jane Doe", email = "Jane.Doe@Example.com", attributes = new Dictionary<string, string> { ["plan"] = "pro" } },
        };

        var started = await integration.PostJsonAsync($"/api/v1/inboxes/{sms}/conversations", start).ExpectAsync(HttpStatusCode.Created);
        var again = await integration.PostJsonAsync($"/api/v1/inboxes/{sms}/conversations", start).ExpectAsync(HttpStatusCode.OK);

        var conversation = started.GetProperty("conversation");
        var conversationId = conversation.IdOf();
        Assert.Equal(("Api", "Open", sms, "Jane Doe", "jane.doe@example.com"),
            (conversation.Text("origin"), conversation.Text("status"), conversation.GetProperty("inboxId").GetGuid(),
                conversation.GetProperty("contact").Text("name"), conversation.GetProperty("contact").Text("email")));
        Assert.Equal(("Incoming", "contact", start.text), (started.GetProperty("message").Text("kind"), started.GetProperty("message").GetProperty("author").Text("type"), started.GetProperty("message").Text("text")));
        Assert.Equal((conversationId, started.GetProperty("message").IdOf()), (again.GetProperty("conversation").IdOf(), again.GetProperty("message").IdOf()));
        var contact = await owner.GetJsonAsync($"/api/v1/contacts/{conversation.GetProperty("contact").IdOf()}");
        Assert.Equal(("+4915112345678", "pro"), (contact.Text("externalId"), contact.GetProperty("attributes").Text("plan")));

        var reply = await owner.ReplyAsync(conversationId, "Sorry about that, it ships today.").ExpectAsync(HttpStatusCode.Created);
        await owner.ReplyAsync(conversationId, "Warehouse confirmed.", isPrivate: true).ExpectAsync(HttpStatusCode.Created);
        await integration.PostJsonAsync($"/api/v1/conversations/{conversationId}/contact-read", new { sequence = reply.SequenceOf() }).ExpectAsync(HttpStatusCode.NoContent);
        var read = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}");
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        var answer = new { clientId = "sms-0002-second", text = "Thanks! It arrived." };
        var posted = await integration.PostJsonAsync($"/api/v1/conversations/{conversationId}/contact-messages", answer).ExpectAsync(HttpStatusCode.Created);
        var postedAgain = await integration.PostJsonAsync($"/api/v1/conversations/{conversationId}/contact-messages", answer).ExpectAsync(HttpStatusCode.OK);
        // A chat in the website's inbox goes on meanwhile; the SMS gateway's webhook does not hear of it.
        using var visitor = await TestVisitor.StartAsync(Factory, widgetToken);
        var (chatId, _) = await visitor.StartConversationAsync("Question from the website");
        await owner.ReplyAsync(chatId, "Answer on the website").ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(("Incoming", "contact", posted.IdOf()), (posted.Text("kind"), posted.GetProperty("author").Text("type"), postedAgain.IdOf()));
        Assert.Equal(reply.SequenceOf(), read.GetProperty("contactReadSequence").GetInt64());
        Assert.Equal("Open", (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).Text("status")); // the customer's message reopened it
        await receiver.WaitForAsync(4, "the SMS conversation's messages were reported");
        await WaitForOutboxAsync(workspace.WorkspaceId);
        var messages = receiver.Received.Select(r => r.Json.GetProperty("data")).ToList();
        Assert.All(messages, m => Assert.Equal(conversationId, m.GetProperty("conversation").IdOf()));
        Assert.Equal(
            [("Incoming", start.text), ("Outgoing", "Sorry about that, it ships today."), ("Note", "Warehouse confirmed."), ("Incoming", answer.text)],
            messages.Select(m => (m.GetProperty("message").Text("kind"), m.GetProperty("message").Text("text"))));
    }

    [Fact]
    public async Task ApiInbox_ContactNamedAgainAnotherWay_IsTheSameCustomerUntilTheNamesDiffer()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var app = await CreateApiInboxAsync(owner, "Mobile app");

        var byEmail = await StartAsync(owner, app, new { email = "sam@example.com", name = "Sam" });
        var crmLearnsIt = await StartAsync(owner, app, new { externalId = "crm-42", email = "SAM@Example.com " });
        var byExternalId = await StartAsync(owner, app, new { externalId = "crm-42" });
        var byContactId = await owner.PostJsonAsync($"/api/v1/inboxes/{app}/conversations", new { clientId = NewClientId(), text = "Me again", contactId = byEmail })
            .ExpectAsync(HttpStatusCode.Created);
        var someoneElse = await StartAsync(owner, app, new { externalId = "crm-43", email = "sam@example.com" });
        var sameEmailNoId = await StartAsync(owner, app, new { email = "sam@example.com" });

        Assert.Equal([byEmail, byEmail, byEmail], new[] { crmLearnsIt, byExternalId, byContactId.GetProperty("conversation").GetProperty("contact").IdOf() });
        var sam = await owner.GetJsonAsync($"/api/v1/contacts/{byEmail}");
        Assert.Equal(("Sam", "sam@example.com", "crm-42"), (sam.Text("name"), sam.Text("email"), sam.Text("externalId")));
        // crm-43 is another record of the CRM: a second customer with that email, not Sam taken over.
        Assert.NotEqual(byEmail, someoneElse);
        Assert.Equal("crm-43", (await owner.GetJsonAsync($"/api/v1/contacts/{someoneElse}")).Text("externalId"));
        // Named by an email two customers share, it is the one seen last.
        Assert.Equal(someoneElse, sameEmailNoId);
        Assert.Equal(2, await ContactCountAsync(workspace.WorkspaceId));
        // A client id is the key of one start: reused in another inbox for the same customer, it is refused, not mixed up.
        var otherApp = await CreateApiInboxAsync(owner, "Other app");
        var reused = new { clientId = "start-0001-reused", text = "Hello", contactId = byEmail };
        await owner.PostJsonAsync($"/api/v1/inboxes/{app}/conversations", reused).ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync($"/api/v1/inboxes/{otherApp}/conversations", reused).ExpectProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ContactMessage_WithFilesTheIntegrationUploaded_CarriesThemAsTheContacts()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var app = await CreateApiInboxAsync(owner, "Mobile app");
        var started = await owner.PostJsonAsync($"/api/v1/inboxes/{app}/conversations", new { clientId = NewClientId(), text = "It broke", contact = new { externalId = "user-7" } })
            .ExpectAsync(HttpStatusCode.Created);
        var conversationId = started.GetProperty("conversation").IdOf();
        var file = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.7\n%%EOF\n"u8.ToArray()), "file", "receipt.pdf" } };
        var uploaded = await owner.PostAsync($"/api/v1/conversations/{conversationId}/attachments", file, Ct).ExpectAsync(HttpStatusCode.Created);

        var posted = await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/contact-messages",
            new { clientId = NewClientId(), text = "", attachmentIds = new[] { uploaded.IdOf() } }).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(("Incoming", "receipt.pdf"), (posted.Text("kind"), Assert.Single(posted.GetProperty("attachments").EnumerateArray()).Text("fileName")));
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/contact-messages", new { clientId = NewClientId(), text = "Again", attachmentIds = new[] { uploaded.IdOf() } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "attachmentIds");
    }

    [Fact]
    public async Task ApiChannel_BadOrForbiddenRequests_AnswerClearlyAndChangeNothing()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var app = await CreateApiInboxAsync(owner, "Mobile app");
        var (widget, widgetToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, widgetToken);
        var (chatId, _) = await visitor.StartConversationAsync("From the website");
        var (other, stranger) = await NewWorkspaceAsync("Globex");
        var theirs = await CreateApiInboxAsync(stranger, "Their app");
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (_, _, readOnly) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Admin, ["read"]);
        var contact = new { externalId = "user-1" };
        var path = $"/api/v1/inboxes/{app}/conversations";

        await owner.PostJsonAsync(path, new { clientId = NewClientId(), text = "Hi" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "contact");
        await owner.PostJsonAsync(path, new { clientId = NewClientId(), text = "Hi", contact = new { name = "Nobody" } }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "contact");
        await owner.PostJsonAsync(path, new { clientId = NewClientId(), text = "Hi", contact = new { email = "not-an-address" } }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "contact.email");
        await owner.PostJsonAsync(path, new { clientId = NewClientId(), text = "Hi", contact, contactId = Guid.NewGuid() }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "contact");
        await owner.PostJsonAsync(path, new { clientId = NewClientId(), text = "Hi", contactId = Guid.NewGuid() }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "contactId");
        await owner.PostJsonAsync(path, new { clientId = "short", text = "Hi", contact }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "clientId");
        await owner.PostJsonAsync(path, new { clientId = NewClientId(), text = " ", contact }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "text");
        await owner.PostJsonAsync($"/api/v1/inboxes/{widget}/conversations", new { clientId = NewClientId(), text = "Hi", contact }).ExpectProblemAsync(HttpStatusCode.Conflict);
        await owner.PostJsonAsync($"/api/v1/inboxes/{theirs}/conversations", new { clientId = NewClientId(), text = "Hi", contact }).ExpectProblemAsync(HttpStatusCode.NotFound);
        await agent.PostJsonAsync(path, new { clientId = NewClientId(), text = "Hi", contact }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await readOnly.PostJsonAsync(path, new { clientId = NewClientId(), text = "Hi", contact }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await owner.PostJsonAsync($"/api/v1/conversations/{chatId}/contact-messages", new { clientId = NewClientId(), text = "Pretending" }).ExpectProblemAsync(HttpStatusCode.Conflict);
        await owner.PostJsonAsync($"/api/v1/conversations/{chatId}/contact-read", new { sequence = 1 }).ExpectProblemAsync(HttpStatusCode.Conflict);
        await owner.PostJsonAsync($"/api/v1/conversations/{Guid.NewGuid()}/contact-messages", new { clientId = NewClientId(), text = "Hi" }).ExpectProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal(1, await ContactCountAsync(workspace.WorkspaceId));
        Assert.Equal(0, await ContactCountAsync(other.WorkspaceId));
        Assert.Single((await owner.GetJsonAsync("/api/v1/conversations")).GetProperty("items").EnumerateArray());
        Assert.Single(await visitor.MessagesAsync(chatId));
    }

    [Fact]
    public async Task WebhookInboxes_UnknownOrAnotherWorkspacesInbox_RefusedAndTheWebhookUnchanged()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var app = await CreateApiInboxAsync(owner, "Mobile app");
        var (_, stranger) = await NewWorkspaceAsync("Globex");
        var theirs = await CreateApiInboxAsync(stranger, "Their app");
        await using var receiver = await WebhookReceiver.StartAsync();
        var (webhook, _) = await WebhookTests.CreateWebhookAsync(owner, receiver, WebhookEvents.MessageCreated);

        foreach (var inboxIds in new[] { new[] { theirs }, [app, Guid.NewGuid()] })
        {
            await owner.PutJsonAsync($"/api/v1/webhooks/{webhook}", new { url = receiver.Url.ToString(), events = new[] { WebhookEvents.MessageCreated }, inboxIds })
                .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "inboxIds");
        }

        Assert.Equal(0, (await owner.GetJsonAsync($"/api/v1/webhooks/{webhook}")).GetProperty("inboxIds").GetArrayLength());
        var saved = await owner.PutJsonAsync($"/api/v1/webhooks/{webhook}", new { url = receiver.Url.ToString(), events = new[] { WebhookEvents.MessageCreated }, inboxIds = new[] { app, app } })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(app, Assert.Single(saved.GetProperty("inboxIds").EnumerateArray()).GetGuid());
    }

    private static string NewClientId() => TestVisitor.NewClientId();

    private static async Task<Guid> CreateApiInboxAsync(HttpClient owner, string name) =>
        (await owner.PostJsonAsync("/api/v1/inboxes", new { name, channel = "Api" }).ExpectAsync(HttpStatusCode.Created)).IdOf();

    /// <summary>Starts a conversation for the contact named so, and answers the contact's id.</summary>
    private static async Task<Guid> StartAsync(HttpClient integration, Guid inboxId, object contact)
    {
        var started = await integration.PostJsonAsync($"/api/v1/inboxes/{inboxId}/conversations", new { clientId = NewClientId(), text = "Hello", contact })
            .ExpectAsync(HttpStatusCode.Created);
        return started.GetProperty("conversation").GetProperty("contact").IdOf();
    }

    private async Task<int> ContactCountAsync(Guid workspaceId)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return await db.Contacts.IgnoreQueryFilters().CountAsync(c => c.WorkspaceId == workspaceId, Ct);
    }
}

public sealed class ApiChannelSqliteTests(SqliteApiFixture fixture) : ApiChannelTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class ApiChannelPostgresTests(PostgresApiFixture fixture) : ApiChannelTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
