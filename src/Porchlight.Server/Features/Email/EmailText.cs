using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Porchlight.Server.Features.Email;

/// <summary>
/// The text agents see for an email: an HTML mail as plain text (<see cref="FromHtml"/>), and of a plain-text mail
/// only what the person wrote this time (<see cref="WithoutQuoteAndSignature"/>), without the quoted history and the
/// signature every reply drags along. Both are heuristics over what the common mail programs write (Gmail, Outlook,
/// Apple Mail, Thunderbird). Neither throws on odd input, and cutting never turns an email with words into an empty
/// message.
/// </summary>
public static partial class EmailText
{
    /// <summary>
    /// Elements nested deeper than this are read as their bare text. The walk recurses, and a stack overflow ends the
    /// process rather than failing one mail; AngleSharp, like browsers, stops nesting at about 512 levels today, but
    /// the walk should not depend on that, and this also bounds how many "> " levels a quote can get.
    /// </summary>
    private const int MaxDepth = 200;

    /// <summary>Outlook (on the web, and the new Outlook) marks the header block of the mail it quotes with this id; the quoted mail follows as its siblings.</summary>
    private const string OutlookReplyHeaderId = "divRplyFwdMsg";

    /// <summary>
    /// An HTML mail as plain text, laid out as a mail program shows it: blocks on their own lines, paragraphs,
    /// headings, lists and tables apart by a blank line, list items as "- " lines, links whose text does not say
    /// where they go followed by their address, images as their alt text, and quoted mail (blockquotes, Gmail's and
    /// Outlook's quote containers) prefixed with "> " per line and level, so that <see cref="WithoutQuoteAndSignature"/>
    /// can cut it. Scripts, styles, the head, comments and hidden elements (marketing "preheaders") show nothing.
    /// </summary>
    public static string FromHtml(string html)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return "";
        }

        // The HTML5 parsing algorithm takes any input (unclosed, misnested, stray end tags) and never throws on it.
        using var document = new HtmlParser().ParseDocument(html);
        var writer = new PlainTextWriter();
        if (document.DocumentElement is { } root)
        {
            Render(root, writer, new Scope(InPre: false, InListItem: false, Depth: 0));
        }

        return Tidy(writer.ToString());
    }

    /// <summary>
    /// Of a plain-text mail, the part the person wrote this time: cut at the first line that starts the quoted
    /// history (an "On … wrote:" attribution in English, German, French, Spanish or Dutch, an "Original Message"
    /// divider, an Outlook header block), then a trailing run of "&gt;" lines, then the signature ("-- ") and a
    /// "Sent from my iPhone" line. Quotes answered in between (inline replies) stay. When the cuts would leave
    /// nothing (the mail is all quote, or starts with the attribution), the whole text is kept instead.
    /// </summary>
    public static string WithoutQuoteAndSignature(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        var full = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        var lines = full.Split('\n');

        var end = QuotedHistoryStart(lines);
        end = WithoutTrailingQuote(lines, end);
        end = WithoutSignature(lines, end);

        var written = JoinTrimmed(lines, end);
        return written.Length > 0 ? written : full.Trim();
    }

    // ---- HTML to text ----

    /// <summary>Where the walk is: inside a <c>pre</c> (whitespace kept), inside a list item (nested lists are not set apart), how deep.</summary>
    private readonly record struct Scope(bool InPre, bool InListItem, int Depth);

    private enum BlockBreak
    {
        None,
        Line,
        Paragraph,
    }

    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal) { "script", "style", "head", "title", "template" };

    private static readonly HashSet<string> ParagraphElements = new(StringComparer.Ordinal)
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "pre", "hr",
    };

    private static readonly HashSet<string> LineElements = new(StringComparer.Ordinal)
    {
        "div", "tr", "li", "dl", "dt", "dd", "section", "article", "header", "footer", "nav", "aside", "main",
        "address", "center", "figure", "figcaption", "caption", "form", "fieldset", "details", "summary",
    };

    private static void Render(INode node, PlainTextWriter writer, Scope scope)
    {
        switch (node)
        {
            case IText text:
                writer.Text(text.Data, scope.InPre);
                break;
            case IElement element when Skipped.Contains(element.LocalName) || IsHidden(element):
                break;
            case IElement element when scope.Depth >= MaxDepth:
                writer.Text(FlatText(element), preformatted: false);
                break;
            case IElement element:
                RenderElement(element, writer, scope with { Depth = scope.Depth + 1 });
                break;
            default:
                break; // Comments, doctypes and processing instructions show nothing.
        }
    }

    private static void RenderChildren(INode parent, PlainTextWriter writer, Scope scope)
    {
        for (var child = parent.FirstChild; child is not null; child = child.NextSibling)
        {
            if (child is IElement { Id: OutlookReplyHeaderId })
            {
                writer.Quote(Quoted(SiblingsFrom(child), scope));
                return;
            }

            Render(child, writer, scope);
        }
    }

    private static void RenderElement(IElement element, PlainTextWriter writer, Scope scope)
    {
        if (IsQuote(element))
        {
            writer.Quote(Quoted(element.ChildNodes, scope));
            return;
        }

        switch (element.LocalName)
        {
            case "br":
                writer.LineBreak();
                return;
            case "img":
                writer.Text(element.GetAttribute("alt") ?? "", preformatted: false);
                return;
            case "a":
                RenderLink(element, writer, scope);
                return;
            case "li":
                writer.Break(BlockBreak.Line);
                writer.Marker("- ");
                RenderChildren(element, writer, scope with { InListItem = true });
                writer.Break(BlockBreak.Line);
                return;
            case "td" or "th":
                // Cells of a row share its line; a space keeps "Order" and "1042" from running together.
                writer.Text(" ", preformatted: false);
                RenderChildren(element, writer, scope);
                writer.Text(" ", preformatted: false);
                return;
        }

        var block = BlockOf(element, scope);
        writer.Break(block);
        RenderChildren(element, writer, element.LocalName == "pre" ? scope with { InPre = true } : scope);
        writer.Break(block);
    }

    private static BlockBreak BlockOf(IElement element, Scope scope) => element.LocalName switch
    {
        // Outlook writes every line as a <p class=MsoNormal> without margins, and a blank line as one holding &nbsp;.
        "p" when element.ClassList.Contains("MsoNormal") => BlockBreak.Line,
        // A list inside a list item continues the list rather than starting a new paragraph.
        "ul" or "ol" when scope.InListItem => BlockBreak.Line,
        var name when ParagraphElements.Contains(name) => BlockBreak.Paragraph,
        var name when LineElements.Contains(name) => BlockBreak.Line,
        _ => BlockBreak.None,
    };

    /// <summary>
    /// Quoted mail: any blockquote (Gmail's, Apple Mail's and Thunderbird's <c>type=cite</c>), and Gmail's
    /// <c>div.gmail_quote</c> when it has no blockquote of its own to do the quoting; in a reply it holds the
    /// "On … wrote:" line and a blockquote, which should read as that line and a single level of quote.
    /// </summary>
    private static bool IsQuote(IElement element) =>
        element.LocalName == "blockquote"
        || (element.LocalName == "div" && element.ClassList.Contains("gmail_quote")
            && !element.Children.Any(child => child.LocalName == "blockquote"));

    private static bool IsHidden(IElement element) =>
        element.HasAttribute("hidden") || (element.GetAttribute("style") is { } style && DisplayNone().IsMatch(style));

    /// <summary>The nodes rendered on their own, tidied, and each line prefixed with "> " (a blank line with "&gt;").</summary>
    private static string Quoted(IEnumerable<INode> nodes, Scope scope)
    {
        var inner = new PlainTextWriter();
        foreach (var node in nodes)
        {
            Render(node, inner, scope);
        }

        var text = Tidy(inner.ToString());
        return text.Length == 0 ? "" : string.Join('\n', text.Split('\n').Select(line => line.Length == 0 ? ">" : "> " + line));
    }

    private static IEnumerable<INode> SiblingsFrom(INode first)
    {
        for (var node = first; node is not null; node = node.NextSibling)
        {
            yield return node;
        }
    }

    /// <summary>A link whose text does not say where it goes is followed by its address; only web and mail addresses are worth reading.</summary>
    private static void RenderLink(IElement link, PlainTextWriter writer, Scope scope)
    {
        var start = writer.Length;
        RenderChildren(link, writer, scope);
        var text = writer.Since(start).Replace('\u00A0', ' ').Trim();
        if (text.Length > 0 && link.GetAttribute("href")?.Trim() is { } href && LinkScheme().IsMatch(href)
            && !string.Equals(BareAddress(text), BareAddress(href), StringComparison.OrdinalIgnoreCase))
        {
            writer.Text($" ({href})", preformatted: false);
        }
    }

    /// <summary>"https://example.com/", "example.com" and "mailto:jane@example.com" vs "jane@example.com" say the same.</summary>
    private static string BareAddress(string address) => LinkScheme().Replace(address, "").TrimEnd('/');

    /// <summary>The text of an element too deeply nested to lay out, gathered without recursion.</summary>
    private static string FlatText(IElement element)
    {
        var text = new StringBuilder();
        var pending = new Stack<INode>();
        pending.Push(element);
        while (pending.TryPop(out var node))
        {
            if (node is IText part)
            {
                text.Append(part.Data).Append(' ');
            }
            else if (node is IElement child && (Skipped.Contains(child.LocalName) || IsHidden(child)))
            {
                continue;
            }

            for (var next = node.LastChild; next is not null; next = next.PreviousSibling)
            {
                pending.Push(next);
            }
        }

        return text.ToString();
    }

    /// <summary>Non-breaking spaces as spaces, runs of spaces and tabs as one, lines trimmed, at most one blank line in a row.</summary>
    private static string Tidy(string text)
    {
        var lines = text.Replace('\u00A0', ' ').Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            lines[i] = SpacesOrTabs().Replace(lines[i], " ").Trim();
        }

        return BlankLineRuns().Replace(string.Join('\n', lines), "\n\n").Trim();
    }

    /// <summary>
    /// Text laid out as the blocks ask: a block starts on a fresh line (a paragraph after a blank line) unless one is
    /// already there, while <c>br</c> always ends a line, so Gmail's <c>&lt;div&gt;&lt;br&gt;&lt;/div&gt;</c> is a
    /// blank line and <c>&lt;div&gt;text&lt;br&gt;&lt;/div&gt;</c> is not. Whitespace in the source collapses as a
    /// browser collapses it; a non-breaking space stays a character until <see cref="Tidy"/>, so a line of only
    /// <c>&amp;nbsp;</c> (Outlook's blank line) still counts as a line.
    /// </summary>
    private sealed class PlainTextWriter
    {
        private readonly StringBuilder _text = new();
        private int _markerEnd = -1;

        public int Length => _text.Length;

        /// <summary>Nothing written on the current line yet; a list marker alone does not count.</summary>
        private bool AtLineStart => _text.Length == 0 || _text[^1] == '\n' || _text.Length == _markerEnd;

        public string Since(int start) => _text.ToString(start, _text.Length - start);

        public void Text(string text, bool preformatted)
        {
            if (preformatted)
            {
                _text.Append(text.ReplaceLineEndings("\n"));
                return;
            }

            var collapsed = HtmlWhitespace().Replace(text, " ");
            if (collapsed.StartsWith(' ') && (AtLineStart || _text[^1] == ' '))
            {
                collapsed = collapsed[1..];
            }

            _text.Append(collapsed);
        }

        public void LineBreak() => _text.Append('\n');

        public void Marker(string marker)
        {
            _text.Append(marker);
            _markerEnd = _text.Length;
        }

        public void Break(BlockBreak kind)
        {
            if (kind == BlockBreak.None || _text.Length == 0 || _text.Length == _markerEnd)
            {
                return;
            }

            var wanted = kind == BlockBreak.Paragraph ? 2 : 1;
            for (var newlines = TrailingNewlines(); newlines < wanted; newlines++)
            {
                _text.Append('\n');
            }
        }

        /// <summary>An already prefixed quote, as a paragraph of its own.</summary>
        public void Quote(string quoted)
        {
            if (quoted.Length == 0)
            {
                return;
            }

            Break(BlockBreak.Paragraph);
            _text.Append(quoted);
            Break(BlockBreak.Paragraph);
        }

        public override string ToString() => _text.ToString();

        private int TrailingNewlines()
        {
            var count = 0;
            while (count < _text.Length && _text[_text.Length - 1 - count] == '\n')
            {
                count++;
            }

            return count;
        }
    }

    // ---- Quoted history and signature ----

    private static int QuotedHistoryStart(string[] lines)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            if (StartsQuotedHistory(lines, i))
            {
                return i;
            }
        }

        return lines.Length;
    }

    private static bool StartsQuotedHistory(string[] lines, int i)
    {
        var line = lines[i].Trim();
        return IsAttribution(line)
            || IsWrappedAttribution(lines, i)
            || HistoryDivider().IsMatch(line)
            || IsHeaderBlock(lines, i)
            || (Underscores().IsMatch(line) && NextNonBlank(lines, i + 1) is { } next && IsHeaderBlock(lines, next));
    }

    /// <summary>
    /// "On … wrote:" and its German, French, Spanish and Dutch forms. The line must also hold a digit (every mail
    /// program writes the date), so that a customer's own "On the form you wrote:" before quoting it is not a cut.
    /// </summary>
    private static bool IsAttribution(string line) =>
        line.Length <= MaxAttributionLength && Attribution().IsMatch(line) && line.Any(char.IsAsciiDigit);

    // Attributions are a line or two; checking only short lines keeps a hostile mail of long lines from costing the pattern seconds.
    private const int MaxAttributionLength = 400;

    /// <summary>
    /// Mail programs wrap a long attribution ("On Mon, 1 Dec 2026 at 10:00, Jane Doe &lt;jane@example.com&gt;" and
    /// then "wrote:"). A first line that ends a sentence is the customer's text, not the start of an attribution.
    /// </summary>
    private static bool IsWrappedAttribution(string[] lines, int i)
    {
        if (i + 1 >= lines.Length)
        {
            return false;
        }

        var first = lines[i].Trim();
        var second = lines[i + 1].Trim();
        return first.Length > 0 && second.Length > 0 && !first.EndsWith('.') && !first.EndsWith('!') && !first.EndsWith('?')
            && IsAttribution(first + " " + second);
    }

    /// <summary>The header block Outlook writes above the mail it quotes: "From:", then within four lines a date ("Sent:") and an addressee or subject.</summary>
    private static bool IsHeaderBlock(string[] lines, int i)
    {
        if (!FromHeader().IsMatch(lines[i].TrimStart()))
        {
            return false;
        }

        var (dated, addressed) = (false, false);
        for (var j = i + 1; j < lines.Length && j <= i + 4; j++)
        {
            var line = lines[j].TrimStart();
            dated |= DateHeader().IsMatch(line);
            addressed |= AddresseeHeader().IsMatch(line);
        }

        return dated && addressed;
    }

    private static int? NextNonBlank(string[] lines, int from)
    {
        for (var i = from; i < lines.Length; i++)
        {
            if (!string.IsNullOrWhiteSpace(lines[i]))
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>
    /// A run of "&gt;" lines (blank lines between allowed) at the end is quoted history whose attribution was not
    /// recognised or left out; quotes with new text after them are an inline reply and stay.
    /// </summary>
    private static int WithoutTrailingQuote(string[] lines, int end)
    {
        var start = end;
        var quoted = false;
        while (start > 0 && (string.IsNullOrWhiteSpace(lines[start - 1]) || IsQuotedLine(lines[start - 1])))
        {
            quoted |= IsQuotedLine(lines[start - 1]);
            start--;
        }

        return quoted ? start : end;
    }

    private static bool IsQuotedLine(string line) => line.TrimStart().StartsWith('>');

    /// <summary>Everything from the standard delimiter ("-- " on its own line, or "--" where a program trimmed it) is signature, and so is a last "Sent from my iPhone" line.</summary>
    private static int WithoutSignature(string[] lines, int end)
    {
        for (var i = 0; i < end; i++)
        {
            if (lines[i] is "-- " or "--")
            {
                end = i;
                break;
            }
        }

        while (end > 0 && string.IsNullOrWhiteSpace(lines[end - 1]))
        {
            end--;
        }

        return end > 0 && MobileSignature().IsMatch(lines[end - 1].Trim()) ? end - 1 : end;
    }

    /// <summary>The first <paramref name="end"/> lines with their trailing whitespace and leading and trailing blank lines trimmed.</summary>
    private static string JoinTrimmed(string[] lines, int end) =>
        string.Join('\n', lines.Take(end).Select(line => line.TrimEnd())).Trim('\n');

    // ---- Patterns ----

    [GeneratedRegex(@"[ \t\n\r\f]+")]
    private static partial Regex HtmlWhitespace();

    [GeneratedRegex(@"[ \t]+")]
    private static partial Regex SpacesOrTabs();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLineRuns();

    [GeneratedRegex(@"display\s*:\s*none", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DisplayNone();

    [GeneratedRegex(@"^(?:https?://|mailto:)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LinkScheme();

    [GeneratedRegex(@"^(?:On\s.+\swrote|Am\s.+\sschrieb\s.+|Le\s.+\sa\s+écrit|El\s.+\sescribió|Op\s.+\sschreef\s.+)\s*:$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Attribution();

    [GeneratedRegex(@"^(?:-+\s*(?:Original Message|Forwarded message|Ursprüngliche Nachricht|Weitergeleitete Nachricht|Message d'origine|Mensaje original|Oorspronkelijk bericht)\s*-+|Begin forwarded message:)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HistoryDivider();

    [GeneratedRegex(@"^_{5,}$")]
    private static partial Regex Underscores();

    // Outlook's header labels in English, German, French, Spanish and Dutch; "*From:*" where bold became asterisks.
    [GeneratedRegex(@"^\*?(?:From|Von|De|Van)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FromHeader();

    [GeneratedRegex(@"^\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado|Fecha|Verzonden)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DateHeader();

    [GeneratedRegex(@"^\*?(?:To|Subject|An|Betreff|À|Objet|Para|Asunto|Aan|Onderwerp)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AddresseeHeader();

    [GeneratedRegex(@"^(?:Sent from my\s.+|Sent from (?:Mail|Outlook|Yahoo Mail)\b.*|Get Outlook for\s.+|Von meinem\s.+\sgesendet\.?|Envoyé de mon\s.+|Enviado desde mi\s.+|Verzonden (?:vanaf|met) mijn\s.+|Verstuurd vanaf mijn\s.+)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MobileSignature();
}
