using System.Net;
using System.Text;
using MimeKit;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Email;

/// <summary>A message left through the offline form is answered by email: the contact is not in the chat.</summary>
public sealed class OfflineReplyEmailTests
{
    [Fact]
    public async Task OfflineReply_MailServerConfigured_EmailsOnlyTheReplyQuotingTheMessageAndNotesIt()
    {
        await using var smtp = new LoopbackSmtpServer();
        await using var factory = new PorchlightFactory(settings: smtp.Settings("Acme Support <support@acme.test>"));
        var (owner, visitor) = await StartAsync(factory);
        using (owner)
        using (visitor)
        {
            // A reply in a live chat and a note in the offline conversation are not emailed; the reply is.
            var (chat, _) = await visitor.StartConversationAsync("Live question");
            await owner.PostJsonAsync($"/api/v1/conversations/{chat}/messages", new { text = "Live answer" }).ExpectAsync(HttpStatusCode.Created);
            var offline = await LeaveOfflineMessageAsync(visitor);
            await owner.PostJsonAsync($"/api/v1/conversations/{offline}/messages", new { text = "For the team only", @private = true }).ExpectAsync(HttpStatusCode.Created);
            await owner.PostJsonAsync($"/api/v1/conversations/{offline}/messages", new { text = "Hi Grace, we have called the carrier." }).ExpectAsync(HttpStatusCode.Created);

            await Eventually.WaitUntilAsync(async () => (await ActivitiesAsync(owner, offline)).Contains("The reply was emailed to grace@example.com"), "the note that the reply was emailed");
            var mail = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(Assert.Single(smtp.Messages))), TestContext.Current.CancellationToken);
            Assert.Equal("grace@example.com", Assert.Single(mail.To.Mailboxes).Address);
            Assert.Equal(("Acme Support", "support@acme.test"), (Assert.Single(mail.From.Mailboxes).Name, mail.From.Mailboxes.Single().Address));
            Assert.Equal("[Acme Support] Reply to your message (#2)", mail.Subject);
            Assert.StartsWith("Hi Grace, we have called the carrier.", mail.TextBody, StringComparison.Ordinal);
            Assert.Contains("> Where is my parcel?", mail.TextBody, StringComparison.Ordinal);
            Assert.DoesNotContain("For the team only", mail.TextBody, StringComparison.Ordinal);
            Assert.Null(mail.Headers["Auto-Submitted"]); // a person wrote it
        }
    }

    [Fact]
    public async Task OfflineReply_NoMailServer_NotesInTheConversationThatItWasNotEmailed()
    {
        await using var factory = new PorchlightFactory();
        var (owner, visitor) = await StartAsync(factory);
        using (owner)
        using (visitor)
        {
            var offline = await LeaveOfflineMessageAsync(visitor);
            await owner.PostJsonAsync($"/api/v1/conversations/{offline}/messages", new { text = "Hi Grace, we have called the carrier." }).ExpectAsync(HttpStatusCode.Created);

            await Eventually.WaitUntilAsync(async () => (await ActivitiesAsync(owner, offline)).Contains("The reply was not emailed: no mail server is configured"),
                "the note that the reply was not emailed");
        }
    }

    private static async Task<(HttpClient Owner, TestVisitor Visitor)> StartAsync(PorchlightFactory factory)
    {
        var workspace = await factory.CreateWorkspaceAsync("Acme Support");
        var owner = factory.CreateApiClient(workspace.OwnerToken);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        return (owner, await TestVisitor.StartAsync(factory, inboxToken));
    }

    private static async Task<Guid> LeaveOfflineMessageAsync(TestVisitor visitor)
    {
        var started = await visitor.Http.PostJsonAsync("/widget/v1/offline-messages",
            new { clientId = TestVisitor.NewClientId(), name = "Grace", email = "grace@example.com", text = "Where is my parcel?" }).ExpectAsync(HttpStatusCode.Created);
        return started.GetProperty("conversation").IdOf();
    }

    private static async Task<List<string>> ActivitiesAsync(HttpClient owner, Guid conversationId) =>
        [.. (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).EnumerateArray()
            .Where(m => m.Text("kind") == "Activity").Select(m => m.Text("text") ?? "")];
}
