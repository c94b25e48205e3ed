using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Contacts;

public static class ContactsFeature
{
    public static IServiceCollection AddContacts(this IServiceCollection services) => services
        .AddScoped<ContactDirectory>()
        .AddScoped<ContactAttributeRules>()
        .AddScoped<ContactCommands>()
        .AddScoped<ContactAttributeDefinitions>()
        .AddScoped<ContactNotes>()
        .AddScoped<CompanyCommands>()
        .AddScoped<SegmentCommands>()
        .AddScoped<ContactMerge>()
        .AddScoped<ContactImport>()
        .AddDomainEventHandler<ContactCreated, CompanyMatching>()
        .AddDomainEventHandler<ContactUpdated, CompanyMatching>();

    /// <summary>The contacts API (docs/contacts.md); reading one contact with its conversations is GET /contacts/{id} of the inbox.</summary>
    public static void MapContacts(this RouteGroupBuilder api)
    {
        var contacts = api.MapGroup("/contacts").WithTags("Contacts");
        contacts.MapGet("/", async (string? q, string? tag, Guid? companyId, Guid? segmentId, int? limit, string? cursor, ContactCommands commands, CancellationToken ct) =>
                await ProblemResults.PagedAsync(limit, cursor, page => commands.ListAsync(new ContactListFilter(q, tag, companyId, segmentId), page, ct)))
            .RequirePermission(Permission.ViewConversations).Produces<Page<ContactView>>();
        contacts.MapGet("/export.csv", async (string? q, string? tag, Guid? companyId, Guid? segmentId, ContactCommands commands, CancellationToken ct) =>
                (await commands.ExportAsync(new ContactListFilter(q, tag, companyId, segmentId), ct)).ToHttp(csv =>
                    TypedResults.File(System.Text.Encoding.UTF8.GetBytes(csv), "text/csv; charset=utf-8", "contacts.csv")))
            .RequirePermission(Permission.ManageContacts).Produces<string>(contentType: "text/csv");
        contacts.MapPost("/", async (ContactRequest request, ContactCommands commands, CancellationToken ct) =>
                (await commands.CreateAsync(request, ct)).ToHttp(c => TypedResults.Created($"/api/v1/contacts/{c.Id}", c)))
            .RequirePermission(Permission.HandleConversations).Produces<ContactView>(StatusCodes.Status201Created);
        contacts.MapPut("/{contactId:guid}", async (Guid contactId, ContactRequest request, ContactCommands commands, CancellationToken ct) =>
                (await commands.UpdateAsync(contactId, request, ct)).ToOk())
            .RequirePermission(Permission.HandleConversations).Produces<ContactView>();
        contacts.MapPost("/upsert", async (ContactRequest request, ContactCommands commands, CancellationToken ct) =>
                (await commands.UpsertAsync(request, ct)).ToHttp(u => u.Created ? TypedResults.Created($"/api/v1/contacts/{u.Contact.Id}", u) : TypedResults.Ok(u)))
            .RequirePermission(Permission.HandleConversations).Produces<ContactUpserted>().Produces<ContactUpserted>(StatusCodes.Status201Created);

        contacts.MapPost("/import", async (bool? dryRun, bool? partial, HttpRequest request, ContactImport import, CancellationToken ct) =>
            {
                using var reader = new StreamReader(request.Body, System.Text.Encoding.UTF8);
                var csv = await reader.ReadToEndAsync(ct);
                return (await import.ImportAsync(csv, new ContactImportOptions(dryRun ?? false, partial ?? false), ct)).ToOk();
            })
            .RequirePermission(Permission.ManageContacts).Accepts<string>("text/csv").Produces<ContactImportReport>()
            .WithMetadata(new BodySizeLimit(ContactImport.MaxBytes));
        contacts.MapGet("/duplicates", async (ContactMerge merge, CancellationToken ct) => TypedResults.Ok(await merge.SuggestAsync(ct)))
            .RequirePermission(Permission.ViewConversations);
        contacts.MapPost("/{contactId:guid}/merge", async (Guid contactId, ContactMergeRequest request, ContactMerge merge, CancellationToken ct) =>
                (await merge.MergeAsync(contactId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageContacts).Produces<ContactView>();

        contacts.MapGet("/{contactId:guid}/notes", async (Guid contactId, ContactNotes notes, CancellationToken ct) => (await notes.ListAsync(contactId, ct)).ToOk())
            .RequirePermission(Permission.ViewConversations).Produces<IReadOnlyList<ContactNoteView>>();
        contacts.MapPost("/{contactId:guid}/notes", async (Guid contactId, ContactNoteRequest request, ContactNotes notes, CancellationToken ct) =>
                (await notes.WriteAsync(contactId, request, ct)).ToHttp(n => TypedResults.Created($"/api/v1/contacts/{contactId}/notes/{n.Id}", n)))
            .RequirePermission(Permission.HandleConversations).Produces<ContactNoteView>(StatusCodes.Status201Created);
        contacts.MapDelete("/{contactId:guid}/notes/{noteId:guid}", async (Guid contactId, Guid noteId, ContactNotes notes, CancellationToken ct) =>
                (await notes.DeleteAsync(contactId, noteId, ct)).ToNoContent())
            .RequirePermission(Permission.HandleConversations);

        var companies = api.MapGroup("/companies").WithTags("Contacts");
        companies.MapGet("/", async (string? q, int? limit, string? cursor, CompanyCommands commands, CancellationToken ct) =>
                await ProblemResults.PagedAsync(limit, cursor, page => commands.ListAsync(q, page, ct)))
            .RequirePermission(Permission.ViewConversations).Produces<Page<CompanyView>>();
        companies.MapGet("/{companyId:guid}", async (Guid companyId, CompanyCommands commands, CancellationToken ct) => (await commands.GetAsync(companyId, ct)).ToOk())
            .RequirePermission(Permission.ViewConversations).Produces<CompanyView>();
        companies.MapPost("/", async (CompanyRequest request, CompanyCommands commands, CancellationToken ct) =>
                (await commands.CreateAsync(request, ct)).ToHttp(c => TypedResults.Created($"/api/v1/companies/{c.Id}", c)))
            .RequirePermission(Permission.ManageContacts).Produces<CompanyView>(StatusCodes.Status201Created);
        companies.MapPut("/{companyId:guid}", async (Guid companyId, CompanyRequest request, CompanyCommands commands, CancellationToken ct) =>
                (await commands.UpdateAsync(companyId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageContacts).Produces<CompanyView>();
        companies.MapDelete("/{companyId:guid}", async (Guid companyId, CompanyCommands commands, CancellationToken ct) =>
                (await commands.DeleteAsync(companyId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageContacts);

        var segments = api.MapGroup("/segments").WithTags("Contacts");
        segments.MapGet("/", async (SegmentCommands commands, CancellationToken ct) => TypedResults.Ok(await commands.ListAsync(ct)))
            .RequirePermission(Permission.ViewConversations);
        segments.MapGet("/{segmentId:guid}", async (Guid segmentId, SegmentCommands commands, CancellationToken ct) => (await commands.GetAsync(segmentId, ct)).ToOk())
            .RequirePermission(Permission.ViewConversations).Produces<SegmentView>();
        segments.MapPost("/", async (SegmentRequest request, SegmentCommands commands, CancellationToken ct) =>
                (await commands.CreateAsync(request, ct)).ToHttp(s => TypedResults.Created($"/api/v1/segments/{s.Id}", s)))
            .RequirePermission(Permission.ManageContacts).Produces<SegmentView>(StatusCodes.Status201Created);
        segments.MapPut("/{segmentId:guid}", async (Guid segmentId, SegmentRequest request, SegmentCommands commands, CancellationToken ct) =>
                (await commands.UpdateAsync(segmentId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageContacts).Produces<SegmentView>();
        segments.MapDelete("/{segmentId:guid}", async (Guid segmentId, SegmentCommands commands, CancellationToken ct) =>
                (await commands.DeleteAsync(segmentId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageContacts);

        var attributes = api.MapGroup("/contact-attributes").WithTags("Contacts");
        attributes.MapGet("/", async (ContactAttributeDefinitions definitions, CancellationToken ct) => TypedResults.Ok(await definitions.ListAsync(ct)))
            .RequirePermission(Permission.ViewConversations);
        attributes.MapPost("/", async (ContactAttributeRequest request, ContactAttributeDefinitions definitions, CancellationToken ct) =>
                (await definitions.CreateAsync(request, ct)).ToHttp(d => TypedResults.Created($"/api/v1/contact-attributes/{d.Key}", d)))
            .RequirePermission(Permission.ManageContacts).Produces<ContactAttributeView>(StatusCodes.Status201Created);
        attributes.MapPut("/{key}", async (string key, ContactAttributeRequest request, ContactAttributeDefinitions definitions, CancellationToken ct) =>
                (await definitions.UpdateAsync(key, request, ct)).ToOk())
            .RequirePermission(Permission.ManageContacts).Produces<ContactAttributeView>();
        attributes.MapDelete("/{key}", async (string key, ContactAttributeDefinitions definitions, CancellationToken ct) =>
                (await definitions.DeleteAsync(key, ct)).ToNoContent())
            .RequirePermission(Permission.ManageContacts);
    }
}

/// <summary>
/// Keeping companies, segments and attribute definitions, merging, importing and exporting need
/// <see cref="Permission.ManageContacts"/>: checked by the use cases themselves, so the API and the contacts pages
/// answer alike.
/// </summary>
public static class ContactManagers
{
    public static Failure? Refuse(ActingAgent actor) =>
        actor.Can(Permission.ManageContacts) ? null : Failure.Forbidden("Only those who manage contacts (owners, admins, supervisors) may do this.");
}
