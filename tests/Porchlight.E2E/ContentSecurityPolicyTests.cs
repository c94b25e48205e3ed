using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// The agent app and the widget under the server's Content Security Policy, in a real browser: an agent signs in,
/// works in the inbox and a settings page, and a visitor on a customer's site (another origin) chats through the
/// widget, and the browser reports no violation of any policy on the way.
/// </summary>
public sealed class ContentSecurityPolicyTests : BrowserTest
{
    [Fact]
    public async Task AgentAppAndWidgetOnAnotherSite_UsedUnderThePolicy_BrowserReportsNoViolation()
    {
        var violations = new List<string>();
        var setup = await Browser.NewPageAsync();
        ListenForViolations(setup, violations);
        await SetUpWorkspaceAsync(setup, "Acme Support");
        await setup.CloseAsync();

        var agent = await SignInAsync(OwnerEmail, OwnerPassword, OwnerName);
        ListenForViolations(agent, violations);
        var snippet = await CreateWidgetInboxAsync(agent);
        await OpenInteractiveAsync(agent, "/settings/dashboard-apps");
        await OpenInteractiveAsync(agent, "/inbox");
        using var site = HostSite.Start(snippet);

        var visitor = await Browser.NewPageAsync();
        ListenForViolations(visitor, violations);
        await visitor.GotoAsync(site.Url);
        await WidgetLocators.Launcher(visitor).ClickAsync();
        var chat = WidgetLocators.Chat(visitor);
        await chat.Locator("#field-name").FillAsync("Grace Hopper");
        var composer = chat.GetByRole(AriaRole.Textbox, new() { Name = "Write a message…" });
        await composer.FillAsync("Does the policy let me chat?");
        await composer.PressAsync("Enter");
        await Expect(chat.Locator(".row.me .meta").Last).ToContainTextAsync("Sent");

        // The visitor's message reaches the agent live over the app's WebSocket, and the reply over the widget's.
        var row = agent.Locator(".pl-conversation-row", new() { HasText = "Grace" });
        await row.ClickAsync();
        await agent.Locator("#composer").FillAsync("It does.");
        await agent.Locator("#send-message").ClickAsync();
        await Expect(chat.GetByText("It does.")).ToBeVisibleAsync();

        Assert.True(violations.Count == 0, "Content Security Policy violations:\n" + string.Join("\n", violations));
    }

    // Chromium reports every refusal of a policy (a script, style, frame, connection or inline code it blocked) as a
    // console error that names the Content Security Policy; messages of the chat frame come through its page.
    private static void ListenForViolations(IPage page, List<string> violations) =>
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (violations)
                {
                    violations.Add($"{page.Url}: {message.Text}");
                }
            }
        };
}
