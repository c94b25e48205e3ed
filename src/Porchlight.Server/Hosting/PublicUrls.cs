using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Porchlight.Server.Hosting;

/// <summary>
/// The address people reach this installation at, for links that leave the app (invitations, password
/// resets, embed snippets). Set <c>PublicUrl</c> behind a proxy; otherwise the first listening address.
/// </summary>
public sealed class PublicUrls(IConfiguration configuration, IServer server)
{
    public string Base
    {
        get
        {
            var configured = configuration["PublicUrl"];
            if (!string.IsNullOrWhiteSpace(configured))
            {
                return configured.TrimEnd('/');
            }

            var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            return (listening ?? "http://127.0.0.1:5080").Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
                .Replace("://[::]", "://localhost", StringComparison.Ordinal).TrimEnd('/');
        }
    }

    public string To(string relativePath) => Base + "/" + relativePath.TrimStart('/');
}
