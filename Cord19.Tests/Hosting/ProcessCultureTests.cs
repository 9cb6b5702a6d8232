using System.Text.RegularExpressions;
using Cord19.Tests.Support;

namespace Cord19.Tests.Hosting;

/// <summary>
/// The panel started on a machine whose locale writes decimal commas (LC_ALL=de_DE.UTF-8) writes its numbers as its
/// English sentences and its dollars do.
/// </summary>
public sealed partial class ProcessCultureTests
{
    [Fact]
    public async Task Under_a_decimal_comma_locale_the_costs_page_writes_hours_as_it_writes_dollars()
    {
        using var data = new TempDirectory();
        await using var app = await RunningApp.StartAsync(data.Path, new Dictionary<string, string> { ["LC_ALL"] = "de_DE.UTF-8" });
        using var http = app.CreateClient();

        var page = await http.GetStringAsync($"{app.Url}/costs");

        // The plan's phases take fractions of an hour (0.2, 0.25, …): the German locale wrote them "0,2".
        var hours = PhaseHours().Matches(page).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(hours);
        Assert.Contains(hours, h => h.Contains('.'));
        Assert.All(hours, h => Assert.Matches(@"^\d+(\.\d+)?$", h));
    }

    [GeneratedRegex(@"<td>\d · [^<]+</td><td>([^<]+)</td>")]
    private static partial Regex PhaseHours();
}
