using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Webhooks;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Webhooks;

/// <summary>
/// As deployed (private targets not allowed), a webhook cannot reach the server's own network: such a URL is
/// refused when saved, and a delivery to such an address (a name that resolves there later) is never sent.
/// </summary>
public sealed class WebhookTargetsTests : IAsyncLifetime
{
    private readonly PorchlightFactory _factory = new(settings: new Dictionary<string, string?> { ["Webhooks:AllowPrivateTargets"] = "false" });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.254")]
    [InlineData("192.168.1.1")]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("fd00::1")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("224.0.0.1")]
    public void IsPrivate_AddressOfTheServersOwnNetwork_IsPrivate(string address) =>
        Assert.True(WebhookTargets.IsPrivate(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    public void IsPrivate_PublicAddress_IsNot(string address) =>
        Assert.False(WebhookTargets.IsPrivate(IPAddress.Parse(address)));

    [Theory]
    [InlineData("http://127.0.0.1:9/hooks")]
    [InlineData("http://localhost:9/hooks")]
    [InlineData("http://[::1]:9/hooks")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    public async Task CreateWebhook_PrivateTargetNotAllowed_Returns400NamingTheUrl(string url)
    {
        var workspace = await _factory.CreateWorkspaceAsync();
        using var owner = _factory.CreateApiClient(workspace.OwnerToken);

        var problem = await owner.PostJsonAsync("/api/v1/webhooks", new { url, events = new[] { WebhookEvents.SlaBreached } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "url");

        Assert.Contains("private", problem.GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await owner.GetJsonAsync("/api/v1/webhooks")).GetArrayLength());
    }

    [Fact]
    public async Task Delivery_TargetNowOnAPrivateAddress_IsNeverSentAndTheLogSaysWhy()
    {
        var workspace = await _factory.CreateWorkspaceAsync();
        using var owner = _factory.CreateApiClient(workspace.OwnerToken);
        await using var receiver = await WebhookReceiver.StartAsync();
        var webhookId = await SubscriptionSavedWhenItsNameWasPublicAsync(workspace.WorkspaceId, receiver.Url);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await owner.PostJsonAsync("/api/v1/automation/rules", new
        {
            name = "Forward", trigger = "ConversationCreated", conditions = Array.Empty<object>(),
            actions = new[] { new { type = "sendWebhook", value = webhookId.ToString() } },
        }).ExpectAsync(HttpStatusCode.Created);
        using var visitor = await TestVisitor.StartAsync(_factory, inboxToken);

        await visitor.StartConversationAsync("Hello");

        string? error = null;
        await Eventually.WaitUntilAsync(async () =>
        {
            var deliveries = await owner.GetJsonAsync($"/api/v1/webhooks/{webhookId}/deliveries");
            error = deliveries.GetArrayLength() == 1 ? deliveries[0].Text("lastError") : null;
            return error is not null;
        }, "the attempt is logged");
        Assert.Contains("private addresses, which are not allowed", error, StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _factory.DisposeAsync();

    // The API refuses this URL now; a subscription to a name that resolved elsewhere when it was saved looks like this.
    private async Task<Guid> SubscriptionSavedWhenItsNameWasPublicAsync(Guid workspaceId, Uri url)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var (_, protectedSecret) = scope.ServiceProvider.GetRequiredService<WebhookSecrets>().Generate();
        var subscription = WebhookSubscription.Create(workspaceId, protectedSecret, DateTime.UtcNow);
        subscription.Change(url.ToString(), "", [WebhookEvents.AutomationRule], inboxIds: [], isActive: true);
        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync(Ct);
        return subscription.Id;
    }
}
