using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Porchlight.Server.Tests.Hosting;

namespace Porchlight.Server.Tests.Infrastructure;

/// <summary>One request a <see cref="WebhookReceiver"/> received: its headers as sent and its body.</summary>
public sealed record ReceivedWebhook(IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// A webhook receiver on a real socket at 127.0.0.1: it records every request and answers each with the next
/// status of its script (then with the last one), as a receiver that fails for a while and then recovers does. It
/// can also hold the requests it records unanswered for a while, as a receiver that hangs does.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly ConcurrentQueue<int> _script;
    private int _last;
    private TaskCompletionSource _answering = Answering();

    private WebhookReceiver(int[] statuses)
    {
        _script = new ConcurrentQueue<int>(statuses);
        _last = statuses.Length == 0 ? 200 : statuses[^1];
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/hooks", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            _received.Enqueue(new ReceivedWebhook(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
            await Volatile.Read(ref _answering).Task;
            return Results.StatusCode(_script.TryDequeue(out var status) ? status : Volatile.Read(ref _last));
        });
    }

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    /// <summary>Starts a receiver answering with <paramref name="statuses"/> in turn (200 when none are given).</summary>
    public static async Task<WebhookReceiver> StartAsync(params int[] statuses)
    {
        var receiver = new WebhookReceiver(statuses);
        await receiver._app.StartAsync();
        var address = receiver._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        receiver.Url = new Uri(new Uri(address), "/hooks");
        return receiver;
    }

    /// <summary>From now on every request is answered with <paramref name="status"/>.</summary>
    public void AnswerFromNowOn(int status)
    {
        _script.Clear();
        Volatile.Write(ref _last, status);
    }

    /// <summary>From now on each request is recorded and then left unanswered until <see cref="AnswerHeld"/>.</summary>
    public void Hold() => Volatile.Write(ref _answering, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Answers the requests held (those whose senders are still there), and every request from now on at once.</summary>
    public void AnswerHeld() => Volatile.Read(ref _answering).TrySetResult();

    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(int count, string what)
    {
        await Eventually.WaitUntilAsync(() => _received.Count >= count, what);
        return Received;
    }

    public async ValueTask DisposeAsync()
    {
        AnswerHeld();
        await _app.DisposeAsync();
    }

    private static TaskCompletionSource Answering()
    {
        var answering = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        answering.SetResult();
        return answering;
    }
}
