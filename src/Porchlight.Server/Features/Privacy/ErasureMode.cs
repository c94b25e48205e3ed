using System.Text.Json.Serialization;

namespace Porchlight.Server.Features.Privacy;

/// <summary>How a contact is erased (docs/privacy.md#privacy-requests). By name in JSON everywhere, the audit trail included.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ErasureMode>))]
public enum ErasureMode
{
    /// <summary>
    /// The contact's details and words go; the contact stays as an anonymous "Erased contact" with the shape of their
    /// conversations (who answered when, statuses, scores), so the reports' counts and times stay as they were.
    /// </summary>
    Anonymize = 0,

    /// <summary>The contact and their conversations are deleted with everything in them; the reports count them no more.</summary>
    Delete = 1,
}
