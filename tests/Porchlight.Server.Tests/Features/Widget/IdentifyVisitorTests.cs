using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Widget;

/// <summary>The host site names its signed-in user; with verification only its server can vouch for that name.</summary>
public abstract class IdentifyVisitorTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task Identify_VerificationRequiredAndRightHash_VisitorActsAsTheKnownContact()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await CreateInboxAsync(owner, requireVerification: true);
        var secret = await SecretAsync(owner, inboxId);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        var identified = await visitor.Http.PostJsonAsync("/widget/v1/identify",
            new { userId = "user-42", email = "ada@example.com", name = "Ada", userHash = Hash(secret, "user-42") }).ExpectAsync(HttpStatusCode.OK);

        var contactId = identified.GetProperty("contactId").GetGuid();
        Assert.Equal(contactId, identified.GetProperty("visitorId").GetGuid());
        Assert.NotEqual(visitor.Id, contactId);
        using var ada = VisitorWith(identified.Text("visitorToken")!, contactId);
        var (conversationId, _) = await ada.StartConversationAsync("Where is my order?");
        var conversation = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}");
        Assert.Equal(contactId, conversation.GetProperty("contact").IdOf());
        var contact = await owner.GetJsonAsync($"/api/v1/contacts/{contactId}");
        Assert.Equal("user-42", contact.Text("externalId"));
        Assert.Equal("Ada", contact.Text("name"));
        Assert.Equal("ada@example.com", contact.Text("email"));
    }

    [Fact]
    public async Task Identify_VerificationRequiredAndWrongOrMissingHash_RefusedAndTheUsersConversationsStayPrivate()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await CreateInboxAsync(owner, requireVerification: true);
        var secret = await SecretAsync(owner, inboxId);
        using var realUser = await TestVisitor.StartAsync(Factory, inboxToken);
        var identified = await realUser.Http.PostJsonAsync("/widget/v1/identify", new { userId = "user-42", userHash = Hash(secret, "user-42") })
            .ExpectAsync(HttpStatusCode.OK);
        using var ada = VisitorWith(identified.Text("visitorToken")!, identified.GetProperty("contactId").GetGuid());
        var (privateConversation, _) = await ada.StartConversationAsync("My card ends in 4242");
        using var mallory = await TestVisitor.StartAsync(Factory, inboxToken);

        await mallory.Http.PostJsonAsync("/widget/v1/identify", new { userId = "user-42" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await mallory.Http.PostJsonAsync("/widget/v1/identify", new { userId = "user-42", userHash = "" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await mallory.Http.PostJsonAsync("/widget/v1/identify", new { userId = "user-42", userHash = Hash(secret, "user-43") })
            .ExpectProblemAsync(HttpStatusCode.Forbidden);
        await mallory.Http.PostJsonAsync("/widget/v1/identify", new { userId = "user-42", userHash = Hash("not-the-secret", "user-42") })
            .ExpectProblemAsync(HttpStatusCode.Forbidden);

        // Mallory is still the anonymous visitor she was, and sees nothing of user 42.
        Assert.Empty((await mallory.Http.GetJsonAsync("/widget/v1/conversations")).EnumerateArray());
        await mallory.Http.GetAsync($"/widget/v1/conversations/{privateConversation}/messages", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        var (malloryConversation, _) = await mallory.StartConversationAsync("Hello");
        var conversation = await owner.GetJsonAsync($"/api/v1/conversations/{malloryConversation}");
        Assert.Equal(mallory.Id, conversation.GetProperty("contact").IdOf());
        var realContact = await owner.GetJsonAsync($"/api/v1/contacts/{ada.Id}");
        Assert.Equal([privateConversation], realContact.GetProperty("conversations").EnumerateArray().Select(c => c.IdOf()));
    }

    [Fact]
    public async Task Identify_VerificationOptional_NoHashAcceptedButAWrongOneRefused()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await CreateInboxAsync(owner, requireVerification: false);
        var secret = await SecretAsync(owner, inboxId);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        await visitor.Http.PostJsonAsync("/widget/v1/identify", new { userId = "user-7", userHash = Hash(secret, "user-8") })
            .ExpectProblemAsync(HttpStatusCode.Forbidden);
        var withoutHash = await visitor.Http.PostJsonAsync("/widget/v1/identify", new { userId = "user-7" }).ExpectAsync(HttpStatusCode.OK);
        var withHash = await visitor.Http.PostJsonAsync("/widget/v1/identify", new { userId = "user-7", userHash = Hash(secret, "user-7").ToUpperInvariant() })
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(withoutHash.GetProperty("contactId").GetGuid(), withHash.GetProperty("contactId").GetGuid());
    }

    [Fact]
    public async Task Identify_AnonymousVisitorWithHistory_ConversationsAndDetailsMoveToTheKnownContact()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await CreateInboxAsync(owner, requireVerification: false);
        // The user wrote before, signed in, from another browser.
        using var firstBrowser = await TestVisitor.StartAsync(Factory, inboxToken);
        var known = await firstBrowser.Http.PostJsonAsync("/widget/v1/identify", new { userId = "user-9", attributes = new { plan = "pro", region = "eu" } })
            .ExpectAsync(HttpStatusCode.OK);
        var knownId = known.GetProperty("contactId").GetGuid();
        using var signedIn = VisitorWith(known.Text("visitorToken")!, knownId);
        var (earlier, _) = await signedIn.StartConversationAsync("Earlier question");
        // Now, anonymous in a second browser, they chat before signing in.
        using var anonymous = await TestVisitor.StartAsync(Factory, inboxToken);
        await anonymous.Http.PutJsonAsync("/widget/v1/attributes", new { attributes = new { company = "Acme" } }).ExpectAsync(HttpStatusCode.NoContent);
        var (later, _) = await anonymous.StartConversationAsync("Question before signing in", new { name = "Ada", email = "ada@example.com" });
        await owner.ReplyAsync(later, "Happy to help").ExpectAsync(HttpStatusCode.Created);
        await anonymous.SendAsync(later, "Thanks!").ExpectAsync(HttpStatusCode.Created);

        var identified = await anonymous.Http.PostJsonAsync("/widget/v1/identify", new { userId = "user-9", attributes = new { plan = "enterprise" } })
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(knownId, identified.GetProperty("contactId").GetGuid());
        using var merged = VisitorWith(identified.Text("visitorToken")!, knownId);
        var conversations = (await merged.Http.GetJsonAsync("/widget/v1/conversations")).EnumerateArray().Select(c => c.IdOf()).ToList();
        Assert.Equal([earlier, later], conversations.Order());
        Assert.Equal(["Question before signing in", "Happy to help", "Thanks!"], (await merged.MessagesAsync(later)).Select(m => m.Text("text")));
        var contact = await owner.GetJsonAsync($"/api/v1/contacts/{knownId}");
        Assert.Equal("Ada", contact.Text("name"));
        Assert.Equal("ada@example.com", contact.Text("email"));
        var attributes = contact.GetProperty("attributes");
        Assert.Equal(("enterprise", "eu", "Acme"), (attributes.Text("plan"), attributes.Text("region"), attributes.Text("company")));
        Assert.Equal(2, contact.GetProperty("conversations").GetArrayLength());
        Assert.Equal(knownId, (await owner.GetJsonAsync($"/api/v1/conversations/{later}")).GetProperty("contact").IdOf());
        await owner.GetAsync($"/api/v1/contacts/{anonymous.Id}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(3, (await owner.GetJsonAsync($"/api/v1/conversations/{later}/messages")).GetArrayLength());
    }

    [Fact]
    public async Task Identify_IdentifiedVisitorNamesAnotherUser_GetsThatUsersTokenWithoutMerging()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await CreateInboxAsync(owner, requireVerification: false);
        using var browser = await TestVisitor.StartAsync(Factory, inboxToken);
        var alice = await browser.Http.PostJsonAsync("/widget/v1/identify", new { userId = "alice" }).ExpectAsync(HttpStatusCode.OK);
        using var asAlice = VisitorWith(alice.Text("visitorToken")!, alice.GetProperty("contactId").GetGuid());
        var (aliceConversation, _) = await asAlice.StartConversationAsync("Alice's question");

        var bob = await asAlice.Http.PostJsonAsync("/widget/v1/identify", new { userId = "bob" }).ExpectAsync(HttpStatusCode.OK);

        Assert.NotEqual(asAlice.Id, bob.GetProperty("contactId").GetGuid());
        using var asBob = VisitorWith(bob.Text("visitorToken")!, bob.GetProperty("contactId").GetGuid());
        Assert.Empty((await asBob.Http.GetJsonAsync("/widget/v1/conversations")).EnumerateArray());
        Assert.Equal(asAlice.Id, (await owner.GetJsonAsync($"/api/v1/conversations/{aliceConversation}")).GetProperty("contact").IdOf());
        Assert.Single((await asAlice.Http.GetJsonAsync("/widget/v1/conversations")).EnumerateArray());
    }

    [Fact]
    public async Task VisitorHub_UserIdentifiedWithoutHashInAnotherInbox_HearsNothingOfTheVerifiedInbox()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (verifiedId, verifiedToken) = await CreateInboxAsync(owner, requireVerification: true, name: "Account area");
        var (_, openToken) = await CreateInboxAsync(owner, requireVerification: false, name: "Marketing site");
        using var realBrowser = await TestVisitor.StartAsync(Factory, verifiedToken);
        var real = await realBrowser.Http.PostJsonAsync("/widget/v1/identify", new { userId = "user-5", userHash = Hash(await SecretAsync(owner, verifiedId), "user-5") })
            .ExpectAsync(HttpStatusCode.OK);
        using var user = VisitorWith(real.Text("visitorToken")!, real.GetProperty("contactId").GetGuid());
        var (conversationId, _) = await user.StartConversationAsync("Private account question");
        using var attackerBrowser = await TestVisitor.StartAsync(Factory, openToken);
        var claimed = await attackerBrowser.Http.PostJsonAsync("/widget/v1/identify", new { userId = "user-5" }).ExpectAsync(HttpStatusCode.OK);
        using var attacker = VisitorWith(claimed.Text("visitorToken")!, claimed.GetProperty("contactId").GetGuid());
        await using var userHub = await HubRecorder.VisitorAsync(Factory, user.Token);
        await using var attackerHub = await HubRecorder.VisitorAsync(Factory, attacker.Token);

        await owner.ReplyAsync(conversationId, "Your account number is 1234").ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/read", new { sequence = 1 }).ExpectAsync(HttpStatusCode.NoContent);
        await owner.ReplyAsync(conversationId, "Anything else?").ExpectAsync(HttpStatusCode.Created);

        await userHub.WaitForAsync("MessageCreated", m => m.Text("text") == "Anything else?", "the real user hears the replies");
        // The attacker's connection is the same contact, so it would have heard the replies by now if it could.
        await attackerHub.Connection.InvokeAsync("Typing", conversationId, true, Ct);
        Assert.Empty(attackerHub.Events);
        Assert.Empty((await attacker.Http.GetJsonAsync("/widget/v1/conversations")).EnumerateArray());
        await attacker.Http.GetAsync($"/widget/v1/conversations/{conversationId}/messages", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task WidgetConfig_RequireIdentityVerification_ReportsTheInboxSetting()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await CreateInboxAsync(owner, requireVerification: false);
        using var anyone = Factory.CreateClient();
        Assert.False((await anyone.GetJsonAsync($"/widget/v1/inboxes/{inboxToken}")).GetProperty("requireIdentityVerification").GetBoolean());

        var updated = await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}", new { name = "Website chat", requireIdentityVerification = true })
            .ExpectAsync(HttpStatusCode.OK);

        Assert.True(updated.GetProperty("requireIdentityVerification").GetBoolean());
        Assert.True((await anyone.GetJsonAsync($"/widget/v1/inboxes/{inboxToken}")).GetProperty("requireIdentityVerification").GetBoolean());
        // Leaving the field out keeps the setting.
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}", new { name = "Renamed chat" }).ExpectAsync(HttpStatusCode.OK);
        Assert.True((await anyone.GetJsonAsync($"/widget/v1/inboxes/{inboxToken}")).GetProperty("requireIdentityVerification").GetBoolean());
    }

    [Fact]
    public async Task IdentitySecret_Rotated_OldHashesRefusedOnlyAdminsSeeItAndItIsStoredEncrypted()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await CreateInboxAsync(owner, requireVerification: true);
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (_, _, supervisor) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);
        var before = await SecretAsync(owner, inboxId);

        var rotated = await owner.PostAsync($"/api/v1/inboxes/{inboxId}/identity-secret", null, Ct).ExpectAsync(HttpStatusCode.OK);

        var after = rotated.Text("secret")!;
        Assert.NotEqual(before, after);
        Assert.Matches("^[0-9a-f]{64}$", after);
        Assert.Equal(after, await SecretAsync(owner, inboxId));
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        await visitor.Http.PostJsonAsync("/widget/v1/identify", new { userId = "u1", userHash = Hash(before, "u1") }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await visitor.Http.PostJsonAsync("/widget/v1/identify", new { userId = "u1", userHash = Hash(after, "u1") }).ExpectAsync(HttpStatusCode.OK);
        foreach (var notAdmin in new[] { agent, supervisor })
        {
            await notAdmin.GetAsync($"/api/v1/inboxes/{inboxId}/identity-secret", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
            await notAdmin.PostAsync($"/api/v1/inboxes/{inboxId}/identity-secret", null, Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        }

        Assert.Equal(after, await SecretAsync(owner, inboxId));
        await using var scope = Factory.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Inboxes
            .Where(i => i.Id == inboxId).Select(i => i.ProtectedIdentitySecret).SingleAsync(Ct);
        Assert.DoesNotContain(after, stored, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(before, stored, StringComparison.OrdinalIgnoreCase);
        var audit = (await owner.GetJsonAsync("/api/v1/audit?limit=200")).ToString();
        Assert.Contains("identitySecretRotatedAt", audit, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(after, audit, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(before, audit, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("{}", "userId")]
    [InlineData("{\"userId\": \"   \"}", "userId")]
    [InlineData("{\"userId\": \"u1\", \"email\": \"not-an-email\"}", "email")]
    [InlineData("{\"userId\": \"u1\", \"attributes\": {\"\": \"empty key\"}}", "attributes.")]
    public async Task Identify_BadInput_Returns400NamingTheFieldAndStaysAnonymous(string body, string field)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await CreateInboxAsync(owner, requireVerification: false);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        await visitor.Http.SendRawAsync(HttpMethod.Post, "/widget/v1/identify", body).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, field);
        await visitor.Http.PostJsonAsync("/widget/v1/identify", new { userId = new string('x', 129) }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "userId");

        var (conversationId, _) = await visitor.StartConversationAsync("Still anonymous");
        Assert.Equal(visitor.Id, (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("contact").IdOf());
    }

    [Fact]
    public async Task SetAttributes_BeforeTheFirstMessage_KeptOnTheVisitorsContact()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await CreateInboxAsync(owner, requireVerification: false);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        await visitor.Http.PutJsonAsync("/widget/v1/attributes", new { attributes = new { plan = "pro" } }).ExpectAsync(HttpStatusCode.NoContent);
        await visitor.Http.PutJsonAsync("/widget/v1/attributes", new { attributes = new { seats = "12" } }).ExpectAsync(HttpStatusCode.NoContent);
        await visitor.Http.PutJsonAsync("/widget/v1/attributes", new { }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "attributes");
        var tooMany = Enumerable.Range(0, 51).ToDictionary(i => $"k{i}", i => "v");
        await visitor.Http.PutJsonAsync("/widget/v1/attributes", new { attributes = tooMany }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "attributes");
        await visitor.StartConversationAsync("Hi");

        var attributes = (await owner.GetJsonAsync($"/api/v1/contacts/{visitor.Id}")).GetProperty("attributes");
        Assert.Equal(["plan", "seats"], attributes.EnumerateObject().Select(a => a.Name).Order());
        Assert.Equal("pro", attributes.Text("plan"));
    }

    [Fact]
    public async Task SetAttributesAndIdentify_AgentsConnected_HearTheContactChanged()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await CreateInboxAsync(owner, requireVerification: false);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        await visitor.StartConversationAsync("Hi");
        await using var agents = await HubRecorder.AgentAsync(Factory, workspace.OwnerToken);

        await visitor.Http.PutJsonAsync("/widget/v1/attributes", new { attributes = new { plan = "pro" } }).ExpectAsync(HttpStatusCode.NoContent);
        var identified = await visitor.Http.PostJsonAsync("/widget/v1/identify", new { userId = "user-7", name = "Ada" }).ExpectAsync(HttpStatusCode.OK);

        await agents.WaitForAsync("ContactChanged", n => n.GetProperty("contactId").GetGuid() == visitor.Id, "the attributes reported");
        await agents.WaitForAsync("ContactChanged", n => n.GetProperty("contactId").GetGuid() == identified.GetProperty("contactId").GetGuid(), "the identified contact reported");
    }

    private static string Hash(string secret, string userId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(userId)));

    private static async Task<(Guid InboxId, string PublicToken)> CreateInboxAsync(HttpClient owner, bool requireVerification, string name = "Website chat")
    {
        var inbox = await owner.PostJsonAsync("/api/v1/inboxes", new { name, channel = "WebWidget", requireIdentityVerification = requireVerification })
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(requireVerification, inbox.GetProperty("requireIdentityVerification").GetBoolean());
        return (inbox.IdOf(), inbox.Text("publicToken")!);
    }

    private static async Task<string> SecretAsync(HttpClient owner, Guid inboxId) =>
        (await owner.GetJsonAsync($"/api/v1/inboxes/{inboxId}/identity-secret")).Text("secret")!;

    private TestVisitor VisitorWith(string token, Guid contactId)
    {
        var http = Factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new TestVisitor(http, token, contactId);
    }
}

public sealed class IdentifyVisitorSqliteTests(SqliteApiFixture fixture) : IdentifyVisitorTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class IdentifyVisitorPostgresTests(PostgresApiFixture fixture) : IdentifyVisitorTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
