using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.DashboardApps;

/// <summary>
/// A page of another system (a CRM, an order system) shown beside each conversation in a sandboxed frame, told
/// which conversation and contact are open by <c>postMessage</c> (docs/dashboard-apps.md).
/// </summary>
public sealed class DashboardApp : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxNameLength = 60;
    public const int MaxUrlLength = 2000;
    public const int MaxPerWorkspace = 20;
    public const int MaxPosition = 999;

    private DashboardApp()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public string Name { get; private set; } = "";

    public string Url { get; private set; } = "";

    /// <summary>Where the app stands among the others beside a conversation: lower first, then the older first.</summary>
    public int Position { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public static DashboardApp Create(Guid workspaceId, DateTime now) => new() { WorkspaceId = workspaceId, CreatedAt = now };

    public void Change(string name, string url, int position)
    {
        Name = name;
        Url = url;
        Position = position;
    }

    /// <summary>
    /// Why <paramref name="url"/> cannot be an app's address, or null when it can: an absolute https URL, or http on
    /// this machine's loopback (local development and tests, where nothing crosses a network), without a user name
    /// or password (the address is handed to every agent's browser), and not on <paramref name="porchlightOrigin"/>.
    /// </summary>
    public static string? ProblemWith(string? url, string porchlightOrigin)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.Host.Length == 0)
        {
            return $"An absolute https URL of at most {MaxUrlLength} characters.";
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            return "https is required: plain http is allowed only for this machine (localhost, 127.0.0.1), for development.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "No user name or password in the URL: every agent's browser is given the address.";
        }

        // The frame is sandboxed with allow-scripts and allow-same-origin, which together let a page of Porchlight's own
        // origin lift its sandbox and act in the app as the signed-in agent (read the inbox, send replies, change settings).
        // A page on another origin gets neither the agent's session nor the app's page: the browser keeps them apart.
        if (string.Equals(WebOrigin.Of(uri), porchlightOrigin, StringComparison.OrdinalIgnoreCase))
        {
            return "The app must be on another origin than Porchlight itself: a page of Porchlight's own origin could act as the agent.";
        }

        return null;
    }
}

internal sealed class DashboardAppConfiguration : IEntityTypeConfiguration<DashboardApp>
{
    public void Configure(EntityTypeBuilder<DashboardApp> builder)
    {
        builder.Property(a => a.Name).HasMaxLength(DashboardApp.MaxNameLength);
        builder.Property(a => a.Url).HasMaxLength(DashboardApp.MaxUrlLength);
        builder.HasIndex(a => a.WorkspaceId);
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(a => a.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
