using System.Net;
using System.Text;
using System.Text.Json;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Api;

/// <summary>
/// Bad input gets a 4xx ProblemDetails that says what is wrong, and changes nothing: the workspace's
/// records and its audit trail read the same before and after.
/// </summary>
public abstract class BadInputTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    private static readonly string[] StateLists = ["/api/v1/agents", "/api/v1/teams", "/api/v1/inboxes", "/api/v1/invitations", "/api/v1/tokens", "/api/v1/audit"];

    public static TheoryData<string, string> WriteEndpoints { get; } = new()
    {
        { "POST", "/api/v1/teams" },
        { "POST", "/api/v1/inboxes" },
        { "POST", "/api/v1/invitations" },
        { "POST", "/api/v1/tokens" },
        { "PUT", "/api/v1/workspace" },
        { "PATCH", "/api/v1/me" },
    };

    [Theory]
    [MemberData(nameof(WriteEndpoints))]
    public async Task Write_MalformedJson_Returns400NamingTheProblemAndChangesNothing(string method, string path)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await StateAsync(owner);

        var problem = await owner.SendRawAsync(new HttpMethod(method), path, """{"name": "Support", """).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.False(string.IsNullOrWhiteSpace(problem.Text("detail")));
        Assert.True(problem.TryGetProperty("errors", out _), problem.ToString());
        Assert.Equal(before, await StateAsync(owner));
    }

    [Theory]
    [MemberData(nameof(WriteEndpoints))]
    public async Task Write_UnknownField_Returns400NamingTheFieldAndChangesNothing(string method, string path)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await StateAsync(owner);

        var problem = await owner.SendRawAsync(new HttpMethod(method), path, """{"colour": "red"}""")
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "$.colour");

        Assert.Contains("Unknown field", problem.GetProperty("errors").GetProperty("$.colour")[0].GetString(), StringComparison.Ordinal);
        AssertNoInternals(problem);
        Assert.Equal(before, await StateAsync(owner));
    }

    [Theory]
    [MemberData(nameof(WriteEndpoints))]
    public async Task Write_BodyOver256KiB_Returns413AndChangesNothing(string method, string path)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await StateAsync(owner);
        var huge = JsonSerializer.Serialize(new { name = new string('x', 300 * 1024) });

        var problem = await owner.SendRawAsync(new HttpMethod(method), path, huge).ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        Assert.Contains("256 KiB", problem.Text("detail"), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync(owner));
    }

    [Fact]
    public async Task CreateTeam_BodyJustUnderTheLimit_IsReadAndValidated()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var body = JsonSerializer.Serialize(new { name = "Support", description = new string('x', 200 * 1024) });

        await owner.SendRawAsync(HttpMethod.Post, "/api/v1/teams", body).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "description");
    }

    [Theory]
    [InlineData("""{"name": 5}""", "$.name")]
    [InlineData("""{"name": ["Support"]}""", "$.name")]
    [InlineData("""{"name": "Support", "description": {"text": "x"}}""", "$.description")]
    public async Task CreateTeam_WrongType_Returns400NamingTheFieldAndChangesNothing(string body, string field)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await StateAsync(owner);

        var problem = await owner.SendRawAsync(HttpMethod.Post, "/api/v1/teams", body).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, field);

        AssertNoInternals(problem);
        Assert.Equal(before, await StateAsync(owner));
    }

    [Theory]
    [InlineData("""{"name": "Co", "timeZone": "UTC", "businessHours": "always"}""")]
    [InlineData("""{"name": "Co", "timeZone": "UTC", "businessHours": [{"day": "Monday", "opens": "nine", "closes": "17:00:00"}]}""")]
    [InlineData("""{"name": "Co", "timeZone": 1, "businessHours": []}""")]
    public async Task UpdateWorkspace_WrongType_Returns400AndChangesNothing(string body)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await StateAsync(owner);

        var problem = await owner.SendRawAsync(HttpMethod.Put, "/api/v1/workspace", body).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.TryGetProperty("errors", out _), problem.ToString());
        AssertNoInternals(problem);
        Assert.Equal(before, await StateAsync(owner));
    }

    [Theory]
    [InlineData("""{"email": "new@example.com", "role": "Emperor"}""")]
    [InlineData("""{"email": "new@example.com", "role": 3}""")]
    public async Task InviteAgent_RoleNotAName_Returns400AndChangesNothing(string body)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await StateAsync(owner);

        await owner.SendRawAsync(HttpMethod.Post, "/api/v1/invitations", body).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "$.role");

        Assert.Equal(before, await StateAsync(owner));
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("two@@example.com")]
    [InlineData("")]
    [InlineData("   ")]
    public async Task InviteAgent_InvalidEmail_Returns400AndChangesNothing(string email)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await StateAsync(owner);

        await owner.PostJsonAsync("/api/v1/invitations", new { email, role = "Agent" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "email");

        Assert.Equal(before, await StateAsync(owner));
    }

    [Theory]
    [InlineData("POST", "/api/v1/teams", "name")]
    [InlineData("POST", "/api/v1/inboxes", "name,channel")]
    [InlineData("POST", "/api/v1/invitations", "email,role")]
    [InlineData("POST", "/api/v1/tokens", "name,scopes")]
    [InlineData("PUT", "/api/v1/workspace", "name,timeZone,businessHours")]
    [InlineData("PATCH", "/api/v1/me", "displayName")]
    public async Task Write_MissingRequiredFields_Returns400ListingEveryOneAndChangesNothing(string method, string path, string fields)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await StateAsync(owner);

        var problem = await owner.SendRawAsync(new HttpMethod(method), path, "{}").ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal("One or more fields are invalid.", problem.Text("detail"));
        var errors = problem.GetProperty("errors");
        Assert.All(fields.Split(','), field => Assert.True(errors.TryGetProperty(field, out _), $"No error for '{field}' in {errors}"));
        Assert.Equal(before, await StateAsync(owner));
    }

    [Theory]
    [MemberData(nameof(WriteEndpoints))]
    public async Task Write_NoBody_Returns400AndChangesNothing(string method, string path)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await StateAsync(owner);

        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        await owner.SendAsync(request, Ct).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(before, await StateAsync(owner));
    }

    [Theory]
    [MemberData(nameof(WriteEndpoints))]
    public async Task Write_JsonNull_Returns400AndChangesNothing(string method, string path)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await StateAsync(owner);

        await owner.SendRawAsync(new HttpMethod(method), path, "null").ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(before, await StateAsync(owner));
    }

    [Fact]
    public async Task CreateTeam_NotJsonContentType_Returns415AndChangesNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await StateAsync(owner);

        await owner.SendRawAsync(HttpMethod.Post, "/api/v1/teams", """{"name": "Support"}""", "text/plain").ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType);

        Assert.Equal(before, await StateAsync(owner));
    }

    [Theory]
    [InlineData("POST", "/api/v1/teams", """{"name": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}""", "name")]
    [InlineData("POST", "/api/v1/inboxes", """{"name": "Chat", "channel": "WebWidget", "widget": {"color": "red"}}""", "widget.color")]
    [InlineData("POST", "/api/v1/tokens", """{"name": "Script", "scopes": ["root"]}""", "scopes")]
    public async Task Write_InvalidValue_Returns400NamingTheFieldAndChangesNothing(string method, string path, string body, string field)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await StateAsync(owner);

        await owner.SendRawAsync(new HttpMethod(method), path, body).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, field);

        Assert.Equal(before, await StateAsync(owner));
    }

    [Theory]
    [InlineData("Billing")]
    [InlineData("BILLING")]
    [InlineData("  billing ")]
    public async Task CreateTeam_DuplicateName_Returns409AndChangesNothing(string duplicate)
    {
        var (_, owner) = await NewWorkspaceAsync();
        await owner.PostJsonAsync("/api/v1/teams", new { name = "Billing" }).ExpectAsync(HttpStatusCode.Created);
        var before = await StateAsync(owner);

        var problem = await owner.PostJsonAsync("/api/v1/teams", new { name = duplicate }).ExpectFieldErrorAsync(HttpStatusCode.Conflict, "name");

        Assert.Contains("already exists", problem.Text("detail"), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync(owner));
    }

    [Theory]
    [InlineData("Website chat")]
    [InlineData("WEBSITE CHAT")]
    public async Task CreateInbox_DuplicateName_Returns409AndChangesNothing(string duplicate)
    {
        var (_, owner) = await NewWorkspaceAsync();
        await owner.PostJsonAsync("/api/v1/inboxes", new { name = "Website chat", channel = "WebWidget" }).ExpectAsync(HttpStatusCode.Created);
        var before = await StateAsync(owner);

        var problem = await owner.PostJsonAsync("/api/v1/inboxes", new { name = duplicate, channel = "Api" }).ExpectFieldErrorAsync(HttpStatusCode.Conflict, "name");

        Assert.Contains("already exists", problem.Text("detail"), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync(owner));
    }

    [Theory]
    [InlineData("/api/v1/teams", """{"name": "Rush hour"}""")]
    [InlineData("/api/v1/inboxes", """{"name": "Rush hour", "channel": "Api"}""")]
    public async Task Create_SameNameConcurrently_OneCreatedOthersGet409(string path, string body)
    {
        var (_, owner) = await NewWorkspaceAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await owner.SendRawAsync(HttpMethod.Post, path, body);
            return (Status: response.StatusCode, Body: await response.Content.ReadAsStringAsync(Ct));
        }));

        var statuses = responses.Select(r => r.Status).ToList();
        Assert.True(
            statuses.Count(s => s == HttpStatusCode.Created) == 1 && statuses.Count(s => s == HttpStatusCode.Conflict) == 5,
            string.Join("\n", responses.Select(r => $"{(int)r.Status}: {r.Body}")));
        Assert.Single(await owner.ListAllAsync(path));
    }

    [Fact]
    public async Task UpdateInbox_NameOfAnotherInbox_Returns409AndChangesNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        await owner.PostJsonAsync("/api/v1/inboxes", new { name = "Website chat", channel = "WebWidget" }).ExpectAsync(HttpStatusCode.Created);
        var other = await owner.PostJsonAsync("/api/v1/inboxes", new { name = "Mobile", channel = "Api" }).ExpectAsync(HttpStatusCode.Created);
        var before = await StateAsync(owner);

        await owner.PutJsonAsync($"/api/v1/inboxes/{other.IdOf()}", new { name = "website chat" }).ExpectFieldErrorAsync(HttpStatusCode.Conflict, "name");

        Assert.Equal(before, await StateAsync(owner));
    }

    [Theory]
    [InlineData("/api/v1/teams/not-a-guid")]
    [InlineData("/api/v1/agents/12345")]
    public async Task Get_IdNotAGuid_Returns404Problem(string path)
    {
        var (_, owner) = await NewWorkspaceAsync();

        await owner.GetAsync(path, Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    private static void AssertNoInternals(JsonElement problem)
    {
        var text = problem.ToString();
        Assert.DoesNotContain("Porchlight.Server", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
    }

    /// <summary>Everything the workspace holds and its audit trail, as the owner reads it.</summary>
    private static async Task<string> StateAsync(HttpClient owner)
    {
        var parts = new List<string> { (await owner.GetJsonAsync("/api/v1/workspace")).ToString(), (await owner.GetJsonAsync("/api/v1/me")).ToString() };
        foreach (var list in StateLists)
        {
            parts.Add(JsonSerializer.Serialize(await owner.ListAllAsync(list)));
        }

        return Bookkeeping.Strip(string.Join("\n", parts));
    }
}

public sealed class BadInputSqliteTests(SqliteApiFixture fixture) : BadInputTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class BadInputPostgresTests(PostgresApiFixture fixture) : BadInputTests(fixture.Factory), IClassFixture<PostgresApiFixture>;

/// <summary>
/// A body sent without Content-Length is only measured while it is read, which the in-memory test
/// server does not do; this runs the real server (Kestrel) on a free port. The database plays no part.
/// </summary>
public sealed class ChunkedBodyLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateTeam_ChunkedBodyOver256KiB_Returns413AndChangesNothing()
    {
        await using var kestrel = new PorchlightFactory();
        var address = kestrel.StartOnKestrel();
        var workspace = await kestrel.CreateWorkspaceAsync();
        using var owner = new HttpClient { BaseAddress = address };
        owner.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", workspace.OwnerToken);
        var before = await owner.ListAllAsync("/api/v1/audit");
        var huge = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { name = new string('x', 300 * 1024) }));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/teams") { Content = new StreamContent(new MemoryStream(huge)) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;

        await owner.SendAsync(request, Ct).ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal(before.Count, (await owner.ListAllAsync("/api/v1/audit")).Count);
        Assert.Empty(await owner.ListAllAsync("/api/v1/teams"));
    }
}
