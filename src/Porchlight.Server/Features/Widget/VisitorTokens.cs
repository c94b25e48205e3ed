using System.Security.Claims;
using Microsoft.AspNetCore.DataProtection;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Widget;

/// <summary>
/// Who a widget visitor is: the contact they act as, in one inbox of one workspace. For an anonymous
/// visitor the contact id is the visitor id the token was issued with; identify swaps in a known contact.
/// </summary>
public sealed record VisitorIdentity(Guid WorkspaceId, Guid InboxId, Guid ContactId, bool Identified)
{
    // Names of their own, so nothing that reads an agent's claims can mistake a visitor for an agent.
    public const string ContactClaim = "porchlight:visitor:contact";
    public const string InboxClaim = "porchlight:visitor:inbox";
    public const string WorkspaceClaim = "porchlight:visitor:workspace";
    public const string IdentifiedClaim = "porchlight:visitor:identified";

    public IEnumerable<Claim> ToClaims() =>
    [
        new(ContactClaim, ContactId.ToString()),
        new(InboxClaim, InboxId.ToString()),
        new(WorkspaceClaim, WorkspaceId.ToString()),
        new(IdentifiedClaim, Identified ? "true" : "false"),
    ];

    /// <summary>The visitor a request or hub connection authenticated as, or null for anyone else.</summary>
    public static VisitorIdentity? From(ClaimsPrincipal principal) =>
        principal.Identity?.AuthenticationType == VisitorAuthenticationHandler.SchemeName
        && Guid.TryParse(principal.FindFirstValue(WorkspaceClaim), out var workspaceId)
        && Guid.TryParse(principal.FindFirstValue(InboxClaim), out var inboxId)
        && Guid.TryParse(principal.FindFirstValue(ContactClaim), out var contactId)
            ? new VisitorIdentity(workspaceId, inboxId, contactId, principal.FindFirstValue(IdentifiedClaim) == "true")
            : null;
}

/// <summary>
/// Issues and reads visitor tokens: the identity encrypted and signed with the data-protection keys every
/// node shares, so the widget cannot change it and no database row is needed until the visitor writes.
/// </summary>
public sealed class VisitorTokens(IDataProtectionProvider dataProtection)
{
    private const byte Version = 1;
    private const int PayloadLength = 1 + 16 + 16 + 16 + 1;
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Porchlight.Widget.VisitorToken");

    public string Issue(VisitorIdentity visitor)
    {
        Span<byte> payload = stackalloc byte[PayloadLength];
        payload[0] = Version;
        visitor.WorkspaceId.TryWriteBytes(payload[1..17]);
        visitor.InboxId.TryWriteBytes(payload[17..33]);
        visitor.ContactId.TryWriteBytes(payload[33..49]);
        payload[49] = visitor.Identified ? (byte)1 : (byte)0;
        return _protector.ProtectToUrl(payload.ToArray());
    }

    /// <summary>The identity in <paramref name="token"/>, or null when it was not issued here or was altered.</summary>
    public VisitorIdentity? Read(string? token) =>
        _protector.UnprotectFromUrl(token) is { Length: PayloadLength } payload && payload[0] == Version
            ? new VisitorIdentity(new Guid(payload.AsSpan(1, 16)), new Guid(payload.AsSpan(17, 16)), new Guid(payload.AsSpan(33, 16)), payload[49] == 1)
            : null;

    /// <summary>A new anonymous visitor of <paramref name="inboxId"/>; time-ordered like every other key.</summary>
    public static VisitorIdentity NewAnonymous(Guid workspaceId, Guid inboxId) => new(workspaceId, inboxId, TimeOrderedIds.Next(), false);
}
