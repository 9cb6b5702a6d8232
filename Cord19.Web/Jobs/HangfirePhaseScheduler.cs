using Cord19.Core.Execution;
using Hangfire;

namespace Cord19.Web.Jobs;

public sealed class HangfirePhaseScheduler(IBackgroundJobClient jobs) : IPhaseJobScheduler
{
    public string Enqueue(Guid runId) => jobs.Enqueue<RunPhaseJob>(job => job.RunAsync(runId, CancellationToken.None));
}
