using Microsoft.AspNetCore.Identity;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Features.Teams;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workspaces;

/// <summary>
/// A realistic workspace to explore and demo with (<c>porchlight seed-demo</c>). Later features add
/// their own demo data here (conversations, articles, reports).
/// </summary>
public sealed class DemoWorkspace(
    CreateWorkspaceWithOwner createWorkspace,
    UserManager<Agent> users,
    AppDbContext db,
    CreateTeam createTeam,
    ChangeTeamMembership membership,
    CreateInbox createInbox,
    DemoConversations conversations,
    KnowledgeBase.DemoKnowledgeBase knowledgeBase,
    TimeProvider clock)
{
    public const string OwnerEmail = "owner@demo.porchlight.test";
    public const string Password = "porchlight-demo";

    private static readonly (string Name, string Email, AgentRole Role)[] Agents =
    [
        ("Priya Raman", "priya@demo.porchlight.test", AgentRole.Admin),
        ("Marco Bianchi", "marco@demo.porchlight.test", AgentRole.Supervisor),
        ("Lena Fischer", "lena@demo.porchlight.test", AgentRole.Agent),
        ("Tomás Ortega", "tomas@demo.porchlight.test", AgentRole.Agent),
        ("Aisha Bello", "aisha@demo.porchlight.test", AgentRole.Agent),
    ];

    /// <returns>A summary of what was created, with the sign-in details.</returns>
    public async Task<Result<string>> SeedAsync(CancellationToken cancellationToken)
    {
        var owner = await createWorkspace.HandleAsync(
            new CreateWorkspaceWithOwnerRequest("Acme Outdoor (demo)", "Europe/Berlin", "Dana Whitfield", OwnerEmail, Password),
            null,
            cancellationToken);
        if (!owner.Succeeded)
        {
            return owner.Failure!.Kind == FailureKind.Conflict
                ? Failure.Conflict("The demo workspace already exists.")
                : owner.Failure!;
        }

        var workspace = await db.Workspaces.FindAsync([owner.Value!.WorkspaceId], cancellationToken);
        workspace!.ChangeSettings(workspace.Name, workspace.TimeZone, BusinessHours.WeekdaysNineToFive);
        var now = clock.GetUtcNow().UtcDateTime;
        var agents = new List<Agent>();
        foreach (var (name, email, role) in Agents)
        {
            var agent = Agent.Create(workspace.Id, email, name, role, now);
            var created = await users.CreateAsync(agent, Password);
            if (!created.Succeeded)
            {
                return IdentityFailures.From(created);
            }

            agents.Add(agent);
        }

        var support = await createTeam.HandleAsync(new SaveTeamRequest("Support", "First line: questions, orders, returns."), cancellationToken);
        var billing = await createTeam.HandleAsync(new SaveTeamRequest("Billing", "Invoices, refunds and payment problems."), cancellationToken);
        foreach (var agent in agents.Where(a => a.Role != AgentRole.Admin))
        {
            await membership.AddAsync(support.Value!.Id, agent.Id, cancellationToken);
        }

        await membership.AddAsync(billing.Value!.Id, agents[0].Id, cancellationToken);
        await membership.AddAsync(billing.Value!.Id, agents[3].Id, cancellationToken);
        var website = await createInbox.HandleAsync(
            new CreateInboxRequest("Website chat", InboxChannel.WebWidget, new WidgetSettingsDto("#2E7D32", WidgetPosition.Right, "Hi, we're Acme 👋", "Questions about an order or a product? Ask away.")),
            cancellationToken);
        var app = await createInbox.HandleAsync(new CreateInboxRequest("Mobile app (API)", InboxChannel.Api, null), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        var conversationCount = await conversations.SeedAsync(workspace.Id, website.Value!.Id, agents, cancellationToken);
        var supportAgents = agents.Where(a => a.Role != AgentRole.Admin).Select(a => a.Id).ToArray();
        var cast = new Reports.HistoryCast(workspace.Id, workspace.Calendar(), [website.Value!.Id, app.Value!.Id],
            [(support.Value!.Id, supportAgents), (billing.Value!.Id, [agents[0].Id, agents[3].Id])]);
        var pastCount = await Reports.DemoReportHistory.AddAsync(db, cast, workspace.Calendar().DayOf(now), cancellationToken);
        var articleCount = await knowledgeBase.SeedAsync(workspace.Id, agents[1].Id, cancellationToken);
        await KnowledgeBase.DemoArticleReads.AddAsync(db, workspace.Id, website.Value!.Id, now, cancellationToken);
        Assistant.DemoIntents.AddTo(db, workspace.Id, now);
        Assistant.DemoFlow.AddTo(db, workspace.Id, website.Value!.Id, billing.Value!.Id, now);
        Quality.DemoQuality.AddTo(db, workspace.Id, [owner.Value!.Id, agents[1].Id], now);
        Workforce.DemoSchedules.AddTo(db, workspace.Id, workspace.TimeZone, supportAgents, workspace.Calendar().DayOf(now));
        await db.SaveChangesAsync(cancellationToken);
        return $"""
            Demo workspace "{workspace.Name}" created: {Agents.Length + 1} agents, 2 teams, 2 inboxes, {conversationCount} conversations
            (and {pastCount} resolved ones of the past {Reports.DemoReportHistory.Days} days, for the reports),
            {articleCount} knowledge-base articles (help center at /help/{KnowledgeBase.DemoKnowledgeBase.HelpCenterSlug}), 10 assistant intents,
            an assistant answering the website chat, a quality scorecard with weekly review sampling, and shifts with
            {Workforce.DemoSchedules.Days} days of the agents' status time.
            Sign in as {OwnerEmail} (Owner) or any of {string.Join(", ", Agents.Select(a => a.Email))}
            with the password "{Password}".
            """;
    }
}
