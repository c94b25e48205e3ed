using System.Net;
using System.Net.Http.Json;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task HealthReady_FreshDatabase_IsHealthyAfterMigrations()
    {
        await using var factory = new PorchlightFactory();
        var client = factory.CreateClient();

        var response = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task WorkspaceApi_OwnerToken_ReturnsOwnWorkspace()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync("Acme Support");
        var client = factory.CreateApiClient(workspace.OwnerToken);

        var body = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/workspace", TestContext.Current.CancellationToken);

        Assert.Equal("Acme Support", body.GetProperty("name").GetString());
        Assert.Equal(workspace.WorkspaceId, body.GetProperty("id").GetGuid());
    }
}
