using Porchlight.Server.Features.Agents;

namespace Porchlight.Server.Tests.Features.Agents;

/// <summary>An agent is connected while any of their connections is open, and in their own workspace only.</summary>
public sealed class InMemoryPresenceStoreTests
{
    private readonly InMemoryPresenceStore _store = new();
    private readonly Guid _workspace = Guid.CreateVersion7();
    private readonly Guid _agent = Guid.CreateVersion7();

    [Fact]
    public async Task PresenceStore_TwoConnectionsOneCloses_StaysConnectedUntilTheLast()
    {
        Assert.True(await _store.AddConnectionAsync(_workspace, _agent));
        Assert.False(await _store.AddConnectionAsync(_workspace, _agent));

        Assert.False(await _store.RemoveConnectionAsync(_workspace, _agent));
        Assert.True(await _store.IsConnectedAsync(_workspace, _agent));
        Assert.True(await _store.RemoveConnectionAsync(_workspace, _agent));

        Assert.False(await _store.IsConnectedAsync(_workspace, _agent));
        Assert.Empty(await _store.ConnectedAgentsAsync(_workspace));
    }

    [Fact]
    public async Task PresenceStore_DisconnectWithoutConnect_ReportsNoChange()
    {
        Assert.False(await _store.RemoveConnectionAsync(_workspace, _agent));

        Assert.True(await _store.AddConnectionAsync(_workspace, _agent));
    }

    [Fact]
    public async Task PresenceStore_ConnectedAgents_ListsOnlyTheWorkspacesOwn()
    {
        var teammate = Guid.CreateVersion7();
        var outsider = Guid.CreateVersion7();
        await _store.AddConnectionAsync(_workspace, _agent);
        await _store.AddConnectionAsync(_workspace, teammate);
        await _store.AddConnectionAsync(Guid.CreateVersion7(), outsider);

        Assert.Equal(new[] { _agent, teammate }.Order(), (await _store.ConnectedAgentsAsync(_workspace)).Order());
    }
}
