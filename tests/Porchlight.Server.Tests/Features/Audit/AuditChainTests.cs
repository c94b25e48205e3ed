using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Audit;

/// <summary>
/// The audit trail as a hash chain: entries are sealed in order shortly after they are written, the chain checks out,
/// and an entry changed or removed in the database behind Porchlight's back is found and named.
/// </summary>
public abstract class AuditChainTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task AuditChain_ChangesRecorded_AreSealedIntoAnIntactChainInOrder()
    {
        var (_, owner) = await NewWorkspaceAsync(Unique("Chain"));
        var team = await owner.PostJsonAsync("/api/v1/teams", new { name = Unique("Team") }).ExpectAsync(HttpStatusCode.Created);
        await owner.PutJsonAsync($"/api/v1/teams/{team.IdOf()}", new { name = Unique("Renamed") }).ExpectAsync(HttpStatusCode.OK);
        await owner.DeleteAsync($"/api/v1/teams/{team.IdOf()}", Ct).ExpectAsync(HttpStatusCode.NoContent);

        var report = await SealedAsync(owner);
        var entries = (await owner.ListAllAsync("/api/v1/audit")).OrderBy(e => e.GetProperty("sequence").GetInt64()).ToList();

        Assert.True(report.GetProperty("intact").GetBoolean(), report.ToString());
        Assert.Equal(entries.Count, report.GetProperty("sealedEntries").GetInt64());
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Null(entries[0].Text("previousHash"));
        for (var i = 1; i < entries.Count; i++)
        {
            Assert.Equal(entries[i - 1].Text("hash"), entries[i].Text("previousHash"));
        }

        Assert.All(entries, e => Assert.Matches("^[0-9a-f]{64}$", e.Text("hash")));
        Assert.Equal(entries[^1].Text("hash"), report.Text("headHash"));
        // Sealed in the order they were written: the team's life reads in order along the chain.
        var teamActions = entries.Where(e => e.Text("entityId") == team.IdOf().ToString()).Select(e => e.Text("action")).ToList();
        Assert.Equal(["team.created", "team.updated", "team.deleted"], teamActions);
    }

    [Fact]
    public async Task AuditChain_SealedEntryChangedInTheDatabase_VerificationNamesTheEntry()
    {
        var (workspace, owner) = await NewWorkspaceAsync(Unique("Tampered"));
        await owner.PostJsonAsync("/api/v1/teams", new { name = Unique("Team") }).ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync("/api/v1/teams", new { name = Unique("Team") }).ExpectAsync(HttpStatusCode.Created);
        await SealedAsync(owner);
        var victim = (await owner.ListAllAsync("/api/v1/audit")).Single(e => e.GetProperty("sequence").GetInt64() == 2);

        await ExecuteAsync(workspace.WorkspaceId, db => db.AuditEntries.Where(e => e.Id == victim.IdOf())
            .ExecuteUpdateAsync(set => set.SetProperty(e => e.ActorName, "Someone else"), Ct));

        var report = await owner.GetJsonAsync("/api/v1/audit/verification");
        Assert.False(report.GetProperty("intact").GetBoolean(), report.ToString());
        Assert.Equal(2, report.GetProperty("brokenAtSequence").GetInt64());
        Assert.Equal(victim.IdOf(), report.GetProperty("brokenEntryId").GetGuid());
        Assert.Contains("changed", report.Text("problem"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditChain_SealedEntryDeletedFromTheDatabase_VerificationFindsTheGap()
    {
        var (workspace, owner) = await NewWorkspaceAsync(Unique("Gap"));
        await owner.PostJsonAsync("/api/v1/teams", new { name = Unique("Team") }).ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync("/api/v1/teams", new { name = Unique("Team") }).ExpectAsync(HttpStatusCode.Created);
        await SealedAsync(owner);

        await ExecuteAsync(workspace.WorkspaceId, db => db.AuditEntries.Where(e => e.Sequence == 2).ExecuteDeleteAsync(Ct));

        var report = await owner.GetJsonAsync("/api/v1/audit/verification");
        Assert.False(report.GetProperty("intact").GetBoolean(), report.ToString());
        Assert.Equal(2, report.GetProperty("brokenAtSequence").GetInt64());
        Assert.Contains("missing", report.Text("problem"), StringComparison.Ordinal);
        Assert.Equal(1, report.GetProperty("sealedEntries").GetInt64());
    }

    [Fact]
    public async Task AuditExport_JsonAndCsv_CarryEveryEntryInChainOrderAndAreThemselvesRecorded()
    {
        var (_, owner) = await NewWorkspaceAsync(Unique("Export"));
        var teamName = "=HYPERLINK(\"http://evil.example\")";
        await owner.PostJsonAsync("/api/v1/teams", new { name = teamName }).ExpectAsync(HttpStatusCode.Created);
        await SealedAsync(owner);
        var listed = await owner.ListAllAsync("/api/v1/audit");

        var json = await owner.GetAsync("/api/v1/audit/export.json", Ct).ExpectAsync(HttpStatusCode.OK);
        var exported = json.EnumerateArray().ToList();
        Assert.Equal(listed.Select(e => e.IdOf()).Order(), exported.Select(e => e.IdOf()).Order());
        Assert.Equal(exported.Select(e => e.GetProperty("sequence").GetInt64()).Order(), exported.Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Contains(exported, e => e.Text("action") == "team.created" && e.GetProperty("changes").GetProperty("Name").Text("after") == teamName);

        using var csvResponse = await owner.GetAsync("/api/v1/audit/export.csv", Ct);
        Assert.Equal(HttpStatusCode.OK, csvResponse.StatusCode);
        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType?.MediaType);
        var rows = CsvText.Parse(await csvResponse.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(["sequence", "id", "at", "actorAgentId", "actorName", "action", "entityType", "entityId", "ipAddress", "changes", "previousHash", "hash"], rows[0].Fields);
        // The JSON export is recorded before the CSV one is made, so the CSV has one entry more.
        Assert.Equal(exported.Count + 1, rows.Count - 1);
        Assert.Contains(rows, r => r.Fields[5] == "team.created" && r.Fields[9].Contains(JsonEncodedText.Encode(teamName).ToString(), StringComparison.Ordinal));

        var exports = await owner.ListAllAsync("/api/v1/audit?action=audit.exported");
        Assert.Equal(2, exports.Count);
        Assert.Equal(["csv", "json"], exports.Select(e => e.GetProperty("changes").Text("format")));
    }

    [Fact]
    public async Task AuditExport_ToBeforeFrom_Returns400AndRecordsNothing()
    {
        var (_, owner) = await NewWorkspaceAsync(Unique("Export"));

        await owner.GetAsync("/api/v1/audit/export.json?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", Ct).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "to");

        Assert.Empty(await owner.ListAllAsync("/api/v1/audit?action=audit.exported"));
    }

    /// <summary>Waits until every entry of the caller's workspace is sealed, and answers the verification then.</summary>
    private static async Task<JsonElement> SealedAsync(HttpClient owner)
    {
        var report = default(JsonElement);
        await Eventually.WaitUntilAsync(async () =>
        {
            report = await owner.GetJsonAsync("/api/v1/audit/verification");
            return report.GetProperty("unsealedEntries").GetInt32() == 0;
        }, "the workspace's audit entries are sealed");
        return report;
    }

    private async Task ExecuteAsync(Guid workspaceId, Func<AppDbContext, Task<int>> change)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
        Assert.Equal(1, await change(scope.ServiceProvider.GetRequiredService<AppDbContext>()));
    }
}

public sealed class AuditChainSqliteTests(SqliteApiFixture fixture) : AuditChainTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class AuditChainPostgresTests(PostgresApiFixture fixture) : AuditChainTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
