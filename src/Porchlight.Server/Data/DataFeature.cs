using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Data;

/// <summary>The provider switch, the interceptors every context gets, and the outbox.</summary>
public static class DataFeature
{
    public static IServiceCollection AddData(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section));
        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection(OutboxOptions.Section));
        services.AddScoped<TenantScope>();
        services.AddScoped<HandledEvent>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<DomainEventRegistry>();
        services.AddScoped<OutboxInterceptor>();
        services.AddSingleton<Features.Inboxes.InboxMemberDefaults>();
        services.AddSingleton<SqliteConnectionSetup>();
        services.AddExceptionHandler<DatabaseOutageHandler>();

        var provider = configuration.GetValue(DatabaseOptions.Section + ":" + nameof(DatabaseOptions.Provider), DatabaseProvider.Sqlite);
        switch (provider)
        {
            case DatabaseProvider.Postgres:
                services.AddDbContext<AppDbContext, PostgresAppDbContext>((sp, options) =>
                    Configure(sp, options).UseNpgsql(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString));
                break;
            default:
                services.AddDbContext<AppDbContext, SqliteAppDbContext>((sp, options) =>
                    Configure(sp, options)
                        .UseSqlite(SqliteConnectionString(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value))
                        .AddInterceptors(sp.GetRequiredService<SqliteConnectionSetup>()));
                services.AddHostedService<SqliteCheckpointer>();
                break;
        }

        services.AddSingleton<OutboxProcessor>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxProcessor>());
        return services;
    }

    public static string SqliteConnectionString(DatabaseOptions options) =>
        string.IsNullOrWhiteSpace(options.ConnectionString) ? DatabaseOptions.DefaultSqliteConnectionString : options.ConnectionString;

    private static DbContextOptionsBuilder Configure(IServiceProvider services, DbContextOptionsBuilder options) =>
        options.AddInterceptors(
            // Rows that come with others first (a new inbox's members), then audit: its entries are part of the
            // change, then the outbox collects events.
            services.GetRequiredService<Features.Inboxes.InboxMemberDefaults>(),
            services.GetRequiredService<AuditInterceptor>(),
            services.GetRequiredService<OutboxInterceptor>());

    /// <summary>Applies pending migrations, if any (creating the SQLite folder first).</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var options = scope.ServiceProvider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        if (options.Provider == DatabaseProvider.Sqlite)
        {
            SqliteConnectionSetup.EnsureDirectory(SqliteConnectionString(options));
        }

        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        // Migrating first compares the whole model with the migrations' snapshot, a good part of a start's processor
        // time; a database that has every migration already needs none of that. (Nodes starting together may both
        // see migrations pending: migrating takes a lock and applies each migration once.)
        if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
        {
            await db.Database.MigrateAsync(cancellationToken);
        }
    }
}
