using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Settings;

namespace Cord19.Tests.Costs;

/// <summary>
/// A cost cap counts the deployment's cost from the price book. Before, a type the book did not price (t3.medium, an
/// ra3.4xlarge node) was saved with the cap: the meter's total was unknown, the cap never reached, and only the lifetime
/// guarded, without a word outside the Costs page.
/// </summary>
public sealed class CapPricesTests
{
    [Fact]
    public void A_cap_with_an_instance_type_the_book_does_not_price_is_refused_on_the_type_with_the_ways_out()
    {
        var problem = Assert.Single(new PipelineSettings { InstanceType = "t3.medium", BudgetCapUsd = 5 }.Problems());

        Assert.Equal(nameof(PipelineSettings.InstanceType), problem.Field);
        Assert.Equal("The price book has no 'ec2.spot.t3.medium', so the $5.00 cost cap could not count that cost and would never be reached: " +
            "read the region's prices from AWS (the button under the price book adds the types chosen here), add the price to the book by hand, " +
            "choose a type the book prices, or clear the cap (the lifetime still guards).", problem.Message);
        Assert.Empty(new PipelineSettings { InstanceType = "t3.medium", BudgetCapUsd = null }.Problems());
    }

    [Fact]
    public void A_node_type_the_book_does_not_price_is_refused_only_where_phase_two_makes_a_cluster()
    {
        var local = new PipelineSettings { RedshiftNodeType = "ra3.4xlarge", BudgetCapUsd = 5 };
        Assert.Equal(nameof(PipelineSettings.RedshiftNodeType), Assert.Single(local.Problems()).Field);
        Assert.Contains("'redshift.ondemand.ra3.4xlarge'", Assert.Single(local.Problems()).Message);

        var aws = local with { Target = DeploymentTarget.Aws, AwsMetadataSource = PipelineSettings.DataLakeMetadataSource };
        Assert.Equal(nameof(PipelineSettings.RedshiftNodeType), Assert.Single(aws.Problems()).Field);
        // With the panel's own metadata file, AWS's phase 2 makes no cluster: there is no node to price.
        Assert.Empty((aws with { AwsMetadataSource = PipelineSettings.PanelMetadataSource }).Problems());
    }

    [Fact]
    public void The_price_added_to_the_book_lets_the_cap_be_saved()
    {
        var book = PriceBook.Default;
        var priced = PriceBook.Write(book.Region, [.. book.All, new Price("ec2.spot.t3.medium", 0.0125m, "hour", new DateOnly(2026, 12, 6), "Typed by hand")]);

        Assert.Empty(new PipelineSettings { InstanceType = "t3.medium", BudgetCapUsd = 5, PriceBookJson = priced }.Problems());
        // A book without the instance's volume leaves the cap as blind: the book is the field to mend.
        var noVolume = PriceBook.Write(book.Region, book.All.Where(p => p.Key != "ebs.gp3.gb-month"));
        Assert.Equal(nameof(PipelineSettings.PriceBookJson), Assert.Single(new PipelineSettings { BudgetCapUsd = 5, PriceBookJson = noVolume }.Problems()).Field);
        // The rule asks for the keys the meter prices by, so the cluster's managed storage too, which the estimate alone skipped.
        var noStorage = PriceBook.Write(book.Region, book.All.Where(p => p.Key != "redshift.rms.gb-month"));
        Assert.Contains("'redshift.rms.gb-month'", Assert.Single(new PipelineSettings { BudgetCapUsd = 5, PriceBookJson = noStorage }.Problems()).Message);
    }

    [Fact]
    public void A_name_that_is_no_type_gets_its_own_problem_alone()
    {
        var problem = Assert.Single(new PipelineSettings { InstanceType = "not a type", BudgetCapUsd = 5 }.Problems());
        Assert.Contains("is not an EC2 instance type name", problem.Message);
    }
}
