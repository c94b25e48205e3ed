using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.Workspaces;

/// <summary>A company's support team: the tenant that owns agents, inboxes and conversations.</summary>
public sealed class Workspace : Entity, IAudited
{
    public const int MaxNameLength = 100;

    private Workspace()
    {
    }

    public string Name { get; private set; } = "";

    /// <summary>IANA time zone id, e.g. "Europe/Berlin"; business hours are read in this zone.</summary>
    public string TimeZone { get; private set; } = "UTC";

    public BusinessHours BusinessHours { get; private set; } = BusinessHours.AlwaysOpen;

    /// <summary>Days closed all day (public holidays, company days off), in the workspace's time zone.</summary>
    public List<DateOnly> Holidays { get; private set; } = [];

    public const int MaxHolidays = 200;

    /// <summary>Four periods a day: enough for split shifts, and what the stored hours leave room for.</summary>
    public const int MaxBusinessPeriods = 28;

    /// <summary>The caps on active conversations every agent has unless their own say otherwise.</summary>
    public Routing.ConcurrencyCaps Caps { get; private set; } = Routing.ConcurrencyCaps.WorkspaceDefault;

    public DateTime CreatedAt { get; private set; }

    /// <summary>The display number of the newest conversation; raised atomically by StartConversation.</summary>
    [AuditIgnore]
    public int LastConversationNumber { get; private set; }

    /// <summary>
    /// What is masked in the text customers and agents write, before it is stored (docs/privacy.md). A new workspace
    /// starts with <see cref="Privacy.WorkspaceRedaction.NewWorkspaceDefault"/>; workspaces from before the setting kept
    /// none (decisions/0023).
    /// </summary>
    public Privacy.PiiDetectors Redaction { get; private set; }

    public static Workspace Create(string name, string timeZone, DateTime now)
    {
        var workspace = new Workspace { Name = name.Trim(), TimeZone = timeZone, CreatedAt = now, Redaction = Privacy.WorkspaceRedaction.NewWorkspaceDefault };
        workspace.Raise(new WorkspaceCreated(workspace.Id, workspace.Name));
        return workspace;
    }

    /// <summary>Minutes without activity after which an Online agent is set Away (0: never).</summary>
    public int AutoAwayMinutes { get; private set; } = DefaultAutoAwayMinutes;

    public const int DefaultAutoAwayMinutes = 15;
    public const int MinAutoAwayMinutes = 5;
    public const int MaxAutoAwayMinutes = 480;

    public void SetCaps(Routing.ConcurrencyCaps caps) => Caps = caps;

    /// <summary>
    /// Whether every agent signs in with an authenticator code after their password. An agent without one is sent to
    /// set it up at their next sign-in, before they reach the app (API tokens are not affected).
    /// </summary>
    public bool RequireTwoFactor { get; private set; }

    /// <summary>The fewest characters an agent's new password may have (docs/security.md#password-policy).</summary>
    public int MinPasswordLength { get; private set; } = DefaultMinPasswordLength;

    public const int DefaultMinPasswordLength = 10;
    public const int LowestMinPasswordLength = 8;
    public const int HighestMinPasswordLength = 128;

    public void SetSignInPolicy(bool requireTwoFactor, int minPasswordLength) =>
        (RequireTwoFactor, MinPasswordLength) = (requireTwoFactor, minPasswordLength);

    public void SetAutoAway(int minutes) => AutoAwayMinutes = minutes;

    public void SetRedaction(Privacy.PiiDetectors detectors) => Redaction = detectors;

    /// <summary>How a contact is erased when the request does not say (docs/privacy.md#privacy-requests).</summary>
    public Privacy.ErasureMode ErasureMode { get; private set; }

    public void SetErasureMode(Privacy.ErasureMode mode) => ErasureMode = mode;

    /// <summary>What an agent's working hour costs (in the team's own currency), for the cost per conversation; null: not set.</summary>
    public decimal? AgentHourlyCost { get; private set; }

    public const decimal MaxAgentHourlyCost = 100_000;

    /// <summary>The first day of the last week whose digest was sent, so each week's goes out once.</summary>
    public DateOnly? LastDigestWeek { get; private set; }

    public void DigestSent(DateOnly week) => LastDigestWeek = week;

    /// <summary>
    /// When a recomputation of the report facts from the event log was asked for and has not finished (null: none
    /// runs); see <c>Reports.FactsRecompute</c>.
    /// </summary>
    public DateTime? FactsRecomputeRequestedAt { get; private set; }

    /// <summary>How far the recomputation got: conversations go in id order, up to this one.</summary>
    public Guid? FactsRecomputedUpTo { get; private set; }

    /// <summary>When the last recomputation finished.</summary>
    public DateTime? FactsRecomputedAt { get; private set; }

    /// <summary>Asks for every conversation's facts again, from the start (again, if one is running).</summary>
    public void RequestFactsRecompute(DateTime now) => (FactsRecomputeRequestedAt, FactsRecomputedUpTo) = (now, null);

    /// <summary>What the business calendar is made of, to tell whether a change of settings changed it.</summary>
    public string CalendarKey() => $"{TimeZone}|{string.Join(',', BusinessHours.Days)}|{string.Join(',', Holidays)}";

    public void SetAgentHourlyCost(decimal? cost) => AgentHourlyCost = cost is null or 0 ? null : Math.Round(cost.Value, 2);

    public void SetHolidays(IEnumerable<DateOnly> holidays) => Holidays = [.. holidays.Distinct().Order()];

    /// <summary>The workspace's business time: its hours and holidays in its time zone.</summary>
    public Sla.BusinessCalendar Calendar() =>
        new(TimeZoneInfo.FindSystemTimeZoneById(TimeZone), BusinessHours.Days, Holidays);

    public void ChangeSettings(string name, string timeZone, BusinessHours businessHours)
    {
        Name = name.Trim();
        TimeZone = timeZone;
        BusinessHours = businessHours;
    }
}

public sealed record WorkspaceCreated(Guid WorkspaceId, string Name) : IDomainEvent;

/// <summary>
/// Opening hours per day of the week, in the workspace's time zone: a day may have several periods (a morning and
/// an afternoon); a missing day is closed.
/// </summary>
public sealed record BusinessHours(IReadOnlyList<BusinessDay> Days)
{
    public static BusinessHours AlwaysOpen { get; } = new(
        Enum.GetValues<DayOfWeek>().Select(day => new BusinessDay(day, TimeOnly.MinValue, TimeOnly.MaxValue)).ToList());

    public static BusinessHours WeekdaysNineToFive { get; } = new(
        [.. new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }
            .Select(day => new BusinessDay(day, new TimeOnly(9, 0), new TimeOnly(17, 0)))]);

    public bool Equals(BusinessHours? other) => other is not null && Days.SequenceEqual(other.Days);

    public override int GetHashCode() => Days.Aggregate(0, (hash, day) => HashCode.Combine(hash, day));
}

public sealed record BusinessDay(DayOfWeek Day, TimeOnly Opens, TimeOnly Closes);

internal sealed class WorkspaceConfiguration : IEntityTypeConfiguration<Workspace>
{
    public void Configure(EntityTypeBuilder<Workspace> builder)
    {
        builder.Property(w => w.Name).HasMaxLength(Workspace.MaxNameLength);
        builder.Property(w => w.TimeZone).HasMaxLength(64);
        builder.Property(w => w.Caps).HasConversion(JsonColumn.Converter(Routing.ConcurrencyCaps.WorkspaceDefault), JsonColumn.Comparer<Routing.ConcurrencyCaps>());
        // Stored as JSON text so both providers keep the same shape; it is read and written whole.
        builder.Property(w => w.BusinessHours)
            .HasConversion(JsonColumn.Converter(BusinessHours.AlwaysOpen), JsonColumn.Comparer<BusinessHours>())
            .HasMaxLength(2000);
        builder.Property(w => w.Holidays).HasConversion(JsonColumn.Converter<List<DateOnly>>(), JsonColumn.Comparer<List<DateOnly>>());
        // By name ("PaymentCard, Secret"), as the audit trail and the API show it.
        builder.Property(w => w.Redaction).HasConversion<string>().HasMaxLength(100);
        builder.Property(w => w.ErasureMode).HasConversion<string>().HasMaxLength(16);
    }
}
