using Cord19.Core.Live;
using Cord19.Web.ServiceClient;
using Microsoft.AspNetCore.Components;

namespace Cord19.Web.Components;

/// <summary>
/// A component that follows the deployment change stream while it is interactive. Changes are handed to
/// <see cref="OnChangeAsync"/> on the renderer's context; the prerender never subscribes.
/// </summary>
public abstract class LiveComponentBase : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _stop = new();

    [Inject] public required IDeploymentClient Deployments { get; init; }

    /// <summary>Fires when the component goes away (circuit closed, navigation).</summary>
    protected CancellationToken Stopping => _stop.Token;

    protected abstract Task OnChangeAsync(DeploymentChange change);

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
            _ = WatchAsync();
    }

    private Task WatchAsync() =>
        Follow.StreamAsync(Deployments.WatchAsync(_stop.Token), change => InvokeAsync(() => OnChangeAsync(change)), _stop.Token);

    public virtual void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
