using System.Net;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Features.SignIn;

namespace Porchlight.Server.Tests.Api;

/// <summary>
/// What the hostile-input fuzzer (<see cref="HostileInputTests"/>) found answered with a server error or taken as it
/// should not have been, each pinned on its own: the input, and the answer it gets now.
/// </summary>
public sealed class HostileInputRegressionTests(SqliteApiFixture fixture) : ApiTestBase(fixture.Factory), IClassFixture<SqliteApiFixture>
{
    [Fact]
    public async Task JsonBody_CharsetNoOneKnows_Answers415Problem()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var anonymous = Factory.CreateClient();

        await owner.SendAsync(Json("/api/v1/teams", """{"name":"Support"}""", "x-bogus"), Ct).ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await anonymous.SendAsync(Json("/widget/v1/sessions", $$"""{"inboxToken":"{{inboxToken}}"}""", "x-bogus"), Ct).ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Empty(await owner.ListAllAsync("/api/v1/teams"));
        // A charset that is one is still read.
        await owner.SendAsync(Json("/api/v1/teams", """{"name":"Support"}""", "utf-8"), Ct).ExpectAsync(HttpStatusCode.Created);
    }

    private static HttpRequestMessage Json(string path, string body, string charset)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", $"application/json; charset={charset}");
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    }

    [Theory]
    [InlineData(double.PositiveInfinity, null)]
    [InlineData(double.NegativeInfinity, null)]
    [InlineData(double.NaN, null)]
    [InlineData(1.5, 1.0)]
    [InlineData(0.25, 0.25)]
    public void FlowPreview_ConfidenceTheClientSent_IsFiniteAndFrom0To1(double sent, double? kept)
    {
        // A preview's state comes from the client, and 1e309 reads as infinity, which the answer could not carry (500).
        var state = Porchlight.Server.Features.Assistant.FlowState.FromClient(new Porchlight.Server.Features.Assistant.FlowState { Confidence = sent });

        Assert.Equal(kept, state.Confidence);
    }

    [Theory]
    [InlineData("/api/v1/reports/overview?To=9999-12-31", "to")]
    [InlineData("/api/v1/reports/agents?From=0001-01-01&To=0001-01-02", "from")]
    [InlineData("/api/v1/reports/digest?week=9999-12-31", "week")]
    public async Task Reports_DayAtTheCalendarsEnd_Answers400NamingTheField(string path, string field)
    {
        var (_, owner) = await NewWorkspaceAsync();

        await owner.GetAsync(path, Ct).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task SiteStatistics_DayAtTheCalendarsEnd_Answers400NamingTheField()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, _) = await ChatSetup.CreateWidgetInboxAsync(owner);

        await owner.GetAsync($"/api/v1/inboxes/{inboxId}/statistics?to=0001-01-01", Ct).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "to");
        await owner.GetAsync($"/api/v1/inboxes/{inboxId}/statistics?from=9999-12-31", Ct).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "from");
    }

    [Fact]
    public async Task ListItem_Null_Answers400NamingTheListAndStoresNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var anonymous = Factory.CreateClient();
        var contact = await owner.PostJsonAsync("/api/v1/contacts", new { name = "Ada" }).ExpectAsync(HttpStatusCode.Created);

        await owner.SendRawAsync(HttpMethod.Post, "/api/v1/quality/scorecards", """{"name":"Calls","criteria":[null]}""")
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "criteria[0]");
        await owner.SendRawAsync(HttpMethod.Put, $"/api/v1/contacts/{contact.IdOf()}", """{"name":"Ada","tags":["vip",null]}""")
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "tags");
        await anonymous.SendRawAsync(HttpMethod.Post, "/t/v1/events", $$"""{"site":"{{inboxToken}}","visitor":"v_probe1234","session":"s_probe1234","events":[null]}""")
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "events[0]");

        Assert.Empty((await owner.GetJsonAsync("/api/v1/quality/scorecards")).EnumerateArray());
        Assert.Empty((await owner.GetJsonAsync($"/api/v1/contacts/{contact.IdOf()}")).GetProperty("tags").EnumerateArray());
    }

    [Fact]
    public async Task HelpCenterFeedback_FormValueWithNul_Answers400AndCountsNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var site = $"help-{Guid.NewGuid():N}"[..20];
        await owner.PutJsonAsync("/api/v1/knowledge-base/help-center", new { slug = site, name = "Help", isPublished = true }).ExpectAsync(HttpStatusCode.OK);
        var article = (await owner.PostJsonAsync("/api/v1/knowledge-base/articles", new { title = "Returns", body = "Send it back.", status = "Published" })
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("article");
        using var reader = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var content = new StringContent("helpful=ye%00s", Encoding.UTF8, "application/x-www-form-urlencoded");
        await reader.PostAsync($"/help/{site}/en/articles/{article.Text("slug")}/feedback", content, Ct).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "helpful");

        var read = await owner.GetJsonAsync($"/api/v1/knowledge-base/articles/{article.IdOf()}");
        Assert.Equal((0, 0), (read.GetProperty("article").GetProperty("helpful").GetInt32(), read.GetProperty("article").GetProperty("notHelpful").GetInt32()));
    }

    [Theory]
    [InlineData("/\t/evil.example")]
    [InlineData("/\r\n/evil.example")]
    [InlineData("/inbox\u0001")]
    public async Task SignIn_ReturnAddressWithControlCharacter_LandsOnTheHomePage(string returnUrl)
    {
        var workspace = await Factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(Factory);

        using var signedIn = await browser.SignInAsync(workspace.OwnerEmail, Infrastructure.TestWorkspace.Password, returnUrl);

        Assert.True(BrowserSession.SetsAuthCookie(signedIn));
        Assert.Equal("/", BrowserSession.LocationOf(signedIn));
    }

    [Theory]
    [InlineData("abc\u202Egpj.exe.txt", "abcgpj.exe.txt")]
    [InlineData("\uFEFFnotes\u200B.txt", "notes.txt")]
    [InlineData("team\u200D.txt", "team\u200D.txt")]
    public async Task Upload_NameWithInvisibleFormatting_StoredWithoutIt(string uploaded, string stored)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Here is the file");

        var file = await owner.PostAsync($"/api/v1/conversations/{conversationId}/attachments",
            new MultipartFormDataContent { { new ByteArrayContent("probe file"u8.ToArray()), "file", uploaded } }, Ct).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(stored, file.Text("fileName"));
    }

    [Fact]
    public async Task Upload_LongNameCutInsideAnEmoji_KeepsNoHalfCharacter()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Here is the file");

        var file = await owner.PostAsync($"/api/v1/conversations/{conversationId}/attachments",
            new MultipartFormDataContent { { new ByteArrayContent("probe file"u8.ToArray()), "file", new string('n', 199) + "👩‍💻.txt" } }, Ct)
            .ExpectAsync(HttpStatusCode.Created);

        var name = file.Text("fileName")!;
        Assert.DoesNotContain(name, char.IsSurrogate);
        Assert.StartsWith(new string('n', 199), name, StringComparison.Ordinal);
    }
}
