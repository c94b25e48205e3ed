using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Playwright;

namespace Porchlight.E2E.Infrastructure;

/// <summary>Debian's Chromium, headless, driven by Playwright; nothing is downloaded.</summary>
public sealed class Browser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static async Task<Browser> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = "/usr/bin/chromium",
                Headless = true,
                Args =
                [
                    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                ],
            });
            return new Browser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _pages;

    /// <summary>What the pages' scripts reported (errors, warnings, notices such as a lost connection, uncaught exceptions): evidence when a test fails.</summary>
    public ConcurrentQueue<string> Console { get; } = new();

    /// <summary>
    /// A fresh page in its own context (own cookies), sized like a laptop screen. It names itself as the desktop
    /// Chrome it is: the tracker does not count headless browsers, as they are mostly bots.
    /// </summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await _browser.NewContextAsync(new()
        {
            ViewportSize = new() { Width = 1280, Height = 800 },
            UserAgent = $"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{_browser.Version} Safari/537.36",
        });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        var number = Interlocked.Increment(ref _pages);
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning" or "info")
            {
                Console.Enqueue($"{_clock.Elapsed.TotalSeconds,8:F1}s page {number} {message.Type}: {message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => Console.Enqueue($"{_clock.Elapsed.TotalSeconds,8:F1}s page {number} uncaught: {error}");
        return page;
    }

    /// <summary>Every page still open, in every context: what a failed test leaves on screen.</summary>
    public IEnumerable<IPage> OpenPages => _browser.Contexts.SelectMany(context => context.Pages);

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
