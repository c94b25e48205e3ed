using System.Text.RegularExpressions;
using Ganss.Xss;
using Markdig;

namespace Porchlight.Server.Features.KnowledgeBase;

/// <summary>
/// Article Markdown as HTML that is safe to put in any page: Markdig (CommonMark with tables, task lists, auto
/// links and the like) with raw HTML turned off, then HtmlSanitizer over the result as a second line, which removes
/// what Markdown itself can express and a page must not run: <c>javascript:</c> and <c>data:</c> links, event
/// attributes, styles. Links to other sites open with <c>rel="nofollow noopener noreferrer"</c>.
/// </summary>
public static partial class ArticleMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseAdvancedExtensions()
        .DisableHtml()
        .Build();

    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    public static string ToHtml(string markdown) => Sanitizer.Sanitize(Markdown.ToHtml(markdown, Pipeline));

    /// <summary>The text without its Markdown, on one line: for search snippets and for descriptions left empty.</summary>
    public static string ToPlainText(string markdown) => Whitespace().Replace(Markdown.ToPlainText(markdown, Pipeline), " ").Trim();

    /// <summary>
    /// The article as a chat message, in the Markdown-lite that messages use: bold, italics, code and lists read as
    /// they are written; headings lose their marks, a link becomes its text and its address (when that is absolute),
    /// an image its address; blank runs of lines shrink to one.
    /// </summary>
    public static string ToChatText(string markdown)
    {
        var text = Heading().Replace(markdown.Replace("\r\n", "\n", StringComparison.Ordinal), "");
        text = Image().Replace(text, image => IsAbsolute(image.Groups[2].Value) ? image.Groups[2].Value : image.Groups[1].Value);
        text = Link().Replace(text, link => IsAbsolute(link.Groups[2].Value) ? $"{link.Groups[1].Value} ({link.Groups[2].Value})" : link.Groups[1].Value);
        return BlankLines().Replace(text, "\n\n").Trim();
    }

    private static bool IsAbsolute(string address) =>
        address.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || address.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        || address.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase);

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        foreach (var scheme in new[] { "http", "https", "mailto" })
        {
            sanitizer.AllowedSchemes.Add(scheme);
        }

        sanitizer.AllowedAttributes.Remove("style");
        sanitizer.AllowedCssProperties.Clear();
        sanitizer.AllowedTags.Remove("form");
        sanitizer.AllowedTags.Remove("input");
        sanitizer.AllowedTags.Remove("button");
        sanitizer.AllowedTags.Remove("textarea");
        sanitizer.AllowedTags.Remove("select");
        sanitizer.AllowedAttributes.Add("rel");
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { TagName: "A" } link && link.GetAttribute("href") is { } href
                && (href.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || href.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
            {
                link.SetAttribute("rel", "nofollow noopener noreferrer");
            }
        };
        return sanitizer;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^[ ]{0,3}#{1,6}[ ]+", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"!\[([^\]]*)\]\(([^)\s]+)[^)]*\)")]
    private static partial Regex Image();

    [GeneratedRegex(@"\[([^\]]+)\]\(([^)\s]+)[^)]*\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"\n[ \t]*\n(?:[ \t]*\n)+")]
    private static partial Regex BlankLines();
}
