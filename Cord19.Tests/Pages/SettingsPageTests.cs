using Bunit;
using Cord19.Tests.Support;
using Cord19.Web.Components.Pages;
using Cord19.Web.ServiceClient;
using Microsoft.Extensions.DependencyInjection;

namespace Cord19.Tests.Pages;

public sealed class SettingsPageTests : PageTestContext
{
    private readonly FakeSettingsClient _settings;

    private readonly FakeReleaseClient _releases;

    public SettingsPageTests() : this(new FakeSettingsClient(), new FakeReleaseClient()) { }

    private SettingsPageTests(FakeSettingsClient settings, FakeReleaseClient releases)
        : base(s => s.AddSingleton<ISettingsClient>(settings).AddSingleton<IReleaseClient>(releases)) => (_settings, _releases) = (settings, releases);

    [Fact]
    public void A_finished_download_fills_the_metadata_field()
    {
        var page = Render<Settings>();
        page.WaitForAssertion(() => Assert.Contains("1,500 MB to download", page.Find("[data-testid=get-cord19]").TextContent), Patience);
        page.Find("[data-testid=start-download]").Click();
        // The button's handler may finish after Click returns (CI once saw the list still empty here).
        page.WaitForAssertion(() => Assert.Equal(["2022-06-02"], _releases.Started), Patience);

        _releases.Publish(new Cord19.Core.Releases.ReleaseFetcher.Status(Cord19.Core.Releases.ReleaseFetcher.Phase.Downloading, "2022-06-02", 500_000_000, 1_500_000_000, 50e6, null, null));
        page.WaitForAssertion(() => Assert.Contains("33%, 500 of 1,500 MB, 50.0 MB/s, about 20 s left", page.Find("[data-testid=download-status]").TextContent), Patience);
        _releases.Publish(new Cord19.Core.Releases.ReleaseFetcher.Status(Cord19.Core.Releases.ReleaseFetcher.Phase.Done, "2022-06-02", 1_500_000_000, 1_500_000_000, 0, "done", "/data/cord19/metadata-2022-06-02.csv.gz"));
        page.WaitForAssertion(() => Assert.Equal("/data/cord19/metadata-2022-06-02.csv.gz", page.Find("input[data-testid=metadata-path]").GetAttribute("value")), Patience);
    }

    [Fact]
    public void A_refused_listing_says_so_and_a_mirror_address_is_downloaded_instead()
    {
        _releases.Listing = new(Cord19.Core.Releases.Cord19Releases.Documented, FromBucket: false);
        var page = Render<Settings>();
        page.WaitForAssertion(() => Assert.Contains("refused to list its releases", page.Find("[data-testid=get-cord19]").TextContent), Patience);

        page.Find("input[data-testid=mirror]").Change("https://mirror.example.org/cord19/metadata.csv.gz");
        page.WaitForAssertion(() => Assert.Contains("1,500 MB to download", page.Find("[data-testid=release-size]").TextContent), Patience);
        page.Find("[data-testid=start-download]").Click();

        page.WaitForAssertion(() => Assert.Equal(["https://mirror.example.org/cord19/metadata.csv.gz"], _releases.Started), Patience);
    }

    /// <summary>
    /// A mirror that never answers: the HTTP client gives up with a cancel nobody asked for, which the page did not
    /// catch. And an answer about an address replaced since must not stand for the new one.
    /// </summary>
    [Fact]
    public async Task A_mirror_that_does_not_answer_is_named_and_a_late_answer_does_not_stand_for_a_newer_address()
    {
        const string Silent = "https://silent.example.org/metadata.csv.gz", Slow = "https://slow.example.org/metadata.csv.gz";
        var slow = new TaskCompletionSource<Cord19.Core.Releases.Cord19Releases.Release>();
        var describe = _releases.Describe;
        _releases.Describe = (address, ct) => address switch
        {
            Silent => Task.FromException<Cord19.Core.Releases.Cord19Releases.Release>(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout.")),
            Slow => slow.Task,
            _ => describe(address, ct),
        };
        var page = Render<Settings>();
        page.WaitForAssertion(() => Assert.Contains("1,500 MB to download", page.Find("[data-testid=release-size]").TextContent), Patience);

        page.Find("input[data-testid=mirror]").Change(Silent);
        page.WaitForAssertion(() => Assert.Equal($"The source of {Silent} did not answer: check the connection and the address.", page.Find("[data-testid=release-size]").TextContent), Patience);

        page.Find("input[data-testid=mirror]").Change(Slow);
        page.Find("input[data-testid=mirror]").Change("");
        page.WaitForAssertion(() => Assert.Contains("1,500 MB to download", page.Find("[data-testid=release-size]").TextContent), Patience);
        slow.SetResult(new(Slow, Slow, 7_000_000, "", new Uri(Slow)));
        // The renderer takes its work in turn: once this has run, so has the late answer.
        await page.InvokeAsync(() => { });
        Assert.Contains("1,500 MB to download", page.Find("[data-testid=release-size]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=page-error]"));
    }

    /// <summary>Before, the page gave way to the error boundary's message, and what had been typed was lost.</summary>
    [Fact]
    public async Task A_save_the_state_database_cannot_take_says_why_and_keeps_what_was_typed()
    {
        var snackbars = RenderSnackbars();
        var page = Render<Settings>();
        page.WaitForElement("input[data-testid=clusters]", Patience);
        page.Find("input[data-testid=clusters]").Change("8");
        _settings.SaveFailure = new Cord19.Core.Deployments.StateDatabaseOutOfReachException(new TimeoutException());

        await page.Find("[data-testid=save-settings]").ClickAsync(new());

        snackbars.WaitForAssertion(() => Assert.Contains($"Not saved: {Cord19.Core.Deployments.StateDatabaseFailure.OutOfReach}", snackbars.Markup), Patience);
        Assert.Equal("8", page.Find("input[data-testid=clusters]").GetAttribute("value"));
        Assert.Equal(0, _settings.Saves);
        _settings.SaveFailure = null;
        await page.Find("[data-testid=save-settings]").ClickAsync(new());
        snackbars.WaitForAssertion(() => Assert.Contains("Settings saved.", snackbars.Markup), Patience);
        Assert.Equal(8, _settings.Saved.Clusters);
    }

    [Fact]
    public async Task Shows_the_seed_defaults_and_saves_a_change()
    {
        var snackbars = RenderSnackbars();
        var page = Render<Settings>();
        page.WaitForElement("input[data-testid=clusters]", Patience);
        Assert.Equal("6", page.Find("input[data-testid=clusters]").GetAttribute("value"));
        // An ISO date, as the rest of the panel writes them, whatever the culture.
        Assert.Equal("2020-01-01", page.FindComponents<MudBlazor.MudDatePicker>()[0].Instance.Text);

        page.Find("input[data-testid=clusters]").Change("8");
        await page.Find("[data-testid=save-settings]").ClickAsync(new());

        snackbars.WaitForAssertion(() => Assert.Contains("Settings saved.", snackbars.Markup), Patience);
        Assert.Equal(8, _settings.Saved.Clusters);
        Assert.Empty(page.FindAll("[data-testid=settings-errors]"));
    }

    [Fact]
    public async Task Invalid_values_are_not_saved_and_the_page_says_what_to_fix()
    {
        var page = Render<Settings>();
        page.WaitForElement("input[data-testid=clusters]", Patience);

        page.Find("input[data-testid=clusters]").Change("1");
        page.Find("input[data-testid=metadata-path]").Change("/no/such/metadata.csv");
        await page.Find("[data-testid=save-settings]").ClickAsync(new());

        var errors = page.WaitForElement("[data-testid=settings-errors]", Patience).TextContent;
        Assert.Contains("Clusters (k) is 1: use a whole number from 2 to 100", errors);
        Assert.Contains("'/no/such/metadata.csv' does not exist", errors);
        Assert.Equal(0, _settings.Saves);
        // Each field says its own problem where it is, not only in the list at the top.
        var clusters = page.Find("input[data-testid=clusters]").Closest(".mud-input-control")!;
        Assert.Contains("mud-input-error", clusters.QuerySelector(".mud-input")!.ClassName);
        Assert.Contains("use a whole number from 2 to 100", clusters.TextContent);
        Assert.Contains("Not saved: 2 problems", page.Find("[data-testid=settings-actions]").TextContent);
    }

    [Fact]
    public async Task The_fallback_instance_types_are_shown_in_order_and_saved_as_a_list_and_a_wrong_name_is_marked_on_the_field()
    {
        var page = Render<Settings>();
        page.WaitForElement("input[data-testid=fallback-instance-types]", Patience);
        Assert.Equal("m6i.xlarge, m5a.xlarge, m6a.xlarge", page.Find("input[data-testid=fallback-instance-types]").GetAttribute("value"));

        page.Find("input[data-testid=fallback-instance-types]").Change("m7i.xlarge m6i.large;");
        await page.Find("[data-testid=save-settings]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal(1, _settings.Saves), Patience);
        Assert.Equal(["m7i.xlarge", "m6i.large"], _settings.Saved.FallbackInstanceTypes);

        page.Find("input[data-testid=fallback-instance-types]").Change("m7i.xlarge, m7i/xlarge");
        await page.Find("[data-testid=save-settings]").ClickAsync(new());
        var field = page.WaitForElement("input[data-testid=fallback-instance-types]", Patience).Closest(".mud-input-control")!;
        page.WaitForAssertion(() => Assert.Contains("Fallback instance type 'm7i/xlarge' is not an EC2 instance type name", field.TextContent), Patience);
        Assert.Equal(1, _settings.Saves);
    }

    /// <summary>
    /// MudBlazor's own reading took a comma anywhere for a thousands separator: "0,50" typed for fifty cents saved a $50
    /// cap, and "1,5" hours a 15-hour lifetime.
    /// </summary>
    [Fact]
    public async Task A_decimal_comma_in_the_cap_or_the_lifetime_is_refused_with_the_fix_not_read_as_thousands()
    {
        await _settings.SaveAsync(new Cord19.Core.Settings.PipelineSettings { BudgetCapUsd = null }, default); // no cap yet
        var snackbars = RenderSnackbars();
        var page = Render<Settings>();
        page.WaitForElement("input[data-testid=budget-cap]", Patience);

        page.Find("input[data-testid=budget-cap]").Change("0,50");
        // What could not be read is a change the page keeps asking about, not a value quietly left as it was.
        page.WaitForAssertion(() => Assert.Contains("Unsaved changes", page.Find("[data-testid=settings-actions]").TextContent), Patience);
        page.Find("input[data-testid=max-lifetime]").Change("1,5");
        page.Find("input[data-testid=clusters]").Change("1,2");
        await page.Find("[data-testid=save-settings]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("Not saved.", page.Find("[data-testid=settings-errors]").TextContent), Patience);
        var errors = page.Find("[data-testid=settings-errors]").TextContent;
        Assert.Contains("'0,50' has a comma: the panel reads decimals after a point, so write 0.50.", errors);
        Assert.Contains("'1,5' has a comma: the panel reads decimals after a point, so write 1.5.", errors);
        Assert.Contains("'1,2' is not a whole number as the panel reads it: write the digits alone, without separators or decimals (1500, not 1,500).", errors);
        Assert.Equal(1, _settings.Saves);
        Assert.DoesNotContain("Settings saved.", snackbars.Markup);

        page.Find("input[data-testid=budget-cap]").Change("0.50");
        page.Find("input[data-testid=max-lifetime]").Change("1.5");
        page.Find("input[data-testid=clusters]").Change("12");
        await page.Find("[data-testid=save-settings]").ClickAsync(new());
        snackbars.WaitForAssertion(() => Assert.Contains("Settings saved.", snackbars.Markup), Patience);
        Assert.Equal(0.50m, _settings.Saved.BudgetCapUsd);
        Assert.Equal(1.5, _settings.Saved.MaxLifetimeHours);
        Assert.Equal(12, _settings.Saved.Clusters);
    }

    [Fact]
    public async Task A_preset_sets_its_own_numbers_and_leaves_a_refused_cap_as_typed()
    {
        var page = Render<Settings>();
        page.WaitForElement("input[data-testid=budget-cap]", Patience);
        page.Find("input[data-testid=budget-cap]").Change("0,50");
        page.Find("input[data-testid=clusters]").Change("1,2");

        await page.Find("[data-testid=preset-large]").ClickAsync(new());

        // The preset's clusters replace the text it could not read; the budget, which presets keep, keeps its text and its mark.
        page.WaitForAssertion(() => Assert.Equal("20", page.Find("input[data-testid=clusters]").GetAttribute("value")), Patience);
        await page.Find("[data-testid=save-settings]").ClickAsync(new());
        var errors = page.WaitForElement("[data-testid=settings-errors]", Patience).TextContent;
        Assert.Contains("'0,50' has a comma", errors);
        Assert.DoesNotContain("'1,2'", errors);
        Assert.Equal(0, _settings.Saves);
    }

    [Fact]
    public async Task Restoring_the_defaults_replaces_a_number_the_form_could_not_read()
    {
        var snackbars = RenderSnackbars();
        var page = Render<Settings>();
        page.WaitForElement("input[data-testid=budget-cap]", Patience);
        page.Find("input[data-testid=budget-cap]").Change("0,50");

        await page.FindAll("button").Single(b => b.TextContent.Trim() == "Restore the defaults").ClickAsync(new());
        // The field shows the number that will be saved, not the text typed for the form before.
        page.WaitForAssertion(() => Assert.Equal("5", page.Find("input[data-testid=budget-cap]").GetAttribute("value")), Patience);
        await page.Find("[data-testid=save-settings]").ClickAsync(new());

        snackbars.WaitForAssertion(() => Assert.Contains("Settings saved.", snackbars.Markup), Patience);
        Assert.Equal(new Cord19.Core.Settings.PipelineSettings().BudgetCapUsd, _settings.Saved.BudgetCapUsd);
    }

    /// <summary>Before, a cap typed and never saved was dropped without a word when the reader went to another page.</summary>
    [Fact]
    public async Task Unsaved_changes_are_shown_and_asked_about_before_another_page_opens()
    {
        var snackbars = RenderSnackbars();
        var dialogs = Render<MudBlazor.MudDialogProvider>();
        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        var page = Render<Settings>();
        page.WaitForElement("input[data-testid=budget-cap]", Patience);
        Assert.Empty(page.FindAll("[data-testid=unsaved]"));

        page.Find("input[data-testid=budget-cap]").Change("25");
        page.WaitForAssertion(() => Assert.Contains("Unsaved changes", page.Find("[data-testid=settings-actions]").TextContent), Patience);

        // Stay: the page and what was typed remain.
        navigation.NavigateTo("/costs");
        dialogs.WaitForAssertion(() => Assert.Contains("Leave without saving?", dialogs.Markup), Patience);
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Stay").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.DoesNotContain("Leave without saving?", dialogs.Markup), Patience);
        Assert.EndsWith("/", navigation.Uri);
        Assert.Equal("25", page.Find("input[data-testid=budget-cap]").GetAttribute("value"));

        // Saved: nothing to ask, and nothing said.
        await page.Find("[data-testid=save-settings]").ClickAsync(new());
        snackbars.WaitForAssertion(() => Assert.Contains("Settings saved.", snackbars.Markup), Patience);
        Assert.Equal(25m, _settings.Saved.BudgetCapUsd);
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=unsaved]")), Patience);
        navigation.NavigateTo("/costs");
        // The navigation goes through the renderer's dispatcher, which a busy machine's renders may hold a moment ("/" seen).
        await AssertNavigatedAsync(navigation, "/costs");
        Assert.DoesNotContain("Leave without saving?", dialogs.Markup);
    }

    [Fact]
    public async Task Leaving_drops_the_unsaved_changes_when_the_reader_says_so()
    {
        var dialogs = Render<MudBlazor.MudDialogProvider>();
        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        var page = Render<Settings>();
        page.WaitForElement("input[data-testid=clusters]", Patience);
        // A preset, like the defaults button and a finished download, changes the form and not the saved settings.
        await page.Find("[data-testid=preset-large]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("Unsaved changes", page.Find("[data-testid=settings-actions]").TextContent), Patience);

        navigation.NavigateTo("/costs");
        dialogs.WaitForAssertion(() => Assert.Contains("Leave without saving?", dialogs.Markup), Patience);
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Leave").ClickAsync(new());

        await AssertNavigatedAsync(navigation, "/costs");
        Assert.Equal(0, _settings.Saves);
    }

    /// <summary>
    /// A navigation ends after the renderer's dispatcher takes it (after a dialog's answer, or a busy machine's renders)
    /// and draws nothing on this page, so the address is looked at until it changes: a wait on the page's renders checked
    /// once, before the navigation ended, and timed out once in CI.
    /// </summary>
    private static async Task AssertNavigatedAsync(Microsoft.AspNetCore.Components.NavigationManager navigation, string path)
    {
        for (var waited = TimeSpan.Zero; !navigation.Uri.EndsWith(path, StringComparison.Ordinal) && waited < Patience; waited += TimeSpan.FromMilliseconds(20))
            await Task.Delay(20);
        Assert.EndsWith(path, navigation.Uri);
    }

    private async Task<IRenderedComponent<Settings>> RenderOnAwsAsync()
    {
        await _settings.SaveAsync(new Cord19.Core.Settings.PipelineSettings { Target = Cord19.Core.Deployments.DeploymentTarget.Aws, AwsRegion = "eu-west-1" }, default);
        var page = Render<Settings>();
        page.WaitForElement("[data-testid=read-prices]", Patience);
        return page;
    }

    [Fact]
    public async Task AWSs_prices_for_the_region_fill_the_price_book_to_review_and_save()
    {
        Cord19.Core.Costs.PriceBook? asked = null;
        _settings.PriceReading = (region, book) =>
        {
            asked = book;
            var read = book.All.Select(p => p with { Usd = p.Usd + 1 }).ToList();
            return Task.FromResult(new Cord19.Core.Targets.Aws.RegionPriceReading(region, Cord19.Core.Costs.PriceBook.Write(region, read),
                [.. read.Skip(1).Select(p => p.Key)], [new(read[0].Key, "AWS's Price List gives no Hrs rate for it in eu-west-1")], []));
        };
        var page = await RenderOnAwsAsync();
        Assert.Equal("Read eu-west-1's prices from AWS", page.Find("[data-testid=read-prices]").TextContent.Trim());

        await page.Find("[data-testid=read-prices]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("Save to use them.", page.Find("[data-testid=prices-read]").TextContent), Patience);
        Assert.Same(Cord19.Core.Costs.PriceBook.Default, asked); // the field held the shipped prices
        Assert.Contains("\"region\": \"eu-west-1\"", page.Find("textarea[data-testid=price-book]").TextContent);
        Assert.StartsWith($"Read {Cord19.Core.Costs.PriceBook.Default.All.Count - 1} of {Cord19.Core.Costs.PriceBook.Default.All.Count} prices for eu-west-1 from AWS. Kept from the book: ",
            page.Find("[data-testid=prices-read]").TextContent.Trim());
        Assert.Contains("Unsaved changes", page.Find("[data-testid=settings-actions]").TextContent);
        Assert.Equal(1, _settings.Saves); // only the one that chose AWS
    }

    [Fact]
    public async Task A_refused_reading_says_why_and_leaves_the_price_book_as_it_was()
    {
        _settings.PriceReading = (_, _) => Task.FromException<Cord19.Core.Targets.Aws.RegionPriceReading>(new Cord19.Core.Aws.AwsException("pricing:GetProducts", "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/researcher is not authorized to perform: pricing:GetProducts", System.Net.HttpStatusCode.BadRequest));
        var page = await RenderOnAwsAsync();
        var before = page.Find("textarea[data-testid=price-book]").TextContent;

        await page.Find("[data-testid=read-prices]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.StartsWith("The prices were not read: ", page.Find("[data-testid=prices-read]").TextContent.Trim()), Patience);
        Assert.Contains("pricing:GetProducts", page.Find("[data-testid=prices-read]").TextContent);
        Assert.Equal(before, page.Find("textarea[data-testid=price-book]").TextContent);
    }

    [Fact]
    public void The_local_target_offers_no_reading_of_AWSs_prices()
    {
        var page = Render<Settings>();
        page.WaitForElement("input[data-testid=clusters]", Patience);

        Assert.Empty(page.FindAll("[data-testid=read-prices]"));
    }
}
