using System.Net;
using Porchlight.Server.Tests.Features.SignIn;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Conversations;

/// <summary>The inbox page as the server first sends it, before the browser's circuit takes over.</summary>
public sealed class InboxPageRenderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Inbox_SignedInAgent_GetsThePanesAndTheNavigationEntry()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);
        await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password);

        var html = await browser.GetPageAsync("/inbox");

        Assert.Contains("id=\"conversation-list\"", html, StringComparison.Ordinal);
        Assert.Contains("data-ready=\"false\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/inbox\"", html, StringComparison.Ordinal);
        Assert.Contains("<title>Inbox ", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inbox_OneConversationsAddress_RendersTheThreadPane()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);
        await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password);

        var html = await browser.GetPageAsync($"/inbox/{Guid.CreateVersion7()}");

        Assert.Contains("id=\"thread\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"contact-sidebar\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inbox_Anonymous_IsSentToSignIn()
    {
        await using var factory = new PorchlightFactory();
        await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);

        var response = await browser.Client.GetAsync("/inbox", Ct);

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/signin", BrowserSession.PathOf(response));
    }
}
