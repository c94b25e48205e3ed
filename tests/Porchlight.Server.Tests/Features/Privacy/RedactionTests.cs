using System.Net;
using System.Numerics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Webhooks;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Features.Webhooks;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Privacy;

/// <summary>
/// With masking on, a card number, an IBAN and an API key that a visitor or an agent writes are masked before they are
/// stored: the agent, the visitor and a webhook receiver see the markers, and the original is in no row and, on SQLite,
/// nowhere in the database file. With masking off the text is stored as written. Each test makes up its own values, so
/// what one test stores unmasked is never what another looks for.
/// </summary>
public abstract class RedactionTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    private static readonly string[] AllDetectors = ["PaymentCard", "Iban", "NationalId", "Secret"];

    [Fact]
    public async Task Redaction_VisitorAndAgentWriteCardIbanAndKey_EveryoneSeesMasksAndTheDatabaseHoldsNoOriginal()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        await SetRedactionAsync(owner, AllDetectors);
        await using var receiver = await WebhookReceiver.StartAsync();
        await WebhookTests.CreateWebhookAsync(owner, receiver, WebhookEvents.MessageCreated, WebhookEvents.ConversationCreated);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (card, iban, key) = (SensitiveValues.NewCardNumber(), SensitiveValues.NewIban(), "sk_live_" + Guid.NewGuid().ToString("N"));

        // The first message is stored with the conversation; the next ones by the message writer.
        var (conversationId, first) = await visitor.StartConversationAsync($"My card is {SensitiveValues.Spaced(card)}, charged twice");
        await visitor.SendAsync(conversationId, $"Refund to {SensitiveValues.Spaced(iban)} please. Our key: {key}").ExpectAsync(HttpStatusCode.Created);
        var note = await owner.ReplyAsync(conversationId, $"Customer pasted {card} again", isPrivate: true).ExpectAsync(HttpStatusCode.Created);
        var reply = await owner.ReplyAsync(conversationId, "Refund on its way").ExpectAsync(HttpStatusCode.Created);
        await owner.PutJsonAsync($"/api/v1/conversations/{conversationId}/messages/{reply.IdOf()}", new { text = $"Refund on its way to {iban}" })
            .ExpectAsync(HttpStatusCode.OK);

        var cardMarker = $"[redacted card ending {card[^4..]}]";
        var ibanMarker = $"[redacted IBAN ending {iban[^4..]}]";
        Assert.Equal($"My card is {cardMarker}, charged twice", first.Text("text"));
        var thread = (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).EnumerateArray().Select(m => m.Text("text")).ToList();
        Assert.Equal(
            [$"My card is {cardMarker}, charged twice", $"Refund to {ibanMarker} please. Our key: [redacted secret]", $"Customer pasted {cardMarker} again",
                $"Refund on its way to {ibanMarker}"],
            thread.Where(t => t!.Contains("[redacted", StringComparison.Ordinal)));
        Assert.Equal($"Refund on its way to {ibanMarker}", (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).Text("lastMessagePreview"));
        var seenByVisitor = (await visitor.MessagesAsync(conversationId)).Select(m => m.Text("text")).ToList();
        Assert.Contains($"Refund to {ibanMarker} please. Our key: [redacted secret]", seenByVisitor);
        Assert.DoesNotContain(note.Text("text"), seenByVisitor);

        var received = await receiver.WaitForAsync(4, "the receiver got the conversation and its messages");
        Assert.Contains(received, r => r.Body.Contains(cardMarker, StringComparison.Ordinal));
        await WaitForOutboxAsync(workspace.WorkspaceId);
        string[] originals = [card, SensitiveValues.Spaced(card), iban, SensitiveValues.Spaced(iban), key];
        StoredOriginals.AssertNoneIn(received.Select(r => r.Body), originals);
        await StoredOriginals.AssertNotStoredAsync(Factory, workspace.WorkspaceId, originals);
    }

    [Fact]
    public async Task Redaction_OfflineFormWithNameAndText_BothMasked()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        await SetRedactionAsync(owner, "Secret", "PaymentCard");
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (card, key) = (SensitiveValues.NewCardNumber(), "ghp_" + Guid.NewGuid().ToString("N") + "abcd");

        var started = await visitor.Http.PostJsonAsync("/widget/v1/offline-messages",
            new { clientId = TestVisitor.NewClientId(), name = $"Grace {key}", email = "grace@example.com", text = $"Card {card} was declined" }).ExpectAsync(HttpStatusCode.Created);

        var conversation = await owner.GetJsonAsync($"/api/v1/conversations/{started.GetProperty("conversation").IdOf()}");
        Assert.Equal($"Card [redacted card ending {card[^4..]}] was declined", conversation.Text("lastMessagePreview"));
        Assert.Equal(("Grace [redacted secret]", "grace@example.com"), (conversation.GetProperty("contact").Text("name"), conversation.GetProperty("contact").Text("email")));
        await WaitForOutboxAsync(workspace.WorkspaceId);
        await StoredOriginals.AssertNotStoredAsync(Factory, workspace.WorkspaceId, [card, key]);
    }

    [Fact]
    public async Task Redaction_PreChatAnswerWithAnIban_MaskedInTheContactsAttributesAndTheEmailKept()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        await SetRedactionAsync(owner, "Iban");
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var form = new
        {
            enabled = true,
            fields = new object[]
            {
                new { key = "email", label = "Email", type = "Email", required = true },
                new { key = "refund_account", label = "Account for the refund", type = "Text", required = true },
            },
        };
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}", new { name = "Website chat", widget = new { preChatForm = form } }).ExpectAsync(HttpStatusCode.OK);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var iban = SensitiveValues.NewIban();

        var (conversationId, _) = await visitor.StartConversationAsync("Refund please", new { email = "ada@example.com", refund_account = SensitiveValues.Spaced(iban) });

        var conversation = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}");
        var contact = await owner.GetJsonAsync($"/api/v1/contacts/{conversation.GetProperty("contact").IdOf()}");
        Assert.Equal(
            ("ada@example.com", $"[redacted IBAN ending {iban[^4..]}]"),
            (contact.Text("email"), contact.GetProperty("attributes").Text("refund_account")));
        await WaitForOutboxAsync(workspace.WorkspaceId);
        await StoredOriginals.AssertNotStoredAsync(Factory, workspace.WorkspaceId, [iban, SensitiveValues.Spaced(iban)]);
    }

    [Fact]
    public async Task Redaction_Off_TextStoredAndShownAsWritten()
    {
        var (_, owner) = await NewWorkspaceAsync();
        await SetRedactionAsync(owner);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var text = $"Card {SensitiveValues.Spaced(SensitiveValues.NewCardNumber())}, IBAN {SensitiveValues.Spaced(SensitiveValues.NewIban())}, key sk_live_{Guid.NewGuid():N}";

        var (conversationId, first) = await visitor.StartConversationAsync(text);
        var second = await visitor.SendAsync(conversationId, text).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal((text, text), (first.Text("text"), second.Text("text")));
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        Assert.Equal(2, await db.Messages.IgnoreQueryFilters().CountAsync(m => m.ConversationId == conversationId && m.Text == text, Ct));
    }

    [Fact]
    public async Task Workspace_New_MasksCardsAndSecretsAndTheChangeIsAudited()
    {
        var (_, owner) = await NewWorkspaceAsync();

        Assert.Equal(["PaymentCard", "Secret"], Names((await owner.GetJsonAsync("/api/v1/workspace")).GetProperty("redaction")));
        var updated = await SetRedactionAsync(owner, "iban", "NationalId");

        Assert.Equal(["Iban", "NationalId"], Names(updated.GetProperty("redaction")));
        var entry = Assert.Single(await owner.ListAllAsync("/api/v1/audit?action=workspace.updated"));
        var change = entry.GetProperty("changes").GetProperty("Redaction");
        Assert.Equal(("PaymentCard, Secret", "Iban, NationalId"), (change.Text("before"), change.Text("after")));
    }

    [Theory]
    [InlineData("Phone", "redaction[1]")]
    [InlineData(null, "redaction[1]")]
    [InlineData("", "redaction[1]")]
    public async Task Workspace_UnknownDetector_FieldErrorAndNothingChanges(string? name, string field)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await owner.GetJsonAsync("/api/v1/workspace");

        await owner.PutJsonAsync("/api/v1/workspace", new { name = "Renamed", timeZone = "UTC", businessHours = Array.Empty<object>(), redaction = new[] { "Iban", name } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, field);

        ApiCalls.AssertSameResource(before, await owner.GetJsonAsync("/api/v1/workspace"));
    }

    [Fact]
    public async Task Workspace_AgentTurnsMaskingOff_ForbiddenAndNothingChanges()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent, ["read", "write"]);
        var before = await owner.GetJsonAsync("/api/v1/workspace");

        await agent.PutJsonAsync("/api/v1/workspace", new { name = before.Text("name"), timeZone = "UTC", businessHours = Array.Empty<object>(), redaction = Array.Empty<string>() })
            .ExpectProblemAsync(HttpStatusCode.Forbidden);

        ApiCalls.AssertSameResource(before, await owner.GetJsonAsync("/api/v1/workspace"));
    }

    [Fact]
    public async Task Workspace_RedactionLeftOut_StaysAsItWas()
    {
        var (_, owner) = await NewWorkspaceAsync();
        await SetRedactionAsync(owner, "Iban");

        var updated = await owner.PutJsonAsync("/api/v1/workspace", new { name = "Renamed", timeZone = "UTC", businessHours = Array.Empty<object>() })
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(["Iban"], Names(updated.GetProperty("redaction")));
    }

    private static async Task<JsonElement> SetRedactionAsync(HttpClient owner, params string[] detectors)
    {
        var current = await owner.GetJsonAsync("/api/v1/workspace");
        return await owner.PutJsonAsync("/api/v1/workspace", new
        {
            name = current.Text("name"), timeZone = current.Text("timeZone"), businessHours = current.GetProperty("businessHours"), redaction = detectors,
        }).ExpectAsync(HttpStatusCode.OK);
    }

    private static List<string?> Names(JsonElement detectors) => [.. detectors.EnumerateArray().Select(d => d.GetString())];
}

/// <summary>Whether an original value was stored anywhere a workspace's text goes.</summary>
internal static class StoredOriginals
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Looks for the originals in every row that holds text about the workspace's conversations (messages, conversation
    /// previews, contacts, mails, outbox events, webhook deliveries), and on SQLite in the bytes of the database file and its log.
    /// </summary>
    public static async Task AssertNotStoredAsync(PorchlightFactory factory, Guid workspaceId, string[] originals)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        AssertNoneIn(await db.Messages.IgnoreQueryFilters().Where(m => m.WorkspaceId == workspaceId).Select(m => m.Text).ToListAsync(Ct), originals);
        AssertNoneIn(
            (await db.Conversations.IgnoreQueryFilters().Where(c => c.WorkspaceId == workspaceId).Select(c => new { c.LastMessagePreview, c.Opening }).ToListAsync(Ct))
                .SelectMany(c => new[] { c.LastMessagePreview, c.Opening ?? "" }),
            originals);
        AssertNoneIn(
            (await db.Contacts.IgnoreQueryFilters().Where(c => c.WorkspaceId == workspaceId).ToListAsync(Ct))
                .Select(c => JsonSerializer.Serialize(new { c.Name, c.Email, c.Attributes })),
            originals);
        AssertNoneIn(
            (await db.EmailMessages.IgnoreQueryFilters().Where(m => m.WorkspaceId == workspaceId).Select(m => new { m.Subject, m.FullText }).ToListAsync(Ct))
                .SelectMany(m => new[] { m.Subject, m.FullText }),
            originals);
        AssertNoneIn(await db.OutboxMessages.IgnoreQueryFilters().Where(m => m.WorkspaceId == workspaceId).Select(m => m.Payload).ToListAsync(Ct), originals);
        AssertNoneIn(await db.WebhookDeliveries.IgnoreQueryFilters().Where(d => d.WorkspaceId == workspaceId).Select(d => d.Payload).ToListAsync(Ct), originals);
        if (db.Database.IsSqlite())
        {
            await SqliteFileScan.AssertHoldsNoneAsync(factory, originals, Ct);
        }
    }

    public static void AssertNoneIn(IEnumerable<string> texts, string[] originals)
    {
        foreach (var text in texts)
        {
            foreach (var original in originals)
            {
                Assert.DoesNotContain(original, text, StringComparison.Ordinal);
            }
        }
    }
}

/// <summary>Sensitive values made up per test, so what one test stores unmasked is never what another looks for.</summary>
internal static class SensitiveValues
{
    /// <summary>A Visa number no other test uses: 4, fourteen random digits and the Luhn check digit.</summary>
    public static string NewCardNumber()
    {
        var digits = "4" + string.Concat(Enumerable.Range(0, 14).Select(_ => (char)('0' + Random.Shared.Next(10))));
        for (var check = '0'; check <= '9'; check++)
        {
            if (Porchlight.Server.Features.Privacy.PaymentCards.Luhn(digits + check))
            {
                return digits + check;
            }
        }

        throw new InvalidOperationException("Some check digit always passes.");
    }

    /// <summary>A German IBAN no other test uses: random account digits and the check digits ISO 13616 gives them.</summary>
    public static string NewIban()
    {
        var account = string.Concat(Enumerable.Range(0, 18).Select(_ => (char)('0' + Random.Shared.Next(10))));
        var check = 98 - (int)(BigInteger.Parse(account + "131400", System.Globalization.CultureInfo.InvariantCulture) % 97);
        return $"DE{check:D2}{account}";
    }

    /// <summary>Grouped by four, as people write card numbers and IBANs.</summary>
    public static string Spaced(string value) => string.Join(' ', value.Chunk(4).Select(c => new string(c)));
}

public sealed class RedactionSqliteTests(SqliteApiFixture fixture) : RedactionTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class RedactionPostgresTests(PostgresApiFixture fixture) : RedactionTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
