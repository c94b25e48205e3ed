using Microsoft.AspNetCore.DataProtection;

namespace Porchlight.Server.Data;

public static class DataProtectionSetup
{
    /// <summary>The setting naming a folder for the data protection key ring instead of the database.</summary>
    public const string KeysFolderSetting = "DataProtection:KeysFolder";

    /// <summary>
    /// Stores the data protection key ring, which encrypts the secrets Porchlight keeps (webhook secrets, email passwords,
    /// identity-verification secrets), in the application database (see <see cref="AppDbContext.DataProtectionKeys"/>)
    /// so every node shares it with nothing to configure; or, when <see cref="KeysFolderSetting"/> is set, in that
    /// folder, so that a copy of the database alone does not hold the keys to its own secrets. Every node must then
    /// see the same folder.
    /// </summary>
    public static IServiceCollection AddDataProtectionKeys(this IServiceCollection services, IConfiguration configuration)
    {
        var builder = services.AddDataProtection().SetApplicationName("Porchlight");
        if (configuration[KeysFolderSetting] is { Length: > 0 } folder)
        {
            builder.PersistKeysToFileSystem(Directory.CreateDirectory(folder));
        }
        else
        {
            builder.PersistKeysToDbContext<AppDbContext>();
        }

        return services;
    }
}
