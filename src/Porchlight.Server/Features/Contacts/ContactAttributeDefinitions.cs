using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Contacts;

/// <summary>A definition as sent: on create all of it; on change only <c>label</c> and <c>options</c> (the key and type stay).</summary>
public sealed record ContactAttributeRequest(string? Key, string? Label, ContactAttributeType? Type, List<string>? Options);

public sealed record ContactAttributeView(Guid Id, string Key, string Label, ContactAttributeType Type, IReadOnlyList<string> Options, DateTime CreatedAt)
{
    public static ContactAttributeView From(ContactAttributeDefinition d) => new(d.Id, d.Key, d.Label, d.Type, d.Options, d.CreatedAt);
}

/// <summary>The workspace's contact attribute definitions: read by every agent, kept by those who manage contacts.</summary>
public sealed class ContactAttributeDefinitions(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    public async Task<IReadOnlyList<ContactAttributeView>> ListAsync(CancellationToken cancellationToken) =>
        (await db.ContactAttributeDefinitions.AsNoTracking().OrderBy(d => d.Key).ToListAsync(cancellationToken)).ConvertAll(ContactAttributeView.From);

    public async Task<Result<ContactAttributeView>> CreateAsync(ContactAttributeRequest request, CancellationToken cancellationToken)
    {
        if (ContactManagers.Refuse(actor) is { } refused)
        {
            return refused;
        }

        var errors = new FieldErrors();
        if (!ContactAttributeDefinition.IsKey(request.Key))
        {
            errors.Add("key", "1–50 lower-case letters, digits and underscores, starting with a letter (such as plan or renewal_date).");
        }

        if (request.Type is null)
        {
            errors.Add("type", "Text, Number, Date, List or Boolean.");
        }

        var (label, options) = Check(errors, request, request.Type);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (await db.ContactAttributeDefinitions.AnyAsync(d => d.Key == request.Key, cancellationToken))
        {
            return KeyTaken;
        }

        if (await db.ContactAttributeDefinitions.CountAsync(cancellationToken) >= ContactAttributeDefinition.MaxPerWorkspace)
        {
            return Failure.Conflict($"A workspace defines at most {ContactAttributeDefinition.MaxPerWorkspace} contact attributes.");
        }

        var definition = db.ContactAttributeDefinitions.Add(
            ContactAttributeDefinition.Create(actor.WorkspaceId, request.Key!, label, request.Type!.Value, options, clock.GetUtcNow().UtcDateTime)).Entity;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return KeyTaken; // The same key defined at the same moment.
        }

        return ContactAttributeView.From(definition);
    }

    public async Task<Result<ContactAttributeView>> UpdateAsync(string key, ContactAttributeRequest request, CancellationToken cancellationToken)
    {
        if (ContactManagers.Refuse(actor) is { } refused)
        {
            return refused;
        }

        if (await db.ContactAttributeDefinitions.FirstOrDefaultAsync(d => d.Key == key, cancellationToken) is not { } definition)
        {
            return Failure.NotFound("The contact attribute");
        }

        var errors = new FieldErrors();
        if (request.Type is { } type && type != definition.Type)
        {
            errors.Add("type", "The type of an attribute cannot change: the values stored were checked against it. Define a new attribute instead.");
        }

        var (label, options) = Check(errors, request with { Label = request.Label ?? definition.Label, Options = request.Options ?? definition.Options }, definition.Type);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        definition.Change(label, options);
        await db.SaveChangesAsync(cancellationToken);
        return ContactAttributeView.From(definition);
    }

    /// <summary>Forgets the definition; contacts keep their values, as free text from now on.</summary>
    public async Task<Result<bool>> DeleteAsync(string key, CancellationToken cancellationToken) =>
        ContactManagers.Refuse(actor) is { } refused ? refused
        : await db.ContactAttributeDefinitions.Where(d => d.Key == key).ExecuteDeleteAsync(cancellationToken) > 0 ? true : Failure.NotFound("The contact attribute");

    private static Failure KeyTaken => Failure.Duplicate("key", "An attribute with this key is already defined.");

    private static (string Label, List<string> Options) Check(FieldErrors errors, ContactAttributeRequest request, ContactAttributeType? type)
    {
        errors.Required("label", request.Label, ContactAttributeDefinition.MaxLabelLength);
        var options = (request.Options ?? []).Select(o => (o ?? "").Trim()).ToList();
        if (type == ContactAttributeType.List)
        {
            if (options.Count is 0 or > ContactAttributeDefinition.MaxOptions
                || options.Any(o => o.Length is 0 or > ContactAttributeDefinition.MaxOptionLength)
                || options.Distinct(StringComparer.OrdinalIgnoreCase).Count() != options.Count)
            {
                errors.Add("options", $"1–{ContactAttributeDefinition.MaxOptions} different options of 1–{ContactAttributeDefinition.MaxOptionLength} characters.");
            }
        }
        else if (options.Count > 0)
        {
            errors.Add("options", "Only List attributes have options.");
        }

        return (request.Label?.Trim() ?? "", options);
    }
}
