using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Contacts;

/// <summary>What an import should do: only show what would happen (<c>dryRun</c>), and import the good rows of a file with bad ones (<c>partial</c>).</summary>
public sealed record ContactImportOptions(bool DryRun, bool Partial);

/// <summary>A row that could not be imported: its line in the file, the column, and why.</summary>
public sealed record ContactImportRowError(int Line, string Field, string Message);

/// <summary>
/// What an import did (or, for a dry run, would do): contacts added, changed, found unchanged; with <c>partial</c>, the
/// rows left out and why.
/// </summary>
public sealed record ContactImportReport(bool DryRun, bool Imported, int Rows, int Created, int Updated, int Unchanged, IReadOnlyList<ContactImportRowError> Errors);

/// <summary>
/// Adds and updates contacts from a CSV file, all or nothing unless asked otherwise. Each row goes through the contacts
/// API's own rules (<see cref="ContactCommands"/>): found by <c>id</c>, else by external id or email as an upsert
/// finds them; checked against the attribute definitions; blank cells leave what is known. A file exported from
/// Porchlight imports as it is.
/// </summary>
public sealed class ContactImport(AppDbContext db, ContactCommands commands, ActingAgent actor, Audit.AuditActor auditActor, TimeProvider clock)
{
    public const long MaxBytes = 5 * 1024 * 1024;
    public const int MaxRows = 5_000;

    /// <summary>Columns an export has that an import leaves alone: Porchlight keeps them itself.</summary>
    private static readonly HashSet<string> ReadOnlyColumns = new(StringComparer.OrdinalIgnoreCase) { "createdAt", "updatedAt", "lastSeenAt" };

    private static readonly string[] DetailColumns = ["id", "name", "email", "externalId", "tags", "company"];

    public async Task<Result<ContactImportReport>> ImportAsync(string csv, ContactImportOptions options, CancellationToken cancellationToken)
    {
        if (ContactManagers.Refuse(actor) is { } refused)
        {
            return refused;
        }

        if (CsvText.Parse(csv) is not { } rows)
        {
            return Failure.Invalid("file", "A quoted field is never closed: the file is not CSV as a spreadsheet saves it.");
        }

        if (rows.Count < 2 || rows.Count - 1 > MaxRows)
        {
            return Failure.Invalid("file", $"A header row and 1–{MaxRows} contact rows.");
        }

        var (columns, headerError) = Columns(rows[0].Fields);
        if (headerError is not null)
        {
            return Failure.Invalid("header", headerError);
        }

        var companies = await db.Companies.AsNoTracking().Select(c => new { c.Id, c.Name, c.Domain }).ToListAsync(cancellationToken);
        var startedAt = clock.GetUtcNow().UtcDateTime;
        var (created, updated, unchanged) = (0, 0, 0);
        var errors = new List<ContactImportRowError>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var (line, fields) in rows.Skip(1))
        {
            var cells = columns.Select((column, i) => (column, value: i < fields.Length ? fields[i].Trim() : "")).Where(c => c.column.Length > 0 && c.value.Length > 0)
                .ToDictionary(c => c.column, c => c.value, StringComparer.Ordinal);
            var rowErrors = new List<ContactImportRowError>();
            string? companyId = null;
            if (cells.TryGetValue("company", out var companyName))
            {
                var company = companies.Find(c => string.Equals(c.Name, companyName, StringComparison.OrdinalIgnoreCase) || string.Equals(c.Domain, companyName, StringComparison.OrdinalIgnoreCase));
                companyId = company?.Id.ToString();
                if (company is null)
                {
                    rowErrors.Add(new(line, "company", $"No company is named {companyName} or has it as its domain."));
                }
            }

            var request = new ContactRequest(
                cells.GetValueOrDefault("externalId"), cells.GetValueOrDefault("email"), cells.GetValueOrDefault("name"),
                cells.Where(c => c.Key.StartsWith("attributes.", StringComparison.Ordinal)).ToDictionary(c => c.Key["attributes.".Length..], c => (string?)c.Value),
                cells.TryGetValue("tags", out var tags) ? [.. tags.Split([' ', ',', ';'], StringSplitOptions.RemoveEmptyEntries)] : null,
                companyId);
            var result = rowErrors.Count > 0 ? null : await ApplyAsync(cells.GetValueOrDefault("id"), request, line, rowErrors, cancellationToken);
            if (result is not { } view)
            {
                errors.AddRange(rowErrors);
                continue;
            }

            if (view.Created)
            {
                created++;
            }
            else if (view.Contact.UpdatedAt >= startedAt)
            {
                updated++;
            }
            else
            {
                unchanged++;
            }
        }

        var failedRows = errors.Select(e => e.Line).Distinct().Count();
        if (failedRows > 0 && !options.Partial)
        {
            await transaction.RollbackAsync(cancellationToken);
            var fieldErrors = new FieldErrors();
            foreach (var error in errors.Take(100))
            {
                fieldErrors.Add($"rows[{error.Line}].{error.Field}", error.Message);
            }

            return fieldErrors.ToFailure() with { Detail = $"{failedRows} of {rows.Count - 1} rows cannot be imported, so nothing was. Correct them, or import the others with partial=true." };
        }

        var report = new ContactImportReport(options.DryRun, !options.DryRun, rows.Count - 1, created, updated, unchanged, errors);
        if (options.DryRun)
        {
            // The rows went through every rule and the database itself; taking it all back makes the preview exact.
            await transaction.RollbackAsync(cancellationToken);
            return report;
        }

        db.AuditEntries.Add(Audit.AuditEntry.Create(actor.WorkspaceId, clock.GetUtcNow().UtcDateTime, auditActor, "contacts.imported", "contact", null,
            System.Text.Json.JsonSerializer.Serialize(new { rows = report.Rows, created, updated, unchanged, skipped = failedRows })));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return report;
    }

    /// <summary>The row applied as the contacts API would (saved within the import's transaction), or null with its errors.</summary>
    private async Task<ContactUpserted?> ApplyAsync(string? id, ContactRequest request, int line, List<ContactImportRowError> rowErrors, CancellationToken cancellationToken)
    {
        Result<ContactUpserted> result;
        if (id is not null)
        {
            if (!Guid.TryParse(id, out var contactId))
            {
                rowErrors.Add(new(line, "id", "Not a contact id (leave the column empty to add the contact)."));
                return null;
            }

            var changed = await commands.UpdateAsync(contactId, request, cancellationToken);
            result = changed.Succeeded ? new ContactUpserted(changed.Value!, false) : changed.Failure!;
        }
        else if (string.IsNullOrWhiteSpace(request.ExternalId) && string.IsNullOrWhiteSpace(request.Email))
        {
            rowErrors.Add(new(line, "email", "A row needs an id, an external id or an email, so that importing it again finds the same contact."));
            return null;
        }
        else
        {
            result = await commands.UpsertAsync(request, cancellationToken);
        }

        if (result.Succeeded)
        {
            return result.Value;
        }

        var failure = result.Failure!;
        if (failure.FieldErrors is { Count: > 0 } fields)
        {
            rowErrors.AddRange(fields.SelectMany(f => f.Value.Select(message => new ContactImportRowError(line, f.Key == "companyId" ? "company" : f.Key, message))));
        }
        else
        {
            rowErrors.Add(new(line, "id", failure.Kind == FailureKind.NotFound ? "No contact of this workspace has this id." : failure.Detail));
        }

        return null;
    }

    /// <summary>The header's columns by their canonical names, or why the header cannot be read.</summary>
    private static (List<string> Columns, string? Error) Columns(string[] header)
    {
        var columns = new List<string>();
        foreach (var raw in header)
        {
            var name = raw.Trim();
            var detail = DetailColumns.FirstOrDefault(d => string.Equals(d, name, StringComparison.OrdinalIgnoreCase)
                || (d == "externalId" && string.Equals(name, "external_id", StringComparison.OrdinalIgnoreCase)));
            if (detail is not null)
            {
                columns.Add(detail);
            }
            else if (name.StartsWith("attributes.", StringComparison.OrdinalIgnoreCase) && name.Length > "attributes.".Length)
            {
                columns.Add("attributes." + name["attributes.".Length..]);
            }
            else if (ReadOnlyColumns.Contains(name))
            {
                columns.Add(""); // read, never applied
            }
            else
            {
                return ([], $"Unknown column \"{name}\": use id, name, email, externalId, tags, company and attributes.<key> (createdAt, updatedAt and lastSeenAt are left alone).");
            }
        }

        var named = columns.Where(c => c.Length > 0).ToList();
        if (named.Distinct(StringComparer.Ordinal).Count() != named.Count)
        {
            return ([], "A column appears twice.");
        }

        return named.Intersect(["id", "externalId", "email"]).Any()
            ? (columns, null)
            : ([], "The file needs an id, externalId or email column, so that every row finds its contact again.");
    }
}
