using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porchlight.Testing;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E.Infrastructure;

/// <summary>A fresh server (empty database) and a browser for each test.</summary>
public abstract partial class BrowserTest : IAsyncLifetime
{
    protected const string OwnerName = "Olivia Owner";
    protected const string OwnerEmail = "olivia@example.test";
    protected const string OwnerPassword = "porch-light-2026";

    private string? _dataDirectory;

    protected ServerProcess Server { get; private set; } = null!;

    protected Browser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        SetDefaultExpectTimeout(30_000);
        _dataDirectory = Directory.CreateTempSubdirectory("porchlight-e2e-").FullName;
        Server = await ServerProcess.StartAsync(
            new ServerStart(RepositoryPaths.ServerDll, RepositoryPaths.ServerProject, _dataDirectory, []), TestContext.Current.CancellationToken);
        Browser = await Browser.LaunchAsync();
    }

    /// <summary>Fills the first-run form; the caller lands in the app signed in as the Owner.</summary>
    protected async Task SetUpWorkspaceAsync(IPage page, string workspaceName, string? screenshot = null)
    {
        await page.GotoAsync(Server.Url("/"));
        await Expect(page).ToHaveURLAsync(SetupUrl());
        await page.Locator("#workspaceName").FillAsync(workspaceName);
        await page.Locator("#timeZone").SelectOptionAsync("Europe/Berlin");
        await page.Locator("#ownerName").FillAsync(OwnerName);
        await page.Locator("#email").FillAsync(OwnerEmail);
        await page.Locator("#password").FillAsync(OwnerPassword);
        if (screenshot is not null)
        {
            await Screenshot(page, screenshot);
        }

        await page.Locator("#create-workspace").ClickAsync();
        await Expect(page.Locator("#signed-in-as")).ToHaveTextAsync(OwnerName);
    }

    /// <summary>Opens an app page and waits for its circuit: a click before that does nothing.</summary>
    protected async Task OpenInteractiveAsync(IPage page, string path)
    {
        await page.GotoAsync(Server.Url(path));
        await Expect(page.Locator(".pl-page[data-interactive='true']")).ToBeVisibleAsync();
    }

    protected static Task Screenshot(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = RepositoryPaths.Screenshot(name), FullPage = true });

    public async ValueTask DisposeAsync()
    {
        if (TestContext.Current.TestState?.Result == TestResult.Failed)
        {
            await KeepEvidenceOfFailureAsync();
        }

        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (_dataDirectory is not null && Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    // A failed run leaves what each page showed and what the server logged under artifacts/, to look at afterwards.
    private async Task KeepEvidenceOfFailureAsync()
    {
        var name = TestContext.Current.Test?.TestCase.TestMethod?.MethodName ?? GetType().Name;
        if (Browser is not null)
        {
            var number = 0;
            foreach (var page in Browser.OpenPages)
            {
                await Screenshot(page, $"failed-{name}-{++number}");
            }
        }

        if (Server is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(RepositoryPaths.Screenshots, $"failed-{name}-server.log"), Server.Output);
        }
    }

    [GeneratedRegex(@"/setup(\?.*)?$")]
    protected static partial Regex SetupUrl();

    [GeneratedRegex(@"/signin(\?.*)?$")]
    protected static partial Regex SignInUrl();
}
