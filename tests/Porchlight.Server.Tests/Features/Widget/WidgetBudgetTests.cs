using System.IO.Compression;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Widget;

/// <summary>
/// The widget's size budgets (docs/widget.md): every page of a customer's site downloads the loader, and every
/// visitor who opens the chat downloads the frame. The bundles are built into wwwroot/widget by the server's build.
/// </summary>
public sealed partial class WidgetBudgetTests
{
    private const int LoaderBudget = 4 * 1024;
    private const int FrameBudget = 40 * 1024;

    private static readonly string[] FrameFiles = ["frame.html", "frame.js", "frame.css"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Loader_Gzipped_FitsItsBudget()
    {
        var size = GzippedSize("loader.js");

        Assert.True(size <= LoaderBudget, $"loader.js is {size} bytes gzipped; the budget is {LoaderBudget}.");
    }

    [Fact]
    public void ChatFrame_HtmlScriptAndStylesGzipped_FitItsBudget()
    {
        var sizes = FrameFiles.ToDictionary(file => file, GzippedSize);
        var total = sizes.Values.Sum();

        Assert.True(
            total <= FrameBudget,
            $"The chat frame is {total} bytes gzipped ({string.Join(", ", sizes.Select(s => $"{s.Key} {s.Value}"))}); the budget is {FrameBudget}.");
    }

    [Fact]
    public async Task EmbedSnippet_InboxAttribute_IsTheOneTheLoaderReads()
    {
        await using var factory = new PorchlightFactory();
        var inbox = Inbox.Create(Guid.NewGuid(), "Website", InboxChannel.WebWidget, WidgetSettings.Default, false, "unused", DateTime.UtcNow);
        var snippet = WidgetEmbed.For(inbox, factory.Services.GetRequiredService<PublicUrls>());

        var attribute = SnippetInboxAttribute().Match(snippet);

        Assert.True(attribute.Success, $"No data-porchlight-* attribute carries the inbox token in {snippet}");
        Assert.Contains($"\"{attribute.Groups["name"].Value}\"", await File.ReadAllTextAsync(Bundle("loader.js"), Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WidgetBundles_Requested_AreServedByTheServer()
    {
        await using var factory = new PorchlightFactory();
        var client = factory.CreateClient();

        foreach (var (path, contentType) in new[] { ("loader.js", "text/javascript"), ("frame.html", "text/html"), ("frame.js", "text/javascript"), ("frame.css", "text/css") })
        {
            var response = await client.GetAsync("/widget/" + path, Ct);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        }
    }

    private static int GzippedSize(string file)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(File.ReadAllBytes(Bundle(file)));
        }

        return (int)compressed.Length;
    }

    private static string Bundle(string file)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Porchlight.slnx")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var path = Path.Combine(directory.FullName, "src", "Porchlight.Server", "wwwroot", "widget", file);
        Assert.True(File.Exists(path), $"{path} is missing: the server's build bundles clients/widget into wwwroot/widget.");
        return path;
    }

    [GeneratedRegex("""(?<name>data-porchlight-[a-z-]+)="inb_""")]
    private static partial Regex SnippetInboxAttribute();
}
