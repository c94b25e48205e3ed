using System.Net;
using Porchlight.Server.Features.ApiTokens;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Api;

/// <summary>API tokens that expire by themselves, and the audit trail's record of which tokens are used from where.</summary>
public abstract class TokenLifetimeTests(PorchlightFactory factory, ShiftedClock clock) : ApiTestBase(factory)
{
    private static readonly string[] ReadOnly = ["read"];

    [Fact]
    public async Task CreateToken_ExpiringInADay_WorksUntilThenAndAnswers401After()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var created = await owner.PostJsonAsync("/api/v1/tokens", new { name = "Short-lived", scopes = ReadOnly, expiresInDays = 1 })
            .ExpectAsync(HttpStatusCode.Created);
        using var script = Factory.CreateApiClient(created.Text("token")!);

        var expiresAt = created.GetProperty("expiresAt").GetDateTime();
        Assert.InRange(expiresAt - clock.GetUtcNow().UtcDateTime, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24));
        await script.GetJsonAsync("/api/v1/me");
        clock.Advance(TimeSpan.FromHours(24) + VerifiedApiTokens.Lifetime);

        await script.GetAsync("/api/v1/me", Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized);
        var listed = (await owner.ListAllAsync("/api/v1/tokens")).Single(t => t.IdOf() == created.IdOf());
        Assert.Equal(expiresAt, listed.GetProperty("expiresAt").GetDateTime());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(CreateApiToken.MaxLifetimeDays + 1)]
    public async Task CreateToken_LifetimeOutOfRange_Returns400AndCreatesNothing(int days)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await owner.ListAllAsync("/api/v1/tokens");

        await owner.PostJsonAsync("/api/v1/tokens", new { name = "Bad", scopes = ReadOnly, expiresInDays = days })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "expiresInDays");

        Assert.Equal(before.Count, (await owner.ListAllAsync("/api/v1/tokens")).Count);
    }

    [Fact]
    public async Task TokenUse_ManyCallsThenAnHourLater_IsRecordedOnceAnHourWithTheAgent()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var created = await owner.PostJsonAsync("/api/v1/tokens", new { name = "Nightly export", scopes = ReadOnly }).ExpectAsync(HttpStatusCode.Created);
        using var script = Factory.CreateApiClient(created.Text("token")!);

        for (var i = 0; i < 3; i++)
        {
            await script.GetJsonAsync("/api/v1/me");
        }

        // A refused call is a use of the token too.
        await script.PostJsonAsync("/api/v1/teams", new { name = "Not allowed" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        var uses = UsesOf(await owner.ListAllAsync("/api/v1/audit?action=api_token.used"), created.IdOf());
        var use = Assert.Single(uses);
        Assert.Equal(workspace.OwnerId, use.GetProperty("actorAgentId").GetGuid());
        Assert.Equal("Nightly export", use.GetProperty("changes").Text("name"));
        Assert.Equal(created.Text("hint"), use.GetProperty("changes").Text("hint"));

        clock.Advance(TimeSpan.FromMinutes(61));
        await script.GetJsonAsync("/api/v1/me");

        Assert.Equal(2, UsesOf(await owner.ListAllAsync("/api/v1/audit?action=api_token.used"), created.IdOf()).Count);
    }

    private static List<System.Text.Json.JsonElement> UsesOf(List<System.Text.Json.JsonElement> entries, Guid tokenId) =>
        entries.FindAll(e => e.Text("entityId") == tokenId.ToString());
}

public sealed class TokenLifetimeSqliteTests(SqliteClockFixture fixture) : TokenLifetimeTests(fixture.Factory, fixture.Clock), IClassFixture<SqliteClockFixture>;

public sealed class TokenLifetimePostgresTests(PostgresClockFixture fixture) : TokenLifetimeTests(fixture.Factory, fixture.Clock), IClassFixture<PostgresClockFixture>;
