using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Hosting;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.DashboardApps;

/// <summary>
/// Dashboard apps: pages of other systems shown beside each conversation. Admins add, change, order and delete them
/// (each change in the audit trail); every agent reads them; bad addresses are refused with nothing saved; another
/// workspace's apps are not found.
/// </summary>
public abstract class DashboardAppsApiTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task DashboardApps_AdminAddsChangesAndDeletes_ListedInOrderAndEveryChangeAudited()
    {
        var (_, owner) = await NewWorkspaceAsync();

        var crm = await owner.PostJsonAsync("/api/v1/dashboard-apps", new { name = " CRM ", url = "https://crm.example.com/porchlight?view=side" })
            .ExpectAsync(HttpStatusCode.Created);
        var orders = await owner.PostJsonAsync("/api/v1/dashboard-apps", new { name = "Orders", url = "http://127.0.0.1:8123/orders" })
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(("CRM", "https://crm.example.com/porchlight?view=side", "https://crm.example.com", 0),
            (crm.Text("name"), crm.Text("url"), crm.Text("origin"), crm.GetProperty("position").GetInt32()));
        Assert.Equal(("http://127.0.0.1:8123", 1), (orders.Text("origin"), orders.GetProperty("position").GetInt32()));
        Assert.Equal(["CRM", "Orders"], await NamesAsync(owner));

        // Moved first, renamed, to another address; a change that leaves the position out keeps it.
        var changed = await owner.PutJsonAsync($"/api/v1/dashboard-apps/{orders.IdOf()}", new { name = "Shop orders", url = "https://shop.example.com:8443/admin", position = 0 })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(("Shop orders", "https://shop.example.com:8443", 0), (changed.Text("name"), changed.Text("origin"), changed.GetProperty("position").GetInt32()));
        await owner.PutJsonAsync($"/api/v1/dashboard-apps/{crm.IdOf()}", new { name = "CRM", url = "https://crm.example.com/", position = 5 }).ExpectAsync(HttpStatusCode.OK);
        var kept = await owner.PutJsonAsync($"/api/v1/dashboard-apps/{crm.IdOf()}", new { name = "CRM", url = "https://crm.example.com/v2" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(5, kept.GetProperty("position").GetInt32());
        Assert.Equal(["Shop orders", "CRM"], await NamesAsync(owner));

        await owner.DeleteAsync($"/api/v1/dashboard-apps/{crm.IdOf()}", Ct).ExpectAsync(HttpStatusCode.NoContent);
        await owner.DeleteAsync($"/api/v1/dashboard-apps/{crm.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await owner.PutJsonAsync($"/api/v1/dashboard-apps/{crm.IdOf()}", new { name = "CRM", url = "https://crm.example.com/" }).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(["Shop orders"], await NamesAsync(owner));

        var created = Assert.Single(await owner.ListAllAsync("/api/v1/audit?action=dashboard_app.created"), e => e.Text("entityId") == crm.IdOf().ToString());
        Assert.Equal("https://crm.example.com/porchlight?view=side", created.GetProperty("changes").GetProperty("Url").Text("after"));
        var renamed = Assert.Single(await owner.ListAllAsync("/api/v1/audit?action=dashboard_app.updated"), e => e.GetProperty("changes").TryGetProperty("Name", out _));
        Assert.Equal(("Orders", "Shop orders"), (renamed.GetProperty("changes").GetProperty("Name").Text("before"), renamed.GetProperty("changes").GetProperty("Name").Text("after")));
        var deleted = Assert.Single(await owner.ListAllAsync("/api/v1/audit?action=dashboard_app.deleted"));
        Assert.Equal(("CRM", "https://crm.example.com/v2"), (deleted.GetProperty("changes").GetProperty("Name").Text("before"), deleted.GetProperty("changes").GetProperty("Url").Text("before")));
    }

    [Fact]
    public async Task DashboardApps_BadNameOrAddress_FieldErrorsAndNothingSaved()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var porchlight = Factory.Services.GetRequiredService<PublicUrls>().Base;
        var app = await owner.PostJsonAsync("/api/v1/dashboard-apps", new { name = "CRM", url = "https://crm.example.com/" }).ExpectAsync(HttpStatusCode.Created);
        var auditBefore = (await owner.ListAllAsync("/api/v1/audit")).Count;

        await ExpectRefusedAsync(owner, new { name = "", url = "https://crm.example.com/" }, "name");
        await ExpectRefusedAsync(owner, new { name = new string('n', 61), url = "https://crm.example.com/" }, "name");
        await ExpectRefusedAsync(owner, new { url = "https://crm.example.com/" }, "name");
        await ExpectRefusedAsync(owner, new { name = "CRM" }, "url");
        await ExpectRefusedAsync(owner, new { name = "CRM", url = "/relative/page" }, "url");
        await ExpectRefusedAsync(owner, new { name = "CRM", url = "ftp://crm.example.com/" }, "url");
        await ExpectRefusedAsync(owner, new { name = "CRM", url = "javascript:alert(1)" }, "url");
        await ExpectRefusedAsync(owner, new { name = "CRM", url = "http://crm.example.com/" }, "url");
        await ExpectRefusedAsync(owner, new { name = "CRM", url = "https://user:secret@crm.example.com/" }, "url");
        await ExpectRefusedAsync(owner, new { name = "CRM", url = "https://crm.example.com/" + new string('a', 2000) }, "url");
        await ExpectRefusedAsync(owner, new { name = "CRM", url = "https://crm.example.com/", position = -1 }, "position");
        // Porchlight's own origin: a framed page there could act as the agent.
        var own = await ExpectRefusedAsync(owner, new { name = "Inbox", url = porchlight + "/inbox" }, "url");
        Assert.Contains("another origin", own.GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
        var both = await owner.PutJsonAsync($"/api/v1/dashboard-apps/{app.IdOf()}", new { name = " ", url = "http://crm.example.com/" }).ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["name", "url"], both.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));

        ApiCalls.AssertSameResource(app, Assert.Single((await owner.GetJsonAsync("/api/v1/dashboard-apps")).EnumerateArray()));
        Assert.Equal(auditBefore, (await owner.ListAllAsync("/api/v1/audit")).Count);

        // At most 20 apps in a workspace.
        for (var i = 1; i < 20; i++)
        {
            await owner.PostJsonAsync("/api/v1/dashboard-apps", new { name = $"App {i}", url = $"https://app{i}.example.com/" }).ExpectAsync(HttpStatusCode.Created);
        }

        await owner.PostJsonAsync("/api/v1/dashboard-apps", new { name = "One too many", url = "https://more.example.com/" }).ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(20, (await owner.GetJsonAsync("/api/v1/dashboard-apps")).GetArrayLength());
    }

    [Fact]
    public async Task DashboardApps_AgentWithoutWorkspaceSettings_ReadsThemButWritesAnswer403()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var app = await owner.PostJsonAsync("/api/v1/dashboard-apps", new { name = "CRM", url = "https://crm.example.com/" }).ExpectAsync(HttpStatusCode.Created);
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (_, _, supervisor) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);

        ApiCalls.AssertSameResource(app, Assert.Single((await agent.GetJsonAsync("/api/v1/dashboard-apps")).EnumerateArray()));
        foreach (var client in new[] { agent, supervisor })
        {
            await client.PostJsonAsync("/api/v1/dashboard-apps", new { name = "Mine", url = "https://mine.example.com/" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
            await client.PutJsonAsync($"/api/v1/dashboard-apps/{app.IdOf()}", new { name = "Hijacked", url = "https://evil.example.com/" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
            await client.DeleteAsync($"/api/v1/dashboard-apps/{app.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        }

        ApiCalls.AssertSameResource(app, Assert.Single((await owner.GetJsonAsync("/api/v1/dashboard-apps")).EnumerateArray()));
    }

    [Fact]
    public async Task DashboardApps_AnotherWorkspacesIds_AnswerNotFoundAndChangeNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var app = await owner.PostJsonAsync("/api/v1/dashboard-apps", new { name = "CRM", url = "https://crm.example.com/" }).ExpectAsync(HttpStatusCode.Created);
        var (_, stranger) = await NewWorkspaceAsync("Globex");

        await stranger.PutJsonAsync($"/api/v1/dashboard-apps/{app.IdOf()}", new { name = "Hijacked", url = "https://evil.example.com/" }).ExpectProblemAsync(HttpStatusCode.NotFound);
        await stranger.DeleteAsync($"/api/v1/dashboard-apps/{app.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await stranger.DeleteAsync($"/api/v1/dashboard-apps/{Guid.NewGuid()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal(0, (await stranger.GetJsonAsync("/api/v1/dashboard-apps")).GetArrayLength());
        ApiCalls.AssertSameResource(app, Assert.Single((await owner.GetJsonAsync("/api/v1/dashboard-apps")).EnumerateArray()));
    }

    private static async Task<List<string>> NamesAsync(HttpClient client) =>
        [.. (await client.GetJsonAsync("/api/v1/dashboard-apps")).EnumerateArray().Select(a => a.Text("name")!)];

    // Refused with an error naming the field, and nothing is added.
    private static async Task<JsonElement> ExpectRefusedAsync(HttpClient owner, object body, string field)
    {
        var before = (await owner.GetJsonAsync("/api/v1/dashboard-apps")).ToString();
        var problem = await owner.PostJsonAsync("/api/v1/dashboard-apps", body).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, field);
        Assert.Equal(before, (await owner.GetJsonAsync("/api/v1/dashboard-apps")).ToString());
        return problem;
    }
}

public sealed class DashboardAppsApiSqliteTests(SqliteApiFixture fixture) : DashboardAppsApiTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class DashboardAppsApiPostgresTests(PostgresApiFixture fixture) : DashboardAppsApiTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
