using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;

namespace Cord19.Tests.Aws;

public sealed class InstanceTypeCheckTests
{
    [Theory]
    [InlineData("m5.xlarge", 16384, "x86_64", "x86_64", CheckOutcome.Passed)]
    [InlineData("m5.large", 8192, "x86_64", "x86_64", CheckOutcome.Passed)] // the recommended memory exactly
    [InlineData("c5.large", 4096, "x86_64", "x86_64", CheckOutcome.Warning)]
    [InlineData("t4g.xlarge", 16384, "arm64", "x86_64", CheckOutcome.Failed)]
    [InlineData("a1.xlarge", 8192, "arm64", "x86_64", CheckOutcome.Failed)] // Arm without a g in its name
    [InlineData("m6g.xlarge", 16384, "arm64", null, CheckOutcome.Passed)] // an image of the operator's own: its architecture is theirs to match
    public void An_instance_type_is_judged_by_EC2s_architectures_and_memory(string type, long memoryMiB, string architectures, string? image, CheckOutcome expected)
    {
        var line = InstanceTypeCheck.Judge(new(type, 4, memoryMiB, architectures.Split(' ')), type, "us-east-2", image);

        Assert.Equal(expected, line.Outcome);
        Assert.Equal(expected == CheckOutcome.Passed, line.Fix is null);
    }

    /// <summary>
    /// A T type runs on CPU credits, and the panel launches it with standard ones (no surplus billed unseen), which a T3 gets
    /// none of at launch: the pipeline's all-core steps would run at its baseline.
    /// </summary>
    [Fact]
    public void A_burstable_type_is_amber_and_the_fix_names_the_default()
    {
        var line = InstanceTypeCheck.Judge(new("t3.xlarge", 4, 16384, ["x86_64"], Burstable: true, OfferedAsSpot: true), "t3.xlarge", "us-east-2", "x86_64");

        Assert.Equal(CheckOutcome.Warning, line.Outcome);
        Assert.Contains("burstable", line.Detail);
        Assert.Contains("baseline", line.Detail);
        Assert.StartsWith($"Settings → Instance type: {PipelineSettings.DefaultInstanceType} ", line.Fix);
    }

    [Fact]
    public void A_small_burstable_type_is_told_both_concerns()
    {
        var line = InstanceTypeCheck.Judge(new("t3.medium", 2, 4096, ["x86_64"], Burstable: true), "t3.medium", "us-east-2", "x86_64");

        Assert.Equal(CheckOutcome.Warning, line.Outcome);
        Assert.Contains("less than 8 GiB", line.Detail);
        Assert.Contains("burstable", line.Detail);
    }

    [Fact]
    public void A_type_EC2_does_not_sell_as_spot_is_red()
    {
        var line = InstanceTypeCheck.Judge(new("hpc6a.48xlarge", 96, 393216, ["x86_64"], OfferedAsSpot: false), "hpc6a.48xlarge", "us-east-2", "x86_64");

        Assert.Equal(CheckOutcome.Failed, line.Outcome);
        Assert.Contains("does not offer this type as a spot instance", line.Detail);
    }

    [Fact]
    public void A_type_that_runs_both_architectures_fits_the_image()
    {
        var line = InstanceTypeCheck.Judge(new("m1.large", 2, 7680, ["i386", "x86_64"]), "m1.large", "us-east-2", "x86_64");

        Assert.Equal(CheckOutcome.Warning, line.Outcome); // 7.5 GiB: fits the image, short of 8 GiB
        Assert.StartsWith("m1.large: 2 vCPUs, 7.5 GiB, i386 or x86_64.", line.Detail);
    }
}
