using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cord19.Tests.Support;

namespace Cord19.Tests.Api;

/// <summary>Kills the real app process in the middle of a phase and starts it again on the same data.</summary>
public sealed class RestartTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly HttpClient _http = new() { DefaultRequestHeaders = { Authorization = new("Bearer", WebAppFactory.AccessToken) } };

    [Fact]
    public async Task A_phase_cut_off_by_a_kill_shows_interrupted_after_restart_and_resumes_to_success()
    {
        await using (var first = await RunningApp.StartAsync(_data.Path))
        {
            await PutSettingsAsync(first, new { subsetSize = 300, ldaIterations = 20 });
            for (var phase = 1; phase <= 5; phase++)
                Assert.Equal("Succeeded", await RunAndWaitAsync(first, phase));

            // Long enough to be killed mid-way.
            await PutSettingsAsync(first, new { subsetSize = 300, ldaIterations = 2000 });
            Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync($"{first.Url}/api/phases/6/run", null)).StatusCode);
            await WaitAsync(first, 6, p => p.GetProperty("startedAt").ValueKind != JsonValueKind.Null);
            await Task.Delay(1_500);
            first.Kill();
        }

        await using var second = await RunningApp.StartAsync(_data.Path);
        var phase6 = (await PhasesAsync(second))[5];
        Assert.Equal("Interrupted", phase6.GetProperty("status").GetString());
        Assert.Contains("stopped while this phase was running", phase6.GetProperty("reason").GetString());
        Assert.Equal("Succeeded", (await PhasesAsync(second))[3].GetProperty("status").GetString());
        Assert.DoesNotContain("full-", await _http.GetStringAsync($"{second.Url}/api/results"));

        await PutSettingsAsync(second, new { subsetSize = 300, ldaIterations = 20 });
        Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync($"{second.Url}/api/phases/6/run?resume=true", null)).StatusCode);
        var resumed = await WaitAsync(second, 6, p => p.GetProperty("status").GetString() != "Running");

        Assert.Equal("Succeeded", resumed.GetProperty("status").GetString());
        var runs = await _http.GetFromJsonAsync<JsonElement>($"{second.Url}/api/results");
        Assert.Single(runs.GetProperty("runs").EnumerateArray(), r => r.GetProperty("scope").GetString() == "full");
    }

    private async Task PutSettingsAsync(RunningApp app, object settings) =>
        Assert.Equal(HttpStatusCode.OK, (await _http.PutAsJsonAsync($"{app.Url}/api/settings", settings)).StatusCode);

    private async Task<string> RunAndWaitAsync(RunningApp app, int phase)
    {
        var response = await _http.PostAsync($"{app.Url}/api/phases/{phase}/run", null);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await WaitAsync(app, phase, p => p.GetProperty("status").GetString() != "Running")).GetProperty("status").GetString()!;
    }

    private async Task<JsonElement> WaitAsync(RunningApp app, int phase, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var state = (await PhasesAsync(app))[phase - 1];
            if (done(state)) return state;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"phase {phase}: {state}\n{app.Output}");
            await Task.Delay(100);
        }
    }

    private async Task<JsonElement[]> PhasesAsync(RunningApp app) =>
        (await _http.GetFromJsonAsync<JsonElement[]>($"{app.Url}/api/phases"))!;

    public void Dispose()
    {
        _http.Dispose();
        _data.Dispose();
    }
}
