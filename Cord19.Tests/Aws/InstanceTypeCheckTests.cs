using Cord19.Core.Targets.Aws;

namespace Cord19.Tests.Aws;

public sealed class InstanceTypeCheckTests
{
    [Theory]
    [InlineData("t3.xlarge", 16384, "x86_64", "x86_64", CheckOutcome.Passed)]
    [InlineData("t3.large", 8192, "x86_64", "x86_64", CheckOutcome.Passed)] // the recommended memory exactly
    [InlineData("t3.medium", 4096, "x86_64", "x86_64", CheckOutcome.Warning)]
    [InlineData("t4g.xlarge", 16384, "arm64", "x86_64", CheckOutcome.Failed)]
    [InlineData("a1.xlarge", 8192, "arm64", "x86_64", CheckOutcome.Failed)] // Arm without a g in its name
    [InlineData("t4g.xlarge", 16384, "arm64", null, CheckOutcome.Passed)] // an image of the operator's own: its architecture is theirs to match
    public void An_instance_type_is_judged_by_EC2s_architectures_and_memory(string type, long memoryMiB, string architectures, string? image, CheckOutcome expected)
    {
        var line = InstanceTypeCheck.Judge(new(type, 4, memoryMiB, architectures.Split(' ')), type, "us-east-2", image);

        Assert.Equal(expected, line.Outcome);
        Assert.Equal(expected == CheckOutcome.Passed, line.Fix is null);
    }

    [Fact]
    public void A_type_that_runs_both_architectures_fits_the_image()
    {
        var line = InstanceTypeCheck.Judge(new("m1.large", 2, 7680, ["i386", "x86_64"]), "m1.large", "us-east-2", "x86_64");

        Assert.Equal(CheckOutcome.Warning, line.Outcome); // 7.5 GiB: fits the image, short of 8 GiB
        Assert.StartsWith("m1.large: 2 vCPUs, 7.5 GiB, i386 or x86_64.", line.Detail);
    }
}
