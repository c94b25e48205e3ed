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

    private static string Quoted(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
