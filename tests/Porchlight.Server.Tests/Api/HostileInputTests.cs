using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Surveys;
using Porchlight.Server.Hosting;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Api;

/// <summary>
/// One server whose per-address limits are out of the way (the fuzzer sends thousands of requests a minute from one
/// address), whose passwords are hashed with one round (the fuzzer signs in and changes passwords hundreds of times;
/// the hash's strength is not what it tests), and whose logged exceptions are kept, to be named with the failure they
/// caused.
/// </summary>
public sealed class HostileInputFixture : IAsyncDisposable
{
    public HostileInputFixture()
    {
        Factory = new(
            settings: new Dictionary<string, string?>
            {
                ["Security:WidgetRequestsPerMinute"] = "10000000",
                ["Security:HelpCenterRequestsPerMinute"] = "10000000",
                ["Security:AttachmentDownloadsPerMinute"] = "10000000",
                ["Security:SignInAttemptsPerMinute"] = "10000000",
            },
            configureServices: services => services.AddSingleton<ILoggerProvider>(Errors)
                .Configure<PasswordHasherOptions>(options => options.IterationCount = 1));
    }

    public PorchlightFactory Factory { get; }

    public ServerErrors Errors { get; } = new();

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}

/// <summary>The exceptions the server logged, as one line each: what a 500 is reported with.</summary>
public sealed class ServerErrors : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _exceptions = new();

    /// <summary>What was logged since the last call.</summary>
    public string Take()
    {
        var taken = new List<string>();
        while (_exceptions.TryDequeue(out var exception))
        {
            taken.Add(exception);
        }

        return string.Join(" | ", taken);
    }

    // The request pipeline's: background jobs log their own errors (a test mailbox that cannot be reached) meanwhile.
    public ILogger CreateLogger(string categoryName) => categoryName.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
        ? new Logger(_exceptions)
        : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> exceptions) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is not null)
            {
                var frame = exception.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("Porchlight", StringComparison.Ordinal))?.Trim() ?? "";
                exceptions.Enqueue($"{exception.GetType().Name}: {exception.Message} {frame}");
            }
        }
    }
}

/// <summary>
/// A fuzzer with a fixed seed: every operation of the OpenAPI document and every public endpoint (the widget's API, the
/// tracker, the visitor hub, the help center, survey links, the account forms, file upload and download) gets hostile
/// input, field by field of a valid request: broken JSON, wrong types, deep nesting, huge strings, bad UTF-8, control
/// characters and NUL, lone surrogates, markup and script, SQL, path traversal, numbers out of range, ids of every wrong
/// shape, wrong media types. Every answer must be below 500; a refusal (4xx) of the API or a JSON endpoint is a
/// problem document; no HTML page carries the markup it was sent; a redirect stays on the site; text that is accepted
/// is kept as it was sent, as text. The inputs refused are then sent again against a second, fresh set of records,
/// with every read of the API compared before and after: refused input changes nothing.
/// </summary>
public sealed partial class HostileInputTests(HostileInputFixture fixture) : ApiWalkTestBase(fixture.Factory), IClassFixture<HostileInputFixture>
{
    [Fact]
    public async Task EveryApiOperation_HostileInputFieldByField_NoServerErrorRefusalsAreProblemsThatChangeNothingAndAcceptedTextIsKept()
    {
        var clock = Stopwatch.StartNew();
        var operations = await OperationsAsync();
        var run = new HostileInputRun(Factory, fixture.Errors);

        var (tried, refused) = await FirstPassAsync(run, ApiProbes(operations, await ApiTargetAsync(operations, "H")));

        var figures = Figures(run, $"API, {operations.Count} operations", tried, clock);
        var replayed = await ReplayRefusedAsync(run, operations, refused, target => ApiProbes(operations, target), label => ApiTargetAsync(operations, label));

        Report(run, figures, replayed, clock);
        run.AssertNoFailures();
    }

    [Fact]
    public async Task EveryPublicEndpoint_HostileInputFieldByField_NoServerErrorRefusalsAreProblemsThatChangeNothingAndAcceptedTextIsKept()
    {
        var clock = Stopwatch.StartNew();
        var operations = await OperationsAsync();
        var run = new HostileInputRun(Factory, fixture.Errors);

        var (tried, refused) = await FirstPassAsync(run, PublicProbes(await PublicTargetAsync(operations, "P")));

        var figures = Figures(run, $"public endpoints, {run.Targets.Count} endpoints", tried, clock);
        var replayed = await ReplayRefusedAsync(run, operations, refused, target => PublicProbes((PublicTarget)target), async label => await PublicTargetAsync(operations, label));

        Report(run, figures, replayed, clock);
        run.AssertNoFailures();
    }

    /// <summary>
    /// Sends every probe; returns how many, and the places of those refused for what they carry, to be sent again. A
    /// refusal for the records' state is not: a conflict (409), or a record not found (404) at the operation's own path,
    /// which an input accepted before used up (an invitation accepted, a merge done, a review given).
    /// </summary>
    private static async Task<(int Tried, List<int> Refused)> FirstPassAsync(HostileInputRun run, IEnumerable<HostileProbe> probes)
    {
        var refused = new List<int>();
        var index = 0;
        foreach (var probe in probes)
        {
            if (await run.SendAsync(probe) == HostileOutcome.Refused)
            {
                if (run.LastStatus == StatusCodes.Status409Conflict || (run.LastStatus == StatusCodes.Status404NotFound && !probe.Input.StartsWith("path ", StringComparison.Ordinal)))
                {
                    run.RefusedForState++;
                }
                else
                {
                    refused.Add(index);
                }
            }

            index++;
        }

        return (index, refused);
    }

    /// <summary>
    /// The same inputs again (the generator is seeded), those refused the first time only, on fresh records: every read
    /// of the API is the same before and after. A refusal that depended on the records' state (a name taken by an input
    /// accepted before it) may be accepted on fresh records; it is left out, and the rest sent again on another fresh
    /// set, until a round accepts none, whose reads before and after are then compared.
    /// </summary>
    private static async Task<int> ReplayRefusedAsync(HostileInputRun run, List<Operation> operations, List<int> refused, Func<Target, IEnumerable<HostileProbe>> probes, Func<string, Task<Target>> freshTarget)
    {
        var wanted = refused.ToHashSet();
        for (var round = 1; round <= 3; round++)
        {
            var fresh = await freshTarget($"R{round}");
            var before = await SnapshotAsync(operations, fresh.Owner, fresh.Resources);
            var chosen = probes(fresh).Select((probe, index) => (Probe: probe, Index: index)).Where(p => wanted.Contains(p.Index)).ToList();
            var accepted = new System.Collections.Concurrent.ConcurrentBag<int>();
            async Task ReplayAsync((HostileProbe Probe, int Index) replay)
            {
                if (await run.SendAsync(replay.Probe, replay: true) != HostileOutcome.Refused)
                {
                    accepted.Add(replay.Index);
                    run.Note($"refused on records others had changed, accepted on fresh ones: {replay.Probe.Target} with {replay.Probe.Input}");
                }
            }

            // Refusals change nothing, so their order does not matter: a few at a time. Those that put something back
            // afterwards (a password) or keep a browser session (the account forms) go one by one.
            await Parallel.ForEachAsync(
                chosen.Where(p => p.Probe.After is null && p.Probe.Antiforgery is null),
                new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Ct },
                async (replay, _) => await ReplayAsync(replay));
            foreach (var replay in chosen.Where(p => p.Probe.After is not null || p.Probe.Antiforgery is not null))
            {
                await ReplayAsync(replay);
            }

            if (accepted.IsEmpty)
            {
                var after = await SnapshotAsync(operations, fresh.Owner, fresh.Resources);
                if (before != after)
                {
                    run.Fail(null, "Refused input changed what the API reads:\n" + FirstDifference(before, after));
                }

                return wanted.Count;
            }

            wanted.ExceptWith(accepted);
        }

        run.Fail(null, "Three rounds on fresh records each accepted input refused before.");
        return wanted.Count;
    }

    private static string Figures(HostileInputRun run, string what, int tried, Stopwatch clock) =>
        $"Hostile input, {what}: {tried} inputs tried ({run.Accepted} accepted, {run.Refused} refused, {run.Redirected} redirected; " +
        $"{run.KeptChecked} accepted texts read back as sent, {run.ReadBacks} of them beyond the answer; {run.RefusedForState} refused for the records' state; {clock.Elapsed.TotalSeconds:F0} s)";

    private static void Report(HostileInputRun run, string figures, int replayed, Stopwatch clock)
    {
        figures += $", {replayed} refused inputs sent again on fresh records and shown to change nothing; {run.Failures.Count} failures; {clock.Elapsed.TotalSeconds:F0} s.";
        TestContext.Current.TestOutputHelper?.WriteLine(figures);
        TestContext.Current.TestOutputHelper?.WriteLine("  Slowest: " + string.Join(", ", run.Time.OrderByDescending(t => t.Value).Take(8).Select(t => $"{t.Key} {t.Value.TotalSeconds:F1} s")));
        foreach (var note in run.Notes)
        {
            TestContext.Current.TestOutputHelper?.WriteLine("  " + note);
        }
    }

    private static string FirstDifference(string before, string after)
    {
        var a = before.Split('\n');
        var b = after.Split('\n');
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            if (a[i] != b[i])
            {
                var at = Math.Max(0, a[i].Zip(b[i]).TakeWhile(p => p.First == p.Second).Count() - 200);
                return $"{a[i].Split(':')[0]}\nbefore: …{HostileInputRun.Clip(a[i][at..], 500)}\nafter:  …{HostileInputRun.Clip(b[i][at..], 500)}";
            }
        }

        return $"{a.Length} reads before, {b.Length} after";
    }

    // ---- The API ----

    /// <summary>Fields whose accepted text no read shows, by design, and why (matched as the start of "operation field").</summary>
    private static readonly Dictionary<string, string> NotShown = new(StringComparer.Ordinal)
    {
        ["POST /api/v1/me/password newPassword"] = "a password is kept as a hash",
        ["PUT /api/v1/inboxes/{inboxId}/email imap.password"] = "a mailbox's password is kept encrypted and never shown",
        ["PUT /api/v1/inboxes/{inboxId}/email smtp.password"] = "a mailbox's password is kept encrypted and never shown",
        ["POST /api/v1/inboxes/{inboxId}/assistant/preview "] = "a preview of a flow stores nothing",
        ["POST /api/v1/workforce/schedule/suggestion "] = "a suggestion stores nothing, and names its templates only beside the shifts it suggests",
        ["POST /api/v1/conversations/{conversationId}/assignment note"] = "a note goes with an assignment that changes something; unassigning the unassigned changes nothing",
        ["PUT /api/v1/contact-attributes/{key} key"] = "the path names the attribute; its key cannot be changed",
        ["POST /widget/v1/sessions visitorToken"] = "a visitor token that is not one starts a new visitor",
        ["POST /widget/v1/sessions trackerVisitor"] = "a tracker id that is not one links nothing",
        ["POST /t/v1/"] = "tracked events are queued for the tracking store and read through the site's analytics",
    };

    /// <summary>A workspace with one of every record, and its owner's client: what the probes act on.</summary>
    private class Target(List<Operation> operations, ResourceSet resources, HttpClient owner, string label, TestWorkspace workspace, PorchlightFactory factory)
    {
        public List<Operation> Operations { get; } = operations;

        public TestWorkspace Workspace { get; } = workspace;

        /// <summary>
        /// Gives the owner the test password again after an input changed it, and forgets the wrong current passwords
        /// sent (five lock the account): each probe of a password change starts from the same account.
        /// </summary>
        public async Task ResetOwnersPasswordAsync(HostileOutcome outcome)
        {
            await using var scope = factory.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(Workspace.WorkspaceId);
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Agent>>();
            var owner = await users.FindByIdAsync(Workspace.OwnerId.ToString());
            scope.ServiceProvider.GetRequiredService<ActingAgent>().Enter(owner!, null);
            await users.ResetAccessFailedCountAsync(owner!);
            if (outcome == HostileOutcome.Accepted)
            {
                await users.RemovePasswordAsync(owner!);
                var reset = await users.AddPasswordAsync(owner!, TestWorkspace.Password);
                Assert.True(reset.Succeeded, string.Join(", ", reset.Errors.Select(e => e.Description)));
            }
        }

        public ResourceSet Resources { get; } = resources;

        public HttpClient Owner { get; } = owner;

        public string Label { get; } = label;

        /// <summary>Every read of the API under the first segment of <paramref name="path"/> (e.g. /api/v1/contacts/…), joined.</summary>
        public Task<string> ReadAroundAsync(string path) =>
            ReadAsync(read => Segment(read.Path) == Segment(path));

        /// <summary>Every read of the API, joined, whatever each answers (a probe may have deleted a record).</summary>
        public Task<string> ReadEverythingAsync() => ReadAsync(_ => true);

        private static string Segment(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(2) ?? "";

        private async Task<string> ReadAsync(Func<Operation, bool> which)
        {
            var reads = new StringBuilder();
            foreach (var read in Operations.Where(o => o.Method == "GET" && which(o)))
            {
                using var response = await Owner.GetAsync(PathOf(read, Resources) + (read.PathParameters.Count == 0 && read.QueryParameters.Contains("limit") ? "?limit=200" : ""), Ct);
                reads.AppendLine(await response.Content.ReadAsStringAsync(Ct));
            }

            return reads.ToString();
        }
    }

    private async Task<Target> ApiTargetAsync(List<Operation> operations, string label)
    {
        var (workspace, owner) = await NewWorkspaceAsync(Unique($"Hostile {label}"));
        return new Target(operations, await CreateResourcesAsync(workspace, owner, label), owner, label, workspace, Factory);
    }

    /// <summary>Every operation: each path id, each query parameter, the body as a whole and each of its fields in turn.</summary>
    private static IEnumerable<HostileProbe> ApiProbes(List<Operation> operations, Target target)
    {
        var inputs = new HostileInputs(HostileInputs.Seed);
        var tags = 0;
        foreach (var operation in operations)
        {
            var name = operation.ToString();
            var path = PathOf(operation, target.Resources);
            var valid = ValidBody(operation, target.Resources);
            var validBytes = valid is null ? null : Encoding.UTF8.GetBytes(valid.ToJsonString());
            var method = new HttpMethod(operation.Method);
            Func<HttpContent?> validContent = validBytes is null ? () => null : () => Json(validBytes);

            foreach (var parameter in operation.PathParameters)
            {
                foreach (var (input, segment) in HostileInputs.PathIds)
                {
                    var hostilePath = PathParameter().Replace(operation.Path, m => m.Groups[1].Value == parameter ? segment : target.Resources.IdFor(m.Groups[1].Value, operation.Path));
                    yield return new HostileProbe(name, $"path {parameter}: {input}", target.Owner, () => Request(method, hostilePath, validContent()));
                }
            }

            foreach (var parameter in operation.QueryParameters)
            {
                foreach (var (input, value) in HostileInputs.QueryValues)
                {
                    yield return new HostileProbe(name, $"query {parameter}: {input}", target.Owner, () => Request(method, $"{path}?{parameter}={value}", validContent()));
                }
            }

            // Whatever an operation makes of a stray query parameter and headers that ask for a page (not a deletion: it
            // would take the records the probes after it need).
            if (operation.Method != "DELETE")
            {
                yield return new HostileProbe(name, "stray query and headers", target.Owner, () =>
            {
                var request = Request(method, $"{path}?debug=%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E&limit=-5", validContent());
                request.Headers.TryAddWithoutValidation("Accept", "text/html, */*;q=0.1");
                request.Headers.TryAddWithoutValidation("Accept-Language", "../../etc/passwd");
                request.Headers.TryAddWithoutValidation("X-Forwarded-For", "<script>, 999.999.999.999");
                request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "evil.example");
                return request;
            });
            }

            if (valid is not null)
            {
                foreach (var body in inputs.Bodies(valid))
                {
                    yield return new HostileProbe(name, $"body: {body.Name}", target.Owner, () => Request(method, path, Raw(body.Bytes, body.ContentType)))
                    {
                        MustRefuse = body.MustRefuse,
                    };
                }

                // Each request a valid body of its own (new names, new idempotency keys) but for the one field.
                Func<JsonNode> fresh = () => ValidBody(operation, target.Resources)!;
                Func<HostileOutcome, Task>? undo = operation.Path == "/api/v1/me/password" ? target.ResetOwnersPasswordAsync : null;
                foreach (var field in Fields(valid))
                {
                    yield return new HostileProbe(name, $"{field}: omitted", target.Owner, () => Request(method, path, Json(Without(fresh(), field))))
                    {
                        After = undo,
                    };
                    foreach (var value in inputs.FieldValues($" #{++tags:x}", field.Name, field.ValueIn(valid)))
                    {
                        var bytes = With(fresh(), field, value.Json);
                        yield return new HostileProbe(name, $"{field}: {value.Name}", target.Owner, () => Request(method, path, Json(bytes)))
                        {
                            Kept = value.Kept,
                            KeptAs = field.ToString(),
                            KeptInLowerCase = field.Name is "labels" or "addLabels" or "tags",
                            NotShown = NotShown.FirstOrDefault(n => $"{name} {field}".StartsWith(n.Key, StringComparison.Ordinal)).Value,
                            MustRefuse = value.MustRefuse,
                            ReadBack = () => target.ReadAroundAsync(path),
                            ReadAll = target.ReadEverythingAsync,
                            After = undo,
                        };
                    }
                }
            }
            else if (operation.MediaType == "multipart/form-data")
            {
                foreach (var probe in UploadProbes(name, target.Owner, path, inputs))
                {
                    yield return probe;
                }
            }
            else if (operation.MediaType == "text/csv")
            {
                foreach (var (input, csv, kept) in CsvFiles(inputs))
                {
                    yield return new HostileProbe(name, $"csv: {input}", target.Owner, () => Request(method, path, Raw(csv, "text/csv")))
                    {
                        Kept = kept,
                        KeptAs = "csv name",
                        ReadBack = () => target.ReadAroundAsync(path),
                        ReadAll = target.ReadEverythingAsync,
                    };
                }
            }
        }
    }

    /// <summary>Contact imports: formulas, quotes that never close, NUL, bad bytes, a huge line, the wrong delimiter, markup in a name.</summary>
    private static IEnumerable<(string Name, byte[] Csv, string? Kept)> CsvFiles(HostileInputs inputs)
    {
        var email = $"csv-{inputs.Next(1_000_000)}@example.com";
        yield return ("formula", Encoding.UTF8.GetBytes($"name,email\n\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",f-{email}\n"), null);
        yield return ("script name", Encoding.UTF8.GetBytes($"name,email\n\"<script>window.__pwned=1</script> csv\",s-{email}\n"), "<script>window.__pwned=1</script> csv");
        yield return ("sql name", Encoding.UTF8.GetBytes($"name,email\n\"' OR 1=1 -- csv\",q-{email}\n"), "' OR 1=1 -- csv");
        yield return ("quote never closed", Encoding.UTF8.GetBytes("name,email\n\"Ada,ada@example.com\n"), null);
        yield return ("nul", Encoding.UTF8.GetBytes("name,email\nA\0da,nul@example.com\n"), null);
        yield return ("invalid utf-8", [.. "name,email\n"u8, 0xFF, 0xFE, 0xC3, 0x28, .. ",bad@example.com\n"u8], null);
        yield return ("semicolons", Encoding.UTF8.GetBytes("name;email\nAda;ada@example.com\n"), null);
        yield return ("no header", Encoding.UTF8.GetBytes("Ada,ada@example.com\n"), null);
        yield return ("empty", [], null);
        yield return ("header only", Encoding.UTF8.GetBytes("name,email\n"), null);
        yield return ("huge line", Encoding.UTF8.GetBytes("name,email\n" + inputs.HugeString() + ",huge@example.com\n"), null);
        yield return ("many columns", Encoding.UTF8.GetBytes(string.Join(",", Enumerable.Range(0, 5000).Select(i => $"c{i}")) + "\n"), null);
        yield return ("bom and crlf", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes($"name,email\r\nBom,b-{email}\r\n")], null);
    }

    /// <summary>Uploads: hostile file names, contents that pretend to be something else, and broken multipart bodies.</summary>
    private static IEnumerable<HostileProbe> UploadProbes(string target, HttpClient client, string path, HostileInputs inputs)
    {
        var names = HostileInputs.Texts.Select(t => (t.Name, t.Text + ".txt"))
            .Concat([
                ("absolute path", "/etc/passwd"), ("drive path", "C:\\Windows\\win.ini"), ("device name", "CON.txt"), ("dot file", ".htaccess"),
                ("dots only", ".."), ("trailing dot", "report.txt."), ("long name", new string('n', 5000) + ".txt"),
                ("astral at the cut", new string('n', 254) + "👩‍💻👩‍💻.txt"), ("html as text", "page.html"), ("executable", "setup.exe"),
            ]);
        foreach (var (input, fileName) in names)
        {
            yield return new HostileProbe(target, $"file name: {input}", client, () => Request(HttpMethod.Post, path, Multipart(FilePart("file", fileName, "text/plain", "probe file"u8.ToArray()))))
            {
                Upload = true,
            };
        }

        var contents = new (string Name, string FileName, string Type, byte[] Bytes)[]
        {
            ("html with script", "page.html", "text/html", "<html><script>window.__pwned=1</script></html>"u8.ToArray()),
            ("svg with script", "image.svg", "image/svg+xml", "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"window.__pwned=1\"><script>window.__pwned=1</script></svg>"u8.ToArray()),
            ("script as png", "image.png", "image/png", "<script>window.__pwned=1</script>"u8.ToArray()),
            ("gif polyglot", "image.gif", "image/gif", "GIF89a/*<script>window.__pwned=1</script>*/"u8.ToArray()),
            ("executable", "setup.exe", "application/octet-stream", [0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]),
            ("empty file", "empty.txt", "text/plain", []),
            ("zip bomb header", "archive.zip", "application/zip", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]),
            ("nul bytes", "nul.txt", "text/plain", new byte[64]),
            ("wrong declared type", "notes.txt", "image/jpeg", "just text"u8.ToArray()),
        };
        foreach (var (input, fileName, type, bytes) in contents)
        {
            yield return new HostileProbe(target, $"file content: {input}", client, () => Request(HttpMethod.Post, path, Multipart(FilePart("file", fileName, type, bytes))))
            {
                Upload = true,
            };
        }

        var huge = inputs.HugeString();
        var bodies = new (string Name, byte[] Body, string ContentType)[]
        {
            ("no file part", FilePart("other", "probe.txt", "text/plain", "probe"u8.ToArray()), "multipart/form-data; boundary=" + Boundary),
            ("two files", [.. FilePart("file", "a.txt", "text/plain", "a"u8.ToArray()), .. FilePart("file", "b.txt", "text/plain", "b"u8.ToArray())], "multipart/form-data; boundary=" + Boundary),
            ("no boundary", FilePart("file", "probe.txt", "text/plain", "probe"u8.ToArray()), "multipart/form-data"),
            ("wrong boundary", FilePart("file", "probe.txt", "text/plain", "probe"u8.ToArray()), "multipart/form-data; boundary=other"),
            ("unclosed", Encoding.UTF8.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nprobe"), "multipart/form-data; boundary=" + Boundary),
            ("crlf in the file name", Encoding.UTF8.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\r\nContent-Type: text/html\r\n\r\n<script>.txt\"\r\n\r\nprobe\r\n--{Boundary}--\r\n"), "multipart/form-data; boundary=" + Boundary),
            ("encoded traversal name", Encoding.UTF8.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd\r\nContent-Type: text/plain\r\n\r\nprobe\r\n--{Boundary}--\r\n"), "multipart/form-data; boundary=" + Boundary),
            ("huge part header", Encoding.UTF8.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{huge}\"\r\nContent-Type: text/plain\r\n\r\nprobe\r\n--{Boundary}--\r\n"), "multipart/form-data; boundary=" + Boundary),
            ("json instead", "{\"file\":\"probe\"}"u8.ToArray(), "application/json"),
            ("no content type", "probe"u8.ToArray(), ""),
        };
        foreach (var (input, bytes, contentType) in bodies)
        {
            yield return new HostileProbe(target, $"multipart: {input}", client, () => Request(HttpMethod.Post, path, Raw(bytes, contentType.Length == 0 ? null : contentType)))
            {
                Upload = true,
            };
        }
    }

    private const string Boundary = "hostile-boundary-1b2c";

    private static byte[] FilePart(string field, string fileName, string type, byte[] content) =>
    [
        .. Encoding.UTF8.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{fileName}\"\r\nContent-Type: {type}\r\n\r\n"),
        .. content,
        .. Encoding.UTF8.GetBytes($"\r\n--{Boundary}--\r\n"),
    ];

    private static ByteArrayContent Multipart(byte[] body) => Raw(body, "multipart/form-data; boundary=" + Boundary);

    // ---- Public endpoints ----

    /// <summary>The API's records plus what the public endpoints name: a visitor with a chat, a published help center, a survey link, a file.</summary>
    private sealed class PublicTarget(List<Operation> operations, ResourceSet resources, HttpClient owner, string label, TestWorkspace workspace, PorchlightFactory factory)
        : Target(operations, resources, owner, label, workspace, factory)
    {
        public required string InboxToken { get; init; }

        public required HttpClient Anonymous { get; init; }

        public required HttpClient Visitor { get; init; }

        /// <summary>Another visitor, who identifies: identifying moves a visitor's chats to the contact they become.</summary>
        public required HttpClient IdentifyingVisitor { get; init; }

        public required Guid ConversationId { get; init; }

        public required Guid ArticleId { get; init; }

        public required string Site { get; init; }

        public required string ArticleSlug { get; init; }

        public required string CategorySlug { get; init; }

        public required string SurveyToken { get; init; }

        public required string AttachmentUrl { get; init; }

        public required string AgentEmail { get; init; }

        public required string InvitationToken { get; init; }

        public required Guid VisitorContactId { get; init; }
    }

    private async Task<PublicTarget> PublicTargetAsync(List<Operation> operations, string label)
    {
        var (workspace, owner) = await NewWorkspaceAsync(Unique($"Public {label}"));
        var resources = await CreateResourcesAsync(workspace, owner, label);
        var inboxToken = resources.Inbox.Text("publicToken")!;
        var visitor = await TestVisitor.StartAsync(Factory, inboxToken, trackerVisitor: $"v_{label.ToLowerInvariant()}{Guid.NewGuid():N}");
        var (conversationId, _) = await visitor.StartConversationAsync(Unique("Public chat"), new { name = "Visitor", email = $"visitor-{Guid.NewGuid():N}@example.com" });
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/survey", new { }).ExpectAsync(HttpStatusCode.OK);
        var site = $"help-{Guid.NewGuid():N}"[..20];
        await owner.PutJsonAsync("/api/v1/knowledge-base/help-center", new { slug = site, name = "Help", isPublished = true }).ExpectAsync(HttpStatusCode.OK);
        var article = await owner.PostJsonAsync("/api/v1/knowledge-base/articles", new
        {
            title = Unique("Returns"), body = "How to **return** an order.", categoryId = resources.ArticleCategory.IdOf(), status = "Published",
        }).ExpectAsync(HttpStatusCode.Created);
        var upload = await owner.PostAsync($"/api/v1/conversations/{resources.Conversation.IdOf()}/attachments",
            new MultipartFormDataContent { { new ByteArrayContent("probe file"u8.ToArray()), "file", "probe.txt" } }, Ct).ExpectAsync(HttpStatusCode.Created);
        var invitation = await owner.PostJsonAsync("/api/v1/invitations", new { email = $"invitee-{Guid.NewGuid():N}@example.com", role = "Agent" }).ExpectAsync(HttpStatusCode.Created);
        string surveyToken;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspace.WorkspaceId);
            var conversation = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Conversations.SingleAsync(c => c.Id == conversationId, Ct);
            surveyToken = scope.ServiceProvider.GetRequiredService<SurveyLinks>().Issue(conversation);
        }

        return new PublicTarget(operations, resources, owner, label, workspace, Factory)
        {
            InboxToken = inboxToken,
            Anonymous = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }),
            Visitor = visitor.Http,
            IdentifyingVisitor = (await TestVisitor.StartAsync(Factory, inboxToken)).Http,
            ConversationId = conversationId,
            ArticleId = article.GetProperty("article").IdOf(),
            Site = site,
            ArticleSlug = article.GetProperty("article").Text("slug")!,
            CategorySlug = resources.ArticleCategory.Text("slug")!,
            SurveyToken = surveyToken,
            AttachmentUrl = new Uri(upload.Text("url")!, UriKind.RelativeOrAbsolute) is { IsAbsoluteUri: true } absolute ? absolute.PathAndQuery : upload.Text("url")!,
            AgentEmail = resources.AgentEmail,
            InvitationToken = invitation.Text("acceptUrl")!.Split('/')[^1],
            VisitorContactId = (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("contact").IdOf(),
        };
    }

    /// <summary>A public endpoint: its route, a valid request's path, and its valid JSON or form body.</summary>
    private sealed record Endpoint(string Route, HttpMethod Method, string Path, HttpClient Client)
    {
        public JsonObject? Body { get; init; }

        /// <summary>Path parameters and where each is in <see cref="Path"/>.</summary>
        public IReadOnlyDictionary<string, string> Ids { get; init; } = new Dictionary<string, string>();

        public IReadOnlyList<string> Query { get; init; } = [];

        public IReadOnlyDictionary<string, string>? Form { get; init; }

        /// <summary>HTML pages for people: a refusal is a page too.</summary>
        public bool Page { get; init; }

        /// <summary>Where accepted text is read again, when the answer does not carry it.</summary>
        public Func<Task<string>>? ReadBack { get; init; }

        /// <summary>The tracker takes JSON in any media type: text/plain is what browsers' beacons send.</summary>
        public bool AnyMediaType { get; init; }

        /// <summary>Form posts that need the antiforgery token of a page: (page to read it from).</summary>
        public string? AntiforgeryPage { get; init; }
    }

    private static IEnumerable<HostileProbe> PublicProbes(PublicTarget target)
    {
        var inputs = new HostileInputs(HostileInputs.Seed + 1);
        var tags = 0;
        foreach (var endpoint in PublicEndpoints(target))
        {
            var name = endpoint.Route;
            foreach (var (parameter, id) in endpoint.Ids)
            {
                foreach (var (input, segment) in HostileInputs.PathIds)
                {
                    var path = endpoint.Path.Replace(id, segment, StringComparison.Ordinal);
                    yield return new HostileProbe(name, $"path {parameter}: {input}", endpoint.Client, () => Request(endpoint.Method, path, ValidContent(endpoint)))
                    {
                        Page = endpoint.Page,
                        Antiforgery = endpoint.AntiforgeryPage,
                    };
                }
            }

            foreach (var parameter in endpoint.Query)
            {
                foreach (var (input, value) in HostileInputs.QueryValues)
                {
                    var separator = endpoint.Path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
                    yield return new HostileProbe(name, $"query {parameter}: {input}", endpoint.Client, () => Request(endpoint.Method, $"{endpoint.Path}{separator}{parameter}={value}", ValidContent(endpoint)))
                    {
                        Page = endpoint.Page,
                    };
                }
            }

            if (endpoint.Body is { } valid)
            {
                foreach (var body in inputs.Bodies(valid))
                {
                    // The tracker reads any media type as JSON (a beacon sends text/plain), and its body limit is its own.
                    var mustRefuse = body.MustRefuse
                        && !(endpoint.AnyMediaType && body.Name is "text/plain" or "no content type" or "multipart without boundary" or "form" or "xml" or "bogus charset" && IsJson(body.Bytes));
                    yield return new HostileProbe(name, $"body: {body.Name}", endpoint.Client, () => Request(endpoint.Method, endpoint.Path, Raw(body.Bytes, body.ContentType)))
                    {
                        MustRefuse = mustRefuse,
                    };
                }

                foreach (var field in Fields(valid))
                {
                    yield return new HostileProbe(name, $"{field}: omitted", endpoint.Client, () => Request(endpoint.Method, endpoint.Path, Json(Without(valid, field))));
                    foreach (var value in inputs.FieldValues($" #{++tags:x}", field.Name, field.ValueIn(valid)))
                    {
                        var bytes = With(valid, field, value.Json);
                        yield return new HostileProbe(name, $"{field}: {value.Name}", endpoint.Client, () => Request(endpoint.Method, endpoint.Path, Json(bytes)))
                        {
                            Kept = value.Kept,
                            KeptAs = field.ToString(),
                            KeptInLowerCase = field.Name is "labels" or "addLabels" or "tags",
                            NotShown = NotShown.FirstOrDefault(n => $"{name} {field}".StartsWith(n.Key, StringComparison.Ordinal)).Value,
                            MustRefuse = value.MustRefuse,
                            ReadBack = endpoint.ReadBack,
                            ReadAll = target.ReadEverythingAsync,
                        };
                    }
                }
            }

            if (endpoint.Form is { } form)
            {
                foreach (var field in form.Keys)
                {
                    foreach (var (input, text) in HostileInputs.Texts.Append(("huge string", new string('x', 40 * 1024))))
                    {
                        var fields = new Dictionary<string, string>(form) { [field] = text };
                        yield return new HostileProbe(name, $"form {field}: {input}", endpoint.Client, () => Request(endpoint.Method, endpoint.Path, new FormUrlEncodedContent(fields)))
                        {
                            Page = endpoint.Page,
                            Antiforgery = endpoint.AntiforgeryPage,
                        };
                    }

                    var invalid = new Dictionary<string, string>(form);
                    yield return new HostileProbe(name, $"form {field}: invalid utf-8", endpoint.Client, () => Request(endpoint.Method, endpoint.Path, Raw(FormBytes(invalid, field, [0xFF, 0xC3, 0x28]), "application/x-www-form-urlencoded")))
                    {
                        Page = endpoint.Page,
                        Antiforgery = endpoint.AntiforgeryPage,
                    };
                }

                yield return new HostileProbe(name, "form: repeated fields", endpoint.Client, () => Request(endpoint.Method, endpoint.Path,
                    Raw(Encoding.UTF8.GetBytes(string.Join("&", form.Keys.Select(k => $"{k}=a&{k}=b"))), "application/x-www-form-urlencoded")))
                {
                    Page = endpoint.Page,
                    Antiforgery = endpoint.AntiforgeryPage,
                };
                yield return new HostileProbe(name, "form: json instead", endpoint.Client, () => Request(endpoint.Method, endpoint.Path, Json(JsonSerializer.SerializeToUtf8Bytes(form))))
                {
                    Page = endpoint.Page,
                    Antiforgery = endpoint.AntiforgeryPage,
                };
                yield return new HostileProbe(name, "form: over the size limit", endpoint.Client, () => Request(endpoint.Method, endpoint.Path,
                    Raw(Encoding.UTF8.GetBytes("comment=" + new string('x', 64 * 1024)), "application/x-www-form-urlencoded")))
                {
                    Page = endpoint.Page,
                    Antiforgery = endpoint.AntiforgeryPage,
                    MustRefuse = true,
                };
                if (endpoint.AntiforgeryPage is not null)
                {
                    yield return new HostileProbe(name, "form: no antiforgery token", endpoint.Client, () => Request(endpoint.Method, endpoint.Path, new FormUrlEncodedContent(form)))
                    {
                        Page = endpoint.Page,
                    };
                }
            }
        }

        // The sign-in form's return address, with the right password: the agent lands on this site or on its home.
        foreach (var (input, text) in HostileInputs.Texts.Concat([
                     ("other site", "https://evil.example/"), ("protocol relative", "//evil.example/"), ("backslash", "/\\evil.example"),
                     ("tab", "/\t/evil.example"), ("encoded slashes", "/%2F%2Fevil.example"), ("control", "/a\u0001b"), ("newline", "/a\r\nLocation: https://evil.example"),
                 ]))
        {
            yield return new HostileProbe("POST /account/signin", $"returnUrl: {input}", target.Anonymous, () => Request(HttpMethod.Post, "/account/signin",
                new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = target.AgentEmail, ["password"] = TestWorkspace.Password, ["returnUrl"] = text })))
            {
                Page = true,
                Antiforgery = "/signin",
            };
        }

        // Uploads by the visitor, and downloads by signed link.
        foreach (var path in new[] { "/widget/v1/attachments", $"/widget/v1/conversations/{target.ConversationId}/attachments" })
        {
            foreach (var probe in UploadProbes(path.Contains("conversations", StringComparison.Ordinal) ? "POST /widget/v1/conversations/{id}/attachments" : "POST /widget/v1/attachments", target.Visitor, path, inputs))
            {
                yield return probe;
            }
        }

        // A visitor token of every wrong shape, in the header and (for the hub) the query.
        foreach (var (input, token) in HostileInputs.PathIds.Concat([("script", "<script>"), ("spaces", "a b c"), ("bearer twice", "Bearer x")]))
        {
            yield return new HostileProbe("GET /widget/v1/conversations", $"visitor token: {input}", target.Anonymous, () =>
            {
                var request = Request(HttpMethod.Get, "/widget/v1/conversations", null);
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
                return request;
            });
            yield return new HostileProbe("POST /hubs/visitor/negotiate", $"access_token: {input}", target.Anonymous, () =>
                Request(HttpMethod.Post, $"/hubs/visitor/negotiate?negotiateVersion=1&access_token={token}", null))
            {
                Transport = true,
            };
        }

        foreach (var (input, value) in HostileInputs.QueryValues)
        {
            yield return new HostileProbe("POST /hubs/visitor/negotiate", $"negotiateVersion: {input}", target.Visitor, () =>
                Request(HttpMethod.Post, $"/hubs/visitor/negotiate?negotiateVersion={value}", null))
            {
                Transport = true,
            };
            yield return new HostileProbe("GET /hubs/visitor", $"id: {input}", target.Visitor, () => Request(HttpMethod.Get, $"/hubs/visitor?id={value}", null))
            {
                Transport = true,
            };
        }

        foreach (var origin in new[] { "null", "javascript:window.__pwned=1", "http://<script>", "http://a b", new string('o', 4000) })
        {
            yield return new HostileProbe("GET /widget/v1/inboxes/{inboxToken}", $"origin: {origin[..Math.Min(origin.Length, 30)]}", target.Anonymous, () =>
            {
                var request = Request(HttpMethod.Get, $"/widget/v1/inboxes/{target.InboxToken}", null);
                request.Headers.TryAddWithoutValidation("Origin", origin);
                return request;
            });
        }
    }

    /// <summary>Every public endpoint, with a valid request to start from.</summary>
    private static IEnumerable<Endpoint> PublicEndpoints(PublicTarget target)
    {
        var token = target.InboxToken;
        var conversation = target.ConversationId.ToString();
        var article = target.ArticleId.ToString();
        var visitor = target.Visitor;
        var anonymous = target.Anonymous;
        Func<Task<string>> visitorReads = async () =>
            await visitor.GetStringAsync($"/widget/v1/conversations/{conversation}/messages", Ct) + await visitor.GetStringAsync("/widget/v1/conversations", Ct);

        yield return new Endpoint("GET /widget/v1/inboxes/{inboxToken}", HttpMethod.Get, $"/widget/v1/inboxes/{token}", anonymous)
        {
            Ids = new Dictionary<string, string> { ["inboxToken"] = token },
            Query = ["locale"],
        };
        yield return new Endpoint("GET /widget/v1/inboxes/{inboxToken}/articles", HttpMethod.Get, $"/widget/v1/inboxes/{token}/articles", anonymous)
        {
            Ids = new Dictionary<string, string> { ["inboxToken"] = token },
            Query = ["q", "locale"],
        };
        yield return new Endpoint("GET /widget/v1/inboxes/{inboxToken}/articles/{articleId}", HttpMethod.Get, $"/widget/v1/inboxes/{token}/articles/{article}", visitor)
        {
            Ids = new Dictionary<string, string> { ["inboxToken"] = token, ["articleId"] = article },
        };
        yield return new Endpoint("POST /widget/v1/inboxes/{inboxToken}/articles/{articleId}/feedback", HttpMethod.Post, $"/widget/v1/inboxes/{token}/articles/{article}/feedback", anonymous)
        {
            Ids = new Dictionary<string, string> { ["inboxToken"] = token, ["articleId"] = article },
            Body = new JsonObject { ["helpful"] = true, ["previous"] = null },
        };
        yield return new Endpoint("POST /widget/v1/sessions", HttpMethod.Post, "/widget/v1/sessions", anonymous)
        {
            Body = new JsonObject { ["inboxToken"] = token, ["visitorToken"] = null, ["trackerVisitor"] = "v_probe1234" },
        };
        yield return new Endpoint("POST /widget/v1/identify", HttpMethod.Post, "/widget/v1/identify", target.IdentifyingVisitor)
        {
            Body = new JsonObject
            {
                ["userId"] = "user-42", ["email"] = "user-42@example.com", ["name"] = "User 42", ["attributes"] = new JsonObject { ["plan"] = "pro" }, ["userHash"] = null,
            },
            ReadBack = () => target.Owner.GetStringAsync("/api/v1/contacts?q=user-42&limit=200", Ct),
        };
        yield return new Endpoint("PUT /widget/v1/attributes", HttpMethod.Put, "/widget/v1/attributes", visitor)
        {
            Body = new JsonObject { ["attributes"] = new JsonObject { ["plan"] = "pro" } },
            ReadBack = () => target.Owner.GetStringAsync($"/api/v1/contacts/{target.VisitorContactId}", Ct),
        };
        yield return new Endpoint("GET /widget/v1/conversations", HttpMethod.Get, "/widget/v1/conversations", visitor);
        yield return new Endpoint("POST /widget/v1/conversations", HttpMethod.Post, "/widget/v1/conversations", visitor)
        {
            Body = new JsonObject { ["clientId"] = TestVisitor.NewClientId(), ["text"] = "Hello", ["fields"] = new JsonObject { ["name"] = "Visitor", ["email"] = "visitor@example.com" } },
            ReadBack = visitorReads,
        };
        yield return new Endpoint("GET /widget/v1/proactive/{messageId}", HttpMethod.Get, $"/widget/v1/proactive/{conversation}", visitor)
        {
            Ids = new Dictionary<string, string> { ["messageId"] = conversation },
        };
        yield return new Endpoint("GET /widget/v1/conversations/{id}/survey", HttpMethod.Get, $"/widget/v1/conversations/{conversation}/survey", visitor)
        {
            Ids = new Dictionary<string, string> { ["conversationId"] = conversation },
        };
        yield return new Endpoint("POST /widget/v1/conversations/{id}/survey", HttpMethod.Post, $"/widget/v1/conversations/{conversation}/survey", visitor)
        {
            Ids = new Dictionary<string, string> { ["conversationId"] = conversation },
            Body = new JsonObject { ["rating"] = 5, ["effort"] = null, ["recommend"] = null, ["comment"] = "Thanks" },
            ReadBack = () => target.Owner.GetStringAsync($"/api/v1/conversations/{conversation}/survey", Ct),
        };
        yield return new Endpoint("POST /widget/v1/offline-messages", HttpMethod.Post, "/widget/v1/offline-messages", visitor)
        {
            Body = new JsonObject { ["clientId"] = TestVisitor.NewClientId(), ["name"] = "Visitor", ["email"] = "visitor@example.com", ["text"] = "Call me back" },
            ReadBack = visitorReads,
        };
        yield return new Endpoint("GET /widget/v1/conversations/{id}/messages", HttpMethod.Get, $"/widget/v1/conversations/{conversation}/messages", visitor)
        {
            Ids = new Dictionary<string, string> { ["conversationId"] = conversation },
            Query = ["after"],
        };
        yield return new Endpoint("POST /widget/v1/conversations/{id}/messages", HttpMethod.Post, $"/widget/v1/conversations/{conversation}/messages", visitor)
        {
            Ids = new Dictionary<string, string> { ["conversationId"] = conversation },
            Body = new JsonObject { ["clientId"] = TestVisitor.NewClientId(), ["text"] = "Hello again", ["attachmentIds"] = new JsonArray() },
            ReadBack = visitorReads,
        };
        yield return new Endpoint("POST /widget/v1/conversations/{id}/read", HttpMethod.Post, $"/widget/v1/conversations/{conversation}/read", visitor)
        {
            Ids = new Dictionary<string, string> { ["conversationId"] = conversation },
            Body = new JsonObject { ["sequence"] = 1 },
        };
        yield return new Endpoint("POST /t/v1/events", HttpMethod.Post, "/t/v1/events", anonymous)
        {
            Body = JsonNode.Parse($$"""
                { "site": "{{token}}", "visitor": "v_probe1234", "session": "s_probe1234", "at": 1767225600000,
                  "events": [{ "type": "pageview", "url": "https://shop.example/boots?size=42", "title": "Boots", "referrer": "https://search.example/",
                               "name": null, "properties": { "plan": "pro" }, "screen": "1280x800", "language": "en", "timeZone": "UTC", "durationMs": null }] }
                """)!.AsObject(),
            AnyMediaType = true,
        };
        yield return new Endpoint("POST /t/v1/ping", HttpMethod.Post, "/t/v1/ping", anonymous)
        {
            Body = new JsonObject { ["site"] = token, ["visitor"] = "v_probe1234", ["session"] = "s_probe1234", ["url"] = "https://shop.example/boots", ["seconds"] = 15, ["event"] = null },
            AnyMediaType = true,
        };
        yield return new Endpoint("GET /help/{site}", HttpMethod.Get, $"/help/{target.Site}", anonymous)
        {
            Ids = new Dictionary<string, string> { ["site"] = target.Site },
            Page = true,
        };
        yield return new Endpoint("GET /help/{site}/sitemap.xml", HttpMethod.Get, $"/help/{target.Site}/sitemap.xml", anonymous)
        {
            Ids = new Dictionary<string, string> { ["site"] = target.Site },
            Page = true,
        };
        yield return new Endpoint("GET /help/{site}/{locale}", HttpMethod.Get, $"/help/{target.Site}/en", anonymous)
        {
            Ids = new Dictionary<string, string> { ["site"] = target.Site, ["locale"] = "/en" },
            Page = true,
        };
        yield return new Endpoint("GET /help/{site}/{locale}/search", HttpMethod.Get, $"/help/{target.Site}/en/search", anonymous)
        {
            Ids = new Dictionary<string, string> { ["locale"] = "/en/" },
            Query = ["q"],
            Page = true,
        };
        yield return new Endpoint("GET /help/{site}/{locale}/categories/{slug}", HttpMethod.Get, $"/help/{target.Site}/en/categories/{target.CategorySlug}", anonymous)
        {
            Ids = new Dictionary<string, string> { ["slug"] = target.CategorySlug },
            Page = true,
        };
        yield return new Endpoint("GET /help/{site}/{locale}/articles/{slug}", HttpMethod.Get, $"/help/{target.Site}/en/articles/{target.ArticleSlug}", anonymous)
        {
            Ids = new Dictionary<string, string> { ["slug"] = target.ArticleSlug },
            Query = ["thanks"],
            Page = true,
        };
        yield return new Endpoint("POST /help/{site}/{locale}/articles/{slug}/feedback", HttpMethod.Post, $"/help/{target.Site}/en/articles/{target.ArticleSlug}/feedback", anonymous)
        {
            Ids = new Dictionary<string, string> { ["slug"] = target.ArticleSlug },
            Form = new Dictionary<string, string> { ["helpful"] = "yes" },
            Page = true,
        };
        yield return new Endpoint("GET /survey/{token}", HttpMethod.Get, $"/survey/{target.SurveyToken}", anonymous)
        {
            Ids = new Dictionary<string, string> { ["token"] = target.SurveyToken },
            Query = ["thanks"],
            Page = true,
        };
        yield return new Endpoint("POST /survey/{token}", HttpMethod.Post, $"/survey/{target.SurveyToken}", anonymous)
        {
            Ids = new Dictionary<string, string> { ["token"] = target.SurveyToken },
            Form = new Dictionary<string, string> { ["rating"] = "4", ["effort"] = "", ["recommend"] = "", ["comment"] = "Fine" },
            Page = true,
        };
        yield return new Endpoint("GET /attachments/{attachmentId}", HttpMethod.Get, target.AttachmentUrl, anonymous)
        {
            Ids = new Dictionary<string, string> { ["attachmentId"] = target.AttachmentUrl.Split('/')[2].Split('?')[0] },
            Query = ["sig", "exp"],
        };
        yield return new Endpoint("POST /account/signin", HttpMethod.Post, "/account/signin", anonymous)
        {
            Form = new Dictionary<string, string> { ["email"] = $"nobody-{target.Label}@example.com", ["password"] = "wrong password", ["returnUrl"] = "/inbox" },
            AntiforgeryPage = "/signin",
            Page = true,
        };
        yield return new Endpoint("POST /account/forgot-password", HttpMethod.Post, "/account/forgot-password", anonymous)
        {
            Form = new Dictionary<string, string> { ["email"] = $"nobody-{target.Label}@example.com" },
            AntiforgeryPage = "/signin",
            Page = true,
        };
        yield return new Endpoint("POST /account/reset-password", HttpMethod.Post, "/account/reset-password", anonymous)
        {
            Form = new Dictionary<string, string> { ["email"] = $"nobody-{target.Label}@example.com", ["token"] = "not-a-token", ["password"] = "a new password 1" },
            AntiforgeryPage = "/signin",
            Page = true,
        };
        yield return new Endpoint("POST /setup", HttpMethod.Post, "/setup", anonymous)
        {
            Form = new Dictionary<string, string>
            {
                ["workspaceName"] = "Second", ["timeZone"] = "UTC", ["ownerName"] = "Mallory", ["email"] = "mallory@example.com", ["password"] = "a long password 1",
            },
            AntiforgeryPage = "/signin",
            Page = true,
        };
        yield return new Endpoint("POST /invite/{token}", HttpMethod.Post, $"/invite/{target.InvitationToken}", anonymous)
        {
            Ids = new Dictionary<string, string> { ["token"] = target.InvitationToken },
            Form = new Dictionary<string, string> { ["displayName"] = "Invited", ["password"] = "short" },
            AntiforgeryPage = "/signin",
            Page = true,
        };
    }

    private static HttpContent? ValidContent(Endpoint endpoint) =>
        endpoint.Body is { } body ? Json(Encoding.UTF8.GetBytes(body.ToJsonString()))
        : endpoint.Form is { } form ? new FormUrlEncodedContent(form)
        : null;

    private static bool IsJson(byte[] bytes)
    {
        try
        {
            using var _ = JsonDocument.Parse(bytes);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static byte[] FormBytes(Dictionary<string, string> form, string field, byte[] raw)
    {
        var bytes = new List<byte>();
        foreach (var (key, value) in form)
        {
            if (bytes.Count > 0)
            {
                bytes.Add((byte)'&');
            }

            bytes.AddRange(Encoding.UTF8.GetBytes(Uri.EscapeDataString(key) + "="));
            bytes.AddRange(key == field ? raw : Encoding.UTF8.GetBytes(Uri.EscapeDataString(value)));
        }

        return [.. bytes];
    }

    // ---- Bodies ----

    /// <summary>A field of a JSON body: the steps from its root, each a property name or an array index.</summary>
    private sealed record FieldPath(IReadOnlyList<object> Steps)
    {
        /// <summary>The name of the field, or of the list an item is in.</summary>
        public string Name => Steps.OfType<string>().LastOrDefault() ?? "";

        public JsonNode? ValueIn(JsonNode root) => Steps.Aggregate<object, JsonNode?>(root, (node, step) => step is int index ? node![index] : node![(string)step]);

        public override string ToString() => string.Concat(Steps.Select((s, i) => s is int n ? $"[{n}]" : i == 0 ? $"{s}" : $".{s}"));
    }

    /// <summary>Every field of <paramref name="node"/>, depth first: objects' properties and arrays' first items.</summary>
    private static IEnumerable<FieldPath> Fields(JsonNode? node, IReadOnlyList<object>? at = null)
    {
        at ??= [];
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    var path = new FieldPath([.. at, key]);
                    yield return path;
                    foreach (var inner in Fields(value, path.Steps))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonArray { Count: > 0 } array:
                var first = new FieldPath([.. at, 0]);
                yield return first;
                foreach (var inner in Fields(array[0], first.Steps))
                {
                    yield return inner;
                }

                break;
        }
    }

    private const string Marker = "hostile-value-marker-5f0c";

    /// <summary><paramref name="valid"/> with the field's value replaced by raw bytes, which need not be valid JSON.</summary>
    private static byte[] With(JsonNode valid, FieldPath field, byte[] value)
    {
        var copy = valid.DeepClone();
        var (parent, last) = ParentOf(copy, field);
        if (last is int index)
        {
            parent.AsArray()[index] = Marker;
        }
        else
        {
            parent.AsObject()[(string)last] = Marker;
        }

        FreshClientIds(copy);
        var text = Encoding.UTF8.GetBytes(copy.ToJsonString());
        var marker = Encoding.UTF8.GetBytes($"\"{Marker}\"");
        var at = text.AsSpan().IndexOf(marker);
        return [.. text.AsSpan(0, at), .. value, .. text.AsSpan(at + marker.Length)];
    }

    private static byte[] Without(JsonNode valid, FieldPath field)
    {
        var copy = valid.DeepClone();
        var (parent, last) = ParentOf(copy, field);
        if (last is int index)
        {
            parent.AsArray().RemoveAt(index);
        }
        else
        {
            parent.AsObject().Remove((string)last);
        }

        FreshClientIds(copy);
        return Encoding.UTF8.GetBytes(copy.ToJsonString());
    }

    /// <summary>
    /// A new idempotency key for each request that has one (unless it is the field under attack): with the same key, a
    /// message already sent is answered again, and nothing of this request's would be seen.
    /// </summary>
    private static void FreshClientIds(JsonNode body)
    {
        if (body is JsonObject obj && obj["clientId"] is JsonValue value && value.TryGetValue<string>(out var key) && key != Marker)
        {
            obj["clientId"] = TestVisitor.NewClientId();
        }
    }

    private static (JsonNode Parent, object Last) ParentOf(JsonNode root, FieldPath field)
    {
        var node = root;
        foreach (var step in field.Steps.SkipLast(1))
        {
            node = step is int index ? node.AsArray()[index]! : node.AsObject()[(string)step]!;
        }

        return (node, field.Steps[^1]);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content) =>
        new(method, path) { Content = content };

    private static ByteArrayContent Json(byte[] bytes) => Raw(bytes, "application/json");

    private static ByteArrayContent Raw(byte[] bytes, string? contentType)
    {
        var content = new ByteArrayContent(bytes);
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return content;
    }
}
