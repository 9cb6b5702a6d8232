using MudBlazor;

namespace Cord19.Web.Components.Layout;

/// <summary>
/// MudBlazor's palettes with the status colours darkened (light) or lightened (dark) until their text reaches WCAG AA
/// (4.5:1): the defaults put white on bright green, orange and blue at 2-3:1, which axe-core reports. Text in the
/// operating system's own font.
/// </summary>
public static class Cord19Theme
{
    // MudBlazor's default, Roboto first, expects its pages to load Roboto from Google; the panel loads nothing from
    // outside, so each system showed whichever of Roboto, Helvetica or Arial it had, and a browser without them searched
    // all three first: in headless Chromium on Debian (DejaVu Sans either way) a page's first layout took a median of
    // 77 ms against 38 ms with the system's font (ten traced visits each).
    public static IReadOnlyList<string> SystemFont { get; } = ["system-ui", "sans-serif"];

    public static MudTheme Theme { get; } = WithSystemFont(new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#4a3dc9",
            Secondary = "#b0124f",
            Tertiary = "#00695c",
            Info = "#0b5cad",
            Success = "#1b6e2a",
            Warning = "#8a4b00",
            Error = "#c62828",
            AppbarBackground = "#4a3dc9",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#a49bff",
            PrimaryContrastText = "#14102e",
            Secondary = "#ff8fb8",
            SecondaryContrastText = "#2b0414",
            Tertiary = "#5fd6c3",
            TertiaryContrastText = "#00201b",
            Info = "#7cc0ff",
            InfoContrastText = "#001c36",
            Success = "#7bd88f",
            SuccessContrastText = "#002409",
            Warning = "#ffc266",
            WarningContrastText = "#2b1700",
            Error = "#ff8a80",
            ErrorContrastText = "#2d0000",
            AppbarBackground = "#1f1d2e",
            TextSecondary = "rgba(255,255,255,0.74)",
        },
    });

    private static MudTheme WithSystemFont(MudTheme theme)
    {
        var t = theme.Typography;
        foreach (var typography in new BaseTypography[] { t.Default, t.H1, t.H2, t.H3, t.H4, t.H5, t.H6, t.Subtitle1, t.Subtitle2, t.Body1, t.Body2, t.Button, t.Caption, t.Overline })
            typography.FontFamily = [.. SystemFont];
        return theme;
    }
}

/// <summary>The theme a person chose: following the system (the default), or always light or dark. Remembered by the browser.</summary>
public enum ThemeChoice
{
    System,
    Light,
    Dark,
}
