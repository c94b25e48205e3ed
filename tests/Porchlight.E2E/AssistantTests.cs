using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// An owner teaches the assistant two intents by example; the classifier trains in the background while the page
/// watches, reports how many held-out examples of each it recognised, and classifies a phrase typed to try it.
/// </summary>
public sealed class AssistantTests : BrowserTest
{
    private static readonly string[] OrderStatus =
    [
        "Where is my order?", "My parcel hasn't arrived yet", "When will my package be delivered?", "The tracking hasn't moved for days",
        "Has my order shipped?", "My delivery is late", "Is my order on its way?", "I ordered last week and still nothing",
        "Can you check the status of my order?", "still waiting for my tent",
    ];

    private static readonly string[] Returns =
    [
        "How do I return an item?", "I want to send my boots back", "How do I get a return label?", "What is your return policy?",
        "I'd like to return part of my order", "Can I return a gift?", "Is the return shipping free?", "I need to send this back",
        "The item doesn't fit, how do I return it", "How many days do I have to return something?",
    ];

    [Fact]
    public async Task IntentsPage_OwnerTeachesTwoIntents_TrainedMeasuredAndClassifying()
    {
        var page = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(page, "Northwind Support");
        await OpenInteractiveAsync(page, "/settings/intents");
        await Expect(page.Locator("#intents-empty")).ToBeVisibleAsync();

        foreach (var (name, examples) in new[] { ("order-status", OrderStatus), ("returns", Returns) })
        {
            await FillAsync(page, "#intent-name", name);
            await FillAsync(page, "#intent-examples", string.Join('\n', examples));
            await page.Locator("#intent-save").ClickAsync();
            await Expect(page.Locator("#intents-table tbody tr", new() { HasText = name })).ToBeVisibleAsync();
        }

        // Trained in the background within a few seconds; the page follows without a reload.
        await Expect(page.Locator("#intent-model-status")).ToHaveAttributeAsync("data-status", "Trained", new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-accuracy='order-status']")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d of 2$"));
        await Expect(page.Locator("#intent-accuracy")).ToContainTextAsync("of 4 held-out examples recognised");
        // The confusion: each intent's two held-out examples, recognised (the diagonal) or taken for the other.
        var confusion = page.Locator("#intent-confusion");
        await Expect(confusion.Locator("tbody tr")).ToHaveCountAsync(2);
        await Expect(confusion.Locator("td.pl-confusion-right, td.pl-confusion-wrong")).Not.ToHaveCountAsync(0);
        await FillAsync(page, "#intent-try", "my boots don't fit, can I send them back?");
        await page.Locator("#intent-try-button").ClickAsync();
        await Expect(page.Locator("#intent-try-result .pl-strong")).ToContainTextAsync("returns");
        await Screenshot(page, "intents");
    }
}
