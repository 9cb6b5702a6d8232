using Cord19.Core.Phases;
using Cord19.Core.Settings;

namespace Cord19.Core.Costs;

/// <summary>
/// What each phase will cost on AWS before anything is created, for the chosen sizes and expected durations:
/// from phase 1 on the spot instance, its EBS volume and public IPv4 address bill; in phase 2 Redshift's nodes, and its
/// managed storage from then on (the cluster is paused after its export), where phase 2 makes a cluster.
/// </summary>
public static class CostEstimate
{
    public sealed record PhaseEstimate(int Phase, double Hours, decimal? Usd, string? Unknown);

    /// <summary>
    /// On the AWS target in another region than the price book's, the estimate is the price book's region's: Redshift's
    /// nodes and storage, EBS and the spot estimate differ from region to region.
    /// </summary>
    public static string? OtherRegion(PipelineSettings settings, PriceBook prices) =>
        settings.Target == Deployments.DeploymentTarget.Aws && settings.AwsRegion != prices.Region
            ? $"Priced at {prices.Region}'s rates, the price book's: Settings' AWS region is {settings.AwsRegion}, whose rates may differ. " +
              PriceBook.RatesFix(settings.AwsRegion)
            : null;

    /// <summary>The keys the deployment's meter would price it by (<see cref="AwsEquivalent.PriceKeys"/>) that <paramref name="prices"/> lacks.</summary>
    public static IReadOnlyList<string> MissingPrices(PipelineSettings settings, PriceBook prices) =>
        [.. AwsEquivalent.PriceKeys(settings).Where(key => prices.Find(key) is null)];

    public static IReadOnlyList<PhaseEstimate> ForPhases(PipelineSettings settings, PriceBook prices)
    {
        var instance = prices.Find($"ec2.spot.{settings.InstanceType}");
        var ebs = prices.Find("ebs.gp3.gb-month");
        var ipv4 = prices.Find("ipv4.public.hour");
        var cluster = AwsEquivalent.MakesCluster(settings);
        var redshift = cluster ? prices.Find($"redshift.ondemand.{settings.RedshiftNodeType}") : null;
        var storage = cluster ? prices.Find("redshift.rms.gb-month") : null;
        var missing = MissingPrices(settings, prices);

        return Phase.All.Select(phase =>
        {
            var hours = settings.ExpectedPhaseHours.ElementAtOrDefault(phase.Number - 1);
            if (missing.Count > 0)
                return new PhaseEstimate(phase.Number, hours, null, $"No price for {string.Join(", ", missing)}.");
            // A spot instance never pays more than the maximum price the user set.
            var instanceHourly = Math.Min(instance!.Usd, settings.SpotMaxPricePerHour);
            var hourly = instanceHourly + ebs!.Usd * settings.EbsGigabytes / BillingRules.HoursPerMonth + ipv4!.Usd;
            // The cluster runs through phase 2 (its export), then is paused: managed storage only until phase 7.
            if (phase.Number == 2 && cluster) hourly += redshift!.Usd * settings.RedshiftNodes;
            if (phase.Number >= 2 && storage is not null) hourly += storage.Usd / BillingRules.HoursPerMonth;
            return new PhaseEstimate(phase.Number, hours, Math.Round(hourly * (decimal)hours, 4), null);
        }).ToList();
    }
}
