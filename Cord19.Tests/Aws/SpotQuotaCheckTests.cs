using Cord19.Core.Targets.Aws;

namespace Cord19.Tests.Aws;

/// <summary>The checklist's spot vCPU quota line, judged from the quota, Settings' types and the region's spot instances.</summary>
public sealed class SpotQuotaCheckTests
{
    private static readonly Guid Live = Guid.NewGuid();

    private static (RunningSpotInstance, int?) Spot(string id, string type, int? vcpus, Guid? deployment = null) => (new(id, type, deployment), vcpus);

    [Theory]
    [InlineData("m5.xlarge", true)]
    [InlineData("m7i-flex.large", true)]
    [InlineData("t3.large", true)]
    [InlineData("c7gn.xlarge", true)]
    [InlineData("im4gn.large", true)]
    [InlineData("z1d.large", true)]
    [InlineData("d3.xlarge", true)]
    [InlineData("inf2.xlarge", false)]
    [InlineData("dl1.24xlarge", false)]
    [InlineData("trn1.2xlarge", false)]
    [InlineData("hpc7a.12xlarge", false)]
    [InlineData("g5.xlarge", false)]
    [InlineData("p5.48xlarge", false)]
    [InlineData("x2idn.16xlarge", false)]
    [InlineData("vt1.3xlarge", false)]
    public void A_type_counts_against_the_Standard_families_quota_by_its_family_not_its_first_letter(string type, bool standard) =>
        Assert.Equal(standard, SpotQuotaCheck.IsStandard(type));

    [Fact]
    public void Other_spot_instances_leave_too_little_for_the_first_choice_and_every_fallback_red_naming_them()
    {
        var line = SpotQuotaCheck.Judge(8, [("m5.xlarge", 4), ("m6i.xlarge", 4)],
            [Spot("i-0aaa", "c5.xlarge", 4), Spot("i-0bbb", "t3.small", 2), Spot("i-0ccc", "g5.xlarge", 4)], Live);

        Assert.Equal(CheckOutcome.Failed, line.Outcome);
        // The G instance has a quota of its own: only the Standard ones are counted.
        Assert.Equal("8 vCPUs allowed, 6 in use by 2 spot instances here: i-0aaa (c5.xlarge), i-0bbb (t3.small); 2 left, and m5.xlarge needs 4. " +
            "No fallback type fits either.", line.Detail);
        Assert.Contains("Service Quotas", line.Fix);
    }

    [Fact]
    public void When_only_a_smaller_fallback_fits_the_line_is_amber_naming_it()
    {
        var line = SpotQuotaCheck.Judge(5, [("m5.xlarge", 4), ("m6i.xlarge", 4), ("m7i-flex.large", 2)], [Spot("i-0aaa", "t3.small", 2)], Live);

        Assert.Equal(CheckOutcome.Warning, line.Outcome);
        Assert.EndsWith("3 left, and m5.xlarge needs 4. Phase 1 would ask for the fallback m7i-flex.large (2 vCPUs) instead.", line.Detail);
    }

    [Fact]
    public void Room_left_is_green_and_says_what_is_in_use()
    {
        Assert.Equal((CheckOutcome.Passed, "32 vCPUs allowed, none in use; m5.xlarge needs 4."),
            (SpotQuotaCheck.Judge(32, [("m5.xlarge", 4)], [], Live) is var free ? (free.Outcome, free.Detail) : default));
        var busy = SpotQuotaCheck.Judge(8, [("m5.xlarge", 4)], [Spot("i-0aaa", "m5.xlarge", 4)], Live);
        Assert.Equal((CheckOutcome.Passed, "8 vCPUs allowed, 4 in use by 1 spot instance here: i-0aaa (m5.xlarge); m5.xlarge needs 4."), (busy.Outcome, busy.Detail));
    }

    [Fact]
    public void The_live_deployments_own_instance_holds_its_share_and_phase_1_launches_no_other()
    {
        var line = SpotQuotaCheck.Judge(4, [("m5.xlarge", 4)], [Spot("i-0own", "m5.xlarge", 4, Live)], Live);

        Assert.Equal(CheckOutcome.Passed, line.Outcome);
        Assert.Equal("4 vCPUs allowed. This deployment's instance i-0own (m5.xlarge) runs: phase 1 launches no other while it does.", line.Detail);
    }

    [Fact]
    public void An_earlier_deployments_instance_is_named_as_an_orphan_the_AWS_page_ends()
    {
        var line = SpotQuotaCheck.Judge(4, [("m5.xlarge", 4)], [Spot("i-0old", "m5.xlarge", 4, Guid.NewGuid())], Live);

        Assert.Equal(CheckOutcome.Failed, line.Outcome);
        Assert.Contains("1 of them is this panel's, of a deployment no longer live: Find orphans on this page ends it.", line.Detail);
    }

    [Fact]
    public void An_instance_of_unknown_size_makes_room_uncertain()
    {
        var line = SpotQuotaCheck.Judge(32, [("m5.xlarge", 4)], [Spot("i-0aaa", "m9z.xlarge", null)], Live);

        Assert.Equal(CheckOutcome.Warning, line.Outcome);
        Assert.EndsWith("EC2 did not say the size of 1 of them, so more may be in use.", line.Detail);
    }
}
