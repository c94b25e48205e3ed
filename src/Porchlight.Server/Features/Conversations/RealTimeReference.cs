using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Porchlight.Server.Features.Widget;

namespace Porchlight.Server.Features.Conversations;

/// <summary>
/// Puts the live events of the agent and visitor hubs into the OpenAPI document: a "Real time" tag whose text
/// lists every event a hub sends with its payload's fields, and the payload schemas under components. Both are
/// read from the hubs' typed client interfaces, so the reference cannot drift from what is sent.
/// </summary>
internal sealed class RealTimeReference : IOpenApiDocumentTransformer
{
    public const string Tag = "Real time";

    private static readonly (string Name, string Path, Type Client, string About)[] Hubs =
    [
        ("Agent", AgentHub.Path, typeof(IAgentClient),
            "For integrations and custom agent apps: the events of the token's workspace. Connect with SignalR (JSON protocol) and an API token "
            + "as `Authorization: Bearer`, or as the `access_token` query parameter where headers cannot be set."),
        ("Visitor", VisitorHub.Path, typeof(IVisitorClient),
            "For the chat widget: the events of the visitor's own conversations, with the visitor token the widget API hands out."),
    ];

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        var text = new StringBuilder("Live events over SignalR. Writes go through the REST operations; the hubs only send.\n");
        foreach (var hub in Hubs)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\n### {hub.Name} hub: `{hub.Path}`\n\n{hub.About}\n\n| event | payload |\n|---|---|\n");
            foreach (var method in hub.Client.GetMethods().OrderBy(m => m.MetadataToken))
            {
                var payload = method.GetParameters().Single().ParameterType;
                document.Components.Schemas.TryAdd(payload.Name, await context.GetOrCreateSchemaAsync(payload, null, cancellationToken));
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"| `{method.Name}` | `{payload.Name}`: {Fields(payload)} |\n");
            }
        }

        document.Tags ??= new HashSet<OpenApiTag>();
        document.Tags.Add(new OpenApiTag { Name = Tag, Description = text.ToString() });
    }

    private static string Fields(Type payload) => string.Join(", ", payload
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)));
}
