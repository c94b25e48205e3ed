using System.Net;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.ApiTokens;
using Porchlight.Server.Features.DashboardApps;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Tests.Api;

/// <summary>
/// The role matrix as documented in docs/security.md, checked against the server: the table itself, and every operation
/// of the published API called by every role and with every too-narrow token scope. Authorization does not depend on the
/// database, so this runs on SQLite only.
/// </summary>
public sealed class RoleMatrixTests(SqliteApiFixture fixture) : ApiWalkTestBase(fixture.Factory), IClassFixture<SqliteApiFixture>
{
    /// <summary>The answer of the one place that refuses by role and scope, as opposed to a rule about a record.</summary>
    private const string RoleRefusal = "Your role or this token's scopes do not allow this operation.";

    private static readonly AgentRole[] Roles = [AgentRole.Agent, AgentRole.Supervisor, AgentRole.Admin, AgentRole.Owner];

    private const int WritesPerWorkspace = (DashboardApp.MaxPerWorkspace - 1) / 3;

    private static readonly string[] AllScopes = ["read", "write", "admin"];

    [Fact]
    public void DocumentedMatrix_ComparedWithTheServersRoles_Agrees()
    {
        var matrix = DocumentedMatrix.Read();

        Assert.Equal(Enum.GetValues<Permission>().Order(), matrix.Rows.Keys.Order());
        foreach (var (permission, row) in matrix.Rows)
        {
            Assert.Equal(TokenScopeNames.Format(RolePermissions.RequiredScope(permission))[0], row.Scope);
            foreach (var role in Enum.GetValues<AgentRole>())
            {
                Assert.True(RolePermissions.Allows(role, permission) == row.Roles.Contains(role),
                    $"docs/security.md says {role} {(row.Roles.Contains(role) ? "holds" : "lacks")} {permission}; the server disagrees.");
            }
        }
    }

    [Fact]
    public async Task EveryOperation_InTheDocument_StatesADocumentedPermission()
    {
        var matrix = DocumentedMatrix.Read();
        var operations = await OperationsAsync();

        Assert.All(operations, operation =>
        {
            Assert.True(Enum.TryParse<Permission>(operation.Permission, out var permission), $"{operation} states no permission ('{operation.Permission}').");
            Assert.Equal(matrix.Rows[permission].Scope, operation.Scope);
        });
    }

    [Fact]
    public async Task EveryOperation_EveryRole_AnswersAsThisMatrixSays()
    {
        var matrix = DocumentedMatrix.Read();
        var operations = await OperationsAsync();
        var (workspace, owner) = await NewWorkspaceAsync(Unique("Roles"));
        var people = await PeopleAsync(workspace.WorkspaceId, owner);
        var resources = await CreateResourcesAsync(workspace, owner, "R");
        var before = await SnapshotAsync(operations, owner, resources);

        // Refusals first, all on one set of records: none of them may change a thing.
        var refused = 0;
        foreach (var operation in operations)
        {
            foreach (var role in Roles.Where(role => !matrix.Allows(role, operation)))
            {
                await AssertRefusedAsync(people[role], operation, resources, $"{role}");
                refused++;
            }
        }

        Assert.Equal(before, await SnapshotAsync(operations, owner, resources));

        // Then the roles that hold the permission, least powerful first, each write on a fresh set of records (a role
        // after one that deleted a record answers 404, still not a refusal). A fresh workspace now and then keeps the
        // records made here under a workspace's limits: each set has a dashboard app, and adding one adds two more (the
        // Admin's and the Owner's), at most 20 a workspace.
        var permitted = 0;
        var sets = 0;
        var failures = new List<string>();
        foreach (var operation in operations)
        {
            if (operation.Method != "GET" && ++sets % WritesPerWorkspace == 0)
            {
                (workspace, owner) = await NewWorkspaceAsync(Unique("Roles"));
                people = await PeopleAsync(workspace.WorkspaceId, owner);
                resources = await CreateResourcesAsync(workspace, owner, "R");
            }

            var own = operation.Method == "GET" ? resources : await CreateResourcesAsync(workspace, owner, "R");
            var answeredOnTheMerits = 0;
            var answers = new List<string>();
            foreach (var role in Roles.Where(role => matrix.Allows(role, operation)))
            {
                using var response = await SendAsync(people[role], operation, own);
                var body = await response.Content.ReadAsStringAsync(Ct);
                Assert.True(response.StatusCode != HttpStatusCode.Unauthorized && !body.Contains(RoleRefusal, StringComparison.Ordinal),
                    $"{operation} refused {role}, which holds {operation.Permission}: {(int)response.StatusCode} {body}");
                // A conflict is an answer about the records' state (no classifier trained yet), given after the request passed.
                answeredOnTheMerits += response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Conflict ? 1 : 0;
                answers.Add($"{role}: {(int)response.StatusCode} {body}");
                permitted++;
            }

            // The calls were real ones, not requests any role would have had refused as malformed.
            if (answeredOnTheMerits == 0)
            {
                failures.Add($"{operation} succeeded for none of the roles that hold {operation.Permission}: {string.Join("; ", answers)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // Every operation was called by all four roles, one way or the other.
        Assert.Equal(operations.Count * Roles.Length, refused + permitted);
    }

    [Fact]
    public async Task EveryOperation_CustomRoles_AnswerAsTheirPermissionsSay()
    {
        var operations = await OperationsAsync();
        var (workspace, owner) = await NewWorkspaceAsync(Unique("Custom"));
        var resources = await CreateResourcesAsync(workspace, owner, "C");
        // Two custom roles sharing out every permission beyond what everyone holds, alternately, each held by a Supervisor:
        // whatever the built-in role would allow, only the custom role counts.
        var grantable = Enum.GetValues<Permission>().Where(p => !RolePermissions.Baseline.Contains(p)).ToList();
        var holders = new List<(string Role, HashSet<Permission> Grants, HttpClient Client)>();
        foreach (var half in new[] { 0, 1 })
        {
            var grants = grantable.Where((_, index) => index % 2 == half).ToHashSet();
            var name = Unique($"Half {half}");
            var role = await owner.PostJsonAsync("/api/v1/roles", new { name, permissions = grants.Select(p => p.ToString()).ToArray() })
                .ExpectAsync(HttpStatusCode.Created);
            var (agentId, _, client) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor, AllScopes);
            await owner.PatchJsonAsync($"/api/v1/agents/{agentId}", new { customRoleId = role.IdOf() }).ExpectAsync(HttpStatusCode.OK);
            await RecordFirstUseAsync(client);
            holders.Add((name, [.. grants, .. RolePermissions.Baseline], client));
        }

        bool Holds(HashSet<Permission> grants, Operation operation) => grants.Contains(Enum.Parse<Permission>(operation.Permission));

        var before = await SnapshotAsync(operations, owner, resources);
        var refused = 0;
        foreach (var operation in operations)
        {
            foreach (var (role, _, client) in holders.Where(h => !Holds(h.Grants, operation)))
            {
                await AssertRefusedAsync(client, operation, resources, $"the custom role {role}");
                refused++;
            }
        }

        Assert.Equal(before, await SnapshotAsync(operations, owner, resources));

        var permitted = 0;
        foreach (var operation in operations)
        {
            foreach (var (role, _, client) in holders.Where(h => Holds(h.Grants, operation)))
            {
                using var response = await SendAsync(client, operation, resources);
                var body = await response.Content.ReadAsStringAsync(Ct);
                Assert.True(response.StatusCode != HttpStatusCode.Unauthorized && !body.Contains(RoleRefusal, StringComparison.Ordinal),
                    $"{operation} refused the custom role {role}, which grants {operation.Permission}: {(int)response.StatusCode} {body}");
                permitted++;
            }
        }

        Assert.Equal(operations.Count * holders.Count, refused + permitted);
        Assert.True(refused > 0 && permitted > operations.Count, $"{refused} refused, {permitted} permitted");
    }

    [Fact]
    public async Task EveryOperation_TokenWithoutItsScope_Returns403AndChangesNothing()
    {
        var operations = await OperationsAsync();
        var (workspace, owner) = await NewWorkspaceAsync(Unique("Scopes"));
        var resources = await CreateResourcesAsync(workspace, owner, "S");
        var narrow = new Dictionary<string, HttpClient>();
        foreach (var scope in AllScopes)
        {
            var token = await owner.PostJsonAsync("/api/v1/tokens", new { name = Unique(scope), scopes = AllScopes.Where(s => s != scope).ToArray() })
                .ExpectAsync(HttpStatusCode.Created);
            narrow[scope] = Factory.CreateApiClient(token.Text("token")!);
            await RecordFirstUseAsync(narrow[scope]);
        }

        var before = await SnapshotAsync(operations, owner, resources);
        foreach (var operation in operations)
        {
            await AssertRefusedAsync(narrow[operation.Scope], operation, resources, $"a token without '{operation.Scope}'");
        }

        Assert.Equal(before, await SnapshotAsync(operations, owner, resources));
    }

    private static async Task AssertRefusedAsync(HttpClient client, Operation operation, ResourceSet resources, string who)
    {
        using var response = await SendAsync(client, operation, resources);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden && body.Contains(RoleRefusal, StringComparison.Ordinal),
            $"{operation} needs {operation.Permission} (scope {operation.Scope}) but {who} got {(int)response.StatusCode}: {body}");
        Assert.Equal(ApiCalls.ProblemContentType, response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>One person of each role in the workspace, each with a token of every scope; the Owner is the workspace's own.</summary>
    private async Task<Dictionary<AgentRole, HttpClient>> PeopleAsync(Guid workspaceId, HttpClient owner)
    {
        var people = new Dictionary<AgentRole, HttpClient> { [AgentRole.Owner] = owner };
        foreach (var role in Roles.Where(role => role != AgentRole.Owner))
        {
            people[role] = (await NewAgentAsync(workspaceId, role, AllScopes)).Client;
            await RecordFirstUseAsync(people[role]);
        }

        return people;
    }

    /// <summary>
    /// A token's first use is recorded in the audit trail, refused or not: made before a snapshot, so that what the
    /// snapshot is compared with is the calls' effect alone.
    /// </summary>
    private static async Task RecordFirstUseAsync(HttpClient client) => (await client.GetAsync("/api/v1/me", Ct)).Dispose();

    /// <summary>The role table of docs/security.md.</summary>
    private sealed record DocumentedMatrix(IReadOnlyDictionary<Permission, (string Scope, HashSet<AgentRole> Roles)> Rows)
    {
        public bool Allows(AgentRole role, Operation operation) => Rows[Enum.Parse<Permission>(operation.Permission)].Roles.Contains(role);

        public static DocumentedMatrix Read()
        {
            var lines = File.ReadAllLines(RepositoryFile("docs", "security.md"));
            var section = lines.SkipWhile(l => l != "## Roles and permissions").Skip(1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)).ToList();
            var header = Cells(section.First(l => l.StartsWith("| permission", StringComparison.Ordinal)));
            var rows = new Dictionary<Permission, (string, HashSet<AgentRole>)>();
            foreach (var line in section.Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
            {
                var cells = Cells(line);
                var permission = Enum.Parse<Permission>(cells[0].Trim('`'));
                var roles = Enum.GetValues<AgentRole>().Where(role => cells[Array.IndexOf(header, role.ToString())] == "✓").ToHashSet();
                Assert.True(rows.TryAdd(permission, (cells[header.ToList().IndexOf("token scope")], roles)), $"{permission} is listed twice.");
            }

            return new DocumentedMatrix(rows);
        }

        private static string[] Cells(string line) => [.. line.Trim().Trim('|').Split('|').Select(cell => cell.Trim())];

        private static string RepositoryFile(params string[] parts)
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Porchlight.slnx")))
            {
                directory = directory.Parent;
            }

            Assert.NotNull(directory);
            return Path.Combine([directory.FullName, .. parts]);
        }
    }
}
