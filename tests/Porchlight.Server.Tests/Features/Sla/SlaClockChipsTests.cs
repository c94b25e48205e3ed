using Bunit;
using MudBlazor.Services;
using Porchlight.Server.Features.Sla;

namespace Porchlight.Server.Tests.Features.Sla;

/// <summary>The inbox shows a conversation's running SLA clocks as chips that count down and turn colour on their own.</summary>
public sealed class SlaClockChipsTests : BunitContext
{
    // 2026-03-02 is a Monday.
    private static readonly DateTime Now = new(2026, 3, 2, 14, 0, 0, DateTimeKind.Utc);

    public SlaClockChipsTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    [Fact]
    public void SlaClockChips_RunningBeforeItsWarning_SaysWhenItIsDueInQuietColours()
    {
        var chips = Render([Clock(SlaMetric.FirstResponse, warnAt: Now.AddMinutes(6), dueAt: Now.AddMinutes(11.5))]);

        var chip = chips.Find("[data-metric='FirstResponse']");
        Assert.Equal("First response due in 12 min", chip.TextContent.Trim());
        Assert.Equal("ontrack", chip.GetAttribute("data-state"));
        Assert.DoesNotContain("mud-chip-color-warning", chip.ClassName, StringComparison.Ordinal);
        Assert.DoesNotContain("mud-chip-color-error", chip.ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public void SlaClockChips_WarningPointPassedWithoutAReRead_TurnsWarningColoured()
    {
        var clock = Clock(SlaMetric.FirstResponse, warnAt: Now.AddMinutes(1), dueAt: Now.AddMinutes(4));
        var chips = Render([clock]);

        chips.Render(p => p.Add(c => c.Now, Now.AddMinutes(2)));

        var chip = chips.Find("[data-metric='FirstResponse']");
        Assert.Equal("First response due in 2 min", chip.TextContent.Trim());
        Assert.Equal("atrisk", chip.GetAttribute("data-state"));
        Assert.Contains("mud-chip-color-warning", chip.ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public void SlaClockChips_TargetPassed_SaysHowLongOverdueInErrorColours()
    {
        var chips = Render([Clock(SlaMetric.NextResponse, dueAt: Now.AddMinutes(-5), warnedAt: Now.AddMinutes(-8), breachedAt: Now.AddMinutes(-4.9))]);

        var chip = chips.Find("[data-metric='NextResponse']");
        Assert.Equal("Next response overdue by 5 min", chip.TextContent.Trim());
        Assert.Equal("overdue", chip.GetAttribute("data-state"));
        Assert.Contains("mud-chip-color-error", chip.ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public void SlaClockChips_BreachedClockRescheduledWithoutADueTime_CountsFromTheBreach()
    {
        var chips = Render([Clock(SlaMetric.Resolution, breachedAt: Now.AddHours(-2))]);

        Assert.Equal("Resolution overdue by 2 h", chips.Find("[data-metric='Resolution']").TextContent.Trim());
    }

    [Fact]
    public void SlaClockChips_ResolutionWhileSnoozed_SaysPaused()
    {
        var chips = Render([Clock(SlaMetric.Resolution, SlaClockState.Paused)]);

        var chip = chips.Find("[data-metric='Resolution']");
        Assert.Equal("Resolution paused", chip.TextContent.Trim());
        Assert.Equal("paused", chip.GetAttribute("data-state"));
    }

    [Fact]
    public void SlaClockChips_DueMoreThanADayAhead_SaysTheDayAndTime()
    {
        var chips = Render([Clock(SlaMetric.Resolution, dueAt: new DateTime(2026, 3, 3, 16, 30, 0, DateTimeKind.Utc))]);

        Assert.Equal("Resolution due tomorrow 16:30", chips.Find("[data-metric='Resolution']").TextContent.Trim());
    }

    [Fact]
    public void SlaClockChips_OnlyStoppedClocks_ShowNothing()
    {
        var chips = Render([Clock(SlaMetric.FirstResponse, SlaClockState.Met), Clock(SlaMetric.NextResponse, SlaClockState.Breached, breached: true),
            Clock(SlaMetric.Resolution, SlaClockState.Cancelled)]);

        Assert.Empty(chips.FindAll("#sla-clocks"));
    }

    [Theory]
    [InlineData(15, "15 min")]
    [InlineData(480, "8 h")]
    [InlineData(90, "1 h 30 min")]
    [InlineData(3000, "2 d 2 h")]
    public void Duration_WholeMinutes_ReadsAsPeopleSayIt(int minutes, string text)
    {
        Assert.Equal(text, SlaClockChips.Duration(minutes));
    }

    private IRenderedComponent<SlaClockChips> Render(IReadOnlyList<SlaClockResponse> clocks) =>
        Render<SlaClockChips>(p => p.Add(c => c.Clocks, clocks).Add(c => c.Now, Now).Add(c => c.Zone, TimeZoneInfo.Utc));

    private static SlaClockResponse Clock(
        SlaMetric metric, SlaClockState state = SlaClockState.Running, bool breached = false,
        DateTime? warnAt = null, DateTime? dueAt = null, DateTime? warnedAt = null, DateTime? breachedAt = null) =>
        new(Guid.CreateVersion7(), metric, Guid.CreateVersion7(), "Standard", state, breached || breachedAt is not null, Now.AddMinutes(-30), 60, false, 30,
            warnAt, dueAt, warnedAt, breachedAt, state is SlaClockState.Running or SlaClockState.Paused ? null : Now);
}
