namespace Porchlight.Server.Features.Audit;

/// <summary>
/// Who is acting in the current unit of work and from which address. Filled from the HTTP request or
/// the Blazor circuit; the command line and background jobs act as "system".
/// </summary>
public sealed class AuditActor
{
    public Guid? AgentId { get; private set; }

    public string Name { get; private set; } = "system";

    public string? IpAddress { get; private set; }

    public void Set(Guid? agentId, string name, string? ipAddress)
    {
        AgentId = agentId;
        Name = name;
        IpAddress = ipAddress;
    }
}
