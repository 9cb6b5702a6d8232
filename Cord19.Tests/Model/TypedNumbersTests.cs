using Cord19.Web.Model;
using MudBlazor.Utilities.Exceptions;

namespace Cord19.Tests.Model;

/// <summary>The Settings form's numbers as typed: emptied, unreadable, then mended.</summary>
public sealed class TypedNumbersTests
{
    private int _told;
    private readonly TypedNumbers _numbers;

    public TypedNumbersTests() => _numbers = new TypedNumbers(() => _told++);

    [Fact]
    public void An_emptied_field_is_no_value_when_optional_and_zero_otherwise_without_a_problem()
    {
        Assert.Null(_numbers.For<decimal?>("budgetCapUsd").ConvertBack("  "));
        Assert.Equal(0, _numbers.For<int>("clusters").ConvertBack(""));
        Assert.Empty(_numbers.Problems);
        Assert.Equal(0, _told);
    }

    [Fact]
    public void Text_that_is_not_a_number_is_refused_with_the_fix_kept_as_typed_and_mended_by_a_number()
    {
        var cap = _numbers.For<decimal?>("budgetCapUsd");

        var refused = Assert.Throws<ConversionException>(() => cap.ConvertBack("ten dollars"));
        Assert.Equal("'ten dollars' is not a number as the panel reads it: write digits with one point for decimals and no separators, e.g. 0.50 or 1500.", refused.Message);
        Assert.Equal(refused.Message, _numbers.ProblemOf("budgetCapUsd"));
        Assert.Equal("ten dollars", cap.Convert(null)); // MudBlazor's default in the field: the text stays
        Assert.Equal(1, _told);

        Assert.Equal(10.5m, cap.ConvertBack("10.5"));
        Assert.Empty(_numbers.Problems);
        Assert.Equal(2, _told);
    }

    [Theory]
    [InlineData("1,5", "'1,5' has a comma: the panel reads decimals after a point, so write 1.5.")]
    [InlineData("1,500.5", "'1,500.5' is not a number as the panel reads it: write digits with one point for decimals and no separators, e.g. 0.50 or 1500.")]
    public void A_comma_in_a_decimal_is_refused_naming_the_point_to_write(string typed, string problem) =>
        Assert.Equal(problem, Assert.Throws<ConversionException>(() => _numbers.For<double?>("maxLifetimeHours").ConvertBack(typed)).Message);

    [Fact]
    public void A_value_code_puts_in_a_refused_field_ends_its_refusal()
    {
        var clusters = _numbers.For<int>("clusters");
        Assert.Throws<ConversionException>(() => clusters.ConvertBack("1,500"));
        Assert.StartsWith("'1,500' is not a whole number", _numbers.ProblemOf("clusters"));

        Assert.Equal("8", clusters.Convert(8)); // a preset, or the defaults restored
        Assert.Null(_numbers.ProblemOf("clusters"));
    }
}
