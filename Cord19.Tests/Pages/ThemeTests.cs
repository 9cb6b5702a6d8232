using Cord19.Web.Components.Layout;
using MudBlazor;

namespace Cord19.Tests.Pages;

public sealed class ThemeTests
{
    // Every kind of text MudBlazor styles, found by reflection so that one MudBlazor adds is not left on its web font.
    [Fact]
    public void Every_kind_of_text_is_in_the_system_font()
    {
        var typographies = typeof(Typography).GetProperties()
            .Where(p => typeof(BaseTypography).IsAssignableFrom(p.PropertyType))
            .Select(p => (p.Name, Typography: (BaseTypography)p.GetValue(Cord19Theme.Theme.Typography)!))
            .ToList();

        Assert.True(typographies.Count >= 14, $"found {typographies.Count} kinds of text");
        Assert.All(typographies, t => Assert.Equal(Cord19Theme.SystemFont, t.Typography.FontFamily));
    }
}
