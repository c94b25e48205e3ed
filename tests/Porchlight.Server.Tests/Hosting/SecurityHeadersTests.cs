using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;

namespace Porchlight.Server.Tests.Hosting;

/// <summary>The headers browsers act on: who may frame what, which scripts run, what leaks in a Referer.</summary>
public sealed partial class SecurityHeadersTests(SqliteApiFixture fixture) : ApiTestBase(fixture.Factory), IClassFixture<SqliteApiFixture>
{
    [Fact]
    public async Task AgentAppPage_Served_CannotBeFramedAndRunsOnlyItsOwnScriptsAndItsImportMap()
    {
        await NewWorkspaceAsync();
        using var browser = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await browser.GetAsync("/signin", Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertCommonHeaders(response);
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        var policy = Directives(Header(response, "Content-Security-Policy"));
        Assert.Equal("'none'", policy["frame-ancestors"]);
        Assert.Equal("'none'", policy["object-src"]);
        // The import map is the page's only inline script; it runs by this response's nonce, nothing else inline does.
        var nonce = ImportMapNonce().Match(html);
        Assert.True(nonce.Success, "the page has an import map with a nonce");
        Assert.Equal($"'self' 'nonce-{WebUtility.HtmlDecode(nonce.Groups["nonce"].Value)}'", policy["script-src"]);
        Assert.Contains("ws://localhost", policy["connect-src"], StringComparison.Ordinal);
        Assert.Contains("https:", policy["frame-src"], StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "no HSTS over plain http");
    }

    [Fact]
    public async Task AgentAppPage_TwoResponses_GetDifferentNonces()
    {
        await NewWorkspaceAsync();
        using var browser = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var first = await browser.GetAsync("/signin", Ct);
        using var second = await browser.GetAsync("/signin", Ct);

        Assert.NotEqual(Directives(Header(first, "Content-Security-Policy"))["script-src"], Directives(Header(second, "Content-Security-Policy"))["script-src"]);
    }

    [Fact]
    public async Task AnyResponse_OverHttps_AsksForHttpsFromNowOn()
    {
        await NewWorkspaceAsync();
        using var browser = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });

        using var response = await browser.GetAsync("/signin", Ct);

        Assert.Equal("max-age=31536000", Header(response, "Strict-Transport-Security"));
    }

    [Theory]
    [InlineData("/api/v1/inboxes")]
    [InlineData("/help/no-such-site/en")]
    [InlineData("/help/no-such-site/en/search?q=refund")]
    [InlineData("/forgot-password")]
    [InlineData("/no-such-page")]
    public async Task ApiHelpCenterAndAccountResponses_AnyStatus_CannotBeFramed(string path)
    {
        await NewWorkspaceAsync();
        using var browser = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await browser.GetAsync(path, Ct);

        AssertCommonHeaders(response);
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("'none'", Directives(Header(response, "Content-Security-Policy"))["frame-ancestors"]);
    }

    [Fact]
    public async Task ChatFrame_InboxForAnySite_CanBeFramedByAnySiteAndRunsOnlyItsOwnScripts()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var browser = Factory.CreateClient();

        using var response = await browser.GetAsync($"/widget/frame.html?inbox={inboxToken}", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertCommonHeaders(response);
        Assert.False(response.Headers.Contains("X-Frame-Options"), "the chat frame is embedded by customer sites");
        var policy = Directives(Header(response, "Content-Security-Policy"));
        Assert.Equal("*", policy["frame-ancestors"]);
        Assert.Equal("'self'", policy["script-src"]);
        Assert.Equal("'self'", policy["style-src"]);
        Assert.Equal("'none'", policy["default-src"]);
    }

    [Fact]
    public async Task ChatFrame_InboxWithAllowedOrigins_CanBeFramedOnlyByThoseSites()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await owner.AllowOriginsAsync(inboxId, "https://shop.example", "https://www.shop.example:8443");
        using var browser = Factory.CreateClient();

        using var response = await browser.GetAsync($"/widget/frame.html?inbox={inboxToken}", Ct);

        Assert.Equal("'self' https://shop.example https://www.shop.example:8443", Directives(Header(response, "Content-Security-Policy"))["frame-ancestors"]);
    }

    [Fact]
    public async Task LoaderScript_Served_LoadsOnAnySite()
    {
        using var browser = Factory.CreateClient();

        using var response = await browser.GetAsync("/widget/loader.js", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.False(response.Headers.Contains("Cross-Origin-Resource-Policy"), "customer sites load the loader from another origin");
    }

    private static void AssertCommonHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("strict-origin-when-cross-origin", Header(response, "Referrer-Policy"));
        Assert.Contains("camera=()", Header(response, "Permissions-Policy"), StringComparison.Ordinal);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        Assert.Single(response.Headers.TryGetValues(name, out var values) ? values : response.Content.Headers.TryGetValues(name, out var content) ? content : []);

    private static Dictionary<string, string> Directives(string policy) =>
        policy.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(directive => directive.Split(' ', 2))
            .ToDictionary(parts => parts[0], parts => parts.Length > 1 ? parts[1] : "");

    [GeneratedRegex(@"<script type=""importmap"" nonce=""(?<nonce>[^""]+)""")]
    private static partial Regex ImportMapNonce();
}
