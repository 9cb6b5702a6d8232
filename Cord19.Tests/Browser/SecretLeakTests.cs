using Cord19.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

/// <summary>
/// Plants known secrets in the app's environment, walks every page, API answer and the job dashboard, runs
/// phases (errors included), and looks for the secrets in everything the app showed or logged.
/// </summary>
public sealed class SecretLeakTests : BrowserTest
{
    private const string AwsSecret = "planted-aws-secret-5b1f0c7e9a";
    private const string AwsSession = "planted-aws-session-token-77d2";
    private static readonly string[] Secrets = [WebAppFactory.AccessToken, AwsSecret, AwsSession];

    protected override IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIAPLANTEDKEY0000",
        ["AWS_SECRET_ACCESS_KEY"] = AwsSecret,
        ["AWS_SESSION_TOKEN"] = AwsSession,
    };

    [Fact]
    public async Task No_secret_appears_in_pages_api_answers_or_logs()
    {
        var seen = new List<(string Where, string Text)>();
        using var http = App.CreateClient();
        // Error paths too: a refused setting, phases out of order, an unknown phase.
        var refused = await http.PutAsync($"{App.Url}/api/settings", new StringContent("{\"metadataPath\": \"/no/such/file.csv\"}", System.Text.Encoding.UTF8, "application/json"));
        seen.Add(("PUT settings", await refused.Content.ReadAsStringAsync()));
        foreach (var phase in new[] { 1, 2, 3, 9 })
            seen.Add(($"POST phase {phase}", await (await http.PostAsync($"{App.Url}/api/phases/{phase}/run", null)).Content.ReadAsStringAsync()));
        await Task.Delay(1_500);

        var page = await Chromium.NewPageAsync();
        foreach (var path in new[] { "/", "/results", "/clusters", "/topics", "/compare", "/costs", "/settings", "/nowhere", "/hangfire", "/hangfire/jobs/succeeded", "/signin" })
        {
            var response = await App.OpenAsync(page, path);
            Assert.True(response!.Ok || path == "/nowhere", $"{path}: {response.Status}");
            if (!path.StartsWith("/hangfire") && path != "/signin")
                await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            seen.Add((path, await page.ContentAsync()));
        }
        foreach (var path in new[] { "/api/phases", "/api/deployment", "/api/results", "/api/settings", "/api/costs", "/api/costs/estimate", "/health/ready" })
            seen.Add((path, await http.GetStringAsync($"{App.Url}{path}")));
        seen.Add(("app output", App.Output));

        var leaks = seen.SelectMany(s => Secrets.Where(secret => s.Text.Contains(secret)).Select(secret => $"{s.Where} shows '{secret[..8]}…'")).ToList();
        Figures.Report($"secrets found in logs or pages: {leaks.Count} (checked {seen.Count} pages, answers and logs)");
        Assert.Empty(leaks);
        Assert.Contains(seen, s => s.Text.Contains("does not exist"));
    }
}
