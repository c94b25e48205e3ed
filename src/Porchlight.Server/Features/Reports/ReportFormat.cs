using System.Globalization;

namespace Porchlight.Server.Features.Reports;

/// <summary>How the report pages write their figures: lengths of time as people say them, rates as percentages, a dash for none.</summary>
public static class ReportFormat
{
    public const string None = "–";

    public static string Duration(double? seconds) => seconds switch
    {
        null => None,
        < 60 => $"{Math.Round(seconds.Value):0} s",
        < 3600 => $"{Math.Floor(seconds.Value / 60):0} min {Math.Round(seconds.Value % 60):0} s",
        < 86400 => $"{Math.Floor(seconds.Value / 3600):0} h {Math.Round(seconds.Value % 3600 / 60):0} min",
        _ => $"{Math.Floor(seconds.Value / 86400):0} d {Math.Round(seconds.Value % 86400 / 3600):0} h",
    };

    public static string Rate(double? rate) => rate is { } r ? r.ToString("0.#%", CultureInfo.CurrentCulture) : None;

    public static string Number(double value) => value.ToString("#,0.##", CultureInfo.CurrentCulture);

    /// <summary>"1 answer", "12 answers".</summary>
    public static string Count(int count, string one, string many) => $"{Number(count)} {(count == 1 ? one : many)}";

    public static string Day(DateOnly day) => day.ToString("d MMM", CultureInfo.CurrentCulture);

    /// <summary>The change from <paramref name="previous"/> to <paramref name="current"/> in percent, or null when there is nothing to compare with.</summary>
    public static double? Change(double? current, double? previous) =>
        current is { } now && previous is { } before && before != 0 ? (now - before) / before : null;
}

/// <summary>One point of a <c>ReportChart</c>: its label on the axis and its value (null: nothing to show).</summary>
public sealed record ChartPoint(string Label, double? Value);
