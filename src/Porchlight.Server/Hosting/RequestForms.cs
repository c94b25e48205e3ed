namespace Porchlight.Server.Hosting;

/// <summary>Forms read by hand (the help center's and survey pages' posts), where a malformed one is no form at all.</summary>
public static class RequestForms
{
    /// <summary>
    /// The posted form, or null when the request sent none or one that cannot be read: a value with a NUL character
    /// or too many fields is refused by the form reader with an exception that would otherwise answer 500.
    /// </summary>
    public static async Task<IFormCollection?> ReadFormOrNullAsync(this HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            return null;
        }

        try
        {
            return await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
