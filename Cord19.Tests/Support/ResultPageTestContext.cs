using Cord19.Core.Results;
using Cord19.Web.ServiceClient;
using Microsoft.Extensions.DependencyInjection;

namespace Cord19.Tests.Support;

/// <summary>A page test context whose pages read results from an in-memory store.</summary>
public abstract class ResultPageTestContext : PageTestContext
{
    protected ResultPageTestContext() : this(new FakeResultStore()) { }

    private ResultPageTestContext(FakeResultStore store) : base(s => s
        .AddSingleton<IResultStore>(store)
        .AddSingleton(new RunCache(store))
        .AddSingleton<IDeploymentClient>(new FakeDeploymentClient())) => Store = store;

    protected FakeResultStore Store { get; }
}
