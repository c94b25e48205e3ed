using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.SignIn;

/// <summary>
/// A browser-like client: keeps cookies, does not follow redirects, and posts the account forms the
/// way a browser does, with the antiforgery token read from the page that renders the form.
/// </summary>
/// <param name="baseAddress">
/// Where the browser opens the server: http://localhost unless said. Single sign-on needs <see cref="Https"/>, since its
/// correlation cookies are Secure and a browser sends those back over HTTPS only.
/// </param>
public sealed partial class BrowserSession(PorchlightFactory factory, Uri? baseAddress = null) : IDisposable
{
    public const string AuthCookie = "porchlight.auth";

    public static readonly Uri Https = new("https://localhost");

    public HttpClient Client { get; } = factory.CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        HandleCookies = true,
        BaseAddress = baseAddress ?? new Uri("http://localhost"),
    });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async Task<string> GetPageAsync(string path)
    {
        var response = await Client.GetAsync(path, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}");
        return await response.Content.ReadAsStringAsync(Ct);
    }

    public async Task<string> AntiforgeryTokenAsync(string pagePath) => AntiforgeryTokenIn(await GetPageAsync(pagePath));

    /// <summary>Opens <paramref name="pagePath"/> for its antiforgery token, then posts the form to <paramref name="action"/>.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string pagePath, string action, IReadOnlyDictionary<string, string> fields) =>
        await PostAsync(action, fields, await AntiforgeryTokenAsync(pagePath));

    public async Task<HttpResponseMessage> PostAsync(string action, IReadOnlyDictionary<string, string> fields, string antiforgeryToken)
    {
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = antiforgeryToken };
        using var content = new FormUrlEncodedContent(form);
        return await Client.PostAsync(action, content, Ct);
    }

    public Task<HttpResponseMessage> SignInAsync(string email, string password, string? returnUrl = null)
    {
        var fields = new Dictionary<string, string> { ["email"] = email, ["password"] = password };
        if (returnUrl is not null)
        {
            fields["returnUrl"] = returnUrl;
        }

        return SubmitAsync("/signin", "/account/signin", fields);
    }

    public static bool SetsAuthCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies)
        && cookies.Any(c => c.StartsWith(AuthCookie + "=", StringComparison.Ordinal) && !c.StartsWith(AuthCookie + "=;", StringComparison.Ordinal));

    public static string LocationOf(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther,
            $"expected a redirect, got {(int)response.StatusCode}");
        return response.Headers.Location!.OriginalString;
    }

    /// <summary>The path a redirect points to, whether the server wrote it relative or absolute.</summary>
    public static string PathOf(HttpResponseMessage response) =>
        new Uri(new Uri("http://localhost"), LocationOf(response)).AbsolutePath;

    public static string AntiforgeryTokenIn(string html)
    {
        var match = AntiforgeryInput().Match(html);
        Assert.True(match.Success, "the page has no antiforgery token");
        return WebUtility.HtmlDecode(match.Groups["value"].Value);
    }

    public void Dispose() => Client.Dispose();

    [GeneratedRegex(@"<input[^>]*name=""__RequestVerificationToken""[^>]*value=""(?<value>[^""]+)""|<input[^>]*value=""(?<value>[^""]+)""[^>]*name=""__RequestVerificationToken""")]
    private static partial Regex AntiforgeryInput();
}
