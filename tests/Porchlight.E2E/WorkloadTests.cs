using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>An agent's workload, as a supervisor looks after them and as they read it themselves.</summary>
public sealed partial class WorkloadTests : BrowserTest
{
    private const string DemoPassword = "porchlight-demo";

    [Fact]
    public async Task Workload_SupervisorOpensAnAgentFromLiveQueuesAndTheAgentReadsTheirOwn_SameWeekAndTimeOffPlanned()
    {
        await SeedDemoWorkspaceAsync();
        var dana = await SignInAsync("owner@demo.porchlight.test", DemoPassword, "Dana Whitfield");
        await dana.GetByRole(AriaRole.Link, new() { Name = "Live queues" }).ClickAsync();
        await dana.Locator(".pl-supervision-agents").GetByRole(AriaRole.Link, new() { Name = "Lena Fischer" }).ClickAsync();
        await Expect(dana.Locator(".pl-page[data-interactive='true']")).ToBeVisibleAsync();

        // The demo's last week: a row per day, and the conversations Lena took in it.
        await Expect(dana.GetByRole(AriaRole.Heading, new() { Name = "Lena Fischer" })).ToBeVisibleAsync();
        await Expect(dana.Locator("#workload-days tbody tr")).ToHaveCountAsync(7);
        await Expect(dana.Locator("#workload-taken .pl-stat-value")).ToHaveTextAsync(CountPattern());
        var taken = await dana.Locator("#workload-taken .pl-stat-value").InnerTextAsync();
        // The demo's shifts and status time: an adherence, and the hours of a working day.
        await Expect(dana.Locator("#workload-adherence .pl-stat-value")).ToHaveTextAsync(PercentPattern());
        await Expect(dana.Locator("#workload-hours .pl-stat-value")).Not.ToHaveTextAsync("0 h");
        await Screenshot(dana, "agent-workload");

        // A sick day planned from her page shows in her time off.
        var tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await dana.Locator("#time-off-first").FillAsync(tomorrow);
        await dana.Locator("#time-off-kind").SelectOptionAsync("Sick");
        await dana.Locator("#time-off-note").FillAsync("Dentist");
        await dana.Locator("#time-off-add").ClickAsync();
        await Expect(dana.Locator("#time-off-table")).ToContainTextAsync("Dentist");

        // Four weeks instead of one: a row per day.
        await dana.Locator("#workload-days-shown").SelectOptionAsync("28");
        await Expect(dana.Locator("#workload-days tbody tr")).ToHaveCountAsync(28);

        // Lena's own page shows her the same week.
        var lena = await SignInAsync("lena@demo.porchlight.test", DemoPassword, "Lena Fischer");
        await lena.GetByRole(AriaRole.Link, new() { Name = "My workload" }).ClickAsync();
        await Expect(lena.Locator("#workload-taken .pl-stat-value")).ToHaveTextAsync(taken);
        await Expect(lena.Locator("#workload-days tbody tr")).ToHaveCountAsync(7);
        await Screenshot(lena, "my-workload");
    }

    [GeneratedRegex(@"^\d[\d,]*$")]
    private static partial Regex CountPattern();

    [GeneratedRegex(@"^\d+(\.\d)?%$")]
    private static partial Regex PercentPattern();
}
