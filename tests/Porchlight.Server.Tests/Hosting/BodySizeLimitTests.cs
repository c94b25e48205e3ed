using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Features.SignIn;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Hosting;

/// <summary>Bodies and hub messages over their limit are refused before they are read; uploads keep their own, larger limit.</summary>
public sealed class BodySizeLimitTests(SqliteApiFixture fixture) : ApiTestBase(fixture.Factory), IClassFixture<SqliteApiFixture>
{
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");

    [Fact]
    public async Task WidgetApi_MessageBodyOverTheLimit_Answers413AndStoresNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Hello");
        var body = $$"""{"clientId":"{{TestVisitor.NewClientId()}}","text":"{{new string('a', 200 * 1024)}}"}""";

        var problem = await visitor.Http.SendRawAsync(HttpMethod.Post, $"/widget/v1/conversations/{conversationId}/messages", body)
            .ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        Assert.Contains("128 KiB", problem.Text("detail"), StringComparison.Ordinal);
        Assert.Single(await visitor.MessagesAsync(conversationId));
    }

    [Fact]
    public async Task WidgetApi_UploadLargerThanAMessageBody_KeepsTheUploadLimit()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var content = new byte[300 * 1024];
        Pdf.CopyTo(content, 0);
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        using var form = new MultipartFormDataContent { { file, "file", "statement.pdf" } };

        await visitor.Http.PostAsync("/widget/v1/attachments", form, Ct).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AccountForm_BodyOverTheLimit_Answers413AndSetsNoCookie()
    {
        var (workspace, _) = await NewWorkspaceAsync();
        using var browser = new BrowserSession(Factory);
        var token = await browser.AntiforgeryTokenAsync("/signin");

        var response = await browser.PostAsync("/account/signin",
            new Dictionary<string, string> { ["email"] = workspace.OwnerEmail, ["password"] = TestWorkspace.Password, ["returnUrl"] = "/" + new string('a', 40 * 1024) }, token);

        await response.ExpectAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.False(BrowserSession.SetsAuthCookie(response));
    }

    [Fact]
    public async Task VisitorHub_MessageOverTheLimit_ClosesTheConnection()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        await using var hub = await HubRecorder.VisitorAsync(Factory, visitor.Token);

        // Within SignalR's default 32 KiB, over the visitor hub's 4 KiB.
        await AssertClosedByAsync(hub, new string('x', 8 * 1024));
    }

    [Fact]
    public async Task AgentHub_MessageOverTheLimit_ClosesTheConnection()
    {
        var (workspace, _) = await NewWorkspaceAsync();
        await using var hub = await HubRecorder.AgentAsync(Factory, workspace.OwnerToken);

        await AssertClosedByAsync(hub, new string('x', 16 * 1024));
    }

    [Fact]
    public async Task VisitorHub_MessageWithinTheLimit_KeepsTheConnection()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        await using var hub = await HubRecorder.VisitorAsync(Factory, visitor.Token);

        // A call the hub cannot bind is answered with an error, and the connection stays: the size alone closes it.
        await Assert.ThrowsAsync<HubException>(() => hub.Connection.InvokeAsync("Typing", Guid.Empty, new string('x', 1024), Ct));

        Assert.Equal(HubConnectionState.Connected, hub.Connection.State);
    }

    private static async Task AssertClosedByAsync(HubRecorder hub, string payload)
    {
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Connection.Closed += error =>
        {
            closed.TrySetResult(error);
            return Task.CompletedTask;
        };

        await Assert.ThrowsAnyAsync<Exception>(() => hub.Connection.InvokeAsync("Typing", Guid.Empty, payload, Ct));

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(HubConnectionState.Disconnected, hub.Connection.State);
    }
}
