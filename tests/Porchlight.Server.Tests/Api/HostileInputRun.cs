using System.Net;
using System.Text.Json;
using Porchlight.Server.Tests.Features.SignIn;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Api;

/// <summary>How the server took one hostile request.</summary>
public enum HostileOutcome
{
    Accepted,
    Refused,
    Redirected,
    Failed,
}

/// <summary>
/// One hostile request: the endpoint it targets, the input it carries, and what must hold of the answer.
/// <paramref name="Build"/> makes the request afresh each time it is sent.
/// </summary>
public sealed record HostileProbe(string Target, string Input, HttpClient Client, Func<HttpRequestMessage> Build)
{
    /// <summary>Text that, when the request is accepted, must be read back exactly as it was sent.</summary>
    public string? Kept { get; init; }

    /// <summary>Where <see cref="Kept"/> went (a field's path): what is reported when it is read nowhere.</summary>
    public string KeptAs { get; init; } = "";

    /// <summary>Input no server may accept (broken JSON, bad bytes, deep nesting, a wrong media type).</summary>
    public bool MustRefuse { get; init; }

    /// <summary>An endpoint of pages for people: its refusals may be pages (HTML) instead of problems.</summary>
    public bool Page { get; init; }

    /// <summary>A file upload: an accepted file has a safe name and is served so that it cannot run.</summary>
    public bool Upload { get; init; }

    /// <summary>A form post that needs an antiforgery token, read from this page of a browser-like session.</summary>
    public string? Antiforgery { get; init; }

    /// <summary>Reads where accepted text should be, when the answer itself does not carry it.</summary>
    public Func<Task<string>>? ReadBack { get; init; }

    /// <summary>Reads everything (every GET of the API): the last place accepted text is looked for.</summary>
    public Func<Task<string>>? ReadAll { get; init; }

    /// <summary>Puts back what the request changed that the requests after it rely on (the owner's password), given how it was taken.</summary>
    public Func<HostileOutcome, Task>? After { get; init; }

    /// <summary>A hub's transport (SignalR) answers its own clients in plain text: refusals there are not problems.</summary>
    public bool Transport { get; init; }

    /// <summary>Text kept in lower case by design (labels and tags are matched without case).</summary>
    public bool KeptInLowerCase { get; init; }

    /// <summary>Why accepted text in this field is shown by no read, where that is by design; else it must be read back.</summary>
    public string? NotShown { get; init; }
}

/// <summary>Sends hostile probes and checks every answer; collects failures instead of stopping at the first.</summary>
public sealed class HostileInputRun(PorchlightFactory factory, ServerErrors errors)
{
    /// <summary>Markup that must never come back unescaped in an HTML page.</summary>
    private static readonly string[] LiveMarkup = ["<script>window.__pwned", "<img src=x onerror", "<svg/onload", "<svg xmlns"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly HashSet<string> _readNowhere = [];
    private readonly HttpClient _downloads = factory.CreateClient();
    private BrowserSession? _session;
    private string? _antiforgeryToken;

    public List<string> Failures { get; } = [];

    public List<string> Notes { get; } = [];

    public HashSet<string> Targets { get; } = [];

    public int Accepted { get; private set; }

    public int Refused { get; private set; }

    public int Redirected { get; private set; }

    public int KeptChecked { get; private set; }

    /// <summary>Accepted texts looked for beyond the answer: in the reads around the operation, and in every read.</summary>
    public int ReadBacks { get; private set; }

    /// <summary>Refusals for the records' state (a conflict, a record used up): not sent again on fresh records.</summary>
    public int RefusedForState { get; set; }

    /// <summary>The status of the last answer.</summary>
    public int LastStatus { get; private set; }

    public void Fail(HostileProbe? probe, string what)
    {
        lock (Failures)
        {
            Failures.Add(probe is null ? what : $"{probe.Target} with {probe.Input}: {what}");
        }
    }

    public void Note(string note)
    {
        lock (Notes)
        {
            Notes.Add(note);
        }
    }

    public void AssertNoFailures()
    {
        if (Environment.GetEnvironmentVariable("HOSTILE_INPUT_REPORT") is { Length: > 0 } report)
        {
            File.AppendAllLines(report, Failures.Concat(Notes));
        }

        Assert.True(Failures.Count == 0, $"{Failures.Count} failures:\n" + string.Join("\n", Failures.Take(100).Select(f => Clip(f, 700))));
    }

    /// <param name="replay">Sent again on fresh records: only its outcome matters, what was accepted is not read back again.</param>
    public async Task<HostileOutcome> SendAsync(HostileProbe probe, bool replay = false)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var outcome = await SendOnceAsync(probe, replay);
        if (probe.After is { } after)
        {
            await after(outcome);
        }

        if (!replay)
        {
            Time[probe.Target] = Time.GetValueOrDefault(probe.Target) + clock.Elapsed;
        }

        return outcome;
    }

    /// <summary>The first pass's time by endpoint: where a slow run spends it.</summary>
    public Dictionary<string, TimeSpan> Time { get; } = [];

    private async Task<HostileOutcome> SendOnceAsync(HostileProbe probe, bool replay)
    {
        lock (Targets)
        {
            Targets.Add(probe.Target);
        }

        using var request = probe.Build();
        var client = probe.Client;
        if (probe.Antiforgery is { } page)
        {
            if (_session is null)
            {
                _session = new BrowserSession(factory);
                _antiforgeryToken = await _session.AntiforgeryTokenAsync(page);
            }

            client = _session.Client;
            request.Headers.TryAddWithoutValidation("RequestVerificationToken", _antiforgeryToken);
        }

        // Replays are sent a few at a time: the counts below are the first pass's alone.

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, Ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Fail(probe, $"no answer: {e.GetType().Name}: {e.Message}");
            return HostileOutcome.Failed;
        }

        using (response)
        {
            var status = LastStatus = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(Ct);
            var type = response.Content.Headers.ContentType?.MediaType ?? "";
            if (type == "text/html" && LiveMarkup.FirstOrDefault(m => body.Contains(m, StringComparison.OrdinalIgnoreCase)) is { } markup)
            {
                Fail(probe, $"{status} page carries the markup sent ({markup}) unescaped");
            }

            if (status >= 500)
            {
                Fail(probe, $"{status} {type}: {Clip(body, 200)} {errors.Take()}");
                return HostileOutcome.Failed;
            }

            if (status >= 400)
            {
                Refused += replay ? 0 : 1;
                if (!(probe.Page && type == "text/html") && !(probe.Transport && type == "text/plain"))
                {
                    CheckProblem(probe, status, type, body);
                }

                return HostileOutcome.Refused;
            }

            if (status >= 300)
            {
                Redirected += replay ? 0 : 1;
                var location = response.Headers.Location?.OriginalString ?? "";
                if (!IsOnTheSite(location))
                {
                    Fail(probe, $"{status} redirects off the site: {location}");
                }

                if (probe.Antiforgery is not null && BrowserSession.SetsAuthCookie(response))
                {
                    // Signed in: the session's token was for an anonymous visitor; the next form starts a new session.
                    _session = null;
                }

                return HostileOutcome.Redirected;
            }

            if (replay)
            {
                return HostileOutcome.Accepted;
            }

            Accepted++;
            if (probe.MustRefuse)
            {
                Fail(probe, $"accepted with {status}: {Clip(body, 300)}");
            }

            if (probe.Upload)
            {
                await CheckUploadAsync(probe, body);
            }

            if (probe.Kept is { } kept && kept.Trim().Length > 0)
            {
                await CheckKeptAsync(probe, probe.KeptInLowerCase ? kept.ToLowerInvariant() : kept, body);
            }

            return HostileOutcome.Accepted;
        }
    }

    private void CheckProblem(HostileProbe probe, int status, string type, string body)
    {
        if (type != ApiCalls.ProblemContentType)
        {
            Fail(probe, $"{status} is not a problem but {(type.Length == 0 ? "no content type" : type)}: {Clip(body, 200)}");
            return;
        }

        try
        {
            using var problem = JsonDocument.Parse(body);
            var root = problem.RootElement;
            if (!root.TryGetProperty("status", out var declared) || declared.GetInt32() != status
                || !root.TryGetProperty("title", out var title) || string.IsNullOrWhiteSpace(title.GetString()))
            {
                Fail(probe, $"{status} problem without its status and a title: {Clip(body, 200)}");
            }
        }
        catch (JsonException)
        {
            Fail(probe, $"{status} problem is not JSON: {Clip(body, 200)}");
        }
    }

    private async Task CheckKeptAsync(HostileProbe probe, string kept, string body)
    {
        if (Holds(body, kept))
        {
            KeptChecked++;
            return;
        }

        var key = $"{probe.Target} {probe.KeptAs}";
        if (_readNowhere.Contains(key))
        {
            return;
        }

        if (probe.NotShown is { } reason)
        {
            // A field whose text no read shows, by design: said once, and not looked for.
            _readNowhere.Add(key);
            Note($"{key}: accepted text is shown by no read ({reason})");
            return;
        }

        ReadBacks++;
        if ((probe.ReadBack is { } readBack && Holds(await ReadAsync(readBack), kept)) || (probe.ReadAll is { } readAll && Holds(await ReadAsync(readAll), kept)))
        {
            KeptChecked++;
            return;
        }

        _readNowhere.Add(key);
        Fail(probe, "accepted, but the text is read back nowhere as it was sent");
    }

    private async Task<string> ReadAsync(Func<Task<string>> read)
    {
        try
        {
            return await read();
        }
        catch (HttpRequestException e)
        {
            Note($"a read back failed: {e.Message}");
            return "";
        }
    }

    private async Task CheckUploadAsync(HostileProbe probe, string body)
    {
        using var document = JsonDocument.Parse(body);
        var file = document.RootElement;
        var name = file.GetProperty("fileName").GetString()!;
        if (name.Any(c => char.IsControl(c) || c is '/' or '\\' or '<' or '>' or '"' || (c != '\u200D' && char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format))
            || name.Trim('.').Length == 0 || char.IsSurrogate(name[^1]))
        {
            Fail(probe, $"stored under an unsafe name: {JsonSerializer.Serialize(name)}");
        }

        using var download = await _downloads.GetAsync(file.GetProperty("url").GetString(), Ct);
        var headers = download.Headers.ToString() + download.Content.Headers;
        if (download.StatusCode != HttpStatusCode.OK
            || !headers.Contains("X-Content-Type-Options: nosniff", StringComparison.OrdinalIgnoreCase)
            || !headers.Contains("sandbox", StringComparison.Ordinal)
            || (!file.GetProperty("isImage").GetBoolean() && download.Content.Headers.ContentDisposition?.DispositionType != "attachment"))
        {
            Fail(probe, $"its download answered {(int)download.StatusCode} with headers {headers}");
        }
    }

    /// <summary>Whether <paramref name="text"/> is in a JSON string of the answers in <paramref name="haystack"/> (one a line), or in its raw text.</summary>
    public static bool Holds(string haystack, string text)
    {
        if (haystack.Contains(text, StringComparison.Ordinal))
        {
            return true;
        }

        foreach (var line in haystack.Split('\n'))
        {
            var start = line.IndexOfAny(['{', '[']);
            if (start < 0)
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(line.AsMemory(start));
                if (Strings(document.RootElement).Any(s => s.Contains(text, StringComparison.Ordinal)))
                {
                    return true;
                }
            }
            catch (JsonException)
            {
            }
        }

        return false;
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value).Prepend(p.Name)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        _ => [],
    };

    private static bool IsOnTheSite(string location) =>
        !location.Any(char.IsControl)
        && ((location.StartsWith('/') && !location.StartsWith("//", StringComparison.Ordinal) && !location.StartsWith("/\\", StringComparison.Ordinal))
            || (Uri.TryCreate(location, UriKind.Absolute, out var absolute) && absolute.Host == "localhost"));

    public static string Clip(string text, int length) => text.Length <= length ? text : text[..length] + "…";
}
