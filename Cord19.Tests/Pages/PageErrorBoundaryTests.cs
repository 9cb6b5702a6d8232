using Bunit;
using Cord19.Core.Deployments;
using Cord19.Tests.Support;
using Cord19.Web.Components.Controls;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Cord19.Tests.Pages;

/// <summary>A page that fails unexpectedly says so in place, keeps the circuit, and starts afresh on the next navigation.</summary>
public sealed class PageErrorBoundaryTests : PageTestContext
{
    private readonly FakeTimeProvider _clock;

    public PageErrorBoundaryTests() : this(new FakeTimeProvider()) { }

    private PageErrorBoundaryTests(FakeTimeProvider clock) : base(s => s.AddSingleton<TimeProvider>(clock)) => _clock = clock;

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

    /// <summary>What a page's read or write throws when the state database stays out of reach past its retries.</summary>
    private static StateDatabaseOutOfReachException OutOfReachPastRetries() =>
        new(new RetryLimitExceededException("The maximum number of retries (6) was exceeded.", new TimeoutException()));

    /// <summary>Follows a feed, and re-reads the state database on each change, which is out of reach by the first one.</summary>
    private sealed class FollowsAFeed : Cord19.Web.Components.LiveComponent
    {
        public static readonly System.Threading.Channels.Channel<int> Feed = System.Threading.Channels.Channel.CreateUnbounded<int>();

        protected override void OnInitialized() => Subscribe(ct => Feed.Reader.ReadAllAsync(ct), (int _) => throw OutOfReachPastRetries());

        protected override void BuildRenderTree(RenderTreeBuilder builder) => builder.AddMarkupContent(0, "<p data-testid=\"page-body\">the page</p>");
    }

    /// <summary>
    /// Before, a change the page could not apply ended its live view unseen: the page stood as it was, no longer live,
    /// and said nothing.
    /// </summary>
    [Fact]
    public void A_page_whose_live_view_fails_says_so_in_place()
    {
        var boundary = Render<PageErrorBoundary>(p => p.AddChildContent<FollowsAFeed>());
        boundary.WaitForAssertion(() => Assert.NotNull(boundary.Find("[data-testid=page-body]")), Patience);

        FollowsAFeed.Feed.Writer.TryWrite(1);

        boundary.WaitForAssertion(() => Assert.Contains(StateDatabaseFailure.OutOfReach, boundary.Find("[data-testid=page-error]").TextContent), Patience);
        Assert.DoesNotContain("maximum number of retries", boundary.Markup);
    }

    /// <summary>A page whose first read fails while <see cref="OutOfReach"/>, and that renders after.</summary>
    private sealed class ReadsTheState : ComponentBase
    {
        public static volatile bool OutOfReach;
        public static int Reads;

        protected override Task OnInitializedAsync()
        {
            Interlocked.Increment(ref Reads);
            return OutOfReach ? Task.FromException(OutOfReachPastRetries()) : Task.CompletedTask;
        }

        protected override void BuildRenderTree(RenderTreeBuilder builder) => builder.AddMarkupContent(0, "<p data-testid=\"page-body\">the page</p>");
    }

    /// <summary>The error's text as a reader sees it: the markup's line breaks and indents are one space.</summary>
    private static string ShownError(IRenderedComponent<PageErrorBoundary> boundary) =>
        System.Text.RegularExpressions.Regex.Replace(boundary.Find("[data-testid=page-error]").TextContent, @"\s+", " ").Trim();

    /// <summary>Before, a page left open through an outage (on a wall screen, say) showed the outage until someone clicked.</summary>
    [Fact]
    public void A_page_that_met_the_outage_tries_again_by_itself_and_comes_back_with_the_database()
    {
        (ReadsTheState.OutOfReach, ReadsTheState.Reads) = (true, 0);
        var boundary = Render<PageErrorBoundary>(p => p.AddChildContent<ReadsTheState>());
        boundary.WaitForAssertion(() => Assert.Contains("then try again. This page tries again by itself in 30 s, or open it again now.",
            ShownError(boundary)), Patience);

        // Still out of reach at the first try: it says so again and waits again.
        _clock.Advance(TimeSpan.FromSeconds(30));
        boundary.WaitForAssertion(() => Assert.Equal(2, ReadsTheState.Reads), Patience);
        Assert.NotNull(boundary.Find("[data-testid=page-error]"));

        ReadsTheState.OutOfReach = false;
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(2, ReadsTheState.Reads);
        _clock.Advance(TimeSpan.FromSeconds(1));
        boundary.WaitForAssertion(() => Assert.NotNull(boundary.Find("[data-testid=page-body]")), Patience);
        Assert.Empty(boundary.FindAll("[data-testid=page-error]"));
    }

    /// <summary>Fails its first read with a failure a person must mend (waiting will not): a corrupt result file, say.</summary>
    private sealed class ReadsACorruptFile : ComponentBase
    {
        public const string Why = "The run's map file is damaged: delete the run and process again.";

        protected override Task OnInitializedAsync() => Task.FromException(new Cord19.Core.Execution.PhaseFailedException(Why));
    }

    [Fact]
    public void A_page_whose_failure_waiting_will_not_mend_says_so_and_offers_to_open_it_again_without_trying_by_itself()
    {
        var boundary = Render<PageErrorBoundary>(p => p.AddChildContent<ReadsACorruptFile>());

        boundary.WaitForAssertion(() => Assert.Equal($"{ReadsACorruptFile.Why} Open the page again.",
            ShownError(boundary)), Patience);
        Assert.DoesNotContain("tries again by itself", boundary.Markup);
    }

    [Fact]
    public void A_page_that_meets_the_state_database_out_of_reach_says_so_and_the_fix()
    {
        (ReadsTheState.OutOfReach, ReadsTheState.Reads) = (true, 0);
        var boundary = Render<PageErrorBoundary>(p => p.AddChildContent<ReadsTheState>());

        boundary.WaitForAssertion(() => Assert.NotNull(boundary.Find("[data-testid=page-error]")), Patience);
        Assert.Contains(StateDatabaseFailure.OutOfReach, boundary.Find("[data-testid=page-error]").TextContent);
        Assert.NotNull(boundary.Find("[data-testid=page-error-retry]"));
        Assert.DoesNotContain("maximum number of retries", boundary.Markup);
    }
}
