using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>The staffing plan as a supervisor reads it: the demo's two months of chats, forecast, staffed and scheduled.</summary>
public sealed partial class WorkforceTests : BrowserTest
{
    [Fact]
    public async Task Staffing_DemoWorkspace_ForecastStaffedPerHalfHourAKnownEventScalesItsDayAndAShiftIsScheduled()
    {
        await SeedDemoWorkspaceAsync();
        var dana = await SignInAsync("owner@demo.porchlight.test", "porchlight-demo", "Dana Whitfield");
        await dana.GetByRole(AriaRole.Link, new() { Name = "Staffing" }).ClickAsync();
        await Expect(dana.Locator(".pl-page[data-interactive='true']")).ToBeVisibleAsync();

        // Eight weeks of history, a handle time measured from it, and the forecast's error beside copying last week.
        await Expect(dana.Locator("#plan-history .pl-stat-value")).ToHaveTextAsync("8 weeks");
        await Expect(dana.Locator("#plan-handle-time .pl-stat-note")).ToHaveTextAsync("measured over the history");
        await Expect(dana.Locator("#plan-accuracy .pl-stat-value")).ToHaveTextAsync(PercentPattern());
        var rows = dana.Locator("#plan-table tbody tr");
        await Expect(rows.First).ToBeVisibleAsync();
        Assert.True(await rows.CountAsync() >= 8, "A working day of the demo has chats in many half hours.");
        var busiest = await BusiestRowAsync(rows);
        // The demo's four scheduled agents, each with their week's adherence.
        await Expect(dana.Locator("#adherence-table tbody tr")).ToHaveCountAsync(4);
        await Expect(dana.Locator("#adherence-table tbody tr").First.Locator("td").Last).ToHaveTextAsync(PercentPattern());
        await Screenshot(dana, "staffing");

        // A launch on the day shown doubles its forecast: the same half hour now expects twice the chats.
        var shownDay = await dana.Locator("#plan-days .pl-tab-active").GetAttributeAsync("data-day");
        await dana.Locator("#adjustment-first").FillAsync(shownDay!);
        await dana.Locator("#adjustment-last").FillAsync(shownDay!);
        await dana.Locator("#adjustment-multiplier").FillAsync("2");
        await dana.Locator("#adjustment-note").FillAsync("Spring launch");
        await dana.Locator("#adjustment-add").ClickAsync();
        await Expect(dana.Locator("#adjustments-list")).ToContainTextAsync("Spring launch");
        var row = dana.Locator($"#plan-table tr[data-start='{busiest.Start}'] td").Nth(1);
        await Expect(row).ToContainTextAsync("(×2)");
        var doubled = double.Parse((await row.InnerTextAsync()).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(busiest.Expected * 2, doubled, 0.2);

        // A shift on that day, 09:00 to 17:00 with lunch at noon, is counted in the Scheduled column (beside the demo's
        // own shifts), but not over lunch.
        var atTen = await ScheduledAsync(dana, "10:00");
        var atLunch = await ScheduledAsync(dana, "12:30");
        await dana.Locator("#shift-agent").SelectOptionAsync(new SelectOptionValue { Label = "Dana Whitfield" });
        await dana.Locator("#shift-first").FillAsync(shownDay!);
        await dana.Locator("#shift-last").FillAsync(shownDay!);
        await dana.Locator("#shift-break").FillAsync("12:00");
        await dana.Locator("#shift-break-minutes").FillAsync("60");
        var weekday = DateOnly.Parse(shownDay!, System.Globalization.CultureInfo.InvariantCulture).DayOfWeek.ToString()[..3];
        await dana.Locator("#shift-weekdays label").Filter(new() { HasText = weekday }).Locator("input").CheckAsync();
        await dana.Locator("#shift-add").ClickAsync();
        await Expect(dana.Locator("#shift-table")).ToContainTextAsync("Dana Whitfield");
        await Expect(dana.Locator("#plan-table tr[data-start='10:00'] td.pl-scheduled")).ToHaveTextAsync(Number(atTen + 1));
        await Expect(dana.Locator("#plan-table tr[data-start='12:30'] td.pl-scheduled")).ToHaveTextAsync(Number(atLunch));
        await Screenshot(dana, "staffing-shifts");

        // A suggested week from the default template, given to the team's agents, becomes their shifts.
        var shiftsBefore = await dana.Locator("#shift-table tbody tr").CountAsync();
        await dana.Locator("#suggestion-run").ClickAsync();
        await Expect(dana.Locator("#suggestion-table tbody tr").First).ToBeVisibleAsync();
        await Expect(dana.Locator("#suggestion-assigned .pl-stat-value")).Not.ToHaveTextAsync("0");
        await Screenshot(dana, "staffing-suggestion");
        await dana.Locator("#suggestion-apply").ClickAsync();
        await Expect(dana.Locator("#shift-table tbody tr").Nth(shiftsBefore)).ToBeVisibleAsync();
    }

    private static async Task<double> ScheduledAsync(IPage page, string start) =>
        double.Parse(await page.Locator($"#plan-table tr[data-start='{start}'] td.pl-scheduled").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<(string Start, double Expected)> BusiestRowAsync(ILocator rows)
    {
        var best = ("", -1.0);
        for (var i = 0; i < await rows.CountAsync(); i++)
        {
            var row = rows.Nth(i);
            var expected = double.Parse(await row.Locator("td").Nth(1).InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
            if (expected > best.Item2)
            {
                best = ((await row.GetAttributeAsync("data-start"))!, expected);
            }
        }

        return best;
    }

    [GeneratedRegex(@"^\d+(\.\d)?%$")]
    private static partial Regex PercentPattern();
}
