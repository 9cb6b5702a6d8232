using Bunit;
using Cord19.Tests.Support;
using Cord19.Web.Components.Controls;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Extensions.DependencyInjection;

namespace Cord19.Tests.Pages;

/// <summary>A page that fails unexpectedly says so in place, keeps the circuit, and starts afresh on the next navigation.</summary>
public sealed class PageErrorBoundaryTests : PageTestContext
{
    private const string Internals = "at Vizor.ECharts.EChart.OnAfterRenderAsync: TypeError: Cannot read properties of undefined";

    /// <summary>Fails in its first OnAfterRenderAsync, as a chart's script call does when ECharts throws, then renders.</summary>
    private sealed class FailsOnceAfterRender : ComponentBase
    {
        public static int Failures;

        protected override void BuildRenderTree(RenderTreeBuilder builder) => builder.AddMarkupContent(0, "<p data-testid=\"page-body\">the page</p>");

        protected override Task OnAfterRenderAsync(bool firstRender) =>
            Interlocked.Increment(ref Failures) == 1 ? Task.FromException(new InvalidOperationException(Internals)) : Task.CompletedTask;
    }

    [Fact]
    public void A_failing_page_shows_what_to_do_without_the_exception_and_comes_back_on_navigation()
    {
        FailsOnceAfterRender.Failures = 0;
        var boundary = Render<PageErrorBoundary>(p => p.AddChildContent<FailsOnceAfterRender>());

        boundary.WaitForAssertion(() => Assert.NotNull(boundary.Find("[data-testid=page-error]")), Patience);
        Assert.Contains("Open the page again", boundary.Markup);
        Assert.DoesNotContain("TypeError", boundary.Markup);
        Assert.Empty(boundary.FindAll("[data-testid=page-body]"));

        Services.GetRequiredService<NavigationManager>().NavigateTo("/clusters");
        boundary.WaitForAssertion(() => Assert.NotNull(boundary.Find("[data-testid=page-body]")), Patience);
        Assert.Empty(boundary.FindAll("[data-testid=page-error]"));
    }
}
