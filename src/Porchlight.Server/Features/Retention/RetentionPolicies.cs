using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Retention;

/// <summary>One class's policy as it stands, with what may be set.</summary>
/// <param name="Days">Days an item is kept; null keeps it forever.</param>
/// <param name="Action">What happens to it then; null while kept forever.</param>
/// <param name="AgeFrom">The date an item's age counts from.</param>
public sealed record RetentionPolicyResponse(
    RetentionDataClass DataClass, int? Days, RetentionAction? Action, int MinDays, int MaxDays, IReadOnlyList<RetentionAction> Actions, string AgeFrom,
    DateTime? UpdatedAt);

/// <summary>One class's new policy: <c>days</c> null keeps it forever; <c>action</c> left out deletes.</summary>
public sealed record RetentionPolicyRequest(int? Days, RetentionAction? Action = null);

/// <summary>The policies to change; a class left out stays as it is.</summary>
public sealed record UpdateRetentionPoliciesRequest(
    RetentionPolicyRequest? Conversations = null, RetentionPolicyRequest? Attachments = null, RetentionPolicyRequest? TrackingEvents = null,
    RetentionPolicyRequest? AuditEntries = null, RetentionPolicyRequest? SurveyAnswers = null);

/// <summary>A workspace's retention policies: read by everyone who manages retention, changed with field errors, audited.</summary>
public sealed class RetentionPolicies(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    /// <summary>Which date each class's age counts from, as docs/privacy.md says.</summary>
    public static string AgeFromOf(RetentionDataClass dataClass) => dataClass switch
    {
        RetentionDataClass.Conversations => "the last activity of a resolved conversation (its newest message, note or status change); unresolved conversations are kept",
        RetentionDataClass.Attachments => "the upload",
        RetentionDataClass.TrackingEvents => "the event's arrival",
        RetentionDataClass.AuditEntries => "the time the entry was recorded",
        _ => "the first answer",
    };

    /// <summary>The field name of a class in requests and field errors.</summary>
    public static string FieldOf(RetentionDataClass dataClass) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(dataClass.ToString());

    public async Task<List<RetentionPolicyResponse>> ListAsync(CancellationToken cancellationToken)
    {
        var stored = await db.RetentionPolicies.AsNoTracking().ToListAsync(cancellationToken);
        return [.. Enum.GetValues<RetentionDataClass>().Select(dataClass => ResponseOf(dataClass, stored.Find(p => p.DataClass == dataClass)))];
    }

    public async Task<Result<List<RetentionPolicyResponse>>> UpdateAsync(UpdateRetentionPoliciesRequest request, CancellationToken cancellationToken)
    {
        var asked = new Dictionary<RetentionDataClass, RetentionPolicyRequest?>
        {
            [RetentionDataClass.Conversations] = request.Conversations,
            [RetentionDataClass.Attachments] = request.Attachments,
            [RetentionDataClass.TrackingEvents] = request.TrackingEvents,
            [RetentionDataClass.AuditEntries] = request.AuditEntries,
            [RetentionDataClass.SurveyAnswers] = request.SurveyAnswers,
        };
        var errors = new FieldErrors();
        foreach (var (dataClass, policy) in asked)
        {
            if (policy is not null)
            {
                Validate(dataClass, policy, errors);
            }
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var stored = await db.RetentionPolicies.ToListAsync(cancellationToken);
        foreach (var (dataClass, policy) in asked)
        {
            if (policy is null)
            {
                continue;
            }

            var row = stored.Find(p => p.DataClass == dataClass);
            if (row is null)
            {
                if (policy.Days is null)
                {
                    continue; // kept forever already
                }

                row = db.RetentionPolicies.Add(RetentionPolicy.For(actor.WorkspaceId, dataClass)).Entity;
                stored.Add(row);
            }

            row.Set(policy.Days, policy.Days is null ? RetentionAction.Delete : policy.Action ?? RetentionAction.Delete, now);
        }

        // The audit interceptor records each created or changed policy with its values before and after.
        await db.SaveChangesAsync(cancellationToken);
        return await ListAsync(cancellationToken);
    }

    private static void Validate(RetentionDataClass dataClass, RetentionPolicyRequest policy, FieldErrors errors)
    {
        var field = FieldOf(dataClass);
        var min = RetentionPolicy.MinDaysOf(dataClass);
        if (policy.Days is { } days && (days < min || days > RetentionPolicy.MaxDays))
        {
            errors.Add($"{field}.days", dataClass == RetentionDataClass.AuditEntries
                ? $"From {min} to {RetentionPolicy.MaxDays} days: the audit trail is kept at least a year. Null keeps it forever."
                : $"From {min} to {RetentionPolicy.MaxDays} days, or null to keep forever.");
        }

        if (policy.Action is { } action && !RetentionPolicy.ActionsOf(dataClass).Contains(action))
        {
            errors.Add($"{field}.action", $"{dataClass} can only be deleted.");
        }
    }

    private static RetentionPolicyResponse ResponseOf(RetentionDataClass dataClass, RetentionPolicy? policy) => new(
        dataClass, policy?.Days, policy?.Days is null ? null : policy.Action, RetentionPolicy.MinDaysOf(dataClass), RetentionPolicy.MaxDays,
        RetentionPolicy.ActionsOf(dataClass), AgeFromOf(dataClass), policy?.UpdatedAt is { } at && at != default ? at : null);
}
