using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Porchlight.Server.Components;

namespace Porchlight.Server.Tests.Components;

/// <summary>
/// A click on one row of a list (a message's Delete, a label's ×) must reach the server under the handler id the
/// browser knows, however often the list renders (decisions/0014). The ids are read from bUnit's markup.
/// </summary>
public sealed class RowHandlersTests : BunitContext
{
    [Fact]
    public void RowHandlers_ListRendersAgain_EachRowKeepsItsHandlerId()
    {
        var list = Render<Rows>(p => p.Add(r => r.Names, ["ada", "grace"]).Add(r => r.Stable, true));
        var ids = HandlerIds(list);

        list.Render(p => p.Add(r => r.Names, ["ada", "grace", "linus"]));

        Assert.Equal(ids, HandlerIds(list).Take(2));
    }

    [Fact]
    public void LambdaOverTheRow_ListRendersAgain_EachRowGetsANewHandlerId()
    {
        // What RowHandlers is for: the same list with a lambda per row retires every id on each render.
        var list = Render<Rows>(p => p.Add(r => r.Names, ["ada", "grace"]).Add(r => r.Stable, false));
        var ids = HandlerIds(list);

        list.Render(p => p.Add(r => r.Names, ["ada", "grace"]));

        Assert.Empty(ids.Intersect(HandlerIds(list)));
    }

    [Fact]
    public void RowHandlers_RowClicked_CallsTheHandlerWithThatRow()
    {
        var list = Render<Rows>(p => p.Add(r => r.Names, ["ada", "grace"]).Add(r => r.Stable, true));

        list.Find("button#grace").Click();
        list.Render(p => p.Add(r => r.Names, ["ada", "grace"]));
        list.Find("button#ada").Click();

        Assert.Equal(["grace", "ada"], list.Instance.Clicked);
    }

    [Fact]
    public void RowHandlers_Cleared_HandsOutNewHandlers()
    {
        var rows = new RowHandlers();
        var clicked = new List<string>();
        void Click(string name) => clicked.Add(name);

        var first = rows.For(Click, "ada");
        var again = rows.For(Click, "ada");
        rows.Clear();
        var afterClear = rows.For(Click, "ada");
        afterClear();

        Assert.Same(first, again);
        Assert.NotSame(first, afterClear);
        Assert.Equal(["ada"], clicked);
    }

    private static string[] HandlerIds(IRenderedComponent<Rows> list) =>
        [.. list.FindAll("button").Select(b => b.GetAttribute("blazor:onclick") ?? throw new InvalidOperationException("A row has no click handler."))];

    private sealed class Rows : ComponentBase
    {
        private readonly RowHandlers _rows = new();

        [Parameter] public IReadOnlyList<string> Names { get; set; } = [];

        [Parameter] public bool Stable { get; set; }

        public List<string> Clicked { get; } = [];

        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            foreach (var name in Names)
            {
                builder.OpenElement(0, "button");
                builder.SetKey(name);
                builder.AddAttribute(1, "id", name);
                builder.AddAttribute(2, "onclick", Stable
                    ? EventCallback.Factory.Create(this, _rows.For(Click, name))
                    : EventCallback.Factory.Create(this, () => Click(name)));
                builder.CloseElement();
            }
        }

        private void Click(string name) => Clicked.Add(name);
    }
}
