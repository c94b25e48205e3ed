using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.ApiTokens;
using Porchlight.Server.Features.Workspaces;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Tests.Infrastructure;

public enum TestDatabase
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The real server in memory, on its own fresh database: a SQLite file in a temp folder, or a new
/// database on the shared <see cref="PostgresServer"/>, each a copy of the schema migrated once (<see cref="MigratedTemplates"/>)
/// unless the test asks for an empty one; attachments in a temp folder of its own. Extra settings go through UseSetting so
/// Program.cs sees them while it builds.
/// </summary>
public sealed class PorchlightFactory : WebApplicationFactory<Program>
{
    private readonly string _connectionString;
    private readonly TestDatabase _database;
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _configureServices;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "porchlight-test-" + Guid.NewGuid().ToString("N")[..8]);

    public PorchlightFactory(
        TestDatabase database = TestDatabase.Sqlite,
        PostgresServer? postgres = null,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configureServices = null,
        bool emptyDatabase = false)
    {
        _database = database;
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        _configureServices = configureServices;
        Directory.CreateDirectory(_directory);
        if (database == TestDatabase.Postgres)
        {
            ArgumentNullException.ThrowIfNull(postgres);
            var name = "porchlight_" + Guid.NewGuid().ToString("N")[..12];
            MigratedTemplates.CreatePostgresDatabase(postgres, name, migrated: !emptyDatabase);
            _connectionString = postgres.ConnectionString(name);
        }
        else
        {
            if (!emptyDatabase)
            {
                MigratedTemplates.CopySqliteTo(SqliteDatabasePath);
            }

            _connectionString = $"Data Source={SqliteDatabasePath}";
        }
    }

    // Another node of the same deployment: its own process state (presence, gates, background jobs) on the same database.
    private PorchlightFactory(TestDatabase database, string connectionString, Dictionary<string, string?> settings)
    {
        _database = database;
        _connectionString = connectionString;
        _settings = new Dictionary<string, string?>(settings);
        Directory.CreateDirectory(_directory);
    }

    /// <summary>A second server on this one's database, as a second node behind a load balancer would be.</summary>
    public PorchlightFactory AnotherNode() => new(_database, _connectionString, _settings);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Database:Provider", _database.ToString());
        builder.UseSetting("Database:ConnectionString", _connectionString);
        builder.UseSetting("Storage:AttachmentsPath", AttachmentsPath);
        // Tests sign in many times from one address; the limiter has its own test.
        builder.UseSetting("Security:SignInAttemptsPerMinute", "1000");
        builder.UseSetting("Outbox:PollInterval", "00:00:00.200");
        builder.UseSetting("Conversations:SnoozeCheckInterval", "00:00:00.250");
        builder.UseSetting("Outbox:RetryDelay", "00:00:00.200");
        // Tests roll site statistics up themselves, at the moment they mean to, every stale day each time.
        builder.UseSetting("Tracking:RollupInterval", "1.00:00:00");
        builder.UseSetting("Tracking:RollupShare", "1");
        // Test receivers listen on 127.0.0.1; the refusal of private targets has its own tests. Retries come quickly.
        builder.UseSetting("Webhooks:AllowPrivateTargets", "true");
        builder.UseSetting("Webhooks:PollInterval", "00:00:00.200");
        builder.UseSetting("Webhooks:RetryDelay", "00:00:00.200");
        builder.UseSetting("Webhooks:MaxRetryDelay", "00:00:00.500");
        // Tests train intent classifiers themselves (IntentTraining.TrainChangedAsync), when their intents are in place.
        builder.UseSetting("Assistant:TrainingInterval", "1.00:00:00");
        // Tests hand over stalled assistant conversations themselves (AssistantTimeouts.HandOverStalledAsync), at the time they choose.
        builder.UseSetting("Assistant:TimeoutCheckInterval", "1.00:00:00");
        // Tests apply retention themselves (RetentionJob.RunAsync), once they have aged their data with the clock.
        builder.UseSetting("Retention:Interval", "1.00:00:00");
        // Tests check agents' workload themselves (OverloadWatch.CheckAllAsync), once the clock has moved on.
        builder.UseSetting("Workforce:OverloadCheckInterval", "1.00:00:00");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_configureServices is not null)
        {
            builder.ConfigureServices(_configureServices);
        }
    }

    public string AttachmentsPath => Path.Combine(_directory, "attachments");

    /// <summary>Starts the server on Kestrel at a free loopback port, for what an in-memory server cannot show (real sockets, client addresses).</summary>
    public Uri StartOnKestrel()
    {
        UseKestrel(0);
        StartServer();
        return new Uri(Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
    }

    /// <summary>Where the database file is when the factory runs on SQLite.</summary>
    public string SqliteDatabasePath => Path.Combine(_directory, "porchlight.db");

    /// <summary>Creates a workspace with an Owner and returns an API token of that Owner with all scopes.</summary>
    public async Task<TestWorkspace> CreateWorkspaceAsync(string name = "Acme", string? ownerEmail = null)
    {
        ownerEmail ??= $"owner-{Guid.NewGuid():N}@example.com";
        await using var scope = Services.CreateAsyncScope();
        var owner = await scope.ServiceProvider.GetRequiredService<CreateWorkspaceWithOwner>().HandleAsync(
            new CreateWorkspaceWithOwnerRequest(name, TestWorkspace.TimeZone, "Olivia Owner", ownerEmail, TestWorkspace.Password), null, CancellationToken.None);
        Assert.True(owner.Succeeded, owner.Failure?.Detail);
        var token = await CreateTokenAsync(owner.Value!, ["read", "write", "admin"]);
        return new TestWorkspace(owner.Value!.WorkspaceId, owner.Value.Id, ownerEmail, token);
    }

    /// <summary>Adds an agent with a role to an existing workspace and returns a token of theirs.</summary>
    public async Task<(Guid AgentId, string Email, string Token)> AddAgentAsync(Guid workspaceId, AgentRole role, string[]? scopes = null)
    {
        var email = $"{role.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Agent>>();
        var agent = Agent.Create(workspaceId, email, $"{role} Person", role, DateTime.UtcNow);
        scope.ServiceProvider.GetRequiredService<ActingAgent>().Enter(agent, null);
        var created = await users.CreateAsync(agent, TestWorkspace.Password);
        Assert.True(created.Succeeded, string.Join(", ", created.Errors.Select(e => e.Description)));
        return (agent.Id, email, await CreateTokenAsync(agent, scopes ?? ["read", "write", "admin"]));
    }

    public HttpClient CreateApiClient(string token)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<string> CreateTokenAsync(Agent agent, string[] scopes)
    {
        await using var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ActingAgent>().Enter(agent, null);
        var token = await scope.ServiceProvider.GetRequiredService<CreateApiToken>()
            .HandleAsync(new CreateApiTokenRequest("tests", scopes), CancellationToken.None);
        Assert.True(token.Succeeded, token.Failure?.Detail);
        return token.Value!.Token!;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}

public sealed record TestWorkspace(Guid WorkspaceId, Guid OwnerId, string OwnerEmail, string OwnerToken)
{
    public const string Password = "correct horse battery";

    /// <summary>The time zone test workspaces are created in: an hour or two ahead of UTC, so late evenings are the next day there.</summary>
    public const string TimeZone = "Europe/Berlin";

    /// <summary>Today in a test workspace's zone, by <paramref name="clock"/> (late on a Sunday in UTC it is already another week there).</summary>
    public static DateOnly Today(TimeProvider clock) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeBySystemTimeZoneId(clock.GetUtcNow(), TimeZone).DateTime);
}
