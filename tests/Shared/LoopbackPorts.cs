using System.Net;
using System.Net.Sockets;

namespace Porchlight.Testing;

/// <summary>Ports on 127.0.0.1 for the servers the tests and the bench start.</summary>
public static class LoopbackPorts
{
    /// <summary>A port free at this moment (the system's pick for a listener that is closed again at once).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
