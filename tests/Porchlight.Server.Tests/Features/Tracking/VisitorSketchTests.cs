using Porchlight.Server.Features.Tracking;

namespace Porchlight.Server.Tests.Features.Tracking;

public sealed class VisitorSketchTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(500)]
    [InlineData(5_000)]
    public void Estimate_FewVisitors_WithinOnePercentOrOne(int visitors)
    {
        var margin = Math.Max(1, visitors / 100);

        Assert.InRange(Sketch(0, visitors).Estimate(), visitors - margin, visitors + margin);
    }

    [Theory]
    [InlineData(20_000)]
    [InlineData(100_000)]
    [InlineData(1_000_000)]
    public void Estimate_ManyVisitors_WithinThreeStandardErrors(int visitors)
    {
        var estimate = Sketch(0, visitors).Estimate();

        Assert.InRange(estimate, visitors * 0.976, visitors * 1.024);
    }

    [Fact]
    public void Merge_OverlappingDays_CountsAVisitorOfBothDaysOnce()
    {
        // 30 days of 3,000 visitors each, a third of them back the next day: 60,030 distinct visitors.
        var period = new VisitorSketch();
        for (var day = 0; day < 30; day++)
        {
            period.Merge(VisitorSketch.From(Sketch(day * 2_000, 3_000).ToArray()));
        }

        Assert.InRange(period.Estimate(), 60_030 * 0.976, 60_030 * 1.024);
    }

    [Fact]
    public void Add_SameVisitorAgain_ChangesNothing()
    {
        var sketch = Sketch(0, 1_000);
        var before = sketch.ToArray();

        sketch.Add("v_visitor-0");
        sketch.Add("v_visitor-999");

        Assert.Equal(before, sketch.ToArray());
    }

    [Fact]
    public void From_WrongSize_Refused() =>
        Assert.Throws<ArgumentException>(() => VisitorSketch.From(new byte[100]));

    private static VisitorSketch Sketch(int first, int count)
    {
        var sketch = new VisitorSketch();
        for (var i = first; i < first + count; i++)
        {
            sketch.Add($"v_visitor-{i}");
        }

        return sketch;
    }
}
