using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porchlight.Testing;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E.Infrastructure;

/// <summary>A fresh server (a database with the schema and no rows) and a browser for each test.</summary>
public abstract partial class BrowserTest : IAsyncLifetime
{
    protected const string OwnerName = "Olivia Owner";
    protected const string OwnerEmail = "olivia@example.test";
    protected const string OwnerPassword = "porch-light-2026";

    private string? _dataDirectory;
    private ServerStart? _start;

    protected ServerProcess Server { get; private set; } = null!;

    protected Browser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        SetDefaultExpectTimeout(30_000);
        _dataDirectory = Directory.CreateTempSubdirectory("porchlight-e2e-").FullName;
        await MigratedTemplate.CopyToAsync(_dataDirectory, TestContext.Current.CancellationToken);
        // Site statistics rolled up every second and without the pause that keeps a busy server's rollups to a small
        // share of its time (it has a test of its own), so a page shows what a visitor just did even on a loaded
        // machine; webhooks may point at this machine (the refusal of private targets has tests of its own).
        _start = new ServerStart(RepositoryPaths.ServerDll, RepositoryPaths.ServerProject, _dataDirectory,
            ["--Tracking:RollupInterval=00:00:01", "--Tracking:RollupShare=1", "--Webhooks:AllowPrivateTargets=true", .. await StartServicesAsync()]);
        Server = await ServerProcess.StartAsync(_start, TestContext.Current.CancellationToken);
        try
        {
            Browser = await Browser.LaunchAsync();
        }
        catch
        {
            // A test whose start failed is not disposed: the server would outlive the run.
            await Server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts what this class's servers need besides their database (a Redis) and returns their settings for it.</summary>
    protected virtual Task<IReadOnlyList<string>> StartServicesAsync() => Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>Stops what <see cref="StartServicesAsync"/> started, after the servers.</summary>
    protected virtual ValueTask StopServicesAsync() => ValueTask.CompletedTask;

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

    /// <summary>Fills the running server's database with the demo workspace, as `porchlight seed-demo` does for an operator.</summary>
    protected Task SeedDemoWorkspaceAsync() => RunCommandAsync("seed-demo");

    /// <summary>Runs an operator command (`porchlight ARGS`) on the running server's database and returns what it printed.</summary>
    protected async Task<string> RunCommandAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _start!.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[_start.Dll, .. arguments, $"--Database:ConnectionString=Data Source={_start.DatabasePath}"])
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = _start.Environment;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not run {arguments[0]}.");
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"{arguments[0]} exited with {process.ExitCode}: {await output}{await errors}");
        return await output;
    }

    /// <summary>Signs in on a fresh page (own cookies) and waits until the app shows the agent's name.</summary>
    protected async Task<IPage> SignInAsync(string email, string password, string name)
    {
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(Server.Url("/signin"));
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("#sign-in").ClickAsync();
        await Expect(page.Locator("#signed-in-as")).ToHaveTextAsync(name);
        return page;
    }

    /// <summary>Creates a web-widget inbox on the Inboxes page and returns the embed snippet it shows.</summary>
    protected async Task<string> CreateWidgetInboxAsync(IPage page, string name = "Website chat")
    {
        await OpenInteractiveAsync(page, "/settings/inboxes");
        var field = page.Locator("#inbox-name");
        await field.FillAsync(name);
        await field.PressAsync("Tab");
        await page.Locator("#create-inbox").ClickAsync();
        var snippet = page.Locator("#embed-snippet");
        await Expect(snippet).ToContainTextAsync("data-porchlight-inbox");
        return (await snippet.InnerTextAsync()).Trim();
    }

    /// <summary>Waits up to 10 s for something the browser does not show (what another client reads) to hold.</summary>
    protected static async Task Eventually(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail("The condition never held.");
    }

    /// <summary>Opens an app page and waits for its circuit: a click before that does nothing.</summary>
    protected async Task OpenInteractiveAsync(IPage page, string path)
    {
        await page.GotoAsync(Server.Url(path));
        await Expect(page.Locator(".pl-page[data-interactive='true']")).ToBeVisibleAsync();
    }

    /// <summary>
    /// Closes an open select's list, as a person would: Escape, and if the list is still open a moment later (in full runs
    /// a multi-select's list stayed open after Escape, and the next field typed into lost its text to it), a click on the
    /// page beside it, then a click on <paramref name="select"/> itself, which toggles its list.
    /// </summary>
    protected static async Task CloseListAsync(IPage page, ILocator? select = null)
    {
        var open = page.Locator(".mud-popover-open .mud-list");
        await page.Keyboard.PressAsync("Escape");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Expect(open).ToHaveCountAsync(0, new() { Timeout = attempt < 3 ? 5_000 : null });
                return;
            }
            catch (PlaywrightException) when (attempt < 3)
            {
                TestContext.Current.SendDiagnosticMessage($"A list stayed open after attempt {attempt} to close it; clicking {(attempt == 2 && select is not null ? "its select" : "beside it")}.");
                if (attempt == 2 && select is not null)
                {
                    await select.ClickAsync(new() { Force = true });
                }
                else
                {
                    await page.Mouse.ClickAsync(2, 2);
                }
            }
        }
    }

    /// <summary>Types into a settings field and leaves it with Tab, so its change reaches the server.</summary>
    protected static async Task FillAsync(IPage page, string selector, string value)
    {
        // On a busy machine the typed text can go missing: a select closed a moment before takes the focus back once
        // the server has rendered it closed, and the text goes nowhere; in full runs a field was found empty again
        // right after it had been typed into, even three times in a row. So no list may still be open, and a retry
        // clicks into the field and types key by key, as a person who sees an empty field would; only once it is
        // left holding the text is it done.
        await Expect(page.Locator(".mud-popover-open .mud-list")).ToHaveCountAsync(0);
        var field = page.Locator(selector);
        for (var attempt = 1; ; attempt++)
        {
            if (attempt == 1)
            {
                await field.FillAsync(value);
            }
            else
            {
                await field.ClickAsync();
                await field.PressAsync("ControlOrMeta+a");
                await field.PressSequentiallyAsync(value);
            }

            await field.PressAsync("Tab");
            try
            {
                await Expect(field).ToHaveValueAsync(value, new() { Timeout = attempt < 3 ? 3_000 : null });
                return;
            }
            catch (PlaywrightException) when (attempt < 3)
            {
                TestContext.Current.SendDiagnosticMessage($"{selector} lost \"{value}\" after attempt {attempt}; typing it again.");
            }
        }
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

        await StopServicesAsync();
        if (_dataDirectory is not null && Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    // A failed run leaves what the server logged, what the pages' scripts reported and what each page showed
    // under artifacts/, to look at afterwards; the logs first, since a hung page may not take a screenshot.
    private async Task KeepEvidenceOfFailureAsync()
    {
        var name = TestContext.Current.Test?.TestCase.TestMethod?.MethodName ?? GetType().Name;
        if (Server is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(RepositoryPaths.Screenshots, $"failed-{name}-server.log"), ServerOutput);
        }

        if (Browser is not null)
        {
            await File.WriteAllLinesAsync(Path.Combine(RepositoryPaths.Screenshots, $"failed-{name}-browser.log"), Browser.Console);
            var number = 0;
            foreach (var page in Browser.OpenPages)
            {
                await Screenshot(page, $"failed-{name}-{++number}");
            }
        }
    }

    [GeneratedRegex(@"/setup(\?.*)?$")]
    protected static partial Regex SetupUrl();

    [GeneratedRegex(@"/signin(\?.*)?$")]
    protected static partial Regex SignInUrl();
}
