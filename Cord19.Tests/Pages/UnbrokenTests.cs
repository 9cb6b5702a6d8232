using Bunit;
using Cord19.Web.Components.Controls;

namespace Cord19.Tests.Pages;

/// <summary>What the browser may break a line at, in dates, AWS ids and paths (PageLayout checks the drawn result).</summary>
public sealed class UnbrokenTests : BunitContext
{
    private IReadOnlyList<string> Whole(string text) =>
        Render<Unbroken>(p => p.Add(c => c.Text, text)).FindAll("span.unbroken").Select(s => s.TextContent).ToList();

    private int BreaksAfterSlashes(string text) => Render<Unbroken>(p => p.Add(c => c.Text, text)).FindAll("wbr").Count;

    [Fact]
    public void Dates_and_ids_stay_whole_with_the_brackets_and_punctuation_around_them()
    {
        Assert.Equal(["2026-12-03"], Whole("deleted 2026-12-03 11:15"));
        // A narrow cell put the ")" alone on the next line.
        Assert.Equal(["(i-0fd2f00dac778da4e)"], Whole("running (i-0fd2f00dac778da4e)"));
        Assert.Equal(["cord19-172a9b1a,", "sg-0abc12345678def90."], Whole("cord19-172a9b1a, then sg-0abc12345678def90."));
    }

    [Fact]
    public void A_path_may_break_after_its_slashes_and_a_rate_may_not()
    {
        Assert.Equal(3, BreaksAfterSlashes("/cord19/c145eb32/airflow-admin-password"));
        Assert.Equal(4, BreaksAfterSlashes("to s3://cord19-x/exports/a.gz at $0.05/h"));
        Assert.Equal(0, BreaksAfterSlashes("$0.058/h, 2.9 MB/s"));
        Assert.Equal("<span>/cord19/c145eb32/airflow-admin-password</span>", Render<Unbroken>(p => p.Add(c => c.Text, "/cord19/c145eb32/airflow-admin-password")).Markup
            .Replace("<wbr>", "", StringComparison.Ordinal).Replace("<wbr />", "", StringComparison.Ordinal));
    }

    [Fact]
    public void The_text_is_one_element_so_a_flex_container_keeps_its_spaces()
    {
        // A chip lays out its content as flex items, and an item loses the spaces at its ends: "started2026-12-0509:36".
        var rendered = Render<Unbroken>(p => p.Add(c => c.Text, "local · started 2026-12-05 09:36"));

        var root = Assert.Single(rendered.Nodes);
        Assert.Equal("local · started 2026-12-05 09:36", root.TextContent);
    }
}
