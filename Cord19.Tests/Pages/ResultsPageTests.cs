using Bunit;
using Cord19.Core.Results;
using Cord19.Tests.Support;

namespace Cord19.Tests.Pages;

public sealed class ResultsPageTests : ResultPageTestContext
{
    [Fact]
    public void Without_runs_it_says_which_phases_to_run()
    {
        var page = Render<Cord19.Web.Components.Pages.Results>();
        Assert.Contains("run phases 1 to 4, then phase 5", page.Find("[data-testid=no-results]").TextContent);
    }

    [Fact]
    public void Shows_the_newest_run_s_clusters_and_topics()
    {
        Store.Runs.Add(FakeResultStore.Run("old", DateTime.UtcNow.AddDays(-1), ["influenza"]));
        Store.Runs.Add(FakeResultStore.Run("new", DateTime.UtcNow, ["vaccine", "dose"], ["students", "learning"]));

        var page = Render<Cord19.Web.Components.Pages.Results>();

        var clusters = page.Find("[data-testid=clusters]").TextContent;
        Assert.Contains("vaccine, dose", clusters);
        Assert.Contains("students, learning", clusters);
        Assert.DoesNotContain("influenza", clusters);
        Assert.Contains("learning (0.2), students (0.2)", page.Find("[data-testid=topics]").TextContent);
        Assert.Contains("30 documents", page.Find("[data-testid=run-summary]").TextContent);
        // The page shows no documents, so it reads none.
        Assert.Equal(0, Store.DocumentReads);
    }

    /// <summary>A run that ended while the feed was down (its change missed) shows once the feed says to read again.</summary>
    [Fact]
    public void Told_to_read_again_the_page_lists_a_run_whose_end_it_missed()
    {
        var page = Render<Cord19.Web.Components.Pages.Results>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=no-results]")));

        Store.Runs.Add(FakeResultStore.Run("missed", DateTime.UtcNow, ["vaccine", "dose"]));
        Deployments.Push(Cord19.Core.Live.ResourcesChanged.ReadAgain);

        page.WaitForAssertion(() => Assert.Contains("vaccine, dose", page.Find("[data-testid=clusters]").TextContent), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_broken_run_shows_the_file_and_the_problem()
    {
        Store.Runs.Add(FakeResultStore.Run("bad", DateTime.UtcNow, ["x"]));
        Store.Broken["bad"] = new ResultFileException("runs/bad/clusters.json", "is not valid JSON for the result schema.");

        var page = Render<Cord19.Web.Components.Pages.Results>();

        var error = page.Find("[data-testid=results-error]").TextContent;
        Assert.Contains("runs/bad/clusters.json", error);
        Assert.Contains("not valid JSON", error);
    }
}
