using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// An admin keeps the workspace's contacts on the Contacts page: a company that gathers the people at its domain, a
/// segment with an attribute condition, and one contact's tags and notes; an agent reads the same page without the
/// controls that change companies and segments. An admin imports a CSV file's good rows and merges duplicates.
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

    [Fact]
    public async Task ContactsPage_AdminImportsACsvWithABadRowAndMergesADuplicate_GoodRowsArriveAndOneContactRemains()
    {
        await SeedDemoWorkspaceAsync();
        var dana = await SignInAsync("owner@demo.porchlight.test", "porchlight-demo", "Dana Whitfield");
        await OpenInteractiveAsync(dana, "/contacts");
        await FillAsync(dana, "#contact-search", "@"); // the demo's people with an email, not its many anonymous visitors
        await Expect(dana.Locator("#contacts-table tbody tr")).ToHaveCountAsync(10);

        // Three rows, the second (line 3 of the file) with nothing to find its contact by: the preview names it.
        await dana.Locator("#contacts-import").ClickAsync();
        const string csv = """
            externalId,email,name,tags
            crm-501,nora@lakeside.test,Nora Lindqvist,imported
            ,,Nameless Row,imported
            ,tomas@lakeside.test,Tomas Berg,imported lakeside

            """;
        await dana.Locator("#contact-import-file").SetInputFilesAsync(new FilePayload
        {
            Name = "lakeside-customers.csv",
            MimeType = "text/csv",
            Buffer = System.Text.Encoding.UTF8.GetBytes(csv),
        });
        await Expect(dana.Locator("#contact-import-file-name")).ToHaveTextAsync("lakeside-customers.csv");
        await dana.Locator("#contact-import-preview").ClickAsync();
        var summary = dana.Locator("#contact-import-summary");
        await Expect(summary.Locator("[data-summary='rows']")).ToHaveTextAsync("3");
        await Expect(summary.Locator("[data-summary='created']")).ToHaveTextAsync("2");
        await Expect(summary.Locator("[data-summary='failed']")).ToHaveTextAsync("1");
        await Expect(dana.Locator("#contact-import-errors tbody tr")).ToHaveCountAsync(1);
        var badRow = dana.Locator("#contact-import-errors tr[data-line='3']");
        await Expect(badRow).ToContainTextAsync("email");
        await Expect(badRow).ToContainTextAsync("A row needs an id, an external id or an email");
        await Expect(dana.Locator("#contact-import-run")).ToHaveCountAsync(0);
        await Expect(dana.Locator("[data-contact='Nora Lindqvist']")).ToHaveCountAsync(0); // a preview keeps nothing
        await Screenshot(dana, "contacts-import");

        await Expect(dana.Locator("#contact-import-partial")).ToHaveTextAsync("Import the 2 good rows");
        await dana.Locator("#contact-import-partial").ClickAsync();
        await Expect(dana.Locator("#contact-import-done")).ToContainTextAsync("2 added, 0 updated, 0 unchanged; 1 row left out");
        await Expect(dana.Locator("#contacts-table tbody tr")).ToHaveCountAsync(12);
        await Expect(dana.Locator("[data-contact='Nora Lindqvist']")).ToContainTextAsync("imported");
        await Expect(dana.Locator("[data-contact='Tomas Berg']")).ToContainTextAsync("lakeside");
        await Expect(dana.Locator("[data-contact='Nameless Row']")).ToHaveCountAsync(0);
        await dana.Locator("#contact-import-close").ClickAsync();
        await Expect(dana.Locator("#contact-import")).ToHaveCountAsync(0);

        // Nora writes from the same address before the CRM's record is linked to her: a second contact, without the external id.
        await AddContactAsync(dana, "Nora L.", "nora@lakeside.test", "");
        await Expect(dana.Locator("[data-contact='Nora L.']")).ToBeVisibleAsync();
        await FillAsync(dana, "#contact-search", "nora@lakeside");
        await Expect(dana.Locator("#contacts-table tbody tr")).ToHaveCountAsync(2);

        // The CRM's record is the one to keep; the other is merged into it.
        await dana.Locator("#contacts-duplicates").ClickAsync();
        var group = dana.Locator("[data-duplicates='email:nora@lakeside.test']");
        await Expect(group.Locator("tbody tr")).ToHaveCountAsync(2);
        await Expect(group.Locator("tr.pl-duplicate-kept")).ToContainTextAsync("crm-501");
        await Expect(group.GetByRole(AriaRole.Radio, new() { Name = "Keep Nora Lindqvist" })).ToBeCheckedAsync();
        await Screenshot(dana, "contacts-duplicates");
        await group.GetByRole(AriaRole.Button, new() { Name = "Merge Nora L. into the kept contact" }).ClickAsync();
        var dialog = dana.Locator(".mud-dialog");
        await Expect(dialog).ToContainTextAsync("Nora L. will be merged into Nora Lindqvist and removed");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Merge" }).ClickAsync();
        await Expect(dana.Locator(".mud-snackbar", new() { HasText = "Nora L. merged into Nora Lindqvist." })).ToBeVisibleAsync();
        await Expect(group).ToHaveCountAsync(0);
        await Expect(dana.Locator("#contacts-table tbody tr")).ToHaveCountAsync(1);
        await Expect(dana.Locator("[data-contact='Nora Lindqvist']")).ToBeVisibleAsync();

        // Still one after a reload: the duplicate is gone, not hidden.
        await OpenInteractiveAsync(dana, "/contacts");
        await FillAsync(dana, "#contact-search", "nora@lakeside");
        await Expect(dana.Locator("#contacts-table tbody tr")).ToHaveCountAsync(1);

        // Two more Tomas Bergs, each another system's record: those two cannot be merged here, and the page says why.
        foreach (var externalId in new[] { "crm-900", "crm-901" })
        {
            await dana.Locator("#new-contact").ClickAsync();
            await FillAsync(dana, "#contact-name", "Tomas Berg");
            await FillAsync(dana, "#contact-external-id", externalId);
            await dana.Locator("#contact-save").ClickAsync();
            await Expect(dana.Locator(".mud-snackbar", new() { HasText = "Tomas Berg added." }).First).ToBeVisibleAsync();
        }

        await dana.Locator("#contacts-duplicates").ClickAsync();
        var namesakes = dana.Locator("[data-duplicates='name:tomas berg']");
        await Expect(namesakes.Locator("tbody tr")).ToHaveCountAsync(3);
        await namesakes.Locator("tbody tr", new() { HasText = "crm-900" }).GetByRole(AriaRole.Radio).CheckAsync();
        await Expect(namesakes.Locator("tr.pl-duplicate-kept")).ToContainTextAsync("crm-900");
        await namesakes.Locator("tbody tr", new() { HasText = "crm-901" }).GetByRole(AriaRole.Button, new() { NameRegex = new("^Merge ") }).ClickAsync();
        await Expect(dialog).ToContainTextAsync("Tomas Berg (external id crm-901) will be merged into Tomas Berg (external id crm-900) and removed");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Merge" }).ClickAsync();
        await Expect(dana.Locator("#contact-duplicates-problem")).ToContainTextAsync("Both contacts are known to another system by their own external id");
        await Expect(namesakes.Locator("tbody tr")).ToHaveCountAsync(3);
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
