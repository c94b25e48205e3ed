using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static Porchlight.E2E.Infrastructure.WidgetLocators;

namespace Porchlight.E2E;

/// <summary>
/// Hostile values stored through the API and the widget, where people see them: markup that would run script if a page
/// took it for HTML, and javascript: links. Every page that shows them (the inbox's conversation with its contact
/// sidebar and canned responses, the contact page, the contacts list, the help center, the widget on a customer's site)
/// shows the text as it was written and runs none of it: no payload sets <c>window.__pwned</c>, logs PWNED or opens a
/// dialog, no element the markup would make exists, and the pages' policies report nothing refused.
/// </summary>
public sealed class HostileContentTests : BrowserTest
{
    private const string Script = "<script>window.__pwned=1;console.error('PWNED')</script>";
    private const string Img = "\"><img src=x onerror=window.__pwned=1;console.error('PWNED');alert(1)>";
    private const string Svg = "<svg/onload=window.__pwned=1;console.error('PWNED')>";
    private const string JavaScriptUrl = "javascript:window.__pwned=1;console.error('PWNED')";

    // Elements the markup would have made, links that would run script, and scripts carrying the payload, in a document.
    private const string MadeByPayloads = """
        () => document.querySelectorAll('img[src="x"], svg[onload], [onerror], [onload], a[href^="javascript:" i], iframe[src^="javascript:" i]').length
            + [...document.scripts].filter(s => s.textContent.includes('__pwned')).length
        """;

    private static readonly string[] HostileTags = ["<svg/onload=alert(1)>"];

    private readonly List<string> _ran = [];

    [Fact]
    public async Task HostileValuesStored_PagesThatShowThem_ShowTheTextAndRunNone()
    {
        var agent = await WatchedPageAsync();
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var token = (await RunCommandAsync("create-token", "--email", OwnerEmail, "--name", "hostile", "--scopes", "read,write,admin")).Trim();
        using var api = new HttpClient { BaseAddress = Server.BaseAddress };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        // Through the API: an inbox whose greeting is markup, a contact attribute, a canned response, and a published
        // help center whose category and article are markup with a javascript: link in the article.
        var inbox = await SendAsync(api, HttpMethod.Post, "/api/v1/inboxes", new { name = "Website chat", channel = "WebWidget", widget = new { greeting = "Hi " + Svg } });
        await SendAsync(api, HttpMethod.Post, "/api/v1/contact-attributes", new { key = "plan", label = "Plan", type = "Text" });
        await SendAsync(api, HttpMethod.Post, "/api/v1/canned-responses", new { shortcut = "hostile", title = "Canned " + Script, text = "Canned text " + Img, shared = true });
        await SendAsync(api, HttpMethod.Put, "/api/v1/knowledge-base/help-center", new { slug = "acme-help", name = "Acme Help", isPublished = true });
        var category = await SendAsync(api, HttpMethod.Post, "/api/v1/knowledge-base/categories", new { name = "Category " + Img });
        var articleTitle = "Returns " + Script;
        var article = await SendAsync(api, HttpMethod.Post, "/api/v1/knowledge-base/articles", new
        {
            title = articleTitle,
            body = $"Send it back. {Script}\n\n{Img}\n\n{Svg}\n\n[Click here]({JavaScriptUrl}) and <a href=\"{JavaScriptUrl}\">here</a>.",
            categoryId = category.GetProperty("id").GetGuid(),
            status = "Published",
        });

        // A visitor on a customer's site writes markup as their name and message in the widget, to the agent online in the inbox.
        await OpenInteractiveAsync(agent, "/inbox");
        using var site = HostSite.Start(inbox.GetProperty("embedSnippet").GetString()!);
        var visitor = await WatchedPageAsync();
        await visitor.GotoAsync(site.Url);
        await Expect(Bubble(visitor)).ToContainTextAsync("Hi " + Svg);
        await Launcher(visitor).ClickAsync();
        var chat = Chat(visitor);
        var visitorName = "Eve " + Img;
        var visitorText = $"Help {Script} {Svg} [me]({JavaScriptUrl})";
        await chat.Locator("#field-name").FillAsync(visitorName);
        var composer = chat.GetByRole(AriaRole.Textbox, new() { Name = "Write a message…" });
        await composer.FillAsync(visitorText);
        await composer.PressAsync("Enter");
        await Expect(chat.Locator(".row.me .meta").Last).ToContainTextAsync("Sent");

        // The agent answers, notes and describes the contact through the API, all in markup.
        var conversation = (await SendAsync(api, HttpMethod.Get, "/api/v1/conversations", null)).GetProperty("items")[0];
        var conversationId = conversation.GetProperty("id").GetGuid();
        var contactId = conversation.GetProperty("contact").GetProperty("id").GetGuid();
        var reply = $"Reply {Img} [open]({JavaScriptUrl})";
        var note = $"Note {Svg} {Script}";
        await SendAsync(api, HttpMethod.Post, $"/api/v1/conversations/{conversationId}/messages", new { text = reply });
        await SendAsync(api, HttpMethod.Post, $"/api/v1/conversations/{conversationId}/messages", new { text = note, @private = true });
        var plan = "Plan " + Script;
        await SendAsync(api, HttpMethod.Put, $"/api/v1/contacts/{contactId}", new { name = visitorName, attributes = new { plan }, tags = HostileTags });
        var contactNote = $"Contact note {Img}";
        await SendAsync(api, HttpMethod.Post, $"/api/v1/contacts/{contactId}/notes", new { text = contactNote });

        await Expect(chat.GetByText("Reply " + Img)).ToBeVisibleAsync();
        await Expect(chat.Locator(".row.me").Last).ToContainTextAsync(visitorText.Replace($"[me]({JavaScriptUrl})", "", StringComparison.Ordinal).Trim());

        // The inbox: the visitor's message, the reply and the note in the thread, the contact in the sidebar, and the
        // canned response in the picker.
        await OpenInteractiveAsync(agent, $"/inbox/{conversationId}");
        await Expect(agent.Locator("#inbox[data-ready='true']")).ToBeVisibleAsync();
        await Expect(agent.Locator("#thread .pl-message[data-kind='incoming']")).ToContainTextAsync($"Help {Script} {Svg}");
        await Expect(agent.Locator("#thread .pl-message[data-kind='outgoing']").Last).ToContainTextAsync("Reply " + Img);
        await Expect(agent.Locator("#thread .pl-message[data-kind='note']").Last).ToContainTextAsync(note);
        await Expect(agent.Locator("#contact-name")).ToHaveTextAsync(visitorName);
        await Expect(agent.Locator("#contact-attributes")).ToContainTextAsync(plan);
        var agentComposer = agent.Locator("#composer");
        await agentComposer.ClickAsync();
        await agentComposer.PressSequentiallyAsync("/hos");
        await Expect(agent.Locator("#composer-picker")).ToContainTextAsync("Canned " + Script);
        await agentComposer.PressAsync("Enter");
        await Expect(agentComposer).ToHaveValueAsync("Canned text " + Img);
        await AssertNothingRanAsync(agent);

        // The contact's page and the list of contacts.
        await OpenInteractiveAsync(agent, $"/contacts/{contactId}");
        await Expect(agent.Locator("#contact-title")).ToHaveTextAsync(visitorName);
        await Expect(agent.Locator("#contact-notes")).ToContainTextAsync(contactNote);
        await AssertNothingRanAsync(agent);
        await OpenInteractiveAsync(agent, "/contacts");
        await Expect(agent.Locator("#contacts-table")).ToContainTextAsync(visitorName);
        await AssertNothingRanAsync(agent);

        // The help center: its home, the category and article, and a search for markup, which the page repeats.
        var reader = await WatchedPageAsync();
        await reader.GotoAsync(Server.Url("/help/acme-help/en"));
        await Expect(reader.Locator("body")).ToContainTextAsync("Category " + Img);
        await AssertNothingRanAsync(reader);
        await reader.GotoAsync(Server.Url($"/help/acme-help/en/articles/{article.GetProperty("article").GetProperty("slug").GetString()}"));
        await Expect(reader.Locator("h1")).ToHaveTextAsync(articleTitle);
        await Expect(reader.Locator("article")).ToContainTextAsync("Click here");
        await AssertNothingRanAsync(reader);
        await reader.GotoAsync(Server.Url($"/help/acme-help/en/search?q={Uri.EscapeDataString(Img)}"));
        await Expect(reader.Locator("body")).ToContainTextAsync(Img);
        await AssertNothingRanAsync(reader);

        // The widget, after all that: the chat and the bubble on the customer's site.
        await AssertNothingRanAsync(visitor);
        Assert.True(_ran.Count == 0, "Script ran or was refused by a policy:\n" + string.Join("\n", _ran));
    }

    /// <summary>A page whose console and dialogs are watched: a payload that ran logs PWNED or opens an alert; markup injected into a page under its policy is refused with a console error.</summary>
    private async Task<IPage> WatchedPageAsync()
    {
        var page = await Browser.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("PWNED", StringComparison.Ordinal) || message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (_ran)
                {
                    _ran.Add($"{page.Url}: console {message.Type}: {message.Text}");
                }
            }
        };
        page.Dialog += async (_, dialog) =>
        {
            lock (_ran)
            {
                _ran.Add($"{page.Url}: a {dialog.Type} dialog: {dialog.Message}");
            }

            await dialog.DismissAsync();
        };
        return page;
    }

    /// <summary>No payload ran in the page or any of its frames (the chat frame of the widget), and none made an element.</summary>
    private static async Task AssertNothingRanAsync(IPage page)
    {
        foreach (var frame in page.Frames)
        {
            Assert.Null(await frame.EvaluateAsync<int?>("() => window.__pwned ?? null"));
            Assert.Equal(0, await frame.EvaluateAsync<int>(MadeByPayloads));
        }
    }

    private static async Task<JsonElement> SendAsync(HttpClient api, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await api.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
