using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Hosting;

/// <summary>
/// The secrets Porchlight keeps for a workspace (webhook signing secrets, mailbox passwords, identity-verification
/// secrets) are written only encrypted with the data protection keys, and those keys can live outside the database.
/// </summary>
public sealed class SecretsAtRestTests
{
    private static readonly string[] ConversationCreated = ["conversation.created"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Secrets_WebhookMailboxAndIdentityVerification_NeverWrittenInPlainText()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var owner = factory.CreateApiClient(workspace.OwnerToken);
        var (secrets, _) = await CreateSecretsAsync(owner);

        await SqliteFileScan.AssertHoldsNoneAsync(factory, secrets, Ct);
    }

    [Fact]
    public async Task DataProtectionKeysFolder_Set_KeyRingLivesThereAndAnotherNodeReadsTheSecrets()
    {
        var folder = Directory.CreateTempSubdirectory("porchlight-keys-").FullName;
        try
        {
            await using var factory = new PorchlightFactory(settings: new Dictionary<string, string?> { [DataProtectionSetup.KeysFolderSetting] = folder });
            var workspace = await factory.CreateWorkspaceAsync();
            using var owner = factory.CreateApiClient(workspace.OwnerToken);
            var (secrets, inboxId) = await CreateSecretsAsync(owner);

            Assert.NotEmpty(Directory.GetFiles(folder, "key-*.xml"));
            await using (var scope = factory.Services.CreateAsyncScope())
            {
                Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<AppDbContext>().DataProtectionKeys.CountAsync(Ct));
            }

            await SqliteFileScan.AssertHoldsNoneAsync(factory, secrets, Ct);
            // A second node (or the same one after a restart) with the same folder decrypts what the first stored.
            await using var node = factory.AnotherNode();
            using var ownerOnNode = node.CreateApiClient(workspace.OwnerToken);
            var shown = await ownerOnNode.GetAsync($"/api/v1/inboxes/{inboxId}/identity-secret", Ct).ExpectAsync(HttpStatusCode.OK);
            Assert.Contains(shown.Text("secret"), secrets);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A webhook, a mailbox with a password and a widget inbox's identity secret; answers the secrets in plain text.</summary>
    private static async Task<(string[] Secrets, Guid WidgetInboxId)> CreateSecretsAsync(HttpClient owner)
    {
        var webhook = await owner.PostJsonAsync("/api/v1/webhooks", new { url = "http://127.0.0.1:9/hook", events = ConversationCreated, isActive = false })
            .ExpectAsync(HttpStatusCode.Created);
        var mailboxPassword = "mailbox-password-" + Guid.NewGuid().ToString("N");
        var emailInbox = await owner.PostJsonAsync("/api/v1/inboxes", new { name = "Email", channel = "Email" }).ExpectAsync(HttpStatusCode.Created);
        await owner.PutJsonAsync($"/api/v1/inboxes/{emailInbox.IdOf()}/email", new
        {
            address = "support@example.com",
            imap = new { host = "127.0.0.1", port = 9, security = "None", username = "support", password = mailboxPassword },
            smtp = new { host = "127.0.0.1", port = 9, security = "None", username = "support", password = mailboxPassword + "-smtp" },
        }).ExpectAsync(HttpStatusCode.OK);
        var (inboxId, _) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var identity = await owner.GetAsync($"/api/v1/inboxes/{inboxId}/identity-secret", Ct).ExpectAsync(HttpStatusCode.OK);

        string[] secrets = [webhook.Text("secret")!, mailboxPassword, mailboxPassword + "-smtp", identity.Text("secret")!];
        Assert.All(secrets, secret => Assert.True(secret.Length >= 32, secret));
        return (secrets, inboxId);
    }
}
