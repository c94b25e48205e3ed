using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// An admin keeps the workspace's contacts on the Contacts page: a company that gathers the people at its domain, a
/// segment with an attribute condition, and one contact's tags and notes; an agent reads the same page without the
/// controls that change companies and segments.
/// </summary>
public sealed class ContactsPageTests : BrowserTest
{
    [Fact]
    public async Task ContactsPage_AdminKeepsCompaniesSegmentsAndAContact_FiltersFindThemChangesPersistAndAnAgentOnlyReads()
    {
        var ct = TestContext.Current.CancellationToken;
        await SeedDemoWorkspaceAsync();
        var dana = await SignInAsync("owner@demo.porchlight.test", "porchlight-demo", "Dana Whitfield");

        // The demo's contacts carry a plan; defined as a list, it gets a select on each contact.
        await OpenInteractiveAsync(dana, "/contacts?view=attributes");
        await FillAsync(dana, "#attribute-key", "plan");
        await FillAsync(dana, "#attribute-label", "Plan");
        await dana.Locator("#attribute-type").SelectOptionAsync("List");
        await FillAsync(dana, "#attribute-options", "Member, Guest, Business");
        await dana.Locator("#attribute-save").ClickAsync();
        await Expect(dana.Locator("[data-attribute='plan']")).ToContainTextAsync("Member, Guest, Business");

        await dana.Locator("nav.pl-tabs").GetByRole(AriaRole.Link, new() { Name = "Companies" }).ClickAsync();
        await FillAsync(dana, "#company-name", "Summit Guides");
        await FillAsync(dana, "#company-domain", "summit.test");
        await dana.Locator("#company-save").ClickAsync();
        await Expect(dana.Locator("[data-company='Summit Guides'] [data-summary='contacts']")).ToHaveTextAsync("0");

        // Two new people: one at the company's domain, one elsewhere; a bad email is refused at its field first.
        await dana.Locator("nav.pl-tabs").GetByRole(AriaRole.Link, new() { Name = "People" }).ClickAsync();
        await AddContactAsync(dana, "Mia Keller", "mia@summit", "trial");
        await Expect(dana.Locator("#contact-email")).ToHaveAttributeAsync("aria-invalid", "true");
        await FillAsync(dana, "#contact-email", "mia@summit.test");
        await dana.Locator("#contact-save").ClickAsync();
        await Expect(dana.Locator("[data-contact='Mia Keller']")).ToContainTextAsync("trial");
        await AddContactAsync(dana, "Ben Ortiz", "ben@elsewhere.test", "");
        await Expect(dana.Locator("[data-contact='Ben Ortiz']")).ToBeVisibleAsync();

        // The company's people: Mia joins it a moment after she was saved, so the list is opened again until she has.
        await dana.Locator("#contact-company-filter").SelectOptionAsync(new SelectOptionValue { Label = "Summit Guides" });
        await Expect(dana).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("companyId="));
        for (var attempt = 1; attempt < 20 && await dana.Locator("[data-contact='Mia Keller']").CountAsync() == 0; attempt++)
        {
            await Task.Delay(500, ct);
            await OpenInteractiveAsync(dana, new Uri(dana.Url).PathAndQuery);
        }

        await Expect(dana.Locator("#contacts-table tbody tr")).ToHaveCountAsync(1);
        await Expect(dana.Locator("[data-contact='Mia Keller']")).ToContainTextAsync("Summit Guides");

        // A segment of the Business plan customers: in the demo, Wei Chen alone.
        await OpenInteractiveAsync(dana, "/contacts?view=segments");
        await FillAsync(dana, "#segment-name", "Business plan");
        await dana.Locator("#segment-add-condition").ClickAsync();
        await FillAsync(dana, "#segment-condition-key-0", "plan");
        await dana.Locator("#segment-condition-operator-0").SelectOptionAsync(new SelectOptionValue { Label = "is" });
        await FillAsync(dana, "#segment-condition-value-0", "Business");
        await dana.Locator("#segment-save").ClickAsync();
        var segment = dana.Locator("[data-segment='Business plan']");
        await Expect(segment.Locator("[data-summary='rules']")).ToHaveTextAsync("Plan is Business");
        await Expect(segment.Locator("[data-summary='count']")).ToHaveTextAsync("1 contact");
        await Screenshot(dana, "contacts-segments");
        await segment.GetByRole(AriaRole.Link, new() { Name = "Show the contacts of Business plan" }).ClickAsync();
        await Expect(dana.Locator("#contacts-table tbody tr")).ToHaveCountAsync(1);
        await Expect(dana.Locator("[data-contact='Wei Chen']")).ToBeVisibleAsync();

        // The export carries the filter. The API answers API tokens only, not the app's cookie, so the page exports itself.
        var download = await dana.RunAndWaitForDownloadAsync(() => dana.Locator("#contacts-export").ClickAsync());
        var csv = await File.ReadAllTextAsync(await download.PathAsync(), ct);
        Assert.Contains("Wei Chen", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("Hannah", csv, StringComparison.Ordinal);
        var byCookie = await dana.APIRequest.GetAsync(Server.Url("/api/v1/contacts/export.csv"));
        Assert.Equal(401, byCookie.Status);

        // The demo's many anonymous visitors fill the first page; a search for "@" finds everyone with an email.
        await OpenInteractiveAsync(dana, "/contacts");
        await Expect(dana.Locator("#contacts-more")).ToBeVisibleAsync();
        await FillAsync(dana, "#contact-search", "@");
        await Expect(dana.Locator("#contacts-table tbody tr")).ToHaveCountAsync(12);
        await Expect(dana.Locator("#contacts-more")).ToHaveCountAsync(0);
        await Screenshot(dana, "contacts");

        // Hannah: a tag, her plan from the list of options, and a note; all there after a reload.
        await dana.Locator("[data-contact='Hannah Schmidt']").GetByRole(AriaRole.Link, new() { Name = "Hannah Schmidt" }).ClickAsync();
        await Expect(dana.Locator("#contact-title")).ToHaveTextAsync("Hannah Schmidt");
        await Expect(dana.Locator("[data-interactive='true']")).ToBeVisibleAsync();
        await Expect(dana.Locator("#attribute-plan")).ToHaveValueAsync("Member");
        await FillAsync(dana, "#contact-tags", "vip, returns");
        await dana.Locator("#attribute-plan").SelectOptionAsync("Business");
        await dana.Locator("#contact-save").ClickAsync();
        await Expect(dana.Locator(".mud-snackbar", new() { HasText = "Hannah Schmidt saved." })).ToBeVisibleAsync();
        await FillAsync(dana, "#note-text", "Prefers email. Call only about returns.");
        await dana.Locator("#note-add").ClickAsync();
        await Expect(dana.Locator("#contact-notes .pl-notes")).ToContainTextAsync("Prefers email. Call only about returns.");

        await dana.ReloadAsync();
        await Expect(dana.Locator("[data-interactive='true']")).ToBeVisibleAsync();
        await Expect(dana.Locator("#contact-tags")).ToHaveValueAsync("returns, vip");
        await Expect(dana.Locator("#attribute-plan")).ToHaveValueAsync("Business");
        await Expect(dana.Locator("#contact-notes .pl-notes")).ToContainTextAsync("Prefers email. Call only about returns.");
        await Expect(dana.Locator("#contact-notes")).ToContainTextAsync("Dana Whitfield");
        await Expect(dana.Locator("#contact-conversations a[href^='/inbox/']").First).ToBeVisibleAsync();
        await Screenshot(dana, "contact-detail");

        // An agent finds the same people, companies and segments, with nothing to change them by.
        var lena = await SignInAsync("lena@demo.porchlight.test", "porchlight-demo", "Lena Fischer");
        await OpenInteractiveAsync(lena, "/contacts");
        await Expect(lena.Locator("[data-contact='Mia Keller']")).ToBeVisibleAsync();
        await Expect(lena.Locator("#new-contact")).ToBeVisibleAsync();
        await Expect(lena.Locator("#contacts-export")).ToHaveCountAsync(0);
        await Expect(lena.Locator("nav.pl-tabs a")).ToHaveTextAsync(["People", "Companies", "Segments"]);
        await OpenInteractiveAsync(lena, "/contacts?view=companies");
        await Expect(lena.Locator("[data-company='Summit Guides'] [data-summary='contacts']")).ToHaveTextAsync("1");
        await Expect(lena.Locator("#company-form")).ToHaveCountAsync(0);
        await Expect(lena.GetByRole(AriaRole.Button, new() { Name = "Change Summit Guides" })).ToHaveCountAsync(0);
        await OpenInteractiveAsync(lena, "/contacts?view=segments");
        await Expect(lena.Locator("[data-segment='Business plan'] [data-summary='count']")).ToHaveTextAsync("2 contacts");
        await Expect(lena.Locator("#segment-form")).ToHaveCountAsync(0);
        await Expect(lena.GetByRole(AriaRole.Button, new() { Name = "Delete Business plan" })).ToHaveCountAsync(0);
        await Screenshot(lena, "contacts-agent-segments");
    }

    private static async Task AddContactAsync(IPage page, string name, string email, string tags)
    {
        if (await page.Locator("#contact-form").CountAsync() == 0)
        {
            await page.Locator("#new-contact").ClickAsync();
        }

        await FillAsync(page, "#contact-name", name);
        await FillAsync(page, "#contact-email", email);
        if (tags.Length > 0)
        {
            await FillAsync(page, "#contact-tags", tags);
        }

        await page.Locator("#contact-save").ClickAsync();
    }
}
