using System.Globalization;
using Cord19.Core.Aws;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsCloud
{
    public async Task<double?> CpuAsync(string metricNamespace, string dimension, string id, CancellationToken ct)
    {
        var end = DateTime.UtcNow;
        var answer = await Api.QueryAsync(AwsService.CloudWatch, "GetMetricStatistics", new AwsParameters()
            .Add("Namespace", metricNamespace)
            .Add("MetricName", "CPUUtilization")
            .Add("Dimensions.member.1.Name", dimension)
            .Add("Dimensions.member.1.Value", id)
            .Add("StartTime", end.AddMinutes(-20).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))
            .Add("EndTime", end.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))
            .Add("Period", 300)
            .List("Statistics", "member", ["Average"]), ct);
        return answer.Find("Datapoints")?.Elements()
            .Select(p => (Time: p.Time("Timestamp"), Average: p.Double("Average")))
            .Where(p => p.Average is not null)
            .OrderByDescending(p => p.Time)
            .Select(p => p.Average)
            .FirstOrDefault();
    }
}
