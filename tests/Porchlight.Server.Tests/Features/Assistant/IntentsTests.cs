using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Assistant;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Assistant;

/// <summary>
/// Supervisors teach intents by example through the API; the classifier is retrained in the background whenever
/// they change, measured on held-out examples, and classifies any agent's text with the workspace's own intents.
/// </summary>
public abstract class IntentsTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    private static readonly List<IntentExample> Demo = DemoIntents.Load().Training;
    private static readonly string[] OneExample = ["hi"];
    private static readonly string[] TooLong = [new string('x', Intent.MaxExampleLength + 1)];

    [Fact]
    public async Task Intents_TaughtByExample_TrainedMeasuredAndClassifyingNewPhrases()
    {
        var (_, owner) = await NewWorkspaceAsync();
        foreach (var name in new[] { "order-status", "returns", "password" })
        {
            await CreateAsync(owner, name);
        }

        var before = await owner.GetJsonAsync("/api/v1/assistant/intents/model");
        await TrainAsync();
        var model = await owner.GetJsonAsync("/api/v1/assistant/intents/model");
        var classified = await owner.PostJsonAsync("/api/v1/assistant/intents/classify", new { text = "where is my parcel, it hasn't arrived" }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("Training", before.Text("status"));
        Assert.Equal("Trained", model.Text("status"));
        Assert.Equal(Demo.Count(e => e.Intent is "order-status" or "returns" or "password"), model.GetProperty("examples").GetInt32());
        Assert.Equal(["order-status", "password", "returns"], model.GetProperty("evaluation").GetProperty("perIntent").EnumerateArray().Select(i => i.Text("intent")));
        Assert.Equal("order-status", classified.Text("intent"));
        Assert.Equal(3, classified.GetProperty("ranking").GetArrayLength());
        Assert.True(classified.GetProperty("confidence").GetSingle() > 0.5f);
    }

    [Fact]
    public async Task Intents_ExamplesChanged_RetrainedWithTheNewIntent()
    {
        var (_, owner) = await NewWorkspaceAsync();
        await CreateAsync(owner, "order-status");
        var refunds = await CreateAsync(owner, "refunds");
        await TrainAsync();

        await owner.PutJsonAsync($"/api/v1/assistant/intents/{refunds}", new { name = "shipping", examples = Examples("shipping") }).ExpectAsync(HttpStatusCode.OK);
        var stale = await owner.GetJsonAsync("/api/v1/assistant/intents/model");
        await TrainAsync();
        var classified = await owner.PostJsonAsync("/api/v1/assistant/intents/classify", new { text = "do you deliver to Spain" }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("Training", stale.Text("status"));
        Assert.Equal("shipping", classified.Text("intent"));
    }

    [Fact]
    public async Task Intents_TooFewOrBadInputOrOneIntent_ClearErrorsAndNothingTrained()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);

        await owner.PostJsonAsync("/api/v1/assistant/intents", new { name = "Order Status!", examples = OneExample })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "name");
        await owner.PostJsonAsync("/api/v1/assistant/intents", new { name = "long", examples = TooLong })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "examples");
        await CreateAsync(owner, "returns");
        await owner.PostJsonAsync("/api/v1/assistant/intents", new { name = "returns", examples = OneExample }).ExpectFieldErrorAsync(HttpStatusCode.Conflict, "name");
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostJsonAsync("/api/v1/assistant/intents", new { name = "mine", examples = OneExample })).StatusCode);
        await TrainAsync();

        Assert.Equal("NeedsExamples", (await owner.GetJsonAsync("/api/v1/assistant/intents/model")).Text("status"));
        await agent.PostJsonAsync("/api/v1/assistant/intents/classify", new { text = "where is my order" }).ExpectProblemAsync(HttpStatusCode.Conflict);
        await agent.PostJsonAsync("/api/v1/assistant/intents/classify", new { text = "" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "text");
        Assert.Single((await agent.GetJsonAsync("/api/v1/assistant/intents")).EnumerateArray());
    }

    [Fact]
    public async Task Classify_TwoWorkspaces_EachWithItsOwnIntents()
    {
        var (_, acme) = await NewWorkspaceAsync();
        var (_, globex) = await NewWorkspaceAsync("Globex");
        await CreateAsync(acme, "order-status");
        await CreateAsync(acme, "returns");
        await CreateAsync(globex, "warranty");
        await CreateAsync(globex, "payment");
        await TrainAsync();

        var atAcme = await acme.PostJsonAsync("/api/v1/assistant/intents/classify", new { text = "my zipper broke" }).ExpectAsync(HttpStatusCode.OK);
        var atGlobex = await globex.PostJsonAsync("/api/v1/assistant/intents/classify", new { text = "my zipper broke" }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(["order-status", "returns"], atAcme.GetProperty("ranking").EnumerateArray().Select(r => r.Text("intent")).Order());
        Assert.Equal("warranty", atGlobex.Text("intent"));
    }

    private Task<int> TrainAsync() => Factory.Services.GetRequiredService<IntentTraining>().TrainChangedAsync(Ct);

    private static string[] Examples(string intent) => [.. Demo.Where(e => e.Intent == intent).Select(e => e.Text)];

    private static async Task<Guid> CreateAsync(HttpClient owner, string intent) =>
        (await owner.PostJsonAsync("/api/v1/assistant/intents", new { name = intent, description = $"Visitors asking about {intent}", examples = Examples(intent) })
            .ExpectAsync(HttpStatusCode.Created)).IdOf();
}

public sealed class IntentsSqliteTests(SqliteApiFixture fixture) : IntentsTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class IntentsPostgresTests(PostgresApiFixture fixture) : IntentsTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
