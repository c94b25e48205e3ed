using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.ApiTokens;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Features.Workspaces;

namespace Porchlight.Server.Hosting;

/// <summary>
/// The command-line face of the server for operators and provisioning scripts. Exit codes: 0 done,
/// 1 the operation was refused (message on stderr), 2 wrong usage, 3 bad configuration.
/// </summary>
public sealed record OperatorCommand(string? Name, IReadOnlyDictionary<string, string> Options, string[] HostArgs, string? Error)
{
    public const int ExitOk = 0;
    public const int ExitRefused = 1;
    public const int ExitUsage = 2;
    public const int ExitConfiguration = 3;

    public const string Usage = """
        Porchlight — self-hosted customer messaging.

        Usage:
          porchlight                         run the server (http://127.0.0.1:5080 by default)
          porchlight migrate                 apply pending database migrations and exit
          porchlight create-owner --email EMAIL (--password PASSWORD | --password-stdin)
                                  [--name NAME] [--workspace NAME] [--time-zone IANA-ZONE]
                                             create a workspace with its first Owner
          porchlight create-token --email EMAIL --name NAME --scopes read,write,admin
                                             print a new API token for an agent (shown once)
          porchlight seed-demo               create a demo workspace with agents, teams and inboxes
          porchlight audit verify [--workspace ID]
                                             seal new audit entries, then check that each workspace's
                                             audit trail is an intact hash chain (exit 1 when one is not)
          porchlight --help                  show this text

        Settings come from appsettings.json, environment variables (Database__Provider=Postgres)
        or --Key=Value arguments (--Database:Provider=Postgres).
        Exit codes: 0 done, 1 refused (see message), 2 wrong usage, 3 bad configuration.
        """;

    private const string LogsToStandardError = "--Logging:Console:LogToStandardErrorThreshold=Trace";

    private static readonly Dictionary<string, string[]> Commands = new()
    {
        ["migrate"] = [],
        ["create-owner"] = ["email", "password", "password-stdin", "name", "workspace", "time-zone"],
        ["create-token"] = ["email", "name", "scopes"],
        ["seed-demo"] = [],
        ["audit verify"] = ["workspace"],
    };

    public static OperatorCommand Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal) && args[0] is not ("--help" or "-h"))
        {
            return new OperatorCommand(null, new Dictionary<string, string>(), args, null);
        }

        if (args[0] is "--help" or "-h" or "help")
        {
            return new OperatorCommand("help", new Dictionary<string, string>(), [], null);
        }

        // Commands of two words ("audit verify") are looked up as one.
        if (args.Length > 1 && args[0] == "audit" && !args[1].StartsWith("--", StringComparison.Ordinal))
        {
            args = [$"{args[0]} {args[1]}", .. args[2..]];
        }

        if (!Commands.TryGetValue(args[0], out var known))
        {
            return new OperatorCommand(args[0], new Dictionary<string, string>(), [], $"Unknown command '{args[0]}'.");
        }

        var options = new Dictionary<string, string>();
        var hostArgs = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : null;
            if (name is not null && known.Contains(name))
            {
                if (name == "password-stdin")
                {
                    options[name] = "true";
                }
                else if (i + 1 < args.Length)
                {
                    options[name] = args[++i];
                }
                else
                {
                    return new OperatorCommand(args[0], options, [], $"--{name} needs a value.");
                }
            }
            else if (name is not null && name.Contains('='))
            {
                hostArgs.Add(args[i]);
            }
            else
            {
                return new OperatorCommand(args[0], options, [], $"Unknown option '{args[i]}' for {args[0]}.");
            }
        }

        // stdout belongs to the command's result (scripts capture `create-token`), so logs go to stderr.
        // First, so an operator's own --Logging:... argument still wins.
        return new OperatorCommand(args[0], options, [LogsToStandardError, .. hostArgs], null);
    }

    public static async Task<int> RunAsync(OperatorCommand command, IServiceProvider services)
    {
        var cancellationToken = CancellationToken.None;
        try
        {
            await DataFeature.MigrateAsync(services, cancellationToken);
            return command.Name switch
            {
                "migrate" => Done("Database is up to date."),
                "create-owner" => await CreateOwnerAsync(command, services, cancellationToken),
                "create-token" => await CreateTokenAsync(command, services, cancellationToken),
                "seed-demo" => await SeedDemoAsync(services, cancellationToken),
                "audit verify" => await VerifyAuditAsync(command, services, cancellationToken),
                _ => ExitUsage,
            };
        }
        catch (Exception exception) when (exception is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            Console.Error.WriteLine($"Failed: {exception.GetBaseException().Message}");
            return ExitRefused;
        }
    }

    private static int Done(string message)
    {
        Console.WriteLine(message);
        return ExitOk;
    }

    private static int Refused(Failure failure)
    {
        Console.Error.WriteLine(failure.Detail);
        foreach (var (field, messages) in failure.FieldErrors ?? new Dictionary<string, string[]>())
        {
            Console.Error.WriteLine($"  --{field}: {string.Join(" ", messages)}");
        }

        return ExitRefused;
    }

    private static async Task<int> CreateOwnerAsync(OperatorCommand command, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (!command.Options.TryGetValue("email", out var email))
        {
            Console.Error.WriteLine("--email is required.");
            return ExitUsage;
        }

        var password = command.Options.ContainsKey("password-stdin")
            ? (await Console.In.ReadLineAsync(cancellationToken))?.TrimEnd('\r', '\n')
            : command.Options.GetValueOrDefault("password");
        if (string.IsNullOrEmpty(password))
        {
            Console.Error.WriteLine("--password or --password-stdin is required.");
            return ExitUsage;
        }

        await using var scope = services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<CreateWorkspaceWithOwner>().HandleAsync(
            new CreateWorkspaceWithOwnerRequest(
                command.Options.GetValueOrDefault("workspace", "My workspace"),
                command.Options.GetValueOrDefault("time-zone", "UTC"),
                command.Options.GetValueOrDefault("name", email.Split('@')[0]),
                email,
                password),
            null,
            cancellationToken);
        return result.Succeeded
            ? Done($"Created workspace {result.Value!.WorkspaceId} with Owner {email}.")
            : Refused(result.Failure!);
    }

    private static async Task<int> CreateTokenAsync(OperatorCommand command, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (!command.Options.TryGetValue("email", out var email) || !command.Options.TryGetValue("name", out var name)
            || !command.Options.TryGetValue("scopes", out var scopes))
        {
            Console.Error.WriteLine("--email, --name and --scopes are required.");
            return ExitUsage;
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var agent = await db.FindAgentByEmailAsync(email, cancellationToken);
        if (agent is not { IsActive: true })
        {
            Console.Error.WriteLine($"No active agent has the email {email}.");
            return ExitRefused;
        }

        scope.ServiceProvider.GetRequiredService<ActingAgent>().Enter(agent, null);
        var result = await scope.ServiceProvider.GetRequiredService<CreateApiToken>().HandleAsync(
            new CreateApiTokenRequest(name, scopes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
            cancellationToken);
        if (!result.Succeeded)
        {
            return Refused(result.Failure!);
        }

        // Only the token on stdout, so scripts can capture it: TOKEN=$(porchlight create-token ...)
        Console.WriteLine(result.Value!.Token);
        return ExitOk;
    }

    private static async Task<int> VerifyAuditAsync(OperatorCommand command, IServiceProvider services, CancellationToken cancellationToken)
    {
        Guid? only = null;
        if (command.Options.TryGetValue("workspace", out var id))
        {
            if (!Guid.TryParse(id, out var workspaceId))
            {
                Console.Error.WriteLine("--workspace takes a workspace id.");
                return ExitUsage;
            }

            only = workspaceId;
        }

        // Entries the server had no moment to seal yet are sealed first, so the check covers everything written so far.
        await services.GetRequiredService<AuditSealer>().SealAsync(cancellationToken);
        await using var scope = services.CreateAsyncScope();
        var workspaces = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Workspaces.IgnoreQueryFilters().AsNoTracking()
            .Where(w => only == null || w.Id == only).OrderBy(w => w.Name).Select(w => new { w.Id, w.Name }).ToListAsync(cancellationToken);
        if (only is not null && workspaces.Count == 0)
        {
            Console.Error.WriteLine($"No workspace has the id {only}.");
            return ExitRefused;
        }

        var verify = scope.ServiceProvider.GetRequiredService<VerifyAuditChain>();
        var broken = 0;
        foreach (var workspace in workspaces)
        {
            var report = await verify.HandleAsync(workspace.Id, cancellationToken);
            // Once retention removed the oldest entries, the check starts at the anchor: the last removed entry's place and hash.
            var anchor = report.AnchorSequence is { } anchorSequence
                ? $", anchor {anchorSequence.ToString(System.Globalization.CultureInfo.InvariantCulture)} {report.AnchorHash} ({report.RemovedEntries.ToString(System.Globalization.CultureInfo.InvariantCulture)} removed by retention)"
                : "";
            Console.WriteLine(report.Intact
                ? $"{workspace.Name} ({workspace.Id}): intact, {report.SealedEntries} entries, head {report.HeadSequence?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} {report.HeadHash ?? "-"}{anchor}, {report.UnsealedEntries} not sealed yet"
                : $"{workspace.Name} ({workspace.Id}): BROKEN at entry {report.BrokenAtSequence} ({report.BrokenEntryId}): {report.Problem}{anchor}");
            broken += report.Intact ? 0 : 1;
        }

        return broken == 0 ? ExitOk : ExitRefused;
    }

    private static async Task<int> SeedDemoAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var seeded = await scope.ServiceProvider.GetRequiredService<DemoWorkspace>().SeedAsync(cancellationToken);
        if (!seeded.Succeeded)
        {
            return Refused(seeded.Failure!);
        }

        Console.WriteLine(seeded.Value);
        return ExitOk;
    }
}
