using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Porchlight.Server.Features.ApiTokens;
using Scalar.AspNetCore;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Porchlight.Server.Hosting;

/// <summary>
/// The REST API's shared edges: ProblemDetails for every error, strict JSON, body size limits, the
/// OpenAPI document and its reference page. Features map their routes on <see cref="MapApiV1"/>'s group.
/// </summary>
public static class ApiSetup
{
    public const long MaxApiBodyBytes = 256 * 1024;

    /// <summary>A form of the account pages, the help center or a survey page: a few fields and at most a comment.</summary>
    public const long MaxFormBodyBytes = 32 * 1024;

    public static IServiceCollection AddPorchlightApi(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions.TryAdd("traceId", context.HttpContext.TraceIdentifier));
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.Configure<HttpJsonOptions>(options =>
        {
            // A misspelt field is an error, not a silently ignored value.
            options.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            // Enums by name only: no numbers, no comma lists.
            options.SerializerOptions.Converters.Add(new StrictEnumConverter());
        });
        services.AddOpenApi("v1", options => options.AddSchemaTransformer((schema, context, _) =>
        {
            // The strict converter is not one the document generator knows: it is told the names here (a nullable
            // enum's field says so by not being required).
            var type = context.JsonTypeInfo.Type;
            if ((Nullable.GetUnderlyingType(type) ?? type) is { IsEnum: true } enumType)
            {
                schema.Enum = [.. Enum.GetNames(enumType).Select(name => (JsonNode)name)];
            }

            return Task.CompletedTask;
        }).AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Porchlight API",
                Version = "v1",
                Description = "Everything the agent app does, for integrations. Authenticate with a personal API token: `Authorization: Bearer plt_…`.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiTokenAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A personal API token created under Profile → API tokens or with `porchlight create-token`.",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiTokenAuthenticationHandler.SchemeName, document)] = [] }];
            return Task.CompletedTask;
        }).AddPermissionDocumentation());
        return services;
    }

    public static RouteGroupBuilder MapApiV1(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/api/reference", options => options
            .WithTitle("Porchlight API reference")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json"))
            .AllowAnonymous();

        return app.MapGroup("/api/v1")
            .RequireAuthorization(policy => policy.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser())
            .DisableAntiforgery()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <summary>
    /// Refuses bodies over their endpoint's limit before anything reads them: <see cref="MaxApiBodyBytes"/> under
    /// <c>/api</c>, and whatever an endpoint or its group states with <see cref="IRequestSizeLimitMetadata"/> (the
    /// visitor API, account and public forms; file uploads state a larger one). A body without a length (chunked) is
    /// cut at the limit while it is read, which the exception handler answers with the same 413.
    /// </summary>
    public static IApplicationBuilder UseBodySizeLimits(this IApplicationBuilder app) => app.UseWhen(
        context => context.Request.Path.StartsWithSegments("/api") || context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is not null,
        limited => limited.Use(async (context, next) =>
        {
            var maxBytes = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? MaxApiBodyBytes;
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = maxBytes;
            }

            if (context.Request.ContentLength > maxBytes)
            {
                await context.WriteProblemAsync(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"Bodies of at most {maxBytes / 1024} KiB are accepted.");
                return;
            }

            await next(context);
        }));
}

/// <summary>
/// A body in a charset .NET does not know is refused with 415 before anything reads it: the JSON reader would throw
/// while binding (a server error), and the form reader would guess.
/// </summary>
public static class KnownCharsets
{
    public static IApplicationBuilder UseKnownCharsets(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type)
            && !Microsoft.Extensions.Primitives.StringSegment.IsNullOrEmpty(type.Charset) && type.Encoding is null)
        {
            await context.WriteProblemAsync(StatusCodes.Status415UnsupportedMediaType, "Unsupported charset",
                $"The body's charset '{type.Charset}' is not one this server reads; send UTF-8.");
            return;
        }

        await next(context);
    });
}

/// <summary>
/// Turns malformed requests (bad JSON, wrong types, unknown fields, missing body, too large) into a
/// 400/413 ProblemDetails that names the field, without leaking internal type names.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        var status = badRequest.StatusCode;
        var problem = new ProblemDetails
        {
            Status = status,
            Title = status == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Malformed request",
            Detail = status == StatusCodes.Status413PayloadTooLarge
                ? "The request body exceeds the size limit."
                : "The request could not be read. Check the JSON syntax, field names and value types.",
        };
        if (badRequest.InnerException is JsonException json)
        {
            var path = string.IsNullOrEmpty(json.Path) ? "$" : json.Path;
            var reason = json.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "Unknown field." : "Invalid value or JSON syntax.";
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [path] = [reason] };
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }
}

/// <summary>An endpoint's (or a group's) own body limit; see <see cref="ApiSetup.UseBodySizeLimits"/>.</summary>
public sealed record BodySizeLimit(long? MaxRequestBodySize) : Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata;
