namespace Porchlight.Server.Features.Privacy;

public static class PrivacyFeature
{
    public static IServiceCollection AddPrivacy(this IServiceCollection services) => services
        .AddScoped<WorkspaceRedaction>();
}
