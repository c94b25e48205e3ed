using System.Net;
using System.Text;

namespace Porchlight.E2E.Infrastructure;

/// <summary>
/// A few fixed files served over HTTP at <see cref="Root"/>: the sites of other origins that tests put beside Porchlight
/// (a customer's website, a team's own order system). Any other path answers 404.
/// </summary>
public sealed class StaticSite : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly IReadOnlyDictionary<string, (string ContentType, string Body)> _files;
    private readonly Task _serving;

    /// <param name="root">The site's address, ending with a slash (such as http://127.0.0.1:5123/).</param>
    /// <param name="files">Each file's path (such as /cart.html) with its content type and body.</param>
    public StaticSite(string root, IReadOnlyDictionary<string, (string ContentType, string Body)> files)
    {
        Root = root;
        _files = files;
        _listener.Prefixes.Add(root);
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Root { get; }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            var found = _files.TryGetValue(context.Request.Url?.AbsolutePath ?? "", out var file);
            var body = Encoding.UTF8.GetBytes(found ? file.Body : "Not found");
            context.Response.StatusCode = found ? 200 : 404;
            context.Response.ContentType = found ? file.ContentType : "text/plain";
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }
}
