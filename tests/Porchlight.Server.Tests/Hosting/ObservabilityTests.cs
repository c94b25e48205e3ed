using System.Net;
using Microsoft.Extensions.Configuration;
using Porchlight.Server.Hosting;
using Porchlight.Server.Tests.Features.SignIn;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Hosting;

public sealed class ObservabilityTests
{
    private static readonly string[] PrometheusMediaTypes = ["text/plain", "application/openmetrics-text"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HealthLive_RunningServer_Answers200()
    {
        await using var factory = new PorchlightFactory();
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/health/live", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task HealthReady_EmptyDatabaseMigratedOnStart_Answers200()
    {
        await using var factory = new PorchlightFactory(emptyDatabase: true);
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/health/ready", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task HealthReady_PendingMigrations_Answers503WhileLiveStays200()
    {
        await using var factory = new PorchlightFactory(settings: new Dictionary<string, string?> { ["Database:MigrateOnStart"] = "false" }, emptyDatabase: true);
        using var client = factory.CreateClient();

        var ready = await client.GetAsync("/health/ready", Ct);
        var live = await client.GetAsync("/health/live", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Metrics_AfterRequestsAndSignIns_ExposesPrometheusText()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);
        Assert.Equal("/signin", BrowserSession.PathOf(await browser.SignInAsync(workspace.OwnerEmail, "not the password")));
        using var client = factory.CreateClient();

        var text = "";
        string? contentType = null;
        await Eventually.WaitUntilAsync(async () =>
        {
            var response = await client.GetAsync("/metrics", Ct);
            contentType = response.Content.Headers.ContentType?.MediaType;
            text = await response.Content.ReadAsStringAsync(Ct);
            return response.StatusCode == HttpStatusCode.OK
                && text.Contains("porchlight_auth_sign_ins", StringComparison.Ordinal)
                && text.Contains("http_server_request_duration", StringComparison.Ordinal);
        }, "the scrape shows Porchlight's and ASP.NET Core's metrics");

        Assert.Contains(contentType, PrometheusMediaTypes);
        Assert.Contains("# TYPE porchlight_auth_sign_ins", text, StringComparison.Ordinal);
        Assert.Contains("outcome=\"failed\"", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Database:Provider", "Oracle", "Database:Provider")]
    [InlineData("PublicUrl", "support.example.com", "PublicUrl")]
    [InlineData("PublicUrl", "ftp://support.example.com", "PublicUrl")]
    [InlineData("Outbox:PollInterval", "-00:00:01", "Outbox:PollInterval")]
    [InlineData("Outbox:PollInterval", "00:00:00", "Outbox:PollInterval")]
    [InlineData("Outbox:Lease", "soon", "Outbox:Lease")]
    [InlineData("Outbox:MaxAttempts", "0", "Outbox:MaxAttempts")]
    [InlineData("Routing:SweepInterval", "00:00:00", "Routing:SweepInterval")]
    [InlineData("Security:SignInAttemptsPerMinute", "-5", "Security:SignInAttemptsPerMinute")]
    [InlineData("Security:WidgetRequestsPerVisitorPerMinute", "0", "Security:WidgetRequestsPerVisitorPerMinute")]
    [InlineData("Security:AttachmentDownloadsPerMinute", "many", "Security:AttachmentDownloadsPerMinute")]
    [InlineData("Network:TrustedProxies", "proxy.internal", "Network:TrustedProxies")]
    [InlineData("SingleSignOn:ClientId", "porchlight", "SingleSignOn:ClientId")]
    [InlineData("SingleSignOn:RequireHttpsMetadata", "maybe", "SingleSignOn:RequireHttpsMetadata")]
    public void StartupConfiguration_BadSetting_ProblemNamesTheSetting(string key, string value, string named)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

        var problem = Assert.Single(StartupConfiguration.Problems(configuration));

        Assert.StartsWith(named, problem, StringComparison.Ordinal);
        Assert.Contains(value, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void StartupConfiguration_PostgresWithoutConnectionString_ProblemNamesTheConnectionString()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Database:Provider"] = "Postgres" }).Build();

        var problem = Assert.Single(StartupConfiguration.Problems(configuration));

        Assert.Contains("Database:ConnectionString", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void StartupConfiguration_SeveralBadSettings_ListsEachOne()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Oracle",
            ["PublicUrl"] = "not a url",
            ["Outbox:PollInterval"] = "-00:00:01",
        }).Build();

        var problems = StartupConfiguration.Problems(configuration);

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Database:Provider", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("PublicUrl", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Outbox:PollInterval", StringComparison.Ordinal));
    }

    [Fact]
    public void StartupConfiguration_GoodSettings_HasNoProblems()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "postgres",
            ["Database:ConnectionString"] = "Host=127.0.0.1;Database=porchlight",
            ["PublicUrl"] = "https://support.example.com",
            ["Outbox:PollInterval"] = "00:00:02",
            ["Outbox:MaxAttempts"] = "10",
            ["Security:SignInAttemptsPerMinute"] = "10",
            ["SingleSignOn:Authority"] = "https://login.example.com/realms/acme",
            ["SingleSignOn:ClientId"] = "porchlight",
        }).Build();

        Assert.Empty(StartupConfiguration.Problems(configuration));
    }

    [Fact]
    public void StartupConfiguration_SingleSignOnProviderOverPlainHttp_RefusedUnlessAllowedForATestMachine()
    {
        var settings = new Dictionary<string, string?> { ["SingleSignOn:Authority"] = "http://login.example.com", ["SingleSignOn:ClientId"] = "porchlight" };

        var problem = Assert.Single(StartupConfiguration.Problems(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));
        settings["SingleSignOn:RequireHttpsMetadata"] = "false";

        Assert.StartsWith("SingleSignOn:Authority", problem, StringComparison.Ordinal);
        Assert.Empty(StartupConfiguration.Problems(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));
    }
}
