using Cord19.Core.Results;
using Cord19.Web.ServiceClient;
using Microsoft.Extensions.DependencyInjection;

namespace Cord19.Tests.Support;

/// <summary>A page test context whose pages read results from an in-memory store.</summary>
public abstract class ResultPageTestContext : PageTestContext
{
    protected ResultPageTestContext() : this(new FakeResultStore(), new FakeDeploymentClient()) { }

    private ResultPageTestContext(FakeResultStore store, FakeDeploymentClient deployments) : base(s => s
        .AddSingleton<IResultStore>(store)
        .AddSingleton(new RunCache(store))
        .AddSingleton<IDeploymentClient>(deployments)) => (Store, Deployments) = (store, deployments);

    protected FakeResultStore Store { get; }

    /// <summary>The deployment changes the pages follow (a processing run's end brings new results).</summary>
    protected FakeDeploymentClient Deployments { get; }
}
