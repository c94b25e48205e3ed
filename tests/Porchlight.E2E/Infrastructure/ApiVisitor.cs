using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Porchlight.E2E.Infrastructure;

/// <summary>A visitor talking to the visitor API directly, one message after the other, each acknowledged.</summary>
public sealed partial class ApiVisitor(HttpClient http, Guid conversationId) : IDisposable
{
    public Guid ConversationId { get; } = conversationId;

    /// <summary>The inbox token in a widget embed snippet.</summary>
    public static string InboxTokenOf(string snippet) => InboxAttribute().Match(snippet).Groups[1].Value;

    public static async Task<ApiVisitor> StartAsync(Uri server, string inboxToken, string name, string text, CancellationToken ct)
    {
        var http = new HttpClient { BaseAddress = server };
        try
        {
            using var session = await http.PostAsJsonAsync("widget/v1/sessions", new { inboxToken }, ct);
            session.EnsureSuccessStatusCode();
            var token = (await session.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("visitorToken").GetString();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var started = await http.PostAsJsonAsync("widget/v1/conversations", new { clientId = NewClientId(), text, fields = new { name } }, ct);
            started.EnsureSuccessStatusCode();
            var body = await started.Content.ReadFromJsonAsync<JsonElement>(ct);
            return new ApiVisitor(http, body.GetProperty("conversation").GetProperty("id").GetGuid());
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    /// <summary>Sends a message and waits for its acknowledgement, through <paramref name="server"/> when given (another node).</summary>
    public async Task SendAsync(string text, CancellationToken ct, Uri? server = null)
    {
        var path = $"widget/v1/conversations/{ConversationId}/messages";
        using var sent = await http.PostAsJsonAsync(server is null ? new Uri(path, UriKind.Relative) : new Uri(server, path), new { clientId = NewClientId(), text }, ct);
        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
    }

    public async Task<List<JsonElement>> MessagesAsync(CancellationToken ct) =>
        [.. (await http.GetFromJsonAsync<JsonElement>($"widget/v1/conversations/{ConversationId}/messages?after=0", ct)).EnumerateArray()];

    private static string NewClientId() => "c_" + Guid.NewGuid().ToString("N");

    public void Dispose() => http.Dispose();

    [GeneratedRegex("data-porchlight-inbox=\"([^\"]+)\"")]
    private static partial Regex InboxAttribute();
}
