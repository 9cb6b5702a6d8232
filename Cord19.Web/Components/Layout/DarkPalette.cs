using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace Cord19.Web.Components.Layout;

/// <summary>
/// The panel's dark palette as CSS custom properties, written by MudBlazor itself: its theme provider, rendered to text
/// once with <see cref="Cord19Theme"/> in dark mode. <see cref="EarlyTheme"/> gives them to a dark reader's page before
/// the circuit is up; copying the palette's values by hand would drift from the provider's with each MudBlazor release.
/// </summary>
public sealed class DarkPalette(IServiceScopeFactory scopes, ILoggerFactory loggers)
{
    private readonly Lazy<Task<string>> _declarations = new(() => RenderOrNothingAsync(scopes, loggers));

    /// <summary>
    /// The declarations of MudBlazor's <c>:root</c> rule in dark mode (<c>--mud-palette-background: …;</c> and the rest);
    /// none when they could not be made, which costs a dark reader the light first paint and nothing else.
    /// </summary>
    public Task<string> DeclarationsAsync() => _declarations.Value;

    private static async Task<string> RenderOrNothingAsync(IServiceScopeFactory scopes, ILoggerFactory loggers)
    {
        try
        {
            return await RenderAsync(scopes, loggers);
        }
        catch (Exception ex)
        {
            // Every page's head asks for it: a failure here must not become every page's failure.
            loggers.CreateLogger<DarkPalette>().LogError(ex, "The dark palette for the first paint could not be made; dark pages start light until their circuit is up.");
            return "";
        }
    }

    private static async Task<string> RenderAsync(IServiceScopeFactory scopes, ILoggerFactory loggers)
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggers);
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var parameters = ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(MudThemeProvider.Theme)] = Cord19Theme.Theme,
                [nameof(MudThemeProvider.IsDarkMode)] = true,
                // Watching the system's theme needs a browser; this rendering has none.
                [nameof(MudThemeProvider.ObserveSystemDarkModeChange)] = false,
            });
            return (await renderer.RenderComponentAsync<MudThemeProvider>(parameters)).ToHtmlString();
        });
        return RootDeclarations(html);
    }

    /// <summary>The body of the one <c>:root{…}</c> rule in the theme provider's output.</summary>
    public static string RootDeclarations(string providerHtml)
    {
        const string Root = ":root{";
        var start = providerHtml.IndexOf(Root, StringComparison.Ordinal);
        var end = start < 0 ? -1 : providerHtml.IndexOf('}', start);
        if (start < 0 || end < 0 || providerHtml.IndexOf(Root, end, StringComparison.Ordinal) >= 0)
            throw new InvalidOperationException(
                "MudBlazor's theme provider no longer writes its palette as one ':root{…}' rule: read its new form in DarkPalette.RootDeclarations.");
        return providerHtml[(start + Root.Length)..end].Trim();
    }
}
