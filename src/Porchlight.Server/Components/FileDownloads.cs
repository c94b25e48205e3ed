using Microsoft.JSInterop;

namespace Porchlight.Server.Components;

/// <summary>
/// Saves text a page made (a report, an export) as a file in the agent's browser, without a round trip: the API answers
/// only to API tokens, so the app hands over what its own connection fetched. One module per circuit.
/// </summary>
public sealed class FileDownloads(IJSRuntime js) : IAsyncDisposable
{
    private IJSObjectReference? _module;

    public async Task SaveAsync(string fileName, string text, string mediaType)
    {
        _module ??= await js.InvokeAsync<IJSObjectReference>("import", "./download.js");
        await _module.InvokeVoidAsync("download", fileName, text, mediaType);
    }

    /// <summary>Saves a file of bytes (an archive), streamed to the browser in pieces rather than as one message.</summary>
    public async Task SaveAsync(string fileName, Stream content, string mediaType)
    {
        _module ??= await js.InvokeAsync<IJSObjectReference>("import", "./download.js");
        using var stream = new DotNetStreamReference(content, leaveOpen: true);
        await _module.InvokeVoidAsync("downloadStream", fileName, stream, mediaType);
    }

    public async ValueTask DisposeAsync()
    {
        if (_module is not null)
        {
            try
            {
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone, and the module with it.
            }
        }
    }
}
