using System.Globalization;
using System.Xml.Linq;
using Cord19.Core.Aws;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsCloud
{
    /// <summary>GetMetricStatistics answers at most 1,440 datapoints: hourly ones reach 60 days back in one request.</summary>
    private static readonly TimeSpan LongestLookBack = TimeSpan.FromDays(60);

    public async Task<double?> CpuAsync(string metricNamespace, string dimension, string id, CancellationToken ct)
    {
        var end = DateTimeOffset.UtcNow;
        return (await CpuReadingsAsync(metricNamespace, dimension, id, end.AddMinutes(-20), end, 300, ct))
            .Where(p => p.Average is not null)
            .OrderByDescending(p => p.Time)
            .Select(p => p.Average)
            .FirstOrDefault();
    }

    public async Task<DateTimeOffset?> CpuReportedUntilAsync(string metricNamespace, string dimension, string id, DateTimeOffset since, CancellationToken ct)
    {
        var end = DateTimeOffset.UtcNow;
        var start = since > end - LongestLookBack ? since : end - LongestLookBack;
        // The last hour with a reading first, then its 5-minute periods (two requests, whatever the instance's lifetime).
        // A datapoint is stamped with its period's start. Should the second find none, the hour's end is taken: its
        // reading may be anywhere in it, and an earlier time would bill less than AWS.
        if (await LastReadingAsync(metricNamespace, dimension, id, start, end, 3600, ct) is not { } hour) return null;
        return await LastReadingAsync(metricNamespace, dimension, id, hour, Min(end, hour.AddHours(2)), 300, ct) is { } period
            ? period.AddMinutes(5)
            : hour.AddHours(1);
    }

    public async Task<DateTimeOffset?> CpuReportedFromAsync(string metricNamespace, string dimension, string id, DateTimeOffset since, CancellationToken ct)
    {
        var end = DateTimeOffset.UtcNow;
        var start = since > end - LongestLookBack ? since : end - LongestLookBack;
        // The first hour with a reading, then its 5-minute periods. Should the second find none, the hour's start is
        // taken (never before since): a later time would bill less than AWS.
        if (await FirstReadingAsync(metricNamespace, dimension, id, start, end, 3600, ct) is not { } hour) return null;
        var from = hour > start ? hour : start;
        return await FirstReadingAsync(metricNamespace, dimension, id, from, Min(end, hour.AddHours(1)), 300, ct) is { } period && period > from ? period : from;
    }

    private async Task<DateTimeOffset?> LastReadingAsync(string metricNamespace, string dimension, string id, DateTimeOffset start, DateTimeOffset end,
        int periodSeconds, CancellationToken ct) =>
        (await CpuReadingsAsync(metricNamespace, dimension, id, start, end, periodSeconds, ct)).Max(p => p.Time);

    private async Task<DateTimeOffset?> FirstReadingAsync(string metricNamespace, string dimension, string id, DateTimeOffset start, DateTimeOffset end,
        int periodSeconds, CancellationToken ct) =>
        (await CpuReadingsAsync(metricNamespace, dimension, id, start, end, periodSeconds, ct)).Min(p => p.Time);

    private async Task<IEnumerable<(DateTimeOffset? Time, double? Average)>> CpuReadingsAsync(string metricNamespace, string dimension, string id,
        DateTimeOffset start, DateTimeOffset end, int periodSeconds, CancellationToken ct)
    {
        var answer = await Api.QueryAsync(AwsService.CloudWatch, "GetMetricStatistics", new AwsParameters()
            .Add("Namespace", metricNamespace)
            .Add("MetricName", "CPUUtilization")
            .Add("Dimensions.member.1.Name", dimension)
            .Add("Dimensions.member.1.Value", id)
            .Add("StartTime", Timestamp(start))
            .Add("EndTime", Timestamp(end))
            .Add("Period", periodSeconds)
            .List("Statistics", "member", ["Average"]), ct);
        return answer.Find("Datapoints")?.Elements().Select(p => (Time(p), p.Double("Average"))) ?? [];
    }

    private static DateTimeOffset? Time(XElement datapoint) => datapoint.Time("Timestamp") is { } t ? new DateTimeOffset(t.ToUniversalTime()) : null;

    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
