namespace Porchlight.Server.Features.Conversations;

public enum InlineKind
{
    Text,
    Link,
    Code,
    Strong,
    Emphasis,
    Strike,
}

/// <summary>A piece of formatted message text: plain text, a link, code, or a styled run of further pieces.</summary>
public sealed record Inline(InlineKind Kind, string Text = "", string? Href = null, IReadOnlyList<Inline>? Children = null);

/// <summary>Lines of text kept as they are, or a bulleted list whose items are one line each.</summary>
public sealed record TextBlock(bool IsList, IReadOnlyList<IReadOnlyList<Inline>> Lines);

/// <summary>
/// Markdown-lite, the formatting people type in chat: <c>**bold**</c>, <c>*italic*</c> or <c>_italic_</c>,
/// <c>~~struck~~</c>, <c>`code`</c>, links (see <see cref="MessageLinks"/>) and lines starting with "- " or "* "
/// as a bulleted list. The widget formats the same way (docs/widget.md). Everything else stays as typed, and
/// nothing here produces markup: the result is rendered as escaped text inside a few fixed elements.
/// </summary>
public static class MessageFormat
{
    // Longest first, so "**" is not read as two "*"; "***" is bold around italic.
    private static readonly string[] Delimiters = ["***", "**", "~~", "*", "_"];

    public static IReadOnlyList<TextBlock> Parse(string text)
    {
        var blocks = new List<TextBlock>();
        foreach (var line in text.Split('\n'))
        {
            var isItem = line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("* ", StringComparison.Ordinal);
            var content = Inlines(isItem ? line[2..] : line);
            if (blocks.Count > 0 && blocks[^1].IsList == isItem)
            {
                ((List<IReadOnlyList<Inline>>)blocks[^1].Lines).Add(content);
            }
            else
            {
                blocks.Add(new TextBlock(isItem, new List<IReadOnlyList<Inline>> { content }));
            }
        }

        return blocks;
    }

    /// <summary>The text without its formatting marks, for previews and notifications.</summary>
    public static string Plain(string text) =>
        // Most messages carry no mark at all: they are their own plain text, with nothing to parse on the write path.
        text.AsSpan().IndexOfAny(Marks) < 0 && !text.StartsWith("- ", StringComparison.Ordinal) && !text.Contains("\n- ", StringComparison.Ordinal)
            ? text
            : string.Join('\n', Parse(text).SelectMany(block => block.Lines).Select(line => string.Concat(line.Select(PlainText))));

    private static readonly System.Buffers.SearchValues<char> Marks = System.Buffers.SearchValues.Create("*_~`");

    private static string PlainText(Inline piece) =>
        piece.Children is { } children ? string.Concat(children.Select(PlainText)) : piece.Text;

    /// <summary>The pieces of one line.</summary>
    public static IReadOnlyList<Inline> Inlines(string line)
    {
        var units = Units(line);
        return Styled(units, 0, units.Count);
    }

    // A line as units: one per character of plain text, and one per code span or link, which nothing formats inside.
    private static List<Unit> Units(string line)
    {
        var units = new List<Unit>();
        var position = 0;
        while (position < line.Length)
        {
            var code = CodeSpanAt(line, position);
            if (code > 0)
            {
                units.Add(new Unit('\0', new Inline(InlineKind.Code, line[(position + 1)..(code - 1)])));
                position = code;
                continue;
            }

            var next = line.IndexOf('`', position + 1);
            var end = next < 0 ? line.Length : next;
            foreach (var segment in MessageLinks.Split(line[position..end]))
            {
                if (segment.Href is { } href)
                {
                    units.Add(new Unit('\0', new Inline(InlineKind.Link, segment.Text, href)));
                }
                else
                {
                    units.AddRange(segment.Text.Select(c => new Unit(c, null)));
                }
            }

            position = end;
        }

        return units;
    }

    // The end (exclusive) of a code span that starts at position, or 0 when none does.
    private static int CodeSpanAt(string line, int position)
    {
        if (line[position] != '`' || position + 2 >= line.Length || char.IsWhiteSpace(line[position + 1]))
        {
            return 0;
        }

        var close = line.IndexOf('`', position + 2);
        return close > 0 && !char.IsWhiteSpace(line[close - 1]) ? close + 1 : 0;
    }

    private static List<Inline> Styled(List<Unit> units, int start, int end)
    {
        var pieces = new List<Inline>();
        var text = new System.Text.StringBuilder();
        var i = start;
        while (i < end)
        {
            if (units[i].Atom is { } atom)
            {
                Flush();
                pieces.Add(atom);
                i++;
                continue;
            }

            if (Delimiters.FirstOrDefault(d => Opens(units, i, end, d)) is { } delimiter
                && Closing(units, i + delimiter.Length, end, delimiter) is var close && close > 0)
            {
                Flush();
                var inner = Styled(units, i + delimiter.Length, close);
                pieces.Add(delimiter == "***"
                    ? new Inline(InlineKind.Strong, Children: [new Inline(InlineKind.Emphasis, Children: inner)])
                    : new Inline(KindOf(delimiter), Children: inner));
                i = close + delimiter.Length;
                continue;
            }

            text.Append(units[i].Character);
            i++;
        }

        Flush();
        return pieces;

        void Flush()
        {
            if (text.Length > 0)
            {
                pieces.Add(new Inline(InlineKind.Text, text.ToString()));
                text.Clear();
            }
        }
    }

    private static InlineKind KindOf(string delimiter) => delimiter switch
    {
        "**" => InlineKind.Strong,
        "~~" => InlineKind.Strike,
        _ => InlineKind.Emphasis,
    };

    // An opening delimiter is followed by something other than a space; "_" also must not follow a letter or
    // digit, so snake_case_words stay as typed. A delimiter must be the whole run of its character: "****" and
    // "__init__" stay as typed.
    private static bool Opens(List<Unit> units, int i, int end, string delimiter) =>
        Matches(units, i, end, delimiter)
        && i + delimiter.Length < end && !IsSpace(units[i + delimiter.Length])
        && WholeRun(units, i, end, delimiter)
        && (delimiter != "_" || i == 0 || !IsWordCharacter(units[i - 1]));

    // The first closing delimiter after from: preceded by something other than a space, and for "_" not followed
    // by a letter or digit. 0 when there is none.
    private static int Closing(List<Unit> units, int from, int end, string delimiter)
    {
        for (var j = from + 1; j + delimiter.Length <= end; j++)
        {
            if (Matches(units, j, end, delimiter) && !IsSpace(units[j - 1])
                && WholeRun(units, j, end, delimiter)
                && (delimiter != "_" || j + 1 >= end || !IsWordCharacter(units[j + 1])))
            {
                return j;
            }
        }

        return 0;
    }

    // The delimiter at i is not part of a longer run of the same character.
    private static bool WholeRun(List<Unit> units, int i, int end, string delimiter)
    {
        var mark = delimiter[0].ToString();
        return !Matches(units, i + delimiter.Length, end, mark) && (i == 0 || !Matches(units, i - 1, end, mark));
    }

    private static bool Matches(List<Unit> units, int i, int end, string delimiter)
    {
        if (i + delimiter.Length > end)
        {
            return false;
        }

        for (var k = 0; k < delimiter.Length; k++)
        {
            if (units[i + k].Atom is not null || units[i + k].Character != delimiter[k])
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsSpace(Unit unit) => unit.Atom is null && char.IsWhiteSpace(unit.Character);

    private static bool IsWordCharacter(Unit unit) => unit.Atom is null && char.IsLetterOrDigit(unit.Character);

    private readonly record struct Unit(char Character, Inline? Atom);
}
