namespace Porchlight.Server.Data;

/// <summary>
/// The workspace the current unit of work acts for. Set once per request or circuit action from the
/// authenticated principal. <c>null</c> means operator scope (CLI, background jobs, anonymous
/// look-ups by a secret token), where the tenant filter does not apply and code must scope itself.
/// </summary>
public sealed class TenantScope
{
    public Guid? WorkspaceId { get; private set; }

    /// <summary>
    /// The agent whose inbox memberships limit which conversations this unit of work sees; null when it sees every
    /// inbox's (a role with <see cref="Hosting.Permission.SeeEveryInbox"/>, operator scope, a visitor).
    /// </summary>
    public Guid? InboxesOfAgentId { get; private set; }

    /// <summary>From now on, conversations are those of the inboxes <paramref name="agentId"/> is a member of.</summary>
    public void LimitToInboxesOf(Guid agentId) => InboxesOfAgentId = agentId;

    public void Enter(Guid workspaceId)
    {
        if (WorkspaceId is { } current && current != workspaceId)
        {
            throw new InvalidOperationException("A unit of work cannot switch workspaces.");
        }

        WorkspaceId = workspaceId;
    }
}
