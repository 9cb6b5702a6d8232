using Cord19.Core.Settings;
using Cord19.Web.Model;

namespace Cord19.Tests.Model;

/// <summary>The form's text fields as the settings read them.</summary>
public sealed class SettingsFormTests
{
    private static PipelineSettings WithHours(string text)
    {
        var form = SettingsForm.From(new PipelineSettings());
        form.ExpectedPhaseHours = text;
        return form.ToSettings();
    }

    [Theory]
    [InlineData("0.2, 0.25, 0.1, 0.5, 0.25, 2, 0.1")]
    [InlineData("0.2; 0.25; 0.1; 0.5; 0.25; 2; 0.1")]
    [InlineData("0.2 0.25 0.1 0.5 0.25 2 0.1")]
    public void Expected_hours_are_separated_by_commas_semicolons_or_spaces(string text)
    {
        var settings = WithHours(text);
        Assert.Equal([0.2, 0.25, 0.1, 0.5, 0.25, 2, 0.1], settings.ExpectedPhaseHours);
        Assert.Empty(settings.Problems());
    }

    [Fact]
    public void A_decimal_comma_beside_semicolons_is_refused_rather_than_read_as_two_hours()
    {
        // Six hours written with a decimal comma: split at the comma too, they made seven, 0 and 5 the first two.
        var problem = Assert.Single(WithHours("0,5; 1; 1; 1; 1; 1").Problems());
        Assert.Equal(nameof(PipelineSettings.ExpectedPhaseHours), problem.Field);
        Assert.Contains("decimals after a point", problem.Message);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], WithHours("1,2,3,4,5,6,7").ExpectedPhaseHours);
    }
}
