using System.Net;
using System.Text.Json;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Hosting;

public sealed class ApiReferenceTests
{
    [Fact]
    public async Task OpenApiDocument_Anonymous_DescribesEveryApiOperationWithBearerSecurity()
    {
        await using var factory = new PorchlightFactory();
        var client = factory.CreateClient();

        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken)).RootElement;

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/inboxes", paths);
        Assert.Contains("/api/v1/audit", paths);
        Assert.All(paths, path => Assert.StartsWith("/api/v1/", path, StringComparison.Ordinal));
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiToken").GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task OpenApiDocument_Anonymous_DescribesTheLiveEventsOfBothHubsWithTheirPayloads()
    {
        await using var factory = new PorchlightFactory();
        var client = factory.CreateClient();

        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken)).RootElement;

        var realTime = document.GetProperty("tags").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "Real time");
        var text = realTime.GetProperty("description").GetString()!;
        Assert.Contains("`/hubs/agent`", text, StringComparison.Ordinal);
        Assert.Contains("`/hubs/visitor`", text, StringComparison.Ordinal);
        Assert.Contains("| `Typing` | `AgentTypingNotice`: conversationId, who, agentId, name, isTyping |", text, StringComparison.Ordinal);
        Assert.Contains("| `ConversationUpdated` | `ConversationNotice`: id, status |", text, StringComparison.Ordinal);
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("PresenceNotice").GetProperty("properties").TryGetProperty("presence", out _));
        Assert.True(schemas.TryGetProperty("MentionNotice", out _));
    }

    [Fact]
    public async Task ApiReferencePage_Anonymous_IsServedWithItsScriptFromThisServer()
    {
        await using var factory = new PorchlightFactory();
        var client = factory.CreateClient();

        var page = await client.GetAsync("/api/reference/", TestContext.Current.CancellationToken);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var script = await client.GetAsync("/api/reference/scalar.js", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("scalar.js", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True((await script.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Length > 10_000);
    }
}
