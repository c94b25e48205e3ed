using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using MimeKit;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Features.Email;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Surveys;

/// <summary>
/// A contact who is not in the chat (they left a message with the offline form) gets the survey by an emailed link
/// once the conversation is resolved, or when an agent asks: a page without script whose form answers it.
/// </summary>
public sealed partial class SurveyLinkTests : IAsyncLifetime
{
    private readonly LoopbackSmtpServer _smtp = new();
    private PorchlightFactory _factory = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _factory = new PorchlightFactory(settings: _smtp.Settings("Acme Support <support@acme.test>"));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task SurveyLink_OfflineConversationResolved_EmailsALinkOnceWhoseFormAnswersTheSurvey()
    {
        var (owner, visitor, inboxId) = await StartAsync();
        using (owner)
        using (visitor)
        {
            await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/survey", new { isEnabled = true, askEffort = true }).ExpectAsync(HttpStatusCode.OK);
            var (live, _) = await visitor.StartConversationAsync("A live question");
            var offline = await LeaveOfflineMessageAsync(visitor);

            await ResolveAsync(owner, live);
            await ResolveAsync(owner, offline);

            var path = await WaitForLinkAsync(owner, offline);
            using var reader = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            var page = await reader.GetStringAsync(path, Ct);
            Assert.Contains("How was this conversation?", page, StringComparison.Ordinal);
            Assert.Contains("How easy was it to get the help you needed?", page, StringComparison.Ordinal);
            Assert.DoesNotContain("recommend us", page, StringComparison.Ordinal); // not asked by this inbox

            using var answered = await reader.PostAsync(path, Form(("rating", "5"), ("effort", "6"), ("comment", "Quick and kind")), Ct);
            Assert.Equal((HttpStatusCode.Redirect, path + "?thanks=true"), (answered.StatusCode, answered.Headers.Location?.OriginalString));
            Assert.Contains("Thank you! Your answer is saved.", await reader.GetStringAsync(path + "?thanks=true", Ct), StringComparison.Ordinal);
            var survey = await owner.GetJsonAsync($"/api/v1/conversations/{offline}/survey");
            Assert.Equal(("Email", 5, 6, "Quick and kind"), (survey.Text("channel"), survey.GetProperty("rating").GetInt32(), survey.GetProperty("effort").GetInt32(), survey.Text("comment")));

            // Reopened and resolved again: a conversation has one survey, so no second email. The live chat got none.
            await owner.PostJsonAsync($"/api/v1/conversations/{offline}/status", new { status = "Open" }).ExpectAsync(HttpStatusCode.OK);
            await ResolveAsync(owner, offline);
            await owner.ReplyAsync(offline, "One more thing: it ships today.").ExpectAsync(HttpStatusCode.Created);
            await Eventually.WaitUntilAsync(() => Task.FromResult(_smtp.Messages.Count == 2), "the reply after the reopen was emailed");
            Assert.Single(_smtp.Messages, m => m.Contains("How did we do?", StringComparison.Ordinal));
            await owner.GetAsync($"/api/v1/conversations/{live}/survey", Ct).ExpectAsync(HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task SurveyLink_EmptyOutOfScaleOrAlteredAnswer_PageSaysWhyAndNothingIsStored()
    {
        var (owner, visitor, inboxId) = await StartAsync();
        using (owner)
        using (visitor)
        {
            await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/survey", new { isEnabled = true }).ExpectAsync(HttpStatusCode.OK);
            var offline = await LeaveOfflineMessageAsync(visitor);
            await ResolveAsync(owner, offline);
            var path = await WaitForLinkAsync(owner, offline);
            using var reader = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

            using var empty = await reader.PostAsync(path, Form(), Ct);
            using var outOfScale = await reader.PostAsync(path, Form(("rating", "9")), Ct);
            using var notAsked = await reader.PostAsync(path, Form(("rating", "4"), ("effort", "2")), Ct);
            using var altered = await reader.GetAsync(path[..^4] + (path[^4] == 'A' ? "B" : "A") + path[^3..], Ct);
            using var alteredPost = await reader.PostAsync(path + "x", Form(("rating", "1")), Ct);

            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
            Assert.Contains("Answer at least one question.", await empty.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.BadRequest, outOfScale.StatusCode);
            Assert.Contains("From 1 to 5.", await outOfScale.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.BadRequest, notAsked.StatusCode);
            Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (altered.StatusCode, alteredPost.StatusCode));
            Assert.Contains("This link is not valid any more.", await altered.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            var survey = await owner.GetJsonAsync($"/api/v1/conversations/{offline}/survey");
            Assert.Equal(("Email", System.Text.Json.JsonValueKind.Null), (survey.Text("channel"), survey.GetProperty("answeredAt").ValueKind));
        }
    }

    [Fact]
    public async Task RequestSurvey_AgentAsksInAnOfflineConversation_EmailsTheLinkBeforeTheResolve()
    {
        var (owner, visitor, inboxId) = await StartAsync();
        using (owner)
        using (visitor)
        {
            await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/survey", new { isEnabled = true }).ExpectAsync(HttpStatusCode.OK);
            var offline = await LeaveOfflineMessageAsync(visitor);

            var asked = await owner.PostJsonAsync($"/api/v1/conversations/{offline}/survey", new { }).ExpectAsync(HttpStatusCode.OK);

            Assert.Equal("Email", asked.Text("channel"));
            var path = await WaitForLinkAsync(owner, offline);
            using var reader = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            using var answered = await reader.PostAsync(path, Form(("rating", "2")), Ct);
            Assert.Equal(HttpStatusCode.Redirect, answered.StatusCode);
            Assert.Equal(2, (await owner.GetJsonAsync($"/api/v1/conversations/{offline}/survey")).GetProperty("rating").GetInt32());
        }
    }

    private async Task<(HttpClient Owner, TestVisitor Visitor, Guid InboxId)> StartAsync()
    {
        var workspace = await _factory.CreateWorkspaceAsync("Acme Support");
        var owner = _factory.CreateApiClient(workspace.OwnerToken);
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        return (owner, await TestVisitor.StartAsync(_factory, inboxToken), inboxId);
    }

    private static async Task<Guid> LeaveOfflineMessageAsync(TestVisitor visitor)
    {
        var started = await visitor.Http.PostJsonAsync("/widget/v1/offline-messages",
            new { clientId = TestVisitor.NewClientId(), name = "Grace", email = "grace@example.com", text = "Where is my parcel?" }).ExpectAsync(HttpStatusCode.Created);
        return started.GetProperty("conversation").IdOf();
    }

    private static Task<System.Text.Json.JsonElement> ResolveAsync(HttpClient owner, Guid conversationId) =>
        owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);

    // The path of the link in the survey email, once the conversation notes that it went out.
    private async Task<string> WaitForLinkAsync(HttpClient owner, Guid conversationId)
    {
        await Eventually.WaitUntilAsync(
            async () => (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).EnumerateArray()
                .Any(m => m.Text("kind") == "Activity" && m.Text("text") == "The survey was emailed to grace@example.com"),
            "the note that the survey was emailed");
        var raw = Assert.Single(_smtp.Messages, m => m.Contains("How did we do?", StringComparison.Ordinal));
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(raw));
        var mail = await MimeMessage.LoadAsync(stream, Ct);
        Assert.Equal("grace@example.com", mail.To.Mailboxes.Single().Address);
        Assert.StartsWith("[Acme Support] How did we do? (#", mail.Subject, StringComparison.Ordinal);
        return new Uri(SurveyLink().Match(mail.TextBody ?? "").Value).AbsolutePath;
    }

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    [GeneratedRegex(@"https?://\S+/survey/[A-Za-z0-9_-]+")]
    private static partial Regex SurveyLink();
}
