using System.Net;
using Porchlight.Server.Tests.Api;

namespace Porchlight.Server.Tests.Features.KnowledgeBase;

/// <summary>Test data for the knowledge base, written through the API as an agent would.</summary>
public static class KnowledgeBaseCalls
{
    public static async Task<Guid> CreateArticleAsync(
        this HttpClient owner, string title, string body, string status = "Published", Guid? categoryId = null, string? description = null, Guid[]? related = null) =>
        (await owner.PostJsonAsync("/api/v1/knowledge-base/articles", new { title, body, status, categoryId, description, relatedArticleIds = related })
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("article").IdOf();

    /// <summary>A web-widget inbox; answers its public token, by which visitors read the knowledge base.</summary>
    public static async Task<string> CreateWidgetInboxAsync(this HttpClient owner) =>
        (await owner.PostJsonAsync("/api/v1/inboxes", new { name = "Website chat", channel = "WebWidget" }).ExpectAsync(HttpStatusCode.Created)).Text("publicToken")!;
}
