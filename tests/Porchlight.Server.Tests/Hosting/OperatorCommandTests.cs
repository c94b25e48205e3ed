using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Hosting;

/// <summary>The command line as operators and provisioning scripts use it: a real process on a real database file.</summary>
public sealed class OperatorCommandTests : IDisposable
{
    private const string Password = "operator passphrase";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "porchlight-cli-" + Guid.NewGuid().ToString("N")[..8]);

    public OperatorCommandTests() => Directory.CreateDirectory(_directory);

    private string DatabasePath => Path.Combine(_directory, "p.db");

    private string ConnectionString => $"Data Source={DatabasePath}";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Cli_Help_PrintsUsageAndExits0()
    {
        var result = await PorchlightProcess.RunAsync(_directory, null, "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Usage:", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("create-owner", result.StandardOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(DatabasePath));
    }

    [Fact]
    public async Task Cli_UnknownCommand_Exits2WithUsageHint()
    {
        var result = await PorchlightProcess.RunAsync(_directory, null, "frobnicate", Db());

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("frobnicate", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("--help", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_UnknownOption_Exits2()
    {
        var result = await PorchlightProcess.RunAsync(_directory, null, "create-owner", "--emial", "x@example.com", Db());

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--emial", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_Migrate_CreatesTheSchemaAndExits0()
    {
        var result = await PorchlightProcess.RunAsync(_directory, null, "migrate", Db());

        Assert.True(result.ExitCode == 0, result.ToString());
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM __EFMigrationsHistory";
        Assert.True((long)(await command.ExecuteScalarAsync(Ct))! > 0);
        command.CommandText = "SELECT COUNT(*) FROM Agents";
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync(Ct))!);
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Cli_CreateOwnerTwiceWithSameEmail_SecondExits1()
    {
        StartOnMigratedDatabase();
        var first = await PorchlightProcess.RunAsync(_directory, null, "create-owner", "--email", "ops@example.com", "--password", Password, "--workspace", "Ops", Db());
        var second = await PorchlightProcess.RunAsync(_directory, null, "create-owner", "--email", "ops@example.com", "--password", Password, Db());

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("ops@example.com", first.StandardOutput, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 1, second.ToString());
        Assert.Contains("already exists", second.StandardError, StringComparison.Ordinal);
        await using var factory = FactoryOnSameDatabase();
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var owner = await db.Agents.IgnoreQueryFilters().SingleAsync(Ct);
        Assert.Equal(AgentRole.Owner, owner.Role);
        Assert.Equal("Ops", (await db.Workspaces.IgnoreQueryFilters().SingleAsync(Ct)).Name);
    }

    [Fact]
    public async Task Cli_CreateOwnerWithoutPassword_Exits2()
    {
        var result = await PorchlightProcess.RunAsync(_directory, null, "create-owner", "--email", "ops@example.com", Db());

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--password", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_CreateOwnerPasswordFromStdin_OwnerSignsInWithIt()
    {
        StartOnMigratedDatabase();
        var result = await PorchlightProcess.RunAsync(_directory, "a passphrase from stdin\n", "create-owner", "--email", "ops@example.com", "--password-stdin", Db());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("a passphrase from stdin", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
        await using var factory = FactoryOnSameDatabase();
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Agent>>();
        var owner = await users.FindByEmailAsync("ops@example.com");
        Assert.NotNull(owner);
        Assert.True(await users.CheckPasswordAsync(owner, "a passphrase from stdin"));
    }

    [Fact]
    public async Task Cli_CreateToken_PrintsOnlyATokenThatAuthenticatesTheApi()
    {
        StartOnMigratedDatabase();
        var owner = await PorchlightProcess.RunAsync(_directory, null, "create-owner", "--email", "ops@example.com", "--password", Password, Db());
        Assert.True(owner.ExitCode == 0, owner.ToString());

        var result = await PorchlightProcess.RunAsync(_directory, null, "create-token", "--email", "ops@example.com", "--name", "ci", "--scopes", "read", Db());

        Assert.True(result.ExitCode == 0, result.ToString());
        var token = result.StandardOutput.TrimEnd('\r', '\n');
        Assert.Matches("^plt_[A-Za-z0-9_-]+$", token);
        await using var factory = FactoryOnSameDatabase();
        using var api = factory.CreateApiClient(token);
        var me = await api.GetAsync("/api/v1/me", Ct);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal("ops@example.com", (await me.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("email").GetString());
        // Read scope only: the token cannot change settings.
        var write = await api.PostAsJsonAsync("/api/v1/inboxes", new { name = "Nope", channel = "Api" }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
    }

    [Fact]
    public async Task Cli_AuditVerify_IntactTrailThenAnEntryChanged_Exits0ThenNamesTheEntryAndExits1()
    {
        StartOnMigratedDatabase();
        var owner = await PorchlightProcess.RunAsync(_directory, null, "create-owner", "--email", "ops@example.com", "--password", Password, "--workspace", "Ops", Db());
        Assert.True(owner.ExitCode == 0, owner.ToString());

        var intact = await PorchlightProcess.RunAsync(_directory, null, "audit", "verify", Db());

        Assert.True(intact.ExitCode == 0, intact.ToString());
        Assert.Matches(@"^Ops \([0-9a-f-]{36}\): intact, [1-9][0-9]* entries, head [0-9]+ [0-9a-f]{64}, 0 not sealed yet", intact.StandardOutput);
        await using (var connection = new SqliteConnection(ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE AuditEntries SET Action = 'nothing.happened' WHERE Sequence = 1";
            Assert.Equal(1, await command.ExecuteNonQueryAsync(Ct));
        }

        SqliteConnection.ClearAllPools();

        var broken = await PorchlightProcess.RunAsync(_directory, null, "audit", "verify", Db());

        Assert.True(broken.ExitCode == 1, broken.ToString());
        Assert.Contains("BROKEN at entry 1", broken.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("changed after it was sealed", broken.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_AuditVerify_OldestEntryRemovedByRetention_IntactFromTheAnchorUntilTheNextOneGoesToo()
    {
        StartOnMigratedDatabase();
        var owner = await PorchlightProcess.RunAsync(_directory, null, "create-owner", "--email", "ops@example.com", "--password", Password, "--workspace", "Ops", Db());
        Assert.True(owner.ExitCode == 0, owner.ToString());
        // A second entry, so that one remains after the first is removed.
        var token = await PorchlightProcess.RunAsync(_directory, null, "create-token", "--email", "ops@example.com", "--name", "ci", "--scopes", "read", Db());
        Assert.True(token.ExitCode == 0, token.ToString());
        var before = await PorchlightProcess.RunAsync(_directory, null, "audit", "verify", Db());
        Assert.True(before.ExitCode == 0, before.ToString());
        var firstHash = System.Text.RegularExpressions.Regex.Match(await ScalarAsync("SELECT Hash FROM AuditEntries WHERE Sequence = 1"), "^[0-9a-f]{64}$").Value;
        Assert.NotEmpty(firstHash);
        // What retention does, by hand: the oldest entry goes, and its place and hash become the chain's anchor.
        await ScalarAsync(
            "INSERT INTO AuditChainAnchors (WorkspaceId, Sequence, Hash, EntryAt, RemovedEntries, MovedAt) "
            + "SELECT WorkspaceId, Sequence, Hash, At, 1, At FROM AuditEntries WHERE Sequence = 1; DELETE FROM AuditEntries WHERE Sequence = 1");

        var anchored = await PorchlightProcess.RunAsync(_directory, null, "audit", "verify", Db());

        Assert.True(anchored.ExitCode == 0, anchored.ToString());
        Assert.Matches(@"^Ops \([0-9a-f-]{36}\): intact, [1-9][0-9]* entries, head [0-9]+ [0-9a-f]{64}, anchor 1 " + firstHash + @" \(1 removed by retention\), 0 not sealed yet", anchored.StandardOutput);

        await ScalarAsync("DELETE FROM AuditEntries WHERE Sequence = 2");
        var broken = await PorchlightProcess.RunAsync(_directory, null, "audit", "verify", Db());

        Assert.True(broken.ExitCode == 1, broken.ToString());
        Assert.Contains("BROKEN at entry 2", broken.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("missing", broken.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("anchor 1 " + firstHash, broken.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_CreateTokenForUnknownEmail_Exits1()
    {
        StartOnMigratedDatabase();
        var result = await PorchlightProcess.RunAsync(_directory, null, "create-token", "--email", "ghost@example.com", "--name", "ci", "--scopes", "read", Db());

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task Cli_SeedDemo_SecondRunExits1()
    {
        StartOnMigratedDatabase();
        var first = await PorchlightProcess.RunAsync(_directory, null, "seed-demo", Db());
        var second = await PorchlightProcess.RunAsync(_directory, null, "seed-demo", Db());

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("owner@demo.porchlight.test", first.StandardOutput, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 1, second.ToString());
        Assert.Contains("already exists", second.StandardError, StringComparison.Ordinal);
        await using var factory = FactoryOnSameDatabase();
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        Assert.Equal(1, await db.Workspaces.IgnoreQueryFilters().CountAsync(Ct));
        Assert.Equal(6, await db.Agents.IgnoreQueryFilters().CountAsync(Ct));
        Assert.Equal(2, await db.Inboxes.IgnoreQueryFilters().CountAsync(Ct));
        // Believable conversations: answered, waiting, resolved, with notes, spread over the past days.
        var all = await db.Conversations.IgnoreQueryFilters().ToListAsync(Ct);
        var conversations = all.Where(c => c.Number <= 10).ToList();
        Assert.Equal(10, conversations.Count);
        // Two months of resolved conversations behind them, with the facts the reports add up.
        var past = all.Where(c => c.Number > 10).ToList();
        Assert.Equal(Porchlight.Server.Features.Reports.DemoReportHistory.Conversations, past.Count);
        Assert.All(past, c => Assert.Equal(ConversationStatus.Resolved, c.Status));
        Assert.All(past, c => Assert.InRange(c.CreatedAt, DateTime.UtcNow.AddDays(-Porchlight.Server.Features.Reports.DemoReportHistory.Days - 2), DateTime.UtcNow));
        var pastIds = past.Select(c => c.Id).Take(50).ToList();
        Assert.Equal(50, await db.ReportFacts.IgnoreQueryFilters().Where(f => pastIds.Contains(f.ConversationId) && f.Metric == Porchlight.Server.Features.Reports.ReportMetric.Conversations).CountAsync(Ct));
        Assert.Contains(conversations, c => c.Status == ConversationStatus.Resolved);
        Assert.Contains(conversations, c => c.Status == ConversationStatus.Open && c.AssigneeId is null);
        Assert.Contains(conversations, c => c.Priority == ConversationPriority.Urgent);
        Assert.True(conversations.Select(c => c.LastActivityAt.Date).Distinct().Count() > 1, "Conversations should span several days.");
        Assert.All(conversations, c => Assert.True(c.LastActivityAt < DateTime.UtcNow.AddMinutes(-30), $"#{c.Number} was not backdated."));
        Assert.True(await db.Messages.IgnoreQueryFilters().CountAsync(m => m.Kind == MessageKind.Note, Ct) >= 3);
        Assert.Equal(10, await db.Contacts.IgnoreQueryFilters().CountAsync(c => c.Email != null, Ct)); // the past's visitors left no address
        // A knowledge base to search and a help center to read, with a translation.
        Assert.Equal(13, await db.Articles.IgnoreQueryFilters().CountAsync(a => a.Status == Porchlight.Server.Features.KnowledgeBase.ArticleStatus.Published, Ct));
        Assert.Equal(2, await db.Articles.IgnoreQueryFilters().Select(a => a.Locale).Distinct().CountAsync(Ct));
        Assert.True(await db.HelpCenters.IgnoreQueryFilters().AnyAsync(h => h.IsPublished, Ct));
        Assert.Equal(10, await db.Intents.IgnoreQueryFilters().CountAsync(Ct));
    }

    [Fact]
    public async Task Cli_BadProviderSetting_Exits3NamingTheSetting()
    {
        var result = await PorchlightProcess.RunAsync(_directory, null, "migrate", Db(), "--Database:Provider=Oracle");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("Database:Provider", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("Oracle", result.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(DatabasePath));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private string Db() => $"--Database:ConnectionString={ConnectionString}";

    /// <summary>
    /// Starts the test on a database with the whole schema, as an operator's database is when they run the other
    /// commands: migrating a fresh file in every test's processes was most of this class's time.
    /// <see cref="Cli_Migrate_CreatesTheSchemaAndExits0"/> starts from nothing.
    /// </summary>
    private void StartOnMigratedDatabase() => MigratedTemplates.CopySqliteTo(DatabasePath);

    private PorchlightFactory FactoryOnSameDatabase() =>
        new(settings: new Dictionary<string, string?> { ["Database:ConnectionString"] = ConnectionString });

    /// <summary>Runs SQL on the database file behind Porchlight's back; answers the first value, as text.</summary>
    private async Task<string> ScalarAsync(string sql)
    {
        string value;
        await using (var connection = new SqliteConnection(ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            value = (await command.ExecuteScalarAsync(Ct))?.ToString() ?? "";
        }

        SqliteConnection.ClearAllPools();
        return value;
    }
}
