using Cord19.Web.Model;

namespace Cord19.Tests.Results;

public sealed class DocumentTitleIndexTests
{
    private static readonly DocumentTitleIndex Titles = DocumentTitleIndex.Build(
    [
        "COVID-19 vaccine uptake",
        null,
        "Vaccine hesitancy: a vaccine survey",
        "Ärztinnen und Ärzte in der Pandemie",
        "Two lines\nof title",
        "",
        "vaccine",
    ]);

    [Theory]
    [InlineData("vaccine", new[] { 0, 2, 6 })]
    [InlineData("VACCINE", new[] { 0, 2, 6 })]
    [InlineData("covid-19 vacc", new[] { 0 })]
    [InlineData("ärzte", new[] { 3 })]
    [InlineData("ÄRZTINNEN", new[] { 3 })]
    [InlineData("lines of", new[] { 4 })]
    [InlineData("uptake", new[] { 0 })]
    public void Finds_each_document_once_whatever_the_case_in_the_run_s_order(string text, int[] expected) =>
        Assert.Equal(expected, Titles.Find(text));

    [Theory]
    [InlineData("uptake\nvaccine")]
    [InlineData("uptake vaccine")]
    [InlineData("nothing of the kind")]
    [InlineData("")]
    public void Finds_nothing_across_two_titles_or_for_no_text(string text) =>
        Assert.Empty(Titles.Find(text));

    [Fact]
    public void Counts_every_document_with_or_without_a_title() =>
        Assert.Equal(7, Titles.Count);
}
