using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;

namespace Cord19.Tests.Support;

/// <summary>A bunit context with MudBlazor's services and loose JS interop, rendering as an interactive server circuit.</summary>
public abstract class PageTestContext : BunitContext, IAsyncLifetime
{
    /// <param name="services">Registers the page's services; it runs before anything is resolved.</param>
    protected PageTestContext(Action<IServiceCollection>? services = null)
    {
        services?.Invoke(Services);
        Services.TryAddSingleton(TimeProvider.System);
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    /// <summary>MudBlazor's popovers and snackbars live in the layout's providers; render them beside the page.</summary>
    protected IRenderedComponent<MudBlazor.MudSnackbarProvider> RenderSnackbars() => Render<MudBlazor.MudSnackbarProvider>();

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await DisposeTestResourcesAsync();
    }

    /// <summary>Disposes what a test class created besides the bunit context.</summary>
    protected virtual ValueTask DisposeTestResourcesAsync() => ValueTask.CompletedTask;

    /// <summary>Waits long enough for a throttled render on a loaded CI machine.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
}
