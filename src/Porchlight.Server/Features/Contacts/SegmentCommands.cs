using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Contacts;

public sealed record SegmentRequest(string? Name, SegmentRules? Rules);

/// <summary>A segment; <c>contactCount</c> (how many contacts it holds now) is given when one segment is read.</summary>
public sealed record SegmentView(Guid Id, string Name, SegmentRules Rules, int? ContactCount, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static SegmentView From(Segment s, int? contactCount = null) => new(s.Id, s.Name, s.Rules, contactCount, s.CreatedAt, s.UpdatedAt);
}

/// <summary>The workspace's segments: every agent reads them and lists their contacts; those who manage contacts keep them.</summary>
public sealed class SegmentCommands(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    public async Task<IReadOnlyList<SegmentView>> ListAsync(CancellationToken cancellationToken) =>
        (await db.Segments.AsNoTracking().OrderBy(s => s.Name).ToListAsync(cancellationToken)).ConvertAll(s => SegmentView.From(s));

    public async Task<Result<SegmentView>> GetAsync(Guid segmentId, CancellationToken cancellationToken)
    {
        if (await db.Segments.AsNoTracking().FirstOrDefaultAsync(s => s.Id == segmentId, cancellationToken) is not { } segment)
        {
            return Failure.NotFound("The segment");
        }

        var contacts = segment.Rules.Apply(db.Contacts.AsNoTracking());
        var count = segment.Rules.HasAttributeConditions
            ? await contacts.AsAsyncEnumerable().CountAsync(segment.Rules.MatchesAttributes, cancellationToken)
            : await contacts.CountAsync(cancellationToken);
        return SegmentView.From(segment, count);
    }

    public async Task<Result<SegmentView>> CreateAsync(SegmentRequest request, CancellationToken cancellationToken)
    {
        if (ContactManagers.Refuse(actor) is { } refused)
        {
            return refused;
        }

        var errors = new FieldErrors();
        var rules = await CheckAsync(errors, request, cancellationToken);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var name = request.Name!.Trim();
        if (await db.Segments.AnyAsync(s => s.Name == name, cancellationToken))
        {
            return NameTaken;
        }

        if (await db.Segments.CountAsync(cancellationToken) >= Segment.MaxPerWorkspace)
        {
            return Failure.Conflict($"A workspace keeps at most {Segment.MaxPerWorkspace} segments.");
        }

        var segment = db.Segments.Add(Segment.Create(actor.WorkspaceId, name, rules, clock.GetUtcNow().UtcDateTime)).Entity;
        return await SaveAsync(segment, cancellationToken);
    }

    public async Task<Result<SegmentView>> UpdateAsync(Guid segmentId, SegmentRequest request, CancellationToken cancellationToken)
    {
        if (ContactManagers.Refuse(actor) is { } refused)
        {
            return refused;
        }

        if (await db.Segments.FirstOrDefaultAsync(s => s.Id == segmentId, cancellationToken) is not { } segment)
        {
            return Failure.NotFound("The segment");
        }

        var errors = new FieldErrors();
        var rules = await CheckAsync(errors, request, cancellationToken);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var name = request.Name!.Trim();
        if (await db.Segments.AnyAsync(s => s.Name == name && s.Id != segmentId, cancellationToken))
        {
            return NameTaken;
        }

        segment.Change(name, rules, clock.GetUtcNow().UtcDateTime);
        return await SaveAsync(segment, cancellationToken);
    }

    public async Task<Result<bool>> DeleteAsync(Guid segmentId, CancellationToken cancellationToken) =>
        ContactManagers.Refuse(actor) is { } refused ? refused
        : await db.Segments.Where(s => s.Id == segmentId).ExecuteDeleteAsync(cancellationToken) > 0 ? true : Failure.NotFound("The segment");

    private static Failure NameTaken => Failure.Duplicate("name", "Another segment has this name.");

    /// <summary>Saves; two requests taking one name at once both pass the check, and the unique index lets one win.</summary>
    private async Task<Result<SegmentView>> SaveAsync(Segment segment, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return NameTaken;
        }

        return SegmentView.From(segment);
    }

    /// <summary>The rules as they are kept (tags normalised, texts trimmed), with field errors under <c>rules.*</c>.</summary>
    private async Task<SegmentRules> CheckAsync(FieldErrors errors, SegmentRequest request, CancellationToken cancellationToken)
    {
        errors.Required("name", request.Name, Segment.MaxNameLength);
        var rules = request.Rules ?? new SegmentRules();
        errors.MaxLength("rules.query", rules.Query?.Trim(), ContactCommands.MaxQueryLength);
        var tags = Contact.NormalizeTags((rules.Tags ?? []).Select(t => t ?? ""));
        if (tags.Count > Segment.MaxTags || tags.Any(t => t.Length > Contact.MaxTagLength))
        {
            errors.Add("rules.tags", $"At most {Segment.MaxTags} tags of at most {Contact.MaxTagLength} characters.");
        }

        await CompanyChoice.CheckAsync(db, errors, "rules.companyId", rules.CompanyId?.ToString(), cancellationToken);

        var conditions = rules.Attributes ?? [];
        if (conditions.Count > Segment.MaxAttributeConditions)
        {
            errors.Add("rules.attributes", $"At most {Segment.MaxAttributeConditions} attribute conditions.");
        }

        for (var i = 0; i < conditions.Count; i++)
        {
            CheckCondition(errors, $"rules.attributes[{i}]", conditions[i]);
        }

        var kept = new SegmentRules(
            string.IsNullOrWhiteSpace(rules.Query) ? null : rules.Query.Trim(),
            tags.Count > 0 ? tags : null,
            rules.CompanyId,
            rules.Identified,
            conditions.Count > 0 ? [.. conditions.Select(c => c with { Key = c.Key?.Trim(), Value = c.Value?.Trim() })] : null);
        if (kept.IsEmpty)
        {
            errors.Add("rules", "Give the segment at least one rule (a text, tags, a company, identified, or an attribute condition).");
        }

        return kept;
    }

    private static void CheckCondition(FieldErrors errors, string field, AttributeCondition? condition)
    {
        if (condition is null)
        {
            errors.Add(field, "An attribute condition: key, operator and (unless the operator is Exists or NotExists) a value.");
            return;
        }

        errors.Required($"{field}.key", condition.Key, CustomAttributes.MaxKeyLength);
        if (condition.Operator is not { } op)
        {
            errors.Add($"{field}.operator", "Equals, NotEquals, Contains, Exists, NotExists, GreaterThan or LessThan.");
        }
        else if (op is not (AttributeOperator.Exists or AttributeOperator.NotExists))
        {
            errors.Required($"{field}.value", condition.Value, CustomAttributes.MaxValueLength);
        }
        else if (!string.IsNullOrEmpty(condition.Value))
        {
            errors.Add($"{field}.value", $"{op} takes no value.");
        }
    }
}
