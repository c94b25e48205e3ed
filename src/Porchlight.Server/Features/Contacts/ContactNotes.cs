using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Contacts;

public sealed record ContactNoteRequest(string? Text);

public sealed record ContactNoteView(Guid Id, string Text, Guid? AuthorAgentId, string? AuthorName, DateTime CreatedAt);

/// <summary>Notes on a contact: every agent reads and writes them; a note is deleted by its author or by those who manage contacts.</summary>
public sealed class ContactNotes(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    public async Task<Result<IReadOnlyList<ContactNoteView>>> ListAsync(Guid contactId, CancellationToken cancellationToken)
    {
        if (!await db.Contacts.AnyAsync(c => c.Id == contactId, cancellationToken))
        {
            return Failure.NotFound("The contact");
        }

        return await db.ContactNotes.AsNoTracking().Where(n => n.ContactId == contactId).OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id)
            .Select(n => new ContactNoteView(n.Id, n.Text, n.AuthorAgentId, db.Agents.Where(a => a.Id == n.AuthorAgentId).Select(a => a.DisplayName).FirstOrDefault(), n.CreatedAt))
            .ToListAsync(cancellationToken);
    }

    public async Task<Result<ContactNoteView>> WriteAsync(Guid contactId, ContactNoteRequest request, CancellationToken cancellationToken)
    {
        if (!await db.Contacts.AnyAsync(c => c.Id == contactId, cancellationToken))
        {
            return Failure.NotFound("The contact");
        }

        var errors = new FieldErrors().Required("text", request.Text, ContactNote.MaxTextLength);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var note = db.ContactNotes.Add(ContactNote.Write(actor.WorkspaceId, contactId, actor.AgentId, request.Text!.Trim(), clock.GetUtcNow().UtcDateTime)).Entity;
        await db.SaveChangesAsync(cancellationToken);
        return new ContactNoteView(note.Id, note.Text, note.AuthorAgentId, actor.Name, note.CreatedAt);
    }

    public async Task<Result<bool>> DeleteAsync(Guid contactId, Guid noteId, CancellationToken cancellationToken)
    {
        if (await db.ContactNotes.FirstOrDefaultAsync(n => n.Id == noteId && n.ContactId == contactId, cancellationToken) is not { } note)
        {
            return Failure.NotFound("The note");
        }

        if (note.AuthorAgentId != actor.AgentId && !actor.Can(Permission.ManageContacts))
        {
            return Failure.Forbidden("Only its author, or someone who manages contacts, deletes a note.");
        }

        db.ContactNotes.Remove(note);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }
}
