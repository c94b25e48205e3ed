using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// A workspace's promises: its opening hours with a lunch break and its holidays, the SLA policies an admin writes on
/// the Service levels page, and the clocks they start, shown beside the conversation in the inbox.
/// </summary>
public sealed partial class ServiceLevelsTests : BrowserTest
{
    private const string DemoPassword = "porchlight-demo";

    [Fact]
    public async Task WorkspaceSettings_TwoPeriodsOnADayAndHolidays_SurviveAReload()
    {
        var page = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(page, "Acme Support");
        await OpenInteractiveAsync(page, "/settings/workspace");

        // Monday with a lunch break: 09:00–12:00 and 13:00–17:00.
        await FillAsync(page, "#opens-Monday-0", "09:00");
        await FillAsync(page, "#closes-Monday-0", "12:00");
        await page.Locator("#add-period-Monday").ClickAsync();
        await FillAsync(page, "#opens-Monday-1", "13:00");
        await FillAsync(page, "#closes-Monday-1", "17:00");
        await page.Locator("#add-period-Monday").ClickAsync();
        await page.Locator("#remove-period-Monday-2").ClickAsync();
        await Expect(page.Locator("#opens-Monday-2")).ToHaveCountAsync(0);

        // Two holidays, added out of order, are listed in date order; a third is added and taken back.
        await Expect(page.Locator("#holidays")).ToContainTextAsync("No holidays.");
        await FillAsync(page, "#holiday-date", "2026-12-25");
        await page.Locator("#add-holiday").ClickAsync();
        await FillAsync(page, "#holiday-date", "2026-12-24");
        await page.Locator("#add-holiday").ClickAsync();
        await FillAsync(page, "#holiday-date", "2026-01-01");
        await page.Locator("#add-holiday").ClickAsync();
        await page.Locator("[data-holiday='2026-01-01'] .mud-chip-close-button").ClickAsync();
        await Expect(page.Locator("#holidays [data-holiday]")).ToHaveCountAsync(2);
        await page.Locator("#save-workspace").ClickAsync();
        await Expect(page.GetByText("Workspace settings saved.")).ToBeVisibleAsync();

        await OpenInteractiveAsync(page, "/settings/workspace");
        await Expect(page.Locator("#opens-Monday-0")).ToHaveValueAsync("09:00");
        await Expect(page.Locator("#closes-Monday-0")).ToHaveValueAsync("12:00");
        await Expect(page.Locator("#opens-Monday-1")).ToHaveValueAsync("13:00");
        await Expect(page.Locator("#closes-Monday-1")).ToHaveValueAsync("17:00");
        await Expect(page.Locator("#opens-Tuesday-1")).ToHaveCountAsync(0);
        var holidays = page.Locator("#holidays [data-holiday]");
        await Expect(holidays).ToHaveCountAsync(2);
        await Expect(holidays.Nth(0)).ToHaveAttributeAsync("data-holiday", "2026-12-24");
        await Expect(holidays.Nth(1)).ToHaveAttributeAsync("data-holiday", "2026-12-25");
        await Screenshot(page, "workspace-hours");
    }

    [Fact]
    public async Task ServiceLevelsPage_AdminWritesAndOrdersPolicies_ListedWithTheirTargetsAfterAReload()
    {
        var page = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(page, "Acme Support");
        await OpenInteractiveAsync(page, "/settings/sla");
        await Expect(page.Locator("#sla-policies-empty")).ToBeVisibleAsync();

        // Saved empty, the form shows the use case's field errors where they belong.
        await page.Locator("#policy-new").ClickAsync();
        await page.Locator("#policy-save").ClickAsync();
        await Expect(page.Locator("#policy-name")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#policy-firstResponseMinutes")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#policy-form")).ToContainTextAsync("Set at least one target");

        await FillAsync(page, "#policy-name", "Urgent chats");
        await ChooseAsync(page, "#policy-priorities", "High", "Urgent");
        await FillAsync(page, "#policy-firstResponseMinutes", "15");
        await FillAsync(page, "#policy-nextResponseMinutes", "30");
        await FillAsync(page, "#policy-resolutionMinutes", "8"); // hours: a resolution's unit when it is new
        await page.Locator("#policy-business-hours").ClickAsync();
        await page.Locator("#policy-add-step").ClickAsync();
        await page.Locator("#policy-step-stage-0").SelectOptionAsync("Warning");
        await page.Locator("#policy-step-action-0").SelectOptionAsync("RaisePriority");
        await page.Locator("#policy-step-priority-0").SelectOptionAsync("Urgent");
        await page.Locator("#policy-add-step").ClickAsync();
        await page.Locator("#policy-save").ClickAsync();

        var urgent = page.Locator("[data-policy='Urgent chats']");
        const string UrgentTargets = "First response 15 min · Next response 30 min · Resolution 8 h (business hours)";
        const string UrgentScope = "Priorities: High, Urgent · at risk at 80% · when at risk: raise priority to Urgent · when breached: notify supervisors";
        await Expect(urgent.Locator("[data-summary='targets']")).ToHaveTextAsync(UrgentTargets);
        await Expect(urgent.Locator("[data-summary='scope']")).ToHaveTextAsync(UrgentScope);

        // A catch-all policy goes after it; moved up, it comes first.
        await page.Locator("#policy-new").ClickAsync();
        await FillAsync(page, "#policy-name", "Everything else");
        await FillAsync(page, "#policy-firstResponseMinutes", "90");
        await page.Locator("#policy-save").ClickAsync();
        var rows = page.Locator("#sla-policies [data-policy]");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Nth(1).Locator("[data-summary='targets']")).ToHaveTextAsync("First response 1 h 30 min (calendar time)");
        await Expect(rows.Nth(1).Locator("[data-summary='scope']")).ToHaveTextAsync("Everything · at risk at 80%");
        await page.GetByRole(AriaRole.Button, new() { Name = "Move Everything else up" }).ClickAsync();
        await Expect(rows.Nth(0)).ToHaveAttributeAsync("data-policy", "Everything else");

        await OpenInteractiveAsync(page, "/settings/sla");
        await Expect(rows.Nth(0)).ToHaveAttributeAsync("data-policy", "Everything else");
        await Expect(urgent.Locator("[data-summary='targets']")).ToHaveTextAsync(UrgentTargets);
        await Expect(urgent.Locator("[data-summary='scope']")).ToHaveTextAsync(UrgentScope);
        await Screenshot(page, "sla-policies");

        // The form shows a saved policy as it was written.
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit Urgent chats" }).ClickAsync();
        await Expect(page.Locator("#policy-name")).ToHaveValueAsync("Urgent chats");
        await Expect(page.Locator("#policy-resolutionMinutes")).ToHaveValueAsync("8");
        await Expect(page.Locator("#policy-step-priority-0")).ToHaveValueAsync("Urgent");
        await Screenshot(page, "sla-policy-form");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete Everything else" }).ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Nth(0)).ToHaveAttributeAsync("data-policy", "Urgent chats");
    }

    [Fact]
    public async Task InboxSlaClocks_PolicyCoversAConversation_ClocksShowBesideIt()
    {
        await SeedDemoWorkspaceAsync();
        var dana = await SignInAsync("owner@demo.porchlight.test", DemoPassword, "Dana Whitfield");
        await OpenInteractiveAsync(dana, "/settings/sla");
        await dana.Locator("#policy-new").ClickAsync();
        await FillAsync(dana, "#policy-name", "Every conversation");
        await FillAsync(dana, "#policy-firstResponseMinutes", "15");
        await FillAsync(dana, "#policy-resolutionMinutes", "0.5"); // hours
        await dana.Locator("#policy-save").ClickAsync();
        await Expect(dana.Locator("[data-policy='Every conversation']")).ToBeVisibleAsync();

        // A policy applies from a conversation's next change: raising its priority starts its clocks.
        await OpenInteractiveAsync(dana, "/inbox");
        await Expect(dana.Locator("#inbox")).ToHaveAttributeAsync("data-ready", "true");
        await dana.Locator(".pl-conversation-row").First.ClickAsync();
        await Expect(dana.Locator("#conversation-title")).ToBeVisibleAsync();
        await Expect(dana.Locator("#sla-clocks")).ToHaveCountAsync(0);
        var priority = dana.Locator("#priority-picker");
        await priority.SelectOptionAsync(await priority.InputValueAsync() == "Low" ? "Medium" : "Low");
        await Expect(dana.Locator("#sla-clocks [data-metric='Resolution']")).ToHaveTextAsync(ResolutionClock());
        await Screenshot(dana, "sla-inbox-clocks");
    }

    /// <summary>Picks options of a MudBlazor multi-select, then closes its list.</summary>
    private static async Task ChooseAsync(IPage page, string selector, params string[] options)
    {
        await page.Locator(selector).ClickAsync();
        foreach (var option in options)
        {
            await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = option }).ClickAsync();
        }

        await CloseListAsync(page, page.Locator(selector));
        await Expect(page.Locator(selector)).ToHaveValueAsync(string.Join(", ", options));
    }

    [GeneratedRegex(@"^Resolution (due|overdue by) \w")]
    private static partial Regex ResolutionClock();
}
