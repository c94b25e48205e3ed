using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Hosting;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Attachments;

/// <summary>Files in a chat: uploaded, sent with a message, and served only through signed links, never as active content.</summary>
public abstract class AttachmentTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3, 4];
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");

    [Fact]
    public async Task Attachment_VisitorSendsAnImageWithoutText_BothSidesSeeItAndItIsServedInline()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Here is the error I get");
        await using var agentHub = await HubRecorder.AgentAsync(Factory, workspace.OwnerToken);

        // The client's claimed type is ignored: the bytes say PNG.
        var uploaded = await UploadAsync(visitor.Http, $"/widget/v1/conversations/{conversationId}/attachments", Png, "screen shot.png", "text/html")
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(("screen shot.png", "image/png", Png.Length, true),
            (uploaded.Text("fileName"), uploaded.Text("contentType"), uploaded.GetProperty("size").GetInt32(), uploaded.GetProperty("isImage").GetBoolean()));
        var sent = await visitor.Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/messages",
            new { clientId = TestVisitor.NewClientId(), text = "", attachmentIds = new[] { uploaded.IdOf() } }).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(uploaded.IdOf(), Assert.Single(sent.GetProperty("attachments").EnumerateArray()).IdOf());
        var live = await agentHub.WaitForAsync("MessageCreated", m => m.GetProperty("attachments").GetArrayLength() == 1, "agents receive the message with its file");
        Assert.Equal("", live.Text("text"));
        var agentView = Assert.Single((await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).EnumerateArray(), m => m.Text("text") == "");
        var attachment = Assert.Single(agentView.GetProperty("attachments").EnumerateArray());
        Assert.Equal("📎 screen shot.png", (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).Text("lastMessagePreview"));

        using var anyone = Factory.CreateClient();
        using var download = await anyone.GetAsync(PathOf(attachment), Ct);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(Png, await download.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal("image/png", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("screen shot.png", download.Content.Headers.ContentDisposition?.FileNameStar);
        AssertServedInert(download);
    }

    [Fact]
    public async Task Attachment_AgentSendsAPdfWithAReply_VisitorGetsItAsADownload()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        await using var visitorHub = await HubRecorder.VisitorAsync(Factory, visitor.Token);
        var (conversationId, _) = await visitor.StartConversationAsync("Can I have my invoice?");

        var uploaded = await UploadAsync(owner, $"/api/v1/conversations/{conversationId}/attachments", Pdf, "invoice", "application/octet-stream")
            .ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { text = "Here it is", attachmentIds = new[] { uploaded.IdOf() } })
            .ExpectAsync(HttpStatusCode.Created);

        var live = await visitorHub.WaitForAsync("MessageCreated", m => m.Text("text") == "Here it is", "the visitor receives the reply");
        var file = Assert.Single(live.GetProperty("attachments").EnumerateArray());
        Assert.Equal(("invoice.pdf", "application/pdf", false), (file.Text("fileName"), file.Text("contentType"), file.GetProperty("isImage").GetBoolean()));
        var read = Assert.Single((await visitor.MessagesAsync(conversationId)).Last().GetProperty("attachments").EnumerateArray());
        using var download = await visitor.Http.GetAsync(PathOf(read), Ct);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("invoice.pdf", download.Content.Headers.ContentDisposition?.FileNameStar);
        AssertServedInert(download);
    }

    [Fact]
    public async Task Upload_HtmlPretendingToBeAnImage_StoredAsPlainTextAndDownloadedNeverRendered()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Look at this");
        var html = Encoding.UTF8.GetBytes("<html><body><script>alert(document.cookie)</script></body></html>");

        var uploaded = await UploadAsync(visitor.Http, $"/widget/v1/conversations/{conversationId}/attachments", html, "../../cat.html", "image/png")
            .ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(("cat.html.txt", "text/plain", false), (uploaded.Text("fileName"), uploaded.Text("contentType"), uploaded.GetProperty("isImage").GetBoolean()));
        using var download = await visitor.Http.GetAsync(PathOf(uploaded), Ct);
        Assert.Equal("text/plain", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        AssertServedInert(download);
    }

    [Fact]
    public async Task Upload_OfficeDocumentAndCsv_RecognisedByTheirContent()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Files");
        var path = $"/widget/v1/conversations/{conversationId}/attachments";

        var docx = await UploadAsync(visitor.Http, path, Zip("[Content_Types].xml", "word/document.xml"), "letter.docx", "application/zip").ExpectAsync(HttpStatusCode.Created);
        var zip = await UploadAsync(visitor.Http, path, Zip("readme.txt"), "logs.docx", "application/zip").ExpectAsync(HttpStatusCode.Created);
        var csv = await UploadAsync(visitor.Http, path, "order,amount\n1042,19.90\n"u8.ToArray(), "orders.csv", "text/plain").ExpectAsync(HttpStatusCode.Created);

        Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx.Text("contentType"));
        Assert.Equal(("application/zip", "logs.docx.zip"), (zip.Text("contentType"), zip.Text("fileName")));
        Assert.Equal("text/csv", csv.Text("contentType"));
    }

    [Theory]
    [InlineData("program.exe", new byte[] { 0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00 })]
    [InlineData("setup.msi", new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0x00, 0x00 })]
    [InlineData("broken.zip", new byte[] { 0x50, 0x4B, 0x03, 0x04, 0x01, 0x02, 0x03 })]
    [InlineData("latin1.txt", new byte[] { 0x63, 0x61, 0x66, 0xE9, 0x20, 0x21 })]
    public async Task Upload_TypeNotAllowed_Returns415AndStoresNothing(string fileName, byte[] content)
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Files");

        var problem = await UploadAsync(visitor.Http, $"/widget/v1/conversations/{conversationId}/attachments", content, fileName, "image/png")
            .ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType);

        Assert.Contains("PDF", problem.Text("detail"), StringComparison.Ordinal);
        Assert.Empty(StoredFiles(workspace.WorkspaceId));
    }

    [Fact]
    public async Task Upload_OverTheSizeLimit_Returns413AndStoresNothing()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("A big one");
        var tooBig = new byte[(10 * 1024 * 1024) + 1];
        Pdf.CopyTo(tooBig, 0);

        await UploadAsync(visitor.Http, $"/widget/v1/conversations/{conversationId}/attachments", tooBig, "big.pdf", "application/pdf")
            .ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        await UploadAsync(owner, $"/api/v1/conversations/{conversationId}/attachments", tooBig, "big.pdf", "application/pdf")
            .ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        Assert.Empty(StoredFiles(workspace.WorkspaceId));
        var exactly = new byte[10 * 1024 * 1024];
        Pdf.CopyTo(exactly, 0);
        await UploadAsync(owner, $"/api/v1/conversations/{conversationId}/attachments", exactly, "limit.pdf", "application/pdf").ExpectAsync(HttpStatusCode.Created);
        Assert.Single(StoredFiles(workspace.WorkspaceId));
    }

    [Fact]
    public async Task Upload_NoFileOrEmptyFile_Returns400NamingTheFile()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Files");
        using var noFile = new MultipartFormDataContent { { new StringContent("hello"), "note" } };

        await visitor.Http.PostAsync($"/widget/v1/conversations/{conversationId}/attachments", noFile, Ct).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "file");
        await UploadAsync(visitor.Http, $"/widget/v1/conversations/{conversationId}/attachments", [], "empty.txt", "text/plain")
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "file");
    }

    [Fact]
    public async Task Attachments_AnotherVisitor_CannotAttachToSendOrReadThem()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var alice = await TestVisitor.StartAsync(Factory, inboxToken);
        using var mallory = await TestVisitor.StartAsync(Factory, inboxToken);
        var (aliceConversation, _) = await alice.StartConversationAsync("My passport scan follows");
        var (malloryConversation, _) = await mallory.StartConversationAsync("Hi");
        var aliceFile = await UploadAsync(alice.Http, $"/widget/v1/conversations/{aliceConversation}/attachments", Pdf, "passport.pdf", "application/pdf")
            .ExpectAsync(HttpStatusCode.Created);
        var malloryFile = await UploadAsync(mallory.Http, $"/widget/v1/conversations/{malloryConversation}/attachments", Png, "me.png", "image/png")
            .ExpectAsync(HttpStatusCode.Created);

        await UploadAsync(mallory.Http, $"/widget/v1/conversations/{aliceConversation}/attachments", Png, "x.png", "image/png").ExpectProblemAsync(HttpStatusCode.NotFound);
        await mallory.Http.PostJsonAsync($"/widget/v1/conversations/{malloryConversation}/messages",
            new { clientId = TestVisitor.NewClientId(), text = "mine now", attachmentIds = new[] { aliceFile.IdOf() } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "attachmentIds");
        // An agent cannot send a visitor's upload either: files go with their uploader's own messages.
        await owner.PostJsonAsync($"/api/v1/conversations/{aliceConversation}/messages", new { text = "fwd", attachmentIds = new[] { aliceFile.IdOf() } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "attachmentIds");

        // Links: only the exact signed one works. Another file's signature, an altered expiry, no signature: all unknown.
        var malloryQuery = QueryOf(malloryFile);
        using var anyone = Factory.CreateClient();
        await anyone.GetAsync($"/attachments/{aliceFile.IdOf()}?sig={malloryQuery["sig"]}&exp={malloryQuery["exp"]}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        var aliceQuery = QueryOf(aliceFile);
        await anyone.GetAsync($"/attachments/{aliceFile.IdOf()}?sig={aliceQuery["sig"]}&exp={long.Parse(aliceQuery["exp"]!) + 86400}", Ct)
            .ExpectProblemAsync(HttpStatusCode.NotFound);
        var sig = aliceQuery["sig"]!;
        var tampered = sig[..10] + (sig[10] == 'A' ? 'B' : 'A') + sig[11..];
        await anyone.GetAsync($"/attachments/{aliceFile.IdOf()}?sig={tampered}&exp={aliceQuery["exp"]}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await anyone.GetAsync($"/attachments/{aliceFile.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await anyone.GetAsync($"/attachments/{aliceFile.IdOf()}?sig=garbage&exp=abc", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(aliceFile.IdOf().ToString(), (await mallory.Http.GetJsonAsync($"/widget/v1/conversations/{malloryConversation}/messages")).ToString(),
            StringComparison.Ordinal);
        using var own = await anyone.GetAsync(PathOf(aliceFile), Ct);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task AttachmentLink_Expired_Returns403()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Files");
        var uploaded = await UploadAsync(visitor.Http, $"/widget/v1/conversations/{conversationId}/attachments", Png, "a.png", "image/png")
            .ExpectAsync(HttpStatusCode.Created);
        // A genuine link, signed with the server's keys, that was handed out two days ago.
        var twoDaysAgo = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-2));
        var links = new AttachmentLinks(
            Factory.Services.GetRequiredService<IDataProtectionProvider>(), twoDaysAgo, Factory.Services.GetRequiredService<PublicUrls>(),
            Factory.Services.GetRequiredService<IOptions<AttachmentOptions>>());
        var old = links.UrlFor(await AttachmentAsync(uploaded.IdOf()));

        await visitor.Http.GetAsync(new Uri(old).PathAndQuery, Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        using var fresh = await visitor.Http.GetAsync(PathOf(uploaded), Ct);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task SendMessage_WithAttachments_RetrySameClientIdReturnsTheMessageAndAFileGoesWithOneMessageOnly()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Files");
        var uploaded = await UploadAsync(visitor.Http, $"/widget/v1/conversations/{conversationId}/attachments", Pdf, "a.pdf", "application/pdf")
            .ExpectAsync(HttpStatusCode.Created);
        var body = new { clientId = TestVisitor.NewClientId(), text = "see file", attachmentIds = new[] { uploaded.IdOf() } };

        var first = await visitor.Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/messages", body).ExpectAsync(HttpStatusCode.Created);
        var retry = await visitor.Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/messages", body).ExpectAsync(HttpStatusCode.OK);
        await visitor.Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/messages",
            new { clientId = TestVisitor.NewClientId(), text = "again", attachmentIds = new[] { uploaded.IdOf() } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "attachmentIds");
        await visitor.Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/messages", new { clientId = TestVisitor.NewClientId(), text = "" })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "text");
        await visitor.Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/messages",
            new { clientId = TestVisitor.NewClientId(), text = "many", attachmentIds = Enumerable.Range(0, 11).Select(_ => Guid.NewGuid()) })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "attachmentIds");

        Assert.Equal(first.IdOf(), retry.IdOf());
        Assert.Equal(uploaded.IdOf(), Assert.Single(retry.GetProperty("attachments").EnumerateArray()).IdOf());
        Assert.Equal(["Files", "see file"], (await visitor.MessagesAsync(conversationId)).Select(m => m.Text("text")));
    }

    [Fact]
    public async Task SendMessage_TwoMessagesRaceForOneFile_OnlyOneCarriesIt()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Files");
        var uploaded = await UploadAsync(visitor.Http, $"/widget/v1/conversations/{conversationId}/attachments", Pdf, "a.pdf", "application/pdf")
            .ExpectAsync(HttpStatusCode.Created);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => visitor.Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/messages",
            new { clientId = TestVisitor.NewClientId(), text = $"race {i}", attachmentIds = new[] { uploaded.IdOf() } })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.BadRequest or HttpStatusCode.Conflict, $"{r.StatusCode}"));
        var carriers = (await visitor.MessagesAsync(conversationId)).Where(m => m.GetProperty("attachments").GetArrayLength() > 0).ToList();
        Assert.Single(carriers);
    }

    [Fact]
    public async Task Identify_AfterUploadingAnonymously_TheUploadCanStillBeSent()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Files");
        var uploaded = await UploadAsync(visitor.Http, $"/widget/v1/conversations/{conversationId}/attachments", Pdf, "a.pdf", "application/pdf")
            .ExpectAsync(HttpStatusCode.Created);

        var identified = await visitor.Http.PostJsonAsync("/widget/v1/identify", new { userId = "user-1" }).ExpectAsync(HttpStatusCode.OK);

        using var signedIn = Factory.CreateClient();
        signedIn.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", identified.Text("visitorToken"));
        var sent = await signedIn.PostJsonAsync($"/widget/v1/conversations/{conversationId}/messages",
            new { clientId = TestVisitor.NewClientId(), text = "", attachmentIds = new[] { uploaded.IdOf() } }).ExpectAsync(HttpStatusCode.Created);
        Assert.Single(sent.GetProperty("attachments").EnumerateArray());
    }

    [Fact]
    public async Task DiscardAttachment_OwnUnsentUpload_IsGoneAndASentOrForeignOneStays()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, colleague) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Files");
        var path = $"/api/v1/conversations/{conversationId}/attachments";
        var unsent = await UploadAsync(owner, path, Pdf, "wrong.pdf", "application/pdf").ExpectAsync(HttpStatusCode.Created);
        var sent = await UploadAsync(owner, path, Pdf, "right.pdf", "application/pdf").ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { text = "", attachmentIds = new[] { sent.IdOf() } })
            .ExpectAsync(HttpStatusCode.Created);

        // Another agent cannot take back someone else's upload; nobody takes back a sent file.
        await colleague.DeleteAsync($"{path}/{unsent.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await owner.DeleteAsync($"{path}/{sent.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.Conflict);
        using var discarded = await owner.DeleteAsync($"{path}/{unsent.IdOf()}", Ct);

        Assert.Equal(HttpStatusCode.NoContent, discarded.StatusCode);
        Assert.Single(StoredFiles(workspace.WorkspaceId));
        using var anyone = Factory.CreateClient();
        await anyone.GetAsync(PathOf(unsent), Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        using var stillThere = await anyone.GetAsync(PathOf(sent), Ct);
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { text = "x", attachmentIds = new[] { unsent.IdOf() } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "attachmentIds");
        await owner.DeleteAsync($"{path}/{unsent.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task StartConversation_WithAFileUploadedFirst_TheFirstMessageCarriesItAndARetryStoresNothingTwice()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        await using var agentHub = await HubRecorder.AgentAsync(Factory, workspace.OwnerToken);

        var uploaded = await UploadAsync(visitor.Http, "/widget/v1/attachments", Png, "broken zip.png", "image/png").ExpectAsync(HttpStatusCode.Created);
        var body = new { clientId = TestVisitor.NewClientId(), text = "", attachmentIds = new[] { uploaded.IdOf() }, fields = new { name = "Ada" } };
        var started = await visitor.Http.PostJsonAsync("/widget/v1/conversations", body).ExpectAsync(HttpStatusCode.Created);
        var retried = await visitor.Http.PostJsonAsync("/widget/v1/conversations", body).ExpectAsync(HttpStatusCode.OK);

        var conversationId = started.GetProperty("conversation").IdOf();
        Assert.Equal(conversationId, retried.GetProperty("conversation").IdOf());
        Assert.Equal(uploaded.IdOf(), Assert.Single(started.GetProperty("message").GetProperty("attachments").EnumerateArray()).IdOf());
        Assert.Equal(uploaded.IdOf(), Assert.Single(retried.GetProperty("message").GetProperty("attachments").EnumerateArray()).IdOf());
        Assert.Single((await visitor.Http.GetJsonAsync("/widget/v1/conversations")).EnumerateArray());
        var live = await agentHub.WaitForAsync("MessageCreated", m => m.ConversationIdOf() == conversationId, "agents receive the first message with its file");
        Assert.Single(live.GetProperty("attachments").EnumerateArray());
        Assert.Equal("📎 broken zip.png", (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).Text("lastMessagePreview"));
        // Sent once: it cannot start another conversation or join a message.
        await visitor.Http.PostJsonAsync("/widget/v1/conversations", body with { clientId = TestVisitor.NewClientId() })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "attachmentIds");
        await visitor.Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/messages",
            new { clientId = TestVisitor.NewClientId(), text = "", attachmentIds = new[] { uploaded.IdOf() } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "attachmentIds");
        using var download = await visitor.Http.GetAsync(PathOf(Assert.Single((await visitor.MessagesAsync(conversationId))[0].GetProperty("attachments").EnumerateArray())), Ct);
        Assert.Equal(Png, await download.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task StartConversation_UploadOfAnotherVisitorOrOfAConversation_RejectedAndNothingStarted()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (_, otherInboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner, "Shop chat");
        using var alice = await TestVisitor.StartAsync(Factory, inboxToken);
        using var mallory = await TestVisitor.StartAsync(Factory, inboxToken);
        using var aliceElsewhere = await TestVisitor.StartAsync(Factory, otherInboxToken);
        var alicesFile = await UploadAsync(alice.Http, "/widget/v1/attachments", Pdf, "passport.pdf", "application/pdf").ExpectAsync(HttpStatusCode.Created);
        var (malloryConversation, _) = await mallory.StartConversationAsync("Hi");
        var inConversation = await UploadAsync(mallory.Http, $"/widget/v1/conversations/{malloryConversation}/attachments", Png, "a.png", "image/png")
            .ExpectAsync(HttpStatusCode.Created);
        var elsewhere = await UploadAsync(aliceElsewhere.Http, "/widget/v1/attachments", Png, "b.png", "image/png").ExpectAsync(HttpStatusCode.Created);

        foreach (var (visitor, id) in new[] { (mallory, alicesFile.IdOf()), (mallory, inConversation.IdOf()), (alice, elsewhere.IdOf()), (alice, Guid.NewGuid()) })
        {
            await visitor.Http.PostJsonAsync("/widget/v1/conversations", new { clientId = TestVisitor.NewClientId(), text = "mine now", attachmentIds = new[] { id } })
                .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "attachmentIds");
        }

        // Nor can it go into an existing conversation: files uploaded before one are only for starting one.
        await mallory.Http.PostJsonAsync($"/widget/v1/conversations/{malloryConversation}/messages",
            new { clientId = TestVisitor.NewClientId(), text = "fwd", attachmentIds = new[] { alicesFile.IdOf() } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "attachmentIds");
        Assert.Empty((await alice.Http.GetJsonAsync("/widget/v1/conversations")).EnumerateArray());
        Assert.Single((await mallory.Http.GetJsonAsync("/widget/v1/conversations")).EnumerateArray());
        await alice.Http.PostJsonAsync("/widget/v1/conversations", new { clientId = TestVisitor.NewClientId(), text = "", attachmentIds = new[] { alicesFile.IdOf() } })
            .ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Identify_AfterUploadingForTheFirstMessage_TheUploadCanStillStartTheConversation()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var uploaded = await UploadAsync(visitor.Http, "/widget/v1/attachments", Pdf, "a.pdf", "application/pdf").ExpectAsync(HttpStatusCode.Created);

        var identified = await visitor.Http.PostJsonAsync("/widget/v1/identify", new { userId = "user-" + Guid.NewGuid() }).ExpectAsync(HttpStatusCode.OK);

        using var signedIn = Factory.CreateClient();
        signedIn.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", identified.Text("visitorToken"));
        var started = await signedIn.PostJsonAsync("/widget/v1/conversations",
            new { clientId = TestVisitor.NewClientId(), text = "Here is my invoice", attachmentIds = new[] { uploaded.IdOf() } }).ExpectAsync(HttpStatusCode.Created);
        Assert.Single(started.GetProperty("message").GetProperty("attachments").EnumerateArray());
    }

    [Fact]
    public async Task UploadBeforeConversation_TypeAndSizeRules_AreTheSameAsForOtherUploads()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var tooBig = new byte[(10 * 1024 * 1024) + 1];
        Pdf.CopyTo(tooBig, 0);

        await UploadAsync(visitor.Http, "/widget/v1/attachments", [0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00], "program.exe", "image/png")
            .ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await UploadAsync(visitor.Http, "/widget/v1/attachments", tooBig, "big.pdf", "application/pdf").ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        using var anonymous = Factory.CreateClient();
        await UploadAsync(anonymous, "/widget/v1/attachments", Pdf, "a.pdf", "application/pdf").ExpectAsync(HttpStatusCode.Unauthorized);

        Assert.Empty(StoredFiles(workspace.WorkspaceId));
    }

    private static Task<HttpResponseMessage> UploadAsync(HttpClient client, string path, byte[] content, string fileName, string contentType)
    {
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var form = new MultipartFormDataContent { { file, "file", fileName } };
        return client.PostAsync(path, form, Ct);
    }

    private static string PathOf(JsonElement attachment) => new Uri(attachment.Text("url")!).PathAndQuery;

    private static System.Collections.Specialized.NameValueCollection QueryOf(JsonElement attachment) =>
        System.Web.HttpUtility.ParseQueryString(new Uri(attachment.Text("url")!).Query);

    private static void AssertServedInert(HttpResponseMessage download)
    {
        Assert.Equal("nosniff", Assert.Single(download.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("default-src 'none'; sandbox", Assert.Single(download.Headers.GetValues("Content-Security-Policy")));
    }

    private static byte[] Zip(params string[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var name in entries)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write("<x/>");
            }
        }

        return buffer.ToArray();
    }

    private List<string> StoredFiles(Guid workspaceId)
    {
        var folder = Path.Combine(Factory.AttachmentsPath, workspaceId.ToString("N"));
        return Directory.Exists(folder) ? [.. Directory.GetFiles(folder)] : [];
    }

    private async Task<Attachment> AttachmentAsync(Guid id)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Server.Data.AppDbContext>();
        return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Attachments, a => a.Id == id, Ct);
    }
}

public sealed class AttachmentSqliteTests(SqliteApiFixture fixture) : AttachmentTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class AttachmentPostgresTests(PostgresApiFixture fixture) : AttachmentTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
