using Porchlight.Server.Tests.Features.SignIn;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Email;

public sealed class PasswordResetEmailTests
{
    [Fact]
    public async Task ForgotPassword_MailServerConfigured_EmailsTheLinkAndLogsNoLink()
    {
        await using var smtp = new LoopbackSmtpServer();
        var logs = new CapturedLogs();
        await using var factory = new PorchlightFactory(settings: smtp.Settings("Support <support@acme.test>"), configureServices: logs.AddTo);
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);

        var requested = await browser.SubmitAsync("/forgot-password", "/account/forgot-password", new Dictionary<string, string> { ["email"] = workspace.OwnerEmail });

        Assert.Equal("/forgot-password?sent=1", BrowserSession.LocationOf(requested));
        var message = Assert.Single(smtp.Messages);
        Assert.Contains($"To: {workspace.OwnerEmail}", message, StringComparison.Ordinal);
        Assert.Contains("From: Support <support@acme.test>", message, StringComparison.Ordinal);
        Assert.Contains("Subject: Reset your Porchlight password", message, StringComparison.Ordinal);
        Assert.Contains("/reset-password?email=", message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.Values.ContainsKey("ResetLink"));
    }
}
