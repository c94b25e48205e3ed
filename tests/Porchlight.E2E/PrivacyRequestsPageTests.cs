using System.IO.Compression;
using System.Text.Json;
using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// An owner answers a privacy request on the contact page: the export downloads one archive with the contact's document,
/// and the erasure names what goes before it anonymizes the contact. An agent sees neither button.
/// </summary>
public sealed class PrivacyRequestsPageTests : BrowserTest
{
    [Fact]
    public async Task ContactPage_OwnerExportsThenErases_ArchiveHoldsTheContactAndTheContactIsAnonymized()
    {
        var ct = TestContext.Current.CancellationToken;
        await SeedDemoWorkspaceAsync();
        var dana = await SignInAsync("owner@demo.porchlight.test", "porchlight-demo", "Dana Whitfield");
        await OpenInteractiveAsync(dana, "/contacts");
        await FillAsync(dana, "#contact-search", "Wei");
        await dana.Locator("[data-contact='Wei Chen']").GetByRole(AriaRole.Link, new() { Name = "Wei Chen" }).ClickAsync();
        await Expect(dana.Locator("#contact-title")).ToHaveTextAsync("Wei Chen");
        await Expect(dana.Locator("[data-interactive='true']")).ToBeVisibleAsync();
        var contactPath = new Uri(dana.Url).PathAndQuery;

        var download = await dana.RunAndWaitForDownloadAsync(() => dana.Locator("#contact-export").ClickAsync());
        Assert.Matches(@"^contact-[0-9a-f-]{36}-\d{4}-\d{2}-\d{2}\.zip$", download.SuggestedFilename);
        using (var zip = ZipFile.OpenRead(await download.PathAsync()))
        {
            await using var document = zip.GetEntry("contact.json")!.Open();
            var json = (await JsonDocument.ParseAsync(document, cancellationToken: ct)).RootElement;
            Assert.Equal("Wei Chen", json.GetProperty("contact").GetProperty("name").GetString());
            Assert.NotEmpty(json.GetProperty("conversations").EnumerateArray());
        }

        await dana.Locator("#contact-erase").ClickAsync();
        var panel = dana.Locator("#erase-panel");
        await Expect(panel).ToContainTextAsync("Erase Wei Chen?");
        await Expect(dana.Locator("#erase-mode-Anonymize")).ToBeCheckedAsync();
        await Expect(dana.Locator("#erase-removes")).ToContainTextAsync("Their name, email, external id, attributes, tags and company");
        await Screenshot(dana, "contact-erase");
        await dana.Locator("#erase-confirm").ClickAsync();
        await Expect(dana.Locator(".mud-snackbar", new() { HasText = "Contact anonymized" })).ToBeVisibleAsync();
        await Expect(dana.Locator("#contact-title")).ToHaveTextAsync("Erased contact");
        await Expect(dana.Locator("#contact-erased")).ToBeVisibleAsync();
        await Expect(dana.Locator("#contact-email")).ToHaveValueAsync("");

        // An agent reads the contact, without the privacy requests' buttons.
        var lena = await SignInAsync("lena@demo.porchlight.test", "porchlight-demo", "Lena Fischer");
        await OpenInteractiveAsync(lena, contactPath);
        await Expect(lena.Locator("#contact-title")).ToHaveTextAsync("Erased contact");
        await Expect(lena.Locator("#contact-export")).ToHaveCountAsync(0);
        await Expect(lena.Locator("#contact-erase")).ToHaveCountAsync(0);
    }
}
