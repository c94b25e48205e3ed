namespace Porchlight.Server.Features.Workforce.Planning;

/// <summary>
/// The chat workload of one planning interval.
/// </summary>
/// <param name="Conversations">Conversations expected to arrive in the interval (a forecast, so it may be fractional).</param>
/// <param name="AverageHandleTime">How long a conversation occupies one of an agent's chat slots, measured while agents
/// work at their usual concurrency (so it already includes the slowdown of juggling several chats).</param>
/// <param name="ConcurrentChatsPerAgent">How many chats an agent handles at once at most (the concurrency cap), 1 or more.</param>
public sealed record IntervalWorkload(double Conversations, TimeSpan AverageHandleTime, int ConcurrentChatsPerAgent)
{
    /// <summary>Length of the interval the conversations arrive in; 30 minutes unless set.</summary>
    public TimeSpan IntervalLength { get; init; } = PlanningWeek.IntervalLength;

    /// <summary>Offered load in Erlangs: the average number of chat slots busy, arrivals per second × handle time.</summary>
    public double TrafficErlangs => Conversations * AverageHandleTime.TotalSeconds / IntervalLength.TotalSeconds;

    internal void Validate()
    {
        if (!(Conversations >= 0) || double.IsInfinity(Conversations))
        {
            throw new ArgumentOutOfRangeException(nameof(Conversations), Conversations, "Conversations must be a finite number, 0 or more.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AverageHandleTime, TimeSpan.Zero, nameof(AverageHandleTime));
        ArgumentOutOfRangeException.ThrowIfLessThan(ConcurrentChatsPerAgent, 1, nameof(ConcurrentChatsPerAgent));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(IntervalLength, TimeSpan.Zero, nameof(IntervalLength));
    }
}

/// <summary>
/// What an interval's staffing must achieve. Build one with <see cref="ServiceLevel"/> or <see cref="AverageWait"/>,
/// then set <see cref="MaximumOccupancy"/> and <see cref="Shrinkage"/> with <c>with { … }</c> as needed.
/// </summary>
public sealed record StaffingTarget
{
    private StaffingTarget(double? serviceLevel, TimeSpan answerWithin, TimeSpan? maximumAverageWait)
    {
        ServiceLevelGoal = serviceLevel;
        AnswerWithin = answerWithin;
        MaximumAverageWait = maximumAverageWait;
    }

    /// <summary>Share of conversations to answer within <see cref="AnswerWithin"/> (e.g. 0.8), when the target is a service level.</summary>
    public double? ServiceLevelGoal { get; }

    /// <summary>The wait the service level counts against (e.g. 30 s); also the threshold performance is reported for.</summary>
    public TimeSpan AnswerWithin { get; }

    /// <summary>Largest acceptable average wait over all conversations, when the target is an average wait.</summary>
    public TimeSpan? MaximumAverageWait { get; }

    /// <summary>Optional ceiling on the share of chat slots busy (e.g. 0.85), so agents are not run flat out.</summary>
    public double? MaximumOccupancy { get; init; }

    /// <summary>
    /// Share of paid time agents are not available for chats (breaks, meetings, training, absence), 0 to 0.9.
    /// Agents to schedule = agents needed / (1 − shrinkage), rounded up.
    /// </summary>
    public double Shrinkage { get; init; }

    /// <summary>A service-level target: <paramref name="share"/> of conversations answered within <paramref name="answerWithin"/>.</summary>
    /// <param name="share">Greater than 0 and less than 1 (no finite staffing answers everyone instantly).</param>
    /// <param name="answerWithin">0 or more.</param>
    public static StaffingTarget ServiceLevel(double share, TimeSpan answerWithin)
    {
        if (!(share > 0 && share < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(share), share, "The service level must be above 0 and below 1.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(answerWithin, TimeSpan.Zero);
        return new StaffingTarget(share, answerWithin, null);
    }

    /// <summary>An average-wait target: the average wait over all conversations at most <paramref name="maximum"/>.</summary>
    /// <param name="maximum">Greater than zero.</param>
    /// <param name="reportServiceLevelWithin">The wait the reported service level is measured against; 30 s unless given.</param>
    public static StaffingTarget AverageWait(TimeSpan maximum, TimeSpan? reportServiceLevelWithin = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maximum, TimeSpan.Zero);
        var within = reportServiceLevelWithin ?? TimeSpan.FromSeconds(30);
        ArgumentOutOfRangeException.ThrowIfLessThan(within, TimeSpan.Zero, nameof(reportServiceLevelWithin));
        return new StaffingTarget(null, within, maximum);
    }

    internal void Validate()
    {
        if (MaximumOccupancy is { } occupancy && !(occupancy > 0 && occupancy <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MaximumOccupancy), occupancy, "The maximum occupancy must be above 0 and at most 1.");
        }
        if (!(Shrinkage >= 0 && Shrinkage <= 0.9))
        {
            throw new ArgumentOutOfRangeException(nameof(Shrinkage), Shrinkage, "Shrinkage must be between 0 and 0.9.");
        }
    }
}

/// <summary>How an interval performs with a given number of agents, by the Erlang C model.</summary>
/// <param name="Agents">Agents handling chats in the interval.</param>
/// <param name="Slots">Chat slots: agents × concurrent chats per agent.</param>
/// <param name="TrafficErlangs">Offered load: the average number of slots busy.</param>
/// <param name="WaitProbability">Share of conversations that wait for a free slot.</param>
/// <param name="ServiceLevel">Share of conversations answered within the target's wait.</param>
/// <param name="AverageSpeedOfAnswer">Average wait over all conversations; <see cref="TimeSpan.MaxValue"/> when the queue grows without end.</param>
/// <param name="Occupancy">Share of slots busy.</param>
public sealed record IntervalPerformance(
    int Agents, int Slots, double TrafficErlangs, double WaitProbability, double ServiceLevel, TimeSpan AverageSpeedOfAnswer, double Occupancy)
{
    /// <summary>False when the load reaches the number of slots: the queue then grows through the interval.</summary>
    public bool IsStable => TrafficErlangs < Slots || TrafficErlangs == 0;
}

/// <summary>Agents an interval needs.</summary>
/// <param name="AgentsNeeded">Agents who must be handling chats at once to meet the target.</param>
/// <param name="AgentsToSchedule">Agents to put on shift so that, after shrinkage, <paramref name="AgentsNeeded"/> are available.</param>
/// <param name="Performance">The interval's expected performance with <paramref name="AgentsNeeded"/> agents.</param>
public sealed record StaffingRequirement(int AgentsNeeded, int AgentsToSchedule, IntervalPerformance Performance);

/// <summary>
/// Staffing for chat, where an agent handles up to N conversations at once. The model treats each agent as N
/// independent servers ("slots") and runs Erlang C on agents × N slots, with the handle time a chat has when
/// agents work at their usual concurrency. Assumptions: arrivals within the interval are random (Poisson) at a
/// steady rate; handle times are exponentially distributed; nobody gives up waiting; conversations are answered
/// first come, first served; every slot of every agent is equivalent and a free slot takes the next conversation
/// at once. The weak point: in reality an agent slows down as chats pile up, so one agent with three chats is not
/// three agents with one. Measuring the handle time at the usual concurrency absorbs the average slowdown, but in
/// quiet intervals (agents holding fewer chats, so faster) the model overstates the need, and in peaks (every slot
/// full, so slower) it understates it.
/// </summary>
public static class ChatStaffing
{
    // No interval of a support team needs this many agents; a search that gets here has been given nonsense.
    private const int MostAgentsSearched = 100_000;

    /// <summary>The interval's expected performance with <paramref name="agents"/> agents.</summary>
    /// <param name="answerWithin">The wait the service level is measured against.</param>
    public static IntervalPerformance Evaluate(IntervalWorkload workload, int agents, TimeSpan answerWithin)
    {
        ArgumentNullException.ThrowIfNull(workload);
        workload.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(agents);
        ArgumentOutOfRangeException.ThrowIfLessThan(answerWithin, TimeSpan.Zero);
        var slots = checked(agents * workload.ConcurrentChatsPerAgent);
        var traffic = workload.TrafficErlangs;
        return new IntervalPerformance(
            agents,
            slots,
            traffic,
            ErlangC.WaitProbability(slots, traffic),
            ErlangC.ServiceLevel(slots, traffic, workload.AverageHandleTime, answerWithin),
            ErlangC.AverageSpeedOfAnswer(slots, traffic, workload.AverageHandleTime),
            ErlangC.Occupancy(slots, traffic));
    }

    /// <summary>
    /// The fewest agents whose slots meet the target (and its occupancy ceiling, if any), then grossed up for
    /// shrinkage. No conversations need no agents.
    /// </summary>
    public static StaffingRequirement RequiredAgents(IntervalWorkload workload, StaffingTarget target)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(target);
        workload.Validate();
        target.Validate();

        if (workload.Conversations == 0)
        {
            return new StaffingRequirement(0, 0, Evaluate(workload, 0, target.AnswerWithin));
        }

        // Fewer slots than the load can never keep up, so the search starts just above it.
        var agents = Math.Max(1, (int)Math.Floor(workload.TrafficErlangs / workload.ConcurrentChatsPerAgent));
        while (true)
        {
            var performance = Evaluate(workload, agents, target.AnswerWithin);
            if (Meets(performance, target))
            {
                // Rounded after the division so that a requirement of exactly n agents does not become n + 1
                // through floating-point error (10 / 0.8 is 12.500000000000002).
                var toSchedule = (int)Math.Ceiling(Math.Round(agents / (1 - target.Shrinkage), 9));
                return new StaffingRequirement(agents, toSchedule, performance);
            }
            if (++agents > MostAgentsSearched)
            {
                throw new ArgumentOutOfRangeException(nameof(workload), workload.Conversations, $"The workload needs more than {MostAgentsSearched} agents.");
            }
        }
    }

    private static bool Meets(IntervalPerformance performance, StaffingTarget target)
    {
        if (!performance.IsStable)
        {
            return false;
        }
        if (target.MaximumOccupancy is { } ceiling && performance.Occupancy > ceiling)
        {
            return false;
        }
        if (target.ServiceLevelGoal is { } goal)
        {
            return performance.ServiceLevel >= goal;
        }
        return performance.AverageSpeedOfAnswer <= target.MaximumAverageWait!.Value;
    }
}
