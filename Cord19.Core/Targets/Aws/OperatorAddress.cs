using System.Net;

namespace Cord19.Core.Targets.Aws;

/// <summary>The operator's public address, so security groups open Airflow and Redshift to that one address only.</summary>
public sealed partial class OperatorAddress(IHttpClientFactory http)
{
    public const string HttpClientName = "checkip";

    /// <summary>The address Airflow's port must admit: Settings' operator address if given, else this machine's as AWS sees it.</summary>
    public static async Task<string> OfOperatorAsync(Settings.PipelineSettings settings, Func<CancellationToken, Task<string>> lookUp, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(settings.OperatorCidr) ? await lookUp(ct) : settings.OperatorCidr.Trim();

    /// <summary>Whether one of <paramref name="ranges"/> (a group's rules) takes in all of <paramref name="cidr"/> (the operator's address or range).</summary>
    public static bool IsAdmitted(IEnumerable<string> ranges, string cidr) =>
        IPNetwork.TryParse(cidr.Trim(), out var wanted) && ranges.Any(r => IPNetwork.TryParse(r, out var rule)
            && rule.PrefixLength <= wanted.PrefixLength && rule.Contains(wanted.BaseAddress));

    /// <summary>
    /// The description of a port rule opened for this panel instance (<paramref name="panel"/>, the phase's owner): a later
    /// phase closes the addresses it names that this panel no longer has (a laptop that moved), and leaves the rules
    /// another panel instance opened. EC2 takes letters, digits, spaces and ._-:/()#,@[]+=&amp;;{}!$* in it.
    /// </summary>
    public static string RuleDescription(string? panel)
    {
        if (string.IsNullOrWhiteSpace(panel)) return "cord19 operator";
        var description = $"cord19 operator, panel {NotAllowedInDescription().Replace(panel.Trim(), "-")}";
        return description.Length <= 255 ? description : description[..255];
    }

    /// <summary>
    /// The ranges of <paramref name="admitted"/> that <paramref name="panel"/> opened and that are not <paramref name="cidr"/>,
    /// its address now: what it left behind where it was before. None without a panel's name: the description it would
    /// look for is the one earlier versions gave every rule, and those are not its to close.
    /// </summary>
    public static IReadOnlyList<string> LeftBehind(IEnumerable<AdmittedRange> admitted, string cidr, string? panel) =>
        string.IsNullOrWhiteSpace(panel) ? []
            : [.. admitted.Where(a => a.Description == RuleDescription(panel) && a.Cidr != cidr).Select(a => a.Cidr).Distinct()];

    [System.Text.RegularExpressions.GeneratedRegex(@"[^a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]")]
    private static partial System.Text.RegularExpressions.Regex NotAllowedInDescription();

    /// <summary>AWS's own "what is my IP" service: the address as AWS sees it is the one the rules must allow.</summary>
    public async Task<string> LookUpAsync(CancellationToken ct)
    {
        try
        {
            var text = (await http.CreateClient(HttpClientName).GetStringAsync("https://checkip.amazonaws.com/", ct)).Trim();
            return IPAddress.TryParse(text, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                ? $"{address}/32"
                // Not quoted: a network's filtering proxy or captive portal answers with a page of its own.
                : throw new InvalidDataException("checkip.amazonaws.com did not answer an IPv4 address");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidDataException)
        {
            throw new Execution.PhaseFailedException(
                $"Could not look up this machine's public address ({ex.Message}). Enter it in Settings → AWS → operator address (e.g. 203.0.113.7/32) and run the phase again.", ex);
        }
    }
}
