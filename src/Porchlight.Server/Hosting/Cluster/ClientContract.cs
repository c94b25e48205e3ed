using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;

namespace Porchlight.Server.Hosting.Cluster;

/// <summary>One call of a typed hub client (<c>IAgentClient.MessageCreated(message)</c>) as data that can cross nodes.</summary>
public sealed record ClientCall(string Method, JsonElement[] Arguments);

/// <summary>
/// Turns calls of a typed hub client interface into <see cref="ClientCall"/>s and back. Only the interface's own
/// methods and their declared parameter types are read back, so a message from the bus can call nothing else.
/// </summary>
public sealed class ClientContract
{
    private static readonly ConcurrentDictionary<Type, ClientContract> Contracts = new();
    private readonly Dictionary<string, MethodInfo> _methods;

    private ClientContract(Type clientInterface) =>
        _methods = clientInterface.GetMethods().ToDictionary(m => m.Name, StringComparer.Ordinal);

    public static ClientContract Of(Type clientInterface) => Contracts.GetOrAdd(clientInterface, type => new ClientContract(type));

    /// <summary>The client interface of a strongly typed hub (<c>AgentHub : Hub&lt;IAgentClient&gt;</c>).</summary>
    public static ClientContract OfHub(Type hub)
    {
        for (var type = hub; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Microsoft.AspNetCore.SignalR.Hub<>))
            {
                return Of(type.GetGenericArguments()[0]);
            }
        }

        throw new InvalidOperationException($"{hub.Name} is not a strongly typed hub.");
    }

    public static JsonElement[] Write(IReadOnlyList<object?> arguments, JsonSerializerOptions json) =>
        [.. arguments.Select(a => a is null ? JsonSerializer.SerializeToElement<object?>(null, json) : JsonSerializer.SerializeToElement(a, a.GetType(), json))];

    public object?[] Read(ClientCall call, JsonSerializerOptions json)
    {
        var parameters = Method(call.Method).GetParameters();
        if (parameters.Length != call.Arguments.Length)
        {
            throw new InvalidOperationException($"{call.Method} takes {parameters.Length} arguments, not {call.Arguments.Length}.");
        }

        return [.. parameters.Select((p, i) => call.Arguments[i].Deserialize(p.ParameterType, json))];
    }

    public Task InvokeAsync(object client, ClientCall call, JsonSerializerOptions json) =>
        (Task)Method(call.Method).Invoke(client, Read(call, json))!;

    /// <summary>
    /// The calls <paramref name="deliver"/> makes on a client, recorded without sending anything. The recording
    /// client completes each call at once, so an <c>async</c> delivery with several awaited calls is read whole.
    /// </summary>
    public static IReadOnlyList<ClientCall> Record<TClient>(Func<TClient, Task> deliver, JsonSerializerOptions json)
        where TClient : class
    {
        var client = DispatchProxy.Create<TClient, CallRecorder>();
        var recorder = (CallRecorder)(object)client;
        recorder.Json = json;
        deliver(client).GetAwaiter().GetResult();
        return recorder.Calls;
    }

    private MethodInfo Method(string name) =>
        _methods.TryGetValue(name, out var method) ? method : throw new InvalidOperationException($"The client has no method {name}.");

#pragma warning disable CA1852 // DispatchProxy derives a type from it at run time.
    internal class CallRecorder : DispatchProxy
#pragma warning restore CA1852
    {
        public JsonSerializerOptions Json { get; set; } = JsonSerializerOptions.Default;

        public List<ClientCall> Calls { get; } = [];

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            Calls.Add(new ClientCall(targetMethod!.Name, Write(args ?? [], Json)));
            return Task.CompletedTask;
        }
    }
}
