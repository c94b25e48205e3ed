using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Routing;

public sealed record InboxRoutingRequest(Guid? DefaultTeamId);

public sealed record InboxRoutingResponse(Guid InboxId, Guid? DefaultTeamId);

public sealed record AgentCapsResponse(Guid AgentId, ConcurrencyCaps Caps, ConcurrencyCaps Effective);

/// <summary>An agent's skills by name (lowercase, as labels are) with a level from 1 to 5; all of them, replaced whole.</summary>
public sealed record AgentSkillsRequest(Dictionary<string, int>? Skills);

public sealed record AgentSkillsResponse(Guid AgentId, IReadOnlyDictionary<string, int> Skills);

/// <summary>Caps (workspace defaults and per agent) and where each inbox's new conversations wait.</summary>
public sealed class RoutingSettings(AppDbContext db, ActingAgent actor, AssignmentAuthority authority)
{
    public async Task<ConcurrencyCaps> WorkspaceCapsAsync(CancellationToken cancellationToken) =>
        await db.Workspaces.Where(w => w.Id == actor.WorkspaceId).Select(w => w.Caps).FirstAsync(cancellationToken);

    /// <summary>Every field of the workspace's caps; null for a channel means "the workspace's cap for all channels".</summary>
    public async Task<Result<ConcurrencyCaps>> SetWorkspaceCapsAsync(ConcurrencyCaps? caps, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        ConcurrencyCaps.Validate(errors, "caps", caps);
        if (caps is { All: null })
        {
            errors.Add("caps.all", "Required for the workspace: the cap of every channel without its own.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var workspace = await db.Workspaces.FirstAsync(w => w.Id == actor.WorkspaceId, cancellationToken);
        workspace.SetCaps(caps!);
        await db.SaveChangesAsync(cancellationToken);
        await EveryoneMayTakeMoreAsync(cancellationToken);
        return caps!;
    }

    public async Task<Result<AgentCapsResponse>> AgentCapsAsync(Guid agentId, CancellationToken cancellationToken)
    {
        var caps = await db.Agents.Where(a => a.Id == agentId).Select(a => a.Caps).FirstOrDefaultAsync(cancellationToken);
        return caps is null ? Failure.NotFound("The agent") : await DescribeAsync(agentId, caps, cancellationToken);
    }

    /// <summary>An agent's own caps; null fields inherit the workspace's. A raised cap lets their teams' queues move at once.</summary>
    public async Task<Result<AgentCapsResponse>> SetAgentCapsAsync(Guid agentId, ConcurrencyCaps? caps, CancellationToken cancellationToken)
    {
        var agent = await db.Agents.FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        if (agent is null)
        {
            return Failure.NotFound("The agent");
        }

        var errors = new FieldErrors();
        ConcurrencyCaps.Validate(errors, "caps", caps);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        agent.SetCaps(caps!);
        await db.SaveChangesAsync(cancellationToken);
        authority.AgentMayTakeMore(actor.WorkspaceId, agentId);
        return await DescribeAsync(agentId, caps!, cancellationToken);
    }

    public const int MaxSkills = 30;
    public const int MaxLevel = 5;

    public async Task<Result<AgentSkillsResponse>> AgentSkillsAsync(Guid agentId, CancellationToken cancellationToken)
    {
        var skills = await db.Agents.Where(a => a.Id == agentId).Select(a => a.Skills).FirstOrDefaultAsync(cancellationToken);
        return skills is null ? Failure.NotFound("The agent") : new AgentSkillsResponse(agentId, skills);
    }

    /// <summary>Replaces an agent's skills. Names are matched to conversation labels, so they follow the label rules.</summary>
    public async Task<Result<AgentSkillsResponse>> SetAgentSkillsAsync(Guid agentId, AgentSkillsRequest request, CancellationToken cancellationToken)
    {
        var agent = await db.Agents.FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        if (agent is null)
        {
            return Failure.NotFound("The agent");
        }

        if (request.Skills is not { } skills || skills.Count > MaxSkills
            || skills.Any(s => string.IsNullOrWhiteSpace(s.Key) || s.Key.Trim().Length > Conversations.Conversation.MaxLabelLength || s.Value is < 1 or > MaxLevel))
        {
            return Failure.Invalid("skills", $"Up to {MaxSkills} skills: names of 1–{Conversations.Conversation.MaxLabelLength} characters, each with a level from 1 to {MaxLevel}.");
        }

        // Stored as labels are (trimmed, lowercase), so "Billing" here meets the label "billing" on a conversation.
        var normalized = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, level) in skills)
        {
            var key = name.Trim().ToLowerInvariant();
            normalized[key] = Math.Max(level, normalized.GetValueOrDefault(key));
        }

        agent.SetSkills(normalized);
        await db.SaveChangesAsync(cancellationToken);
        authority.AgentMayTakeMore(actor.WorkspaceId, agentId);
        return new AgentSkillsResponse(agentId, normalized);
    }

    public async Task<Result<InboxRoutingResponse>> InboxAsync(Guid inboxId, CancellationToken cancellationToken)
    {
        var inbox = await db.Inboxes.Where(i => i.Id == inboxId).Select(i => new { i.Id, i.DefaultTeamId }).FirstOrDefaultAsync(cancellationToken);
        return inbox is null ? Failure.NotFound("The inbox") : new InboxRoutingResponse(inbox.Id, inbox.DefaultTeamId);
    }

    /// <summary>The team new conversations of the inbox wait for; null leaves them unassigned in the inbox.</summary>
    public async Task<Result<InboxRoutingResponse>> SetInboxAsync(Guid inboxId, InboxRoutingRequest request, CancellationToken cancellationToken)
    {
        var inbox = await db.Inboxes.FirstOrDefaultAsync(i => i.Id == inboxId, cancellationToken);
        if (inbox is null)
        {
            return Failure.NotFound("The inbox");
        }

        if (request.DefaultTeamId is { } teamId && !await db.Teams.AnyAsync(t => t.Id == teamId, cancellationToken))
        {
            return Failure.Invalid("defaultTeamId", "No team of this workspace has this id.");
        }

        inbox.RouteTo(request.DefaultTeamId);
        await db.SaveChangesAsync(cancellationToken);
        return new InboxRoutingResponse(inbox.Id, inbox.DefaultTeamId);
    }

    private async Task<AgentCapsResponse> DescribeAsync(Guid agentId, ConcurrencyCaps caps, CancellationToken cancellationToken)
    {
        var workspaceCaps = await WorkspaceCapsAsync(cancellationToken);
        var effective = new ConcurrencyCaps(
            caps.All ?? workspaceCaps.All ?? ConcurrencyCaps.FallbackCap,
            ConcurrencyCaps.Effective(caps, workspaceCaps, RoutingChannel.Chat),
            ConcurrencyCaps.Effective(caps, workspaceCaps, RoutingChannel.Email),
            ConcurrencyCaps.Effective(caps, workspaceCaps, RoutingChannel.Api));
        return new AgentCapsResponse(agentId, caps, effective);
    }

    private async Task EveryoneMayTakeMoreAsync(CancellationToken cancellationToken)
    {
        foreach (var teamId in await db.Teams.Select(t => t.Id).ToListAsync(cancellationToken))
        {
            authority.TeamMayAssign(actor.WorkspaceId, teamId);
        }
    }
}
