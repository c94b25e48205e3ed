using System.Net;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.SignIn;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Workforce;

/// <summary>The Staffing page as the server first sends it: the schedule suggestion is there for those who may apply it.</summary>
public sealed class StaffingPageRenderTests
{
    private static readonly string[] ReportsOnly = ["ViewReports"];

    [Fact]
    public async Task Staffing_OwnerOrReportReader_SuggestionWithTheDefaultTemplateOnlyForTheOwner()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        var owner = factory.CreateApiClient(workspace.OwnerToken);
        var readerRole = await owner.PostJsonAsync("/api/v1/roles", new { name = "Report readers", permissions = ReportsOnly }).ExpectAsync(HttpStatusCode.Created);
        var reader = await factory.AddAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await owner.PatchJsonAsync($"/api/v1/agents/{reader.AgentId}", new { customRoleId = readerRole.IdOf() }).ExpectAsync(HttpStatusCode.OK);

        using var ownersBrowser = new BrowserSession(factory);
        await ownersBrowser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password);
        var html = await ownersBrowser.GetPageAsync("/workforce");
        using var readersBrowser = new BrowserSession(factory);
        await readersBrowser.SignInAsync(reader.Email, TestWorkspace.Password);
        var readersHtml = await readersBrowser.GetPageAsync("/workforce");

        Assert.Contains("id=\"schedule-suggestion\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"template-0-name\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"Day\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"08:00", html, StringComparison.Ordinal);
        Assert.Contains("value=\"12:00", html, StringComparison.Ordinal);
        Assert.Contains("id=\"template-add\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"plan-notice\"", readersHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("schedule-suggestion", readersHtml, StringComparison.Ordinal);
    }
}
