using Porchlight.Server.Hosting;
using Porchlight.Server.Features.DashboardApps;

namespace Porchlight.Server.Tests.Features.DashboardApps;

/// <summary>
/// An app's origin is what the browser names in <c>event.origin</c> and what Porchlight posts to: it must match the
/// browser's spelling exactly, or the app's messages and Porchlight's are dropped.
/// </summary>
public sealed class DashboardAppAddressTests
{
    [Theory]
    [InlineData("https://CRM.Example.com/porchlight?view=side#top", "https://crm.example.com")]
    [InlineData("https://crm.example.com:443/", "https://crm.example.com")]
    [InlineData("https://crm.example.com:8443/x", "https://crm.example.com:8443")]
    [InlineData("http://127.0.0.1:5123/orders", "http://127.0.0.1:5123")]
    [InlineData("http://[::1]:8080/", "http://[::1]:8080")]
    [InlineData("https://bücher.example/", "https://xn--bcher-kva.example")]
    public void AppOrigin_AnAddress_SpelledAsTheBrowserSpellsEventOrigin(string url, string origin) =>
        Assert.Equal(origin, WebOrigin.Of(new Uri(url)));

    [Theory]
    [InlineData("https://crm.example.com/")]
    [InlineData("http://localhost:3000/")]
    [InlineData("http://127.0.0.1:5123/orders")]
    [InlineData("http://[::1]:8080/")]
    [InlineData("https://support.example.com:8443/")]
    public void AppAddress_HttpsOrLoopbackElsewhere_Accepted(string url) =>
        Assert.Null(DashboardApp.ProblemWith(url, "https://support.example.com"));

    [Theory]
    [InlineData("http://crm.example.com/")]
    [InlineData("http://10.0.0.5/")]
    [InlineData("ftp://crm.example.com/")]
    [InlineData("javascript:alert(1)")]
    [InlineData("data:text/html,hi")]
    [InlineData("//crm.example.com/")]
    [InlineData("https://user:pass@crm.example.com/")]
    [InlineData("https://support.example.com/apps/crm")]
    [InlineData("https://SUPPORT.example.com:443/")]
    [InlineData("")]
    public void AppAddress_PlainHttpElsewhereOtherSchemesCredentialsOrPorchlightsOwnOrigin_Refused(string url) =>
        Assert.NotNull(DashboardApp.ProblemWith(url, "https://support.example.com"));
}
