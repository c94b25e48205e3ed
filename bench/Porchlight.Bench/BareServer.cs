using Microsoft.AspNetCore.SignalR;

namespace Porchlight.Bench;

/// <summary>
/// The baselines, served by a separate process of this tool: Kestrel's own empty endpoint and WebSocket, and a
/// bare SignalR hub that relays a payload to a group with no storage and no authentication.
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
        app.MapPost("/empty", () => Results.Accepted()); // the body is not read: the least any endpoint can do

        app.UseWebSockets();
        app.Map("/ws", HoldWebSocketAsync);
        app.MapGet("/health/ready", () => Results.Ok());
        app.MapHub<RelayHub>("/hubs/relay");
        await app.RunAsync();
    }

    // Kestrel's own WebSocket with nothing on top: answers the handshake the bench's clients send as a SignalR
    // hub would, then only reads until the client leaves.
    private static async Task HoldWebSocketAsync(HttpContext context)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[256];
        await socket.ReceiveAsync(buffer, context.RequestAborted);
        await socket.SendAsync("{}\u001e"u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Text, true, context.RequestAborted);
        try
        {
            while ((await socket.ReceiveAsync(buffer, context.RequestAborted)).MessageType != System.Net.WebSockets.WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or OperationCanceledException)
        {
            // The client went away without a closing handshake (the bench aborts its sockets).
        }
    }
}

public sealed class RelayHub : Hub
{
    public Task Join(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);

    public Task Send(string group, string payload) => Clients.Group(group).SendAsync("relayed", payload);
}
