using System.Globalization;
using System.Text;

namespace Porchlight.Server.Hosting;

/// <summary>
/// CSV as spreadsheets read it (RFC 4180): fields quoted when they hold a comma, quote or line break, numbers in the
/// invariant culture. A text field that a spreadsheet would run as a formula (=, +, -, @, tab, CR at its start) is
/// prefixed with an apostrophe, so an exported name can never execute in the reader's spreadsheet.
/// </summary>
public sealed class CsvText
{
    private readonly StringBuilder _text = new();

    public CsvText Row(params object?[] fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                _text.Append(',');
            }

            _text.Append(Field(fields[i]));
        }

        _text.Append("\r\n");
        return this;
    }

    public override string ToString() => _text.ToString();

    private static string Field(object? value) => value switch
    {
        null => "",
        string text => Quoted(text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text),
        double number => number.ToString("0.###", CultureInfo.InvariantCulture),
        DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable formattable => Quoted(formattable.ToString(null, CultureInfo.InvariantCulture)),
        _ => Quoted(value.ToString() ?? ""),
    };

    /// <summary>
    /// The rows of a CSV text (RFC 4180, as spreadsheets save it: a byte-order mark, CRLF or LF, quoted fields with
    /// doubled quotes). Blank lines are skipped. A field written with the apostrophe that disarms formulas (see
    /// <see cref="Row"/>) is read back without it. Null when a quote is never closed.
    /// </summary>
    public static List<(int Line, string[] Fields)>? Parse(string text)
    {
        var rows = new List<(int, string[])>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var (line, rowLine, quoted) = (1, 1, false);
        for (var i = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(Unarmed(field));
            }
            else if (c is '\r' or '\n')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                EndRow();
                line++;
                rowLine = line;
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            return null;
        }

        EndRow();
        return rows;

        void EndRow()
        {
            fields.Add(Unarmed(field));
            if (fields.Count > 1 || fields[0].Length > 0)
            {
                rows.Add((rowLine, [.. fields]));
            }

            fields.Clear();
        }
    }

    private static string Unarmed(StringBuilder field)
    {
        var text = field.ToString();
        field.Clear();
        return text.Length > 1 && text[0] == '\'' && text[1] is '=' or '+' or '-' or '@' or '\t' or '\r' ? text[1..] : text;
    }

    private static string Quoted(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
