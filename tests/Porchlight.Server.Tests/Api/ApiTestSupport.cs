using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Api;

/// <summary>One server on a fresh SQLite file, shared by the tests of one class (each makes its own workspace).</summary>
public sealed class SqliteApiFixture : IAsyncDisposable
{
    public PorchlightFactory Factory { get; } = new();

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}

/// <summary>One server on a fresh PostgreSQL database, shared by the tests of one class.</summary>
public sealed class PostgresApiFixture(PostgresServer postgres) : IAsyncDisposable
{
    public PorchlightFactory Factory { get; } = new(TestDatabase.Postgres, postgres);

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}

/// <summary>What every API test class needs: the server, a workspace of its own, and clients for its people.</summary>
public abstract class ApiTestBase(PorchlightFactory factory)
{
    protected PorchlightFactory Factory { get; } = factory;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected static string Unique(string prefix) => $"{prefix} {Guid.NewGuid().ToString("N")[..8]}";

    protected async Task<(TestWorkspace Workspace, HttpClient Owner)> NewWorkspaceAsync(string name = "Acme Support")
    {
        var workspace = await Factory.CreateWorkspaceAsync(name);
        return (workspace, Factory.CreateApiClient(workspace.OwnerToken));
    }

    protected async Task<(Guid AgentId, string Email, HttpClient Client)> NewAgentAsync(Guid workspaceId, AgentRole role, string[]? scopes = null)
    {
        var agent = await Factory.AddAgentAsync(workspaceId, role, scopes);
        return (agent.AgentId, agent.Email, Factory.CreateApiClient(agent.Token));
    }

    /// <summary>Waits until the outbox has handled every event of the workspace: what follows a change has happened.</summary>
    protected async Task WaitForOutboxAsync(Guid workspaceId) =>
        await Eventually.WaitUntilAsync(async () =>
        {
            await using var scope = Factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            return !await db.OutboxMessages.AnyAsync(m => m.WorkspaceId == workspaceId && m.ProcessedAt == null && m.FailedAt == null, Ct);
        }, "the outbox has handled the workspace's events");
}

/// <summary>Calls that read a response and assert its status in one step, with the body in the failure message.</summary>
public static partial class ApiCalls
{
    public const string ProblemContentType = "application/problem+json";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<JsonElement> ExpectAsync(this Task<HttpResponseMessage> call, HttpStatusCode status)
    {
        using var response = await call;
        return await ExpectAsync(response, status);
    }

    public static async Task<JsonElement> ExpectAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == status, $"Expected {(int)status} {status} but got {(int)response.StatusCode} {response.StatusCode}: {text}");
        if (text.Length == 0)
        {
            return default;
        }

        // A file (a CSV export) comes back as one string, so callers compare and search it as they do JSON.
        return response.Content.Headers.ContentType?.MediaType is { } type && !type.Contains("json", StringComparison.Ordinal)
            ? JsonSerializer.SerializeToElement(text)
            : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts an RFC 9457 answer with this status and a title a person can read, and returns it.</summary>
    public static async Task<JsonElement> ExpectProblemAsync(this Task<HttpResponseMessage> call, HttpStatusCode status)
    {
        using var response = await call;
        var problem = await ExpectAsync(response, status);
        Assert.Equal(ProblemContentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()), "A problem needs a title.");
        return problem;
    }

    /// <summary>Asserts a problem whose <c>errors</c> name <paramref name="field"/>, with a message.</summary>
    public static async Task<JsonElement> ExpectFieldErrorAsync(this Task<HttpResponseMessage> call, HttpStatusCode status, string field)
    {
        var problem = await call.ExpectProblemAsync(status);
        Assert.True(problem.TryGetProperty("errors", out var errors), $"No errors in {problem}");
        Assert.True(errors.TryGetProperty(field, out var messages), $"No error for '{field}' in {errors}");
        Assert.Contains(messages.EnumerateArray(), m => !string.IsNullOrWhiteSpace(m.GetString()));
        return problem;
    }

    public static Task<JsonElement> GetJsonAsync(this HttpClient client, string path) =>
        client.GetAsync(path, Ct).ExpectAsync(HttpStatusCode.OK);

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object body) =>
        client.PostAsJsonAsync(path, body, Ct);

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string path, object body) =>
        client.PutAsJsonAsync(path, body, Ct);

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string path, object body) =>
        client.PatchAsJsonAsync(path, body, Ct);

    public static Task<HttpResponseMessage> SendRawAsync(this HttpClient client, HttpMethod method, string path, string body, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, contentType) };
        return client.SendAsync(request, Ct);
    }

    /// <summary>Follows <c>nextCursor</c> to the end of a list and returns every item, in order.</summary>
    public static async Task<List<JsonElement>> ListAllAsync(this HttpClient client, string path, int limit = 200)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        for (var pages = 0; pages < 1000; pages++)
        {
            var page = await client.GetJsonAsync($"{path}{separator}limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            items.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("nextCursor").GetString();
            if (cursor is null)
            {
                return items;
            }
        }

        throw new InvalidOperationException($"{path} never ended.");
    }

    /// <summary>
    /// Compares two answers about the same resource exactly, timestamps included: the server's clock
    /// is truncated to the microsecond PostgreSQL stores, so a create answer equals every later read.
    /// </summary>
    public static void AssertSameResource(JsonElement expected, JsonElement actual) =>
        Assert.Equal(expected.ToString(), actual.ToString());

    public static Guid IdOf(this JsonElement element) => element.GetProperty("id").GetGuid();

    public static string? Text(this JsonElement element, string property) => element.GetProperty(property).GetString();
}

/// <summary>What changes in an answer without anything having been changed: reads compared before and after leave it out.</summary>
public static partial class Bookkeeping
{
    /// <summary>
    /// Removes what moves on its own: reading with a token stamps its last use, a mailbox is polled, and audit entries
    /// are sealed into their chain a moment after they are written.
    /// </summary>
    public static string Strip(string json) => Fields().Replace(json, "");

    [GeneratedRegex("\"(lastUsedAt|lastPolledAt|lastError|sequence|previousHash|hash|sealedEntries|unsealedEntries|headSequence|headHash)\":(null|\"[^\"]*\"|[0-9]+)")]
    private static partial Regex Fields();
}
