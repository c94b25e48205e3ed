namespace Porchlight.Server.Data;

/// <summary>
/// The workspace the current unit of work acts for. Set once per request or circuit action from the
/// authenticated principal. <c>null</c> means operator scope (CLI, background jobs, anonymous
/// look-ups by a secret token), where the tenant filter does not apply and code must scope itself.
/// </summary>
public sealed class TenantScope
{
    public Guid? WorkspaceId { get; private set; }

    public void Enter(Guid workspaceId)
    {
        if (WorkspaceId is { } current && current != workspaceId)
        {
            throw new InvalidOperationException("A unit of work cannot switch workspaces.");
        }

        WorkspaceId = workspaceId;
    }
}
