using Cord19.Web.Components.Layout;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor;
using MudBlazor.Services;

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

    [Fact]
    public async Task The_early_dark_palette_is_MudBlazors_own_dark_palette_of_the_panels_theme()
    {
        // As the panel registers them: a circuit's services (its JS runtime among them, which rendering to text never calls) and MudBlazor's.
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        await using var app = builder.Build();
        var declarations = await new DarkPalette(app.Services.GetRequiredService<IServiceScopeFactory>(), NullLoggerFactory.Instance).DeclarationsAsync();

        var dark = Cord19Theme.Theme.PaletteDark;
        Assert.Contains($"--mud-palette-background: {dark.Background};", declarations);
        Assert.Contains($"--mud-palette-primary: {dark.Primary};", declarations);
        Assert.Contains("--mud-native-html-color-scheme: dark;", declarations);
        Assert.DoesNotContain("{", declarations);
    }

    [Fact]
    public async Task A_dark_palette_that_cannot_be_made_is_left_out_rather_than_failing_every_page()
    {
        // Without a circuit's services MudBlazor's provider cannot be made: it injects a JS runtime.
        await using var services = new ServiceCollection().AddMudServices().BuildServiceProvider();
        Assert.Equal("", await new DarkPalette(services.GetRequiredService<IServiceScopeFactory>(), NullLoggerFactory.Instance).DeclarationsAsync());
    }

    [Fact]
    public void A_theme_provider_that_writes_its_palette_otherwise_is_named_not_misread()
    {
        var error = Assert.Throws<InvalidOperationException>(() => DarkPalette.RootDeclarations("<style>:root{--a: 1;}:root{--b: 2;}</style>"));
        Assert.Contains("no longer writes its palette as one ':root{…}' rule", error.Message);
        Assert.Throws<InvalidOperationException>(() => DarkPalette.RootDeclarations("<style>html{--a: 1;}</style>"));
        Assert.Equal("--a: 1;", DarkPalette.RootDeclarations("<style class='mud-theme-provider'>\n:root{\n--a: 1;\n}\n</style>"));
    }
}
