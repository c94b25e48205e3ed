using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Contacts;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Widget;

public sealed record SetAttributesRequest(Dictionary<string, string>? Attributes);

/// <summary>
/// Facts the host site knows about the visitor (plan, company, …), merged over what the contact already
/// has. An anonymous visitor who has not written yet gets their contact row now, so nothing is lost.
/// </summary>
public sealed class SetVisitorAttributes(AppDbContext db, TenantScope tenant, ConversationBroadcaster broadcaster, TimeProvider clock)
{
    public async Task<Result<Done>> HandleAsync(VisitorIdentity visitor, SetAttributesRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (request.Attributes is null)
        {
            errors.Add("attributes", "Required.");
        }

        CustomAttributes.Validate(errors, "attributes", request.Attributes);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        tenant.Enter(visitor.WorkspaceId);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var now = clock.GetUtcNow().UtcDateTime;
                var contact = await db.Contacts.FirstOrDefaultAsync(c => c.Id == visitor.ContactId, cancellationToken);
                if (contact is null)
                {
                    if (visitor.Identified)
                    {
                        return Failure.NotFound("The contact");
                    }

                    contact = db.Contacts.Add(Contact.ForVisitor(visitor.WorkspaceId, visitor.ContactId, now)).Entity;
                }

                contact.Describe(null, null, request.Attributes, now);
                await db.SaveChangesAsync(cancellationToken);
                await broadcaster.ContactChangedAsync(contact.Id);
                return new Done();
            }
            catch (DbUpdateException) when (attempt < 2)
            {
                // A first message or another setAttributes created the contact meanwhile; update that one.
                db.ChangeTracker.Clear();
            }
        }
    }
}
