using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Porchlight.Server.Tests.Api;

/// <summary>A JSON value as raw UTF-8, put where a field's value goes: it may be malformed on purpose (bad bytes, lone surrogates).</summary>
/// <param name="Kept">Text that must come back as it was sent when a request carrying it is accepted; null for anything else.</param>
/// <param name="MustRefuse">Not JSON a server may read at all: accepting it is a failure in itself.</param>
public sealed record HostileValue(string Name, byte[] Json, string? Kept = null, bool MustRefuse = false);

/// <summary>A whole request body: its bytes and media type.</summary>
public sealed record HostileBody(string Name, byte[] Bytes, string? ContentType, bool MustRefuse);

/// <summary>
/// The catalogue of hostile input: text that attacks whatever shows or stores it (script, SQL, paths, control
/// characters, broken Unicode), values of the wrong type or out of every range, broken and deep JSON, wrong media
/// types, and ids of every wrong shape. What is random (where a body is cut, a huge string's letters) comes from one
/// seeded generator, so a run is repeated exactly.
/// </summary>
public sealed class HostileInputs(int seed)
{
    public const int Seed = 20261204;

    /// <summary>Levels of nesting in the deep documents: far past any parser's limit.</summary>
    public const int DeepLevels = 10_000;

    /// <summary>A string longer than any field takes, well under the API's body limit.</summary>
    public const int HugeStringLength = 64 * 1024;

    private readonly Random _random = new(seed);

    /// <summary>Text payloads: each is sent as a field's value, a query value, a file name; accepted, it must be kept as it was.</summary>
    public static readonly IReadOnlyList<(string Name, string Text)> Texts =
    [
        ("script tag", "<script>window.__pwned=1;console.error('PWNED')</script>"),
        ("img onerror", "\"><img src=x onerror=\"window.__pwned=1\">"),
        ("svg onload", "<svg/onload=window.__pwned=1>"),
        ("javascript url", "javascript:window.__pwned=1//"),
        ("template", "{{constructor.constructor('window.__pwned=1')()}} ${7*7} #{7*7} %s%n{0}"),
        ("sql or", "' OR 1=1 --"),
        ("sql drop", "'; DROP TABLE \"Agents\"; --"),
        ("path traversal", "../../etc/passwd"),
        ("encoded traversal", "..%2F..%2Fetc%2Fpasswd"),
        ("windows traversal", "..\\..\\windows\\win.ini"),
        ("crlf", "a\r\nSet-Cookie: pwned=1\r\n\r\n<b>"),
        ("control characters", "a\u0001\u0007\u001b[31mb\u007f\u0085"),
        ("nul", "a\u0000b"),
        ("bidi override", "abc\u202Egpj.exe\u202C"),
        ("zero width and bom", "\uFEFFa\u200Bb\u200Dc"),
        ("astral", "👩‍💻 𝕏 🏳️‍🌈"),
        ("empty", ""),
    ];

    /// <summary>Values of another JSON type than a field's, for a field of any type.</summary>
    public static readonly IReadOnlyList<(string Name, string Json, JsonValueKind Kind)> OtherTypes =
    [
        ("null", "null", JsonValueKind.Null),
        ("true", "true", JsonValueKind.True),
        ("number", "12345", JsonValueKind.Number),
        ("empty array", "[]", JsonValueKind.Array),
        ("array of null", "[null]", JsonValueKind.Array),
        ("array of object", "[{}]", JsonValueKind.Array),
        ("empty object", "{}", JsonValueKind.Object),
        ("prototype", "{\"__proto__\":{\"isAdmin\":true},\"constructor\":{\"prototype\":{}}}", JsonValueKind.Object),
    ];

    /// <summary>Numbers out of every range, for a field that holds a number.</summary>
    public static readonly IReadOnlyList<(string Name, string Json)> Numbers =
    [
        ("zero", "0"),
        ("negative", "-1"),
        ("fraction", "1.5"),
        ("int overflow", "2147483648"),
        ("long overflow", "-9223372036854775809"),
        ("huge integer", "123456789012345678901234567890"),
        ("double overflow", "1e309"),
        ("tiny exponent", "-1e-400"),
    ];

    /// <summary>Ids of no record and of the wrong shape, for a field that holds an id.</summary>
    public static readonly IReadOnlyList<(string Name, string Json)> Ids =
    [
        ("zero guid", "\"00000000-0000-0000-0000-000000000000\""),
        ("unknown guid", "\"0f8fad5b-d9cb-469f-a165-70867728950e\""),
        ("not a guid", "\"not-a-guid\""),
        ("traversal id", "\"../../etc/passwd\""),
    ];

    /// <summary>Strings no UTF-8 JSON reader may take: bytes that are not UTF-8, and escaped surrogates without their pair.</summary>
    public static readonly IReadOnlyList<(string Name, byte[] Json)> BrokenStrings =
    [
        ("invalid utf-8", [(byte)'"', 0x61, 0xC3, 0x28, 0x62, (byte)'"']),
        ("overlong utf-8 slash", [(byte)'"', 0xC0, 0xAF, (byte)'"']),
        ("utf-8 encoded surrogate", [(byte)'"', 0xED, 0xA0, 0x80, (byte)'"']),
        ("lone high surrogate", "\"a\\ud800b\""u8.ToArray()),
        ("reversed surrogates", "\"\\udc00\\ud800\""u8.ToArray()),
    ];

    /// <summary>Ids in a path: of every wrong shape, of no record, and attacks on whatever reads them.</summary>
    public static readonly IReadOnlyList<(string Name, string Segment)> PathIds =
    [
        ("zero guid", "00000000-0000-0000-0000-000000000000"),
        ("unknown guid", "0f8fad5b-d9cb-469f-a165-70867728950e"),
        ("negative", "-1"),
        ("zero", "0"),
        ("huge number", "123456789012345678901234567890"),
        ("encoded traversal", "..%2F..%2Fetc%2Fpasswd"),
        ("double-encoded traversal", "%252e%252e%252fetc%252fpasswd"),
        ("backslash traversal", "..%5C..%5Cwindows%5Cwin.ini"),
        ("script", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
        ("sql", "'%20OR%201%3D1%20--"),
        ("invalid utf-8", "%C3%28"),
        ("encoded surrogate", "%ED%A0%80"),
        ("bad escape", "%ZZ"),
        ("long", new string('a', 2000)),
        ("guid with braces", "%7B0f8fad5b-d9cb-469f-a165-70867728950e%7D"),
    ];

    /// <summary>Query values: the path ids' attacks and values no number, date or flag parses to.</summary>
    public static readonly IReadOnlyList<(string Name, string Value)> QueryValues =
    [
        ("negative", "-1"),
        ("zero", "0"),
        ("huge number", "123456789012345678901234567890"),
        ("fraction", "1.5"),
        ("not a date", "2026-13-45"),
        ("far date", "9999-12-31"),
        ("ancient date", "0001-01-01"),
        ("script", "%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E"),
        ("sql", "'%20OR%201%3D1%20--"),
        ("traversal", "..%2F..%2Fetc%2Fpasswd"),
        ("nul", "%00"),
        ("invalid utf-8", "%C3%28"),
        ("encoded surrogate", "%ED%A0%80"),
        ("bad escape", "%ZZ"),
        ("long", new string('q', 4000)),
        ("empty", ""),
    ];

    /// <summary>
    /// What a field whose valid value is <paramref name="sample"/> gets: text payloads (for a field of text; one, for any
    /// other), values of every other JSON type, numbers out of range (for a number), ids of no record (for an id), broken
    /// strings, deep nesting and a huge string. Text that is not blank ends with <paramref name="tag"/>, so that what is
    /// read back is this request's, and no two requests set the same name.
    /// </summary>
    public IEnumerable<HostileValue> FieldValues(string tag, string field, JsonNode? sample)
    {
        var kind = sample?.GetValueKind() ?? JsonValueKind.Null;
        var isText = kind is JsonValueKind.String or JsonValueKind.Null;
        var isId = (kind == JsonValueKind.String && Guid.TryParse(sample!.GetValue<string>(), out _))
            || field.EndsWith("Id", StringComparison.Ordinal) || field.EndsWith("Ids", StringComparison.Ordinal);
        foreach (var (name, text) in isText ? Texts : Texts.Take(1))
        {
            var tagged = string.IsNullOrWhiteSpace(text) ? text : text + tag;
            yield return new HostileValue(name, JsonSerializer.SerializeToUtf8Bytes(tagged), Kept: tagged);
        }

        foreach (var (name, json, other) in OtherTypes.Where(t => t.Kind != kind || t.Name.StartsWith("array of", StringComparison.Ordinal)))
        {
            yield return new HostileValue(name, Encoding.UTF8.GetBytes(json));
        }

        if (kind != JsonValueKind.String)
        {
            yield return new HostileValue("string", JsonSerializer.SerializeToUtf8Bytes("probe" + tag));
        }

        foreach (var (name, json) in kind == JsonValueKind.Number ? Numbers : Numbers.Where(n => n.Name == "double overflow"))
        {
            yield return new HostileValue(name, Encoding.UTF8.GetBytes(json));
        }

        foreach (var (name, json) in isId ? Ids : [])
        {
            yield return new HostileValue(name, Encoding.UTF8.GetBytes(json));
        }

        foreach (var (name, json) in isText ? BrokenStrings : BrokenStrings.Take(1))
        {
            yield return new HostileValue(name, json, MustRefuse: true);
        }

        // One of the two deep documents, drawn: both are sent as whole bodies.
        yield return _random.Next(2) == 0
            ? new HostileValue("deep array", Encoding.UTF8.GetBytes(DeepArray()), MustRefuse: true)
            : new HostileValue("deep object", Encoding.UTF8.GetBytes(DeepObject()), MustRefuse: true);
        if (isText)
        {
            var huge = HugeString();
            yield return new HostileValue("huge string", JsonSerializer.SerializeToUtf8Bytes(huge), Kept: huge);
        }
    }

    /// <summary>Whole bodies for an operation whose valid body is <paramref name="valid"/>.</summary>
    public IEnumerable<HostileBody> Bodies(JsonNode valid)
    {
        var text = valid.ToJsonString();
        const string Json = "application/json";
        yield return Body("empty", "", Json, mustRefuse: true);
        yield return Body("cut short", text[..Math.Max(1, _random.Next(text.Length))], Json, mustRefuse: true);
        yield return Body("cut at the last brace", text[..^1], Json, mustRefuse: true);
        yield return Body("trailing garbage", text + "}}]]", Json, mustRefuse: true);
        yield return Body("trailing comma", text.Length > 2 ? text[..^1] + ",}" : "{,}", Json, mustRefuse: true);
        yield return Body("single quotes", text.Replace('"', '\''), Json, mustRefuse: true);
        yield return Body("comment", "/* hi */" + text, Json, mustRefuse: true);
        yield return Body("json null", "null", Json, mustRefuse: true);
        yield return Body("json array", "[" + text + "]", Json, mustRefuse: false);
        yield return Body("json string", "\"" + new string('x', 10) + "\"", Json, mustRefuse: true);
        yield return Body("json number", "42", Json, mustRefuse: true);
        yield return Body("deep array", DeepArray(), Json, mustRefuse: true);
        yield return Body("deep object", DeepObject(), Json, mustRefuse: true);
        yield return new HostileBody("invalid utf-8", [.. "{\""u8, 0xFF, 0xFE, .. "\":1}"u8], Json, MustRefuse: true);
        yield return Body("over the size limit", "{\"probe\":\"" + new string('x', 300 * 1024) + "\"}", Json, mustRefuse: true);
        yield return Body("text/plain", text, "text/plain", mustRefuse: true);
        yield return Body("xml", "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>", "application/xml", mustRefuse: true);
        yield return Body("form", "name=probe&text=%3Cscript%3E", "application/x-www-form-urlencoded", mustRefuse: true);
        yield return Body("multipart without boundary", text, "multipart/form-data", mustRefuse: true);
        yield return Body("no content type", text, null, mustRefuse: true);
        yield return Body("bogus charset", text, "application/json; charset=x-bogus", mustRefuse: true);
        yield return Body("unknown field", text.Length > 2 ? "{\"__proto__\":{\"isAdmin\":true}," + text[1..] : text, Json, mustRefuse: false);
    }

    /// <summary>Picks one of <paramref name="count"/> items.</summary>
    public int Next(int count) => _random.Next(count);

    public string HugeString()
    {
        var letters = new char[HugeStringLength];
        for (var i = 0; i < letters.Length; i++)
        {
            letters[i] = (char)('a' + _random.Next(26));
        }

        return new string(letters);
    }

    public static string DeepArray() => new string('[', DeepLevels) + new string(']', DeepLevels);

    public static string DeepObject()
    {
        var text = new StringBuilder(DeepLevels * 7);
        for (var i = 0; i < DeepLevels; i++)
        {
            text.Append("{\"a\":");
        }

        text.Append('1').Append('}', DeepLevels);
        return text.ToString();
    }

    private static HostileBody Body(string name, string text, string? contentType, bool mustRefuse) =>
        new(name, Encoding.UTF8.GetBytes(text), contentType, mustRefuse);
}
