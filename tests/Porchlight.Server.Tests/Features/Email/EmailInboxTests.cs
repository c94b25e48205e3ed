using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Porchlight.Server.Data;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Features.Privacy;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Email;

/// <summary>One server on SQLite for the email inbox tests, reading mailboxes every fifth of a second.</summary>
public sealed class EmailInboxSqliteFixture : IAsyncDisposable
{
    public PorchlightFactory Factory { get; } = new(settings: EmailInboxTests.FastPolling);

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}

/// <summary>The same on PostgreSQL, which refuses what SQLite lets through (over-long values, NUL characters).</summary>
public sealed class EmailInboxPostgresFixture(PostgresServer postgres) : IAsyncDisposable
{
    public PorchlightFactory Factory { get; } = new(TestDatabase.Postgres, postgres, EmailInboxTests.FastPolling);

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}

public sealed class EmailInboxSqliteTests(MailServer mail, EmailInboxSqliteFixture fixture)
    : EmailInboxTests(mail, fixture.Factory), IClassFixture<MailServer>, IClassFixture<EmailInboxSqliteFixture>;

public sealed class EmailInboxPostgresTests(MailServer mail, EmailInboxPostgresFixture fixture)
    : EmailInboxTests(mail, fixture.Factory), IClassFixture<MailServer>, IClassFixture<EmailInboxPostgresFixture>;

/// <summary>
/// An email inbox reads a real mailbox (Dovecot over IMAP) and answers through SMTP: customers' mails become
/// conversations, replies go back in the customer's thread, answers to them find their conversation again, and
/// automatic mail is never answered.
/// </summary>
public abstract class EmailInboxTests(MailServer mail, PorchlightFactory factory) : ApiTestBase(factory)
{
    public static readonly Dictionary<string, string?> FastPolling = new() { ["Email:Inboxes:PollInterval"] = "00:00:00.200" };

    [Fact]
    public async Task EmailInbox_CustomerWritesAgentRepliesCustomerAnswers_OneConversationInOneThread()
    {
        await using var setup = await SetUpAsync();
        var first = Mail("Jane Doe <Jane@Example.com>", setup.Account.Address, "Order #1001 has not arrived",
            "Hi,\n\nmy order #1001 has not arrived yet.\n\n-- \nJane Doe\nExample Ltd.");
        await mail.DeliverAsync(setup.Account, first, Ct);

        var conversation = await SingleConversationAsync(setup);
        Assert.Equal(("Email", "jane@example.com", "Jane Doe", "Order #1001 has not arrived"),
            (conversation.Text("origin"), conversation.GetProperty("contact").Text("email"), conversation.GetProperty("contact").Text("name"),
                conversation.GetProperty("attributes").Text("subject")));
        var conversationId = conversation.IdOf();
        Assert.Equal("Hi,\n\nmy order #1001 has not arrived yet.", Assert.Single(await TextsAsync(setup.Owner, conversationId, "Incoming")));

        await setup.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { text = "Sorry, Jane: it ships today." }).ExpectAsync(HttpStatusCode.Created);
        var reply = await SentAsync(setup.Smtp, 1);

        Assert.Equal(setup.Account.Address, Assert.Single(reply.From.Mailboxes).Address);
        Assert.Equal("jane@example.com", Assert.Single(reply.To.Mailboxes).Address);
        Assert.Equal("Re: Order #1001 has not arrived", reply.Subject);
        Assert.Equal(first.MessageId, reply.InReplyTo);
        Assert.Contains(first.MessageId, reply.References);
        Assert.StartsWith("Sorry, Jane: it ships today.", reply.TextBody, StringComparison.Ordinal);
        Assert.Null(reply.Headers["Auto-Submitted"]); // a person wrote it
        Assert.Contains("> my order #1001 has not arrived yet.", reply.TextBody, StringComparison.Ordinal);

        var answer = Mail("Jane Doe <jane@example.com>", setup.Account.Address, "Re: " + reply.Subject,
            "Great, thanks!\n\nOn Sun, 6 Dec 2026 at 10:00, Acme Support <" + setup.Account.Address + "> wrote:\n> Sorry, Jane: it ships today.", inReplyTo: reply.MessageId);
        await setup.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        await mail.DeliverAsync(setup.Account, answer, Ct);

        await Eventually.WaitUntilAsync(async () => (await TextsAsync(setup.Owner, conversationId, "Incoming")).Count == 2, "the answer joined the conversation");
        Assert.Equal(["Hi,\n\nmy order #1001 has not arrived yet.", "Great, thanks!"], await TextsAsync(setup.Owner, conversationId, "Incoming"));
        Assert.Equal("Open", (await setup.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).Text("status"));
        Assert.Single(await ConversationsAsync(setup));
    }

    [Fact]
    public async Task EmailInbox_CardInSubjectAndKeyInText_MaskedInTheMessageTheSubjectAndTheMailsRecord()
    {
        // A new workspace masks cards and secrets (decisions/0023).
        await using var setup = await SetUpAsync();
        var (card, key) = (SensitiveValues.NewCardNumber(), "sk_live_" + Guid.NewGuid().ToString("N"));
        await mail.DeliverAsync(setup.Account, Mail("jane@example.com", setup.Account.Address, $"Card {SensitiveValues.Spaced(card)} charged twice",
            $"Hi,\n\nour key {key} stopped working.\n\n-- \nJane\nCard on file: {card}"), Ct);

        var conversation = await SingleConversationAsync(setup);

        Assert.Equal($"Card [redacted card ending {card[^4..]}] charged twice", conversation.GetProperty("attributes").Text("subject"));
        Assert.Equal("Hi,\n\nour key [redacted secret] stopped working.", Assert.Single(await TextsAsync(setup.Owner, conversation.IdOf(), "Incoming")));
        await WaitForOutboxAsync(setup.WorkspaceId);
        // The mail's record keeps the signature the message leaves out: masked there too.
        await StoredOriginals.AssertNotStoredAsync(Factory, setup.WorkspaceId, [card, SensitiveValues.Spaced(card), key]);
    }

    [Fact]
    public async Task EmailInbox_AnswerWithoutThreadHeaders_FindsItsConversationByTheSignedReplyAddressAndAForgedOneDoesNot()
    {
        await using var setup = await SetUpAsync(replyToToken: true);
        await mail.DeliverAsync(setup.Account, Mail("sam@example.com", setup.Account.Address, "Invoice", "Where is my invoice?"), Ct);
        var conversationId = (await SingleConversationAsync(setup)).IdOf();
        await setup.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { text = "Attached to your account now." }).ExpectAsync(HttpStatusCode.Created);
        var reply = await SentAsync(setup.Smtp, 1);
        var replyTo = Assert.Single(reply.ReplyTo.Mailboxes).Address;
        Assert.StartsWith(setup.Account.Address.Split('@')[0] + "+", replyTo, StringComparison.Ordinal);

        // A mail program that keeps no headers: only the address it answers to names the conversation.
        await mail.DeliverAsync(setup.Account, Mail("sam@example.com", replyTo, "Thanks", "Found it, thanks."), Ct);
        var local = setup.Account.Address.Split('@');
        var forged = $"{local[0]}+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@{local[1]}";
        await mail.DeliverAsync(setup.Account, Mail("sam@example.com", forged, "Another question", "Do you ship to Norway?"), Ct);

        await Eventually.WaitUntilAsync(async () => (await ConversationsAsync(setup)).Count == 2, "the forged answer started its own conversation");
        await Eventually.WaitUntilAsync(async () => (await TextsAsync(setup.Owner, conversationId, "Incoming")).Count == 2, "the answer joined its conversation");
        Assert.Equal(["Where is my invoice?", "Found it, thanks."], await TextsAsync(setup.Owner, conversationId, "Incoming"));
    }

    [Fact]
    public async Task EmailInbox_AutoReplyAndBounce_NotedInTheThreadNeverAnsweredAndNoNewConversation()
    {
        await using var setup = await SetUpAsync();
        await mail.DeliverAsync(setup.Account, Mail("lee@example.com", setup.Account.Address, "Refund", "I would like a refund."), Ct);
        var conversationId = (await SingleConversationAsync(setup)).IdOf();
        await setup.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { text = "Refunded." }).ExpectAsync(HttpStatusCode.Created);
        var reply = await SentAsync(setup.Smtp, 1);
        await setup.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);

        var outOfOffice = Mail("lee@example.com", setup.Account.Address, "Out of Office: Re: Refund", "I am away until Monday.", inReplyTo: reply.MessageId);
        outOfOffice.Headers.Add("Auto-Submitted", "auto-replied");
        await mail.DeliverAsync(setup.Account, outOfOffice, Ct);
        await mail.DeliverAsync(setup.Account, Bounce(setup.Account.Address, reply), Ct);
        var unrelated = Mail("newsletter@shop.example", setup.Account.Address, "Our December deals", "50% off everything.");
        unrelated.Headers.Add("List-Unsubscribe", "<mailto:unsubscribe@shop.example>");
        await mail.DeliverAsync(setup.Account, unrelated, Ct);
        var vacation = Mail("someone@example.com", setup.Account.Address, "Automatic reply: Hello", "Away.");
        vacation.Headers.Add("Auto-Submitted", "auto-replied");
        await mail.DeliverAsync(setup.Account, vacation, Ct);

        await Eventually.WaitUntilAsync(async () => (await TextsAsync(setup.Owner, conversationId, "Activity")).Count(t => t.StartsWith("Automatic reply", StringComparison.Ordinal) || t.StartsWith("An email could not", StringComparison.Ordinal)) >= 2,
            "both automatic mails were noted");
        var notes = await TextsAsync(setup.Owner, conversationId, "Activity");
        Assert.Contains("Automatic reply from lee@example.com: Out of Office: Re: Refund", notes);
        Assert.Contains(notes, n => n.StartsWith("An email could not be delivered: lee@example.com: 5.1.1", StringComparison.Ordinal));
        await WaitForMailboxReadAsync(setup);
        Assert.Equal("Resolved", (await setup.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).Text("status"));
        Assert.Single(await ConversationsAsync(setup));
        Assert.Single(await TextsAsync(setup.Owner, conversationId, "Incoming"));
        Assert.Single(setup.Smtp.Messages);
    }

    [Fact]
    public async Task EmailInbox_HtmlMailWithAFileReadTwice_ReadAsTextWithTheFileAndOneMessage()
    {
        await using var setup = await SetUpAsync();
        var body = new BodyBuilder
        {
            HtmlBody = "<html><head><style>p{color:red}</style><script>alert('x')</script></head><body><p>The <b>blue</b> mug arrived broken.</p>"
                + "<p>See <a href=\"https://photos.example/1\">the photo</a>.</p></body></html>",
        };
        body.Attachments.Add("receipt.pdf", "%PDF-1.7\n%%EOF\n"u8.ToArray(), new ContentType("application", "pdf"));
        var broken = Mail("kim@example.com", setup.Account.Address, "Broken mug", body.ToMessageBody());
        await mail.DeliverAsync(setup.Account, broken, Ct);
        await mail.DeliverAsync(setup.Account, broken, Ct); // the same mail again, as a second copy in the folder

        var conversationId = (await SingleConversationAsync(setup)).IdOf();
        var message = Assert.Single((await setup.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).EnumerateArray(), m => m.Text("kind") == "Incoming");
        Assert.Equal("The blue mug arrived broken.\n\nSee the photo (https://photos.example/1).", message.Text("text"));
        Assert.Equal("receipt.pdf", Assert.Single(message.GetProperty("attachments").EnumerateArray()).Text("fileName"));
        await WaitForMailboxReadAsync(setup);
        Assert.Single(await ConversationsAsync(setup));
    }

    [Fact]
    public async Task EmailInbox_OneMailToTwoInboxes_AConversationInEachAndAHostileSenderStopsNothing()
    {
        await using var support = await SetUpAsync();
        var billingAccount = await mail.CreateAccountAsync();
        var billingInbox = (await support.Owner.PostJsonAsync("/api/v1/inboxes", new { name = "Billing email", channel = "Email" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        await support.Owner.PutJsonAsync($"/api/v1/inboxes/{billingInbox}/email", Settings(support, billingAccount.Password) with
        {
            Address = billingAccount.Address, Imap = new ServerBody("127.0.0.1", mail.ImapPort, "None", billingAccount.Address, billingAccount.Password),
        }).ExpectAsync(HttpStatusCode.OK);
        var both = Mail("Kim <kim@example.com>", support.Account.Address, "Wrong amount", "I was charged twice.");
        both.Cc.Add(MailboxAddress.Parse(billingAccount.Address));
        // Anyone can write anything in a From line: a name far too long, with a NUL in it.
        var hostile = Mail("x@example.com", support.Account.Address, "Hello\0there", "Hi");
        hostile.From.Clear();
        hostile.From.Add(new MailboxAddress(new string('n', 300) + "\0", "x@example.com"));

        await mail.DeliverAsync(support.Account, hostile, Ct);
        await mail.DeliverAsync(support.Account, both, Ct);
        await mail.DeliverAsync(billingAccount, both, Ct);

        await Eventually.WaitUntilAsync(async () => (await ConversationsAsync(support)).Count == 2, "both mails to support became conversations");
        var billing = await Eventually.ValueAsync(
            async () => (await support.Owner.GetJsonAsync($"/api/v1/conversations?inboxId={billingInbox}")).GetProperty("items").EnumerateArray().ToList(),
            c => c.Count == 1, "the copy to billing became billing's conversation");
        Assert.Equal("I was charged twice.", Assert.Single(await TextsAsync(support.Owner, billing[0].IdOf(), "Incoming")));
        var hostileContact = (await ConversationsAsync(support)).Single(c => c.GetProperty("contact").Text("email") == "x@example.com").GetProperty("contact");
        Assert.Equal(new string('n', 100), hostileContact.Text("name"));
    }

    [Fact]
    public async Task EmailInbox_MailFromBeforeTheMailboxWasConnected_IsHistoryNotAConversation()
    {
        await using var setup = await SetUpAsync(connect: false);
        await mail.DeliverAsync(setup.Account, Mail("old@example.com", setup.Account.Address, "Last year", "An old mail."), Ct);
        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct); // the folder's dates are to the second
        await ConnectAsync(setup);

        await mail.DeliverAsync(setup.Account, Mail("new@example.com", setup.Account.Address, "Today", "A new mail."), Ct);

        var conversation = await SingleConversationAsync(setup);
        Assert.Equal("new@example.com", conversation.GetProperty("contact").Text("email"));
    }

    [Fact]
    public async Task OfflineForm_AnsweredThroughAnEmailInbox_TheCustomersAnswerJoinsTheChatConversationAndTheSurveyFollowsInTheThread()
    {
        await using var setup = await SetUpAsync();
        var (widgetId, widgetToken) = await ChatSetup.CreateWidgetInboxAsync(setup.Owner);
        var chosen = await setup.Owner.PutJsonAsync($"/api/v1/inboxes/{widgetId}/offline-email", new { emailInboxId = setup.InboxId }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((setup.InboxId, "Support email", setup.Account.Address), (chosen.GetProperty("emailInboxId").GetGuid(), chosen.Text("emailInboxName"), chosen.Text("address")));
        await setup.Owner.PutJsonAsync($"/api/v1/inboxes/{widgetId}/survey", new { isEnabled = true }).ExpectAsync(HttpStatusCode.OK);
        using var visitor = await TestVisitor.StartAsync(Factory, widgetToken);
        var conversationId = (await visitor.Http.PostJsonAsync("/widget/v1/offline-messages",
            new { clientId = TestVisitor.NewClientId(), name = "Grace", email = "grace@example.com", text = "Where is my parcel?" }).ExpectAsync(HttpStatusCode.Created))
            .GetProperty("conversation").IdOf();

        // The reply goes out from the mailbox, so that the customer can answer it.
        await setup.Owner.ReplyAsync(conversationId, "Hi Grace, it left our warehouse today.").ExpectAsync(HttpStatusCode.Created);
        var reply = await SentAsync(setup.Smtp, 1);
        Assert.Equal((setup.Account.Address, "grace@example.com"), (Assert.Single(reply.From.Mailboxes).Address, Assert.Single(reply.To.Mailboxes).Address));
        Assert.StartsWith("[Acme Support] Reply to your message (#", reply.Subject, StringComparison.Ordinal);
        Assert.Contains("> Where is my parcel?", reply.TextBody, StringComparison.Ordinal);
        await Eventually.WaitUntilAsync(async () => (await TextsAsync(setup.Owner, conversationId, "Activity")).Contains("The reply was emailed to grace@example.com"),
            "the note that the reply was emailed");

        // Her answer comes back into the chat's conversation, not as a new email conversation.
        var answer = Mail("Grace <grace@example.com>", setup.Account.Address, "Re: " + reply.Subject,
            "Thank you! Which carrier?\n\n> Hi Grace, it left our warehouse today.", inReplyTo: reply.MessageId);
        await mail.DeliverAsync(setup.Account, answer, Ct);
        await Eventually.WaitUntilAsync(async () => (await TextsAsync(setup.Owner, conversationId, "Incoming")).Count == 2, "the answer joined the conversation");
        Assert.Equal(["Where is my parcel?", "Thank you! Which carrier?"], await TextsAsync(setup.Owner, conversationId, "Incoming"));
        await WaitForMailboxReadAsync(setup);
        Assert.Empty(await ConversationsAsync(setup));

        await setup.Owner.ReplyAsync(conversationId, "Parcelway, tracking 123.").ExpectAsync(HttpStatusCode.Created);
        var second = await SentAsync(setup.Smtp, 2);
        Assert.Equal(("Re: " + reply.Subject, answer.MessageId), (second.Subject, second.InReplyTo));
        Assert.Contains(reply.MessageId, second.References);

        // Resolved: the survey link goes the same way, in the thread, marked as sent by no person.
        await setup.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        var survey = await SentAsync(setup.Smtp, 3);
        Assert.StartsWith("[Acme Support] How did we do? (#", survey.Subject, StringComparison.Ordinal);
        Assert.Equal((setup.Account.Address, answer.MessageId, "auto-generated"), (Assert.Single(survey.From.Mailboxes).Address, survey.InReplyTo, survey.Headers["Auto-Submitted"]));
        Assert.Contains("/survey/", survey.TextBody, StringComparison.Ordinal);
        await Eventually.WaitUntilAsync(async () => (await TextsAsync(setup.Owner, conversationId, "Activity")).Contains("The survey was emailed to grace@example.com"),
            "the note that the survey was emailed");
    }

    [Fact]
    public async Task EmailInbox_ConversationResolved_TheSurveyLinkGoesInTheCustomersThread()
    {
        await using var setup = await SetUpAsync();
        await setup.Owner.PutJsonAsync($"/api/v1/inboxes/{setup.InboxId}/survey", new { isEnabled = true }).ExpectAsync(HttpStatusCode.OK);
        var first = Mail("Ann <ann@example.com>", setup.Account.Address, "Password reset", "The reset link does not arrive.");
        await mail.DeliverAsync(setup.Account, first, Ct);
        var conversationId = (await SingleConversationAsync(setup)).IdOf();

        await setup.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);

        var survey = await SentAsync(setup.Smtp, 1);
        Assert.Equal(("ann@example.com", first.MessageId), (Assert.Single(survey.To.Mailboxes).Address, survey.InReplyTo));
        Assert.StartsWith("[Acme Support] How did we do? (#", survey.Subject, StringComparison.Ordinal);
        Assert.Equal("Email", (await setup.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/survey")).Text("channel"));
    }

    [Fact]
    public async Task OfflineEmailSettings_WrongInboxesOrForeignIds_ClearErrorsAndNothingSavedAndADeletedMailboxFallsBackToTheSystemAddress()
    {
        await using var setup = await SetUpAsync(connect: false);
        var (widgetId, _) = await ChatSetup.CreateWidgetInboxAsync(setup.Owner);
        var path = $"/api/v1/inboxes/{widgetId}/offline-email";
        var none = await setup.Owner.GetJsonAsync(path);
        Assert.Equal(JsonValueKind.Null, none.GetProperty("emailInboxId").ValueKind);

        await setup.Owner.PutJsonAsync(path, new { emailInboxId = widgetId }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "emailInboxId");
        await setup.Owner.PutJsonAsync(path, new { emailInboxId = Guid.NewGuid() }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "emailInboxId");
        await setup.Owner.PutJsonAsync($"/api/v1/inboxes/{setup.InboxId}/offline-email", new { emailInboxId = setup.InboxId }).ExpectProblemAsync(HttpStatusCode.Conflict);
        var (_, stranger) = await NewWorkspaceAsync("Globex");
        var strangersMailbox = (await stranger.PostJsonAsync("/api/v1/inboxes", new { name = "Globex email", channel = "Email" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        await setup.Owner.PutJsonAsync(path, new { emailInboxId = strangersMailbox }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "emailInboxId");
        await stranger.PutJsonAsync(path, new { emailInboxId = strangersMailbox }).ExpectProblemAsync(HttpStatusCode.NotFound);
        await stranger.GetAsync(path, Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(JsonValueKind.Null, (await setup.Owner.GetJsonAsync(path)).GetProperty("emailInboxId").ValueKind);

        await setup.Owner.PutJsonAsync(path, new { emailInboxId = setup.InboxId }).ExpectAsync(HttpStatusCode.OK);
        await setup.Owner.DeleteAsync($"/api/v1/inboxes/{setup.InboxId}", Ct).ExpectAsync(HttpStatusCode.NoContent);
        Assert.Equal(JsonValueKind.Null, (await setup.Owner.GetJsonAsync(path)).GetProperty("emailInboxId").ValueKind);
    }

    [Fact]
    public async Task EmailSettings_WrongPassword_TheTestSaysWhyAndTheInboxShowsTheError()
    {
        await using var setup = await SetUpAsync(password: "not-the-password");

        var test = await setup.Owner.PostJsonAsync($"/api/v1/inboxes/{setup.InboxId}/email/test", new { }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal((false, "The server refused the username or password."), (test.GetProperty("imap").GetProperty("ok").GetBoolean(), test.GetProperty("imap").Text("error")));
        Assert.True(test.GetProperty("smtp").GetProperty("ok").GetBoolean());
        var settings = await Eventually.ValueAsync(() => setup.Owner.GetJsonAsync($"/api/v1/inboxes/{setup.InboxId}/email"),
            s => s.Text("lastError") is not null, "the poller's error is shown");
        Assert.Equal("The server refused the username or password.", settings.Text("lastError"));
        Assert.Equal((true, JsonValueKind.Undefined), (settings.GetProperty("imap").GetProperty("hasPassword").GetBoolean(), settings.GetProperty("imap").TryGetProperty("password", out var p) ? p.ValueKind : JsonValueKind.Undefined));

        // Put right, leaving the other settings as they are: the password alone changes.
        await setup.Owner.PutJsonAsync($"/api/v1/inboxes/{setup.InboxId}/email", Settings(setup, password: setup.Account.Password)).ExpectAsync(HttpStatusCode.OK);
        var fixedTest = await setup.Owner.PostJsonAsync($"/api/v1/inboxes/{setup.InboxId}/email/test", new { }).ExpectAsync(HttpStatusCode.OK);
        Assert.True(fixedTest.GetProperty("imap").GetProperty("ok").GetBoolean());
        await Eventually.WaitUntilAsync(async () => (await setup.Owner.GetJsonAsync($"/api/v1/inboxes/{setup.InboxId}/email")).Text("lastError") is null, "the error cleared");
    }

    [Fact]
    public async Task EmailSettings_BadInputOrWrongInbox_ClearErrorsAndNothingSavedAndThePasswordStaysWithItsServer()
    {
        await using var setup = await SetUpAsync(connect: false);
        var path = $"/api/v1/inboxes/{setup.InboxId}/email";
        var good = Settings(setup, setup.Account.Password);

        await setup.Owner.PutJsonAsync(path, good with { Address = "not-an-address" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "address");
        await setup.Owner.PutJsonAsync(path, good with { Imap = null }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "imap");
        await setup.Owner.PutJsonAsync(path, good with { Imap = good.Imap! with { Port = 70000 } }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "imap.port");
        await setup.Owner.PutJsonAsync(path, good with { Imap = good.Imap! with { Password = null } }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "imap.password");
        await setup.Owner.PutJsonAsync(path, good with { Imap = good.Imap! with { Host = " " } }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "imap.host");
        await setup.Owner.GetAsync(path, Ct).ExpectProblemAsync(HttpStatusCode.NotFound);

        // Saved once, the password stays for the same server and account, and is asked again for another host.
        await setup.Owner.PutJsonAsync(path, good).ExpectAsync(HttpStatusCode.OK);
        await setup.Owner.PutJsonAsync(path, good with { DisplayName = "Acme Help", Imap = good.Imap! with { Password = null } }).ExpectAsync(HttpStatusCode.OK);
        await setup.Owner.PutJsonAsync(path, good with { Imap = good.Imap! with { Host = "imap.elsewhere.example", Password = null } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "imap.password");
        Assert.Equal(("127.0.0.1", "Acme Help"), ((await setup.Owner.GetJsonAsync(path)).GetProperty("imap").Text("host"), (await setup.Owner.GetJsonAsync(path)).Text("displayName")));

        var widget = (await setup.Owner.PostJsonAsync("/api/v1/inboxes", new { name = "Website", channel = "WebWidget" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        await setup.Owner.PutJsonAsync($"/api/v1/inboxes/{widget}/email", good).ExpectProblemAsync(HttpStatusCode.Conflict);
        var (_, stranger) = await NewWorkspaceAsync("Globex");
        await stranger.PutJsonAsync(path, good).ExpectProblemAsync(HttpStatusCode.NotFound);
        await stranger.PostJsonAsync($"{path}/test", new { }).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    private async Task<EmailSetup> SetUpAsync(bool replyToToken = false, string? password = null, bool connect = true)
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var inboxId = (await owner.PostJsonAsync("/api/v1/inboxes", new { name = "Support email", channel = "Email" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        var account = await mail.CreateAccountAsync();
        var setup = new EmailSetup(workspace.WorkspaceId, owner, inboxId, account, new LoopbackSmtpServer(), password ?? account.Password, replyToToken);
        if (connect)
        {
            await ConnectAsync(setup);
        }

        return setup;
    }

    private Task<JsonElement> ConnectAsync(EmailSetup setup) =>
        setup.Owner.PutJsonAsync($"/api/v1/inboxes/{setup.InboxId}/email", Settings(setup, setup.Password)).ExpectAsync(HttpStatusCode.OK);

    private SettingsBody Settings(EmailSetup setup, string? password) => new(
        setup.Account.Address, "Acme Support",
        new ServerBody("127.0.0.1", mail.ImapPort, "None", setup.Account.Address, password),
        new ServerBody("127.0.0.1", setup.Smtp.Port, "None", null, null),
        setup.ReplyToToken);

    private sealed record ServerBody(string? Host, int Port, string Security, string? Username, string? Password);

    private sealed record SettingsBody(string Address, string DisplayName, ServerBody? Imap, ServerBody Smtp, bool ReplyToToken);

    private sealed class EmailSetup(Guid workspaceId, HttpClient owner, Guid inboxId, MailAccount account, LoopbackSmtpServer smtp, string password, bool replyToToken)
        : IAsyncDisposable
    {
        public Guid WorkspaceId { get; } = workspaceId;

        public HttpClient Owner { get; } = owner;

        public Guid InboxId { get; } = inboxId;

        public MailAccount Account { get; } = account;

        public LoopbackSmtpServer Smtp { get; } = smtp;

        public string Password { get; } = password;

        public bool ReplyToToken { get; } = replyToToken;

        public async ValueTask DisposeAsync()
        {
            Owner.Dispose();
            await Smtp.DisposeAsync();
        }
    }

    private static MimeMessage Mail(string from, string to, string subject, string text, string? inReplyTo = null) =>
        Mail(from, to, subject, new TextPart("plain") { Text = text }, inReplyTo);

    private static MimeMessage Mail(string from, string to, string subject, MimeEntity body, string? inReplyTo = null)
    {
        var message = new MimeMessage { Subject = subject, Body = body, MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("customer.example") };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        if (inReplyTo is not null)
        {
            message.InReplyTo = inReplyTo;
            message.References.Add(inReplyTo);
        }

        return message;
    }

    /// <summary>What a mail server sends back when the customer's address does not exist (RFC 3464).</summary>
    private static MimeMessage Bounce(string to, MimeMessage original)
    {
        var raw = $"""
            From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
            To: {to}
            Subject: Undelivered Mail Returned to Sender
            Message-ID: <bounce-{Guid.NewGuid():N}@mx.example.com>
            Auto-Submitted: auto-replied
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

            --b1
            Content-Type: text/plain

            Your message could not be delivered.
            --b1
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example.com

            Final-Recipient: rfc822; lee@example.com
            Action: failed
            Status: 5.1.1
            Diagnostic-Code: smtp; 550 5.1.1 User unknown

            --b1
            Content-Type: text/rfc822-headers

            Message-ID: <{original.MessageId}>
            Subject: {original.Subject}
            --b1--
            """;
        return MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(raw.Replace("\n", "\r\n", StringComparison.Ordinal))));
    }

    private static async Task<JsonElement> SingleConversationAsync(EmailSetup setup)
    {
        try
        {
            return (await Eventually.ValueAsync(() => ConversationsAsync(setup), c => c.Count > 0, "the mail became a conversation"))[0];
        }
        catch (Xunit.Sdk.FailException)
        {
            // Why not, as the settings page would say.
            var settings = await setup.Owner.GetJsonAsync($"/api/v1/inboxes/{setup.InboxId}/email");
            throw new Xunit.Sdk.XunitException($"No conversation from the mail; the mailbox says: last polled {settings.Text("lastPolledAt")}, error {settings.Text("lastError")}");
        }
    }

    private static async Task<List<JsonElement>> ConversationsAsync(EmailSetup setup) =>
        [.. (await setup.Owner.GetJsonAsync($"/api/v1/conversations?inboxId={setup.InboxId}")).GetProperty("items").EnumerateArray()];

    private static async Task<List<string>> TextsAsync(HttpClient owner, Guid conversationId, string kind) =>
        [.. (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).EnumerateArray().Where(m => m.Text("kind") == kind).Select(m => m.Text("text")!)];

    private static async Task<MimeMessage> SentAsync(LoopbackSmtpServer smtp, int count)
    {
        await Eventually.WaitUntilAsync(() => Task.FromResult(smtp.Messages.Count >= count), "the reply was sent");
        return MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(smtp.Messages[count - 1])));
    }

    /// <summary>Waits until the poller has read everything in the folder, so what it did not do is known.</summary>
    private async Task WaitForMailboxReadAsync(EmailSetup setup)
    {
        var inFolder = (await mail.ReadInboxAsync(setup.Account, Ct)).Count;
        await Eventually.WaitUntilAsync(async () =>
        {
            await using var scope = Factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var channel = await db.EmailChannels.IgnoreQueryFilters().SingleAsync(c => c.InboxId == setup.InboxId, Ct);
            return channel.LastUid >= inFolder;
        }, "the poller read the whole folder");
        await WaitForOutboxAsync(setup.WorkspaceId);
    }
}
