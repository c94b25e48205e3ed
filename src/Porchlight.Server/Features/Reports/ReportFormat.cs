using System.Globalization;

namespace Porchlight.Server.Features.Reports;

/// <summary>How the report pages write their figures: lengths of time as people say them, rates as percentages, a dash for none.</summary>
public static class ReportFormat
{
    public const string None = "–";

    /// <summary>A length as people say it, to the precision that matters at its size: "42 s", "3 min 5 s", "23 min", "1 h 5 min", "2 d 3 h".</summary>
    public static string Duration(double? seconds)
    {
        if (seconds is not { } s)
        {
            return None;
        }

        var whole = (long)Math.Round(s);
        var minutes = (long)Math.Round(s / 60);
        return whole switch
        {
            < 60 => $"{whole} s",
            < 600 => $"{whole / 60} min {whole % 60} s",
            _ when minutes < 60 => $"{minutes} min",
            < 86400 => $"{whole / 3600} h {whole % 3600 / 60} min",
            _ => $"{whole / 86400} d {whole % 86400 / 3600} h",
        };
    }

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
