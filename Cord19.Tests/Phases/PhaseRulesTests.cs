using Cord19.Core.Phases;

namespace Cord19.Tests.Phases;

public sealed class PhaseRulesTests
{
    private static Dictionary<int, PhaseStatus> Statuses(params (int Phase, PhaseStatus Status)[] s) => s.ToDictionary(x => x.Phase, x => x.Status);

    [Fact]
    public void There_are_seven_phases_named_as_the_seed_names_them()
    {
        Assert.Equal(Enumerable.Range(1, 7), Phase.All.Select(p => p.Number));
        Assert.Equal("EC2 and Airflow configuration", Phase.Get(1).Name);
        Assert.Equal("Redshift and data lake setup", Phase.Get(2).Name);
        Assert.Equal("DAGs ready", Phase.Get(3).Name);
        Assert.Equal("Data pre-processing", Phase.Get(4).Name);
        Assert.Equal("Processing on a small data subset", Phase.Get(5).Name);
        Assert.Equal("Processing on the entire dataset", Phase.Get(6).Name);
        Assert.Equal("Resource de-allocation", Phase.Get(7).Name);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 3)]
    [InlineData(5, 4)]
    [InlineData(6, 5)]
    public void A_phase_needs_the_one_before_it_to_have_succeeded(int phase, int before)
    {
        foreach (var status in new[] { PhaseStatus.NotStarted, PhaseStatus.Failed, PhaseStatus.Interrupted })
        {
            var why = PhaseRules.WhyNot(Phase.Get(phase), Statuses((before, status)), DeploymentLifecycle.Active);
            Assert.NotNull(why);
            Assert.Contains($"phase {before}", why);
        }
        Assert.Null(PhaseRules.WhyNot(Phase.Get(phase), Statuses((before, PhaseStatus.Succeeded)), DeploymentLifecycle.Active));
    }

    [Fact]
    public void A_succeeded_phase_may_run_again()
    {
        var statuses = Statuses((1, PhaseStatus.Succeeded), (2, PhaseStatus.Succeeded));
        Assert.Null(PhaseRules.WhyNot(Phase.Get(2), statuses, DeploymentLifecycle.Active));
        Assert.Null(PhaseRules.WhyNot(Phase.Get(1), statuses, DeploymentLifecycle.Active));
    }

    [Fact]
    public void Nothing_but_deallocation_starts_while_a_phase_runs()
    {
        var statuses = Statuses((1, PhaseStatus.Succeeded), (2, PhaseStatus.Running));
        Assert.Contains("already running", PhaseRules.WhyNot(Phase.Get(2), statuses, DeploymentLifecycle.Active));
        Assert.Contains("Phase 2", PhaseRules.WhyNot(Phase.Get(1), statuses, DeploymentLifecycle.Active));
        Assert.Null(PhaseRules.WhyNot(Phase.Get(7), statuses, DeploymentLifecycle.Active));
    }

    [Fact]
    public void Without_a_deployment_only_phase_1_starts()
    {
        Assert.Null(PhaseRules.WhyNot(Phase.Get(1), Statuses(), DeploymentLifecycle.None));
        Assert.All(Phase.All.Skip(1), p => Assert.NotNull(PhaseRules.WhyNot(p, Statuses(), DeploymentLifecycle.None)));
    }

    [Fact]
    public void After_deallocation_phase_1_starts_a_new_deployment_the_rest_wait_for_it_and_deallocation_is_not_repeated()
    {
        var statuses = Phase.All.ToDictionary(p => p.Number, _ => PhaseStatus.Succeeded);
        Assert.Null(PhaseRules.WhyNot(Phase.Get(1), statuses, DeploymentLifecycle.Ended));
        Assert.Contains("already de-allocated", PhaseRules.WhyNot(Phase.Get(7), statuses, DeploymentLifecycle.Ended));
        Assert.Contains("de-allocated", PhaseRules.WhyNot(Phase.Get(4), statuses, DeploymentLifecycle.Ended));
    }
}
