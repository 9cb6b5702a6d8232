using MudBlazor;

namespace Cord19.Web.Components.Layout;

/// <summary>
/// MudBlazor's palettes with the status colours darkened (light) or lightened (dark) until their text reaches WCAG AA
/// (4.5:1): the defaults put white on bright green, orange and blue at 2-3:1, which axe-core reports.
/// </summary>
public static class Cord19Theme
{
    public static MudTheme Theme { get; } = new()
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
    };
}

/// <summary>The theme a person chose: following the system (the default), or always light or dark. Remembered by the browser.</summary>
public enum ThemeChoice
{
    System,
    Light,
    Dark,
}
