using System.Text.Json.Serialization;

namespace Porchlight.Server.Features.Privacy;

/// <summary>
/// The kinds of sensitive values a workspace masks in what customers and agents write (docs/privacy.md). Stored on
/// the workspace as names, so the database and the audit trail read as the settings page does.
/// </summary>
[Flags]
[JsonConverter(typeof(JsonStringEnumConverter<PiiDetectors>))]
public enum PiiDetectors
{
    None = 0,

    /// <summary>Payment card numbers: 13–19 digits that pass the Luhn check.</summary>
    PaymentCard = 1,

    /// <summary>IBANs of the countries in the ISO 13616 registry that pass the mod-97 check.</summary>
    Iban = 2,

    /// <summary>US Social Security numbers and UK National Insurance numbers.</summary>
    NationalId = 4,

    /// <summary>API keys, access tokens and private keys of recognisable shapes.</summary>
    Secret = 8,
}

/// <summary>The detectors by the names the API and the settings page use.</summary>
public static class PiiDetectorNames
{
    public static IReadOnlyList<PiiDetectors> All { get; } = [PiiDetectors.PaymentCard, PiiDetectors.Iban, PiiDetectors.NationalId, PiiDetectors.Secret];

    /// <summary>What the detectors in <paramref name="detectors"/> are called, in a fixed order.</summary>
    public static List<string> Of(PiiDetectors detectors) => [.. All.Where(d => detectors.HasFlag(d)).Select(d => d.ToString())];

    /// <summary>
    /// The detectors <paramref name="names"/> name (case is ignored); a name that is no detector is reported as
    /// <c>{field}[i]</c>.
    /// </summary>
    public static PiiDetectors Parse(IReadOnlyList<string?> names, string field, Hosting.FieldErrors errors)
    {
        var detectors = PiiDetectors.None;
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            var found = All.Where(d => string.Equals(d.ToString(), name, StringComparison.OrdinalIgnoreCase)).ToList();
            if (found.Count == 1)
            {
                detectors |= found[0];
            }
            else
            {
                errors.Add($"{field}[{i}]", $"Unknown detector '{name}'. One of {string.Join(", ", All)}.");
            }
        }

        return detectors;
    }
}
