using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Porchlight.Server.Tests.Hosting;

/// <summary>
/// The in-memory test server has no network connection, so requests arrive without a remote address.
/// This gives them one, as Kestrel would, so address-dependent behaviour (audit, rate limits) is visible.
/// </summary>
public static class ClientAddress
{
    public static readonly IPAddress Default = IPAddress.Parse("203.0.113.7");

    public static IServiceCollection AddClientAddress(this IServiceCollection services, IPAddress? address = null) =>
        services.AddSingleton<IStartupFilter>(new Filter(address ?? Default));

    private sealed class Filter(IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress ??= address;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
