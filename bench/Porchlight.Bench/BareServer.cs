using Microsoft.AspNetCore.SignalR;

namespace Porchlight.Bench;

/// <summary>
/// The baselines, served by a separate process of this tool: Kestrel's own empty endpoint, and a bare
/// SignalR hub that relays a payload to a group with no storage and no authentication.
/// </summary>
public static class BareServer
{
    public static async Task RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSignalR();
        var app = builder.Build();
        app.MapGet("/empty", () => Results.Ok());
        app.MapGet("/health/ready", () => Results.Ok());
        app.MapHub<RelayHub>("/hubs/relay");
        await app.RunAsync();
    }
}

public sealed class RelayHub : Hub
{
    public Task Join(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);

    public Task Send(string group, string payload) => Clients.Group(group).SendAsync("relayed", payload);
}
