using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using MimeKit.Text;
using MimeKit.Utils;

namespace Porchlight.Server.Tests.Infrastructure;

/// <summary>The IMAP server the email channel's tests rely on does what they assume of it.</summary>
[Collection(MailServerCollection.Name)]
public sealed class MailServerTests(MailServer server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MailServer_MessageDelivered_ReadBackFromTheInbox()
    {
        var account = await server.CreateAccountAsync();
        var message = CustomerMessage(account, "Where is my order?", "Order 1234 has not arrived yet.");

        var uid = await server.DeliverAsync(account, message, Ct);

        var received = Assert.Single(await server.ReadInboxAsync(account, Ct));
        Assert.Equal(message.MessageId, received.MessageId);
        Assert.Equal("Where is my order?", received.Subject);
        Assert.Equal("ada@customer.test", Assert.IsType<MailboxAddress>(Assert.Single(received.From)).Address);
        Assert.Contains("Order 1234", received.TextBody, StringComparison.Ordinal);
        // A poller looks for unread mail: delivered mail is unread, and reading it for an assertion keeps it so.
        using var client = await server.ConnectAsync(account, Ct);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly, Ct);
        Assert.Equal([uid], await client.Inbox.SearchAsync(SearchQuery.NotSeen, Ct));
    }

    [Fact]
    public async Task MailServer_WrongPassword_LoginRefused()
    {
        var account = await server.CreateAccountAsync();
        using var client = new ImapClient();
        await client.ConnectAsync(server.Host, server.ImapPort, SecureSocketOptions.None, Ct);

        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(account.Address, account.Password + "x", Ct));

        // The refusal is about the password, not the account: the right one still works on the same connection.
        await client.AuthenticateAsync(account.Address, account.Password, Ct);
        Assert.True(client.IsAuthenticated);
    }

    [Fact]
    public async Task MailServer_TwoAccounts_KeepTheirMailApart()
    {
        // Created back to back, as a test with several mailboxes does (the second within the same second as the first).
        var support = await server.CreateAccountAsync();
        var billing = await server.CreateAccountAsync($"billing-{Guid.NewGuid().ToString("N")[..8]}");

        await server.DeliverAsync(support, CustomerMessage(support, "Login problem", "I cannot log in."), Ct);
        await server.DeliverAsync(billing, CustomerMessage(billing, "Invoice 77", "Please resend invoice 77."), Ct);
        await server.DeliverAsync(billing, CustomerMessage(billing, "Invoice 78", "And invoice 78."), Ct);

        Assert.Equal(["Login problem"], (await server.ReadInboxAsync(support, Ct)).Select(m => m.Subject));
        Assert.Equal(["Invoice 77", "Invoice 78"], (await server.ReadInboxAsync(billing, Ct)).Select(m => m.Subject));
        Assert.EndsWith("@acme.test", billing.Address, StringComparison.Ordinal);
        // Each password opens its own mailbox only.
        await Assert.ThrowsAsync<AuthenticationException>(() => server.ConnectAsync(support with { Password = billing.Password }, Ct));
    }

    private static MimeMessage CustomerMessage(MailAccount to, string subject, string text)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Ada Customer", "ada@customer.test"));
        message.To.Add(MailboxAddress.Parse(to.Address));
        message.Subject = subject;
        message.MessageId = MimeUtils.GenerateMessageId("customer.test");
        message.Date = DateTimeOffset.UtcNow;
        message.Body = new TextPart(TextFormat.Plain) { Text = text };
        return message;
    }
}
