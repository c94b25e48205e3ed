using Microsoft.AspNetCore.DataProtection;

namespace Porchlight.Server.Data;

public static class DataProtectionSetup
{
    /// <summary>Stores the data protection key ring in the application database (see <see cref="AppDbContext.DataProtectionKeys"/>).</summary>
    public static IServiceCollection AddDataProtectionKeysInDatabase(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("Porchlight").PersistKeysToDbContext<AppDbContext>();
        return services;
    }
}
