using System.Net;
using System.Net.Http.Headers;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Hosting;

/// <summary>Every anonymous endpoint counts requests per client address, and the visitor API per visitor as well.</summary>
public sealed class RateLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Security:WidgetRequestsPerMinute", "GET", "/widget/v1/inboxes/inb_unknown")]
    [InlineData("Security:WidgetRequestsPerMinute", "POST", "/hubs/visitor/negotiate?negotiateVersion=1")]
    [InlineData("Security:WidgetRequestsPerMinute", "GET", "/survey/not-a-link")]
    [InlineData("Security:AttachmentDownloadsPerMinute", "GET", "/attachments/0193a5f0-0000-7000-8000-000000000000?sig=x&exp=1")]
    [InlineData("Security:HelpCenterRequestsPerMinute", "GET", "/help/no-such-site/en/search?q=refund")]
    [InlineData("Security:SignInAttemptsPerMinute", "POST", "/account/forgot-password")]
    public async Task PublicEndpoint_MoreRequestsThanTheAddressLimit_Answers429WithRetryAfterAndAProblem(string setting, string method, string path)
    {
        await using var factory = new PorchlightFactory(settings: new Dictionary<string, string?> { [setting] = "1" });
        await factory.CreateWorkspaceAsync(); // past the first-run setup page
        using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var first = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);
        using var second = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);

        Assert.NotEqual(HttpStatusCode.TooManyRequests, first.StatusCode);
        var problem = await second.ExpectAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(ApiCalls.ProblemContentType, second.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.True(second.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 and <= 60 }, $"Retry-After: {second.Headers.RetryAfter}");
    }

    [Fact]
    public async Task WidgetApi_OneVisitorFromManyAddresses_IsLimitedAsOneVisitor()
    {
        await using var factory = new PorchlightFactory(settings: new Dictionary<string, string?>
        {
            ["Security:WidgetRequestsPerMinute"] = "1000",
            ["Security:WidgetRequestsPerVisitorPerMinute"] = "3",
        });
        var address = factory.StartOnKestrel();
        var workspace = await factory.CreateWorkspaceAsync();
        using var owner = new HttpClient { BaseAddress = address };
        owner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", workspace.OwnerToken);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var http = new HttpClient { BaseAddress = address };
        var flooding = (await http.PostJsonAsync("/widget/v1/sessions", new { inboxToken }).ExpectAsync(HttpStatusCode.OK)).Text("visitorToken")!;
        var other = (await http.PostJsonAsync("/widget/v1/sessions", new { inboxToken }).ExpectAsync(HttpStatusCode.OK)).Text("visitorToken")!;

        // Through the proxy on this machine, as if from four addresses: each address is far below its own limit.
        var answers = new List<HttpStatusCode>();
        foreach (var from in new[] { "198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4" })
        {
            using var response = await ConversationsAsync(http, flooding, from);
            answers.Add(response.StatusCode);
        }

        using var limited = await ConversationsAsync(http, flooding, "198.51.100.5");
        using var another = await ConversationsAsync(http, other, "198.51.100.1");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], answers);
        await limited.ExpectAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(limited.Headers.RetryAfter);
        await another.ExpectAsync(HttpStatusCode.OK);
    }

    private static Task<HttpResponseMessage> ConversationsAsync(HttpClient http, string visitorToken, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/widget/v1/conversations");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", visitorToken);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return http.SendAsync(request, Ct);
    }
}
