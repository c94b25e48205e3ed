using System.Globalization;

namespace Porchlight.Server.Components;

/// <summary>How the settings pages show a stored UTC time. The app does not know the viewer's zone yet, so it says UTC.</summary>
public static class Timestamps
{
    public static string Format(DateTime utc) => utc.ToString("d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Format(DateTime? utc, string none = "—") => utc is { } value ? Format(value) : none;
}
