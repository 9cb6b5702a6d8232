using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Cord19.Tests.Support;

namespace Cord19.Tests.Hosting;

/// <summary>
/// docker-compose runs the panel with a read-only root filesystem (read_only: true), writable only in its data folder and
/// /tmp. No Docker engine runs here, so the built panel is started as that container would hold it: in a mount namespace
/// of its own where / is read-only but for its data folder and a temporary folder (TMPDIR), on PostgreSQL with its
/// results in S3 as docker-compose configures it, and it runs phases 1 to 7.
/// </summary>
public sealed class ReadOnlyRootTests
{
    // Every mount but the two folders becomes read-only for the panel alone (a bind remount in a private namespace); the
    // probe makes sure of it before the panel starts.
    private const string ReadOnlyRoot = """
        set -e
        mount --make-rprivate /
        mount --bind "$CORD19_DATA_DIR" "$CORD19_DATA_DIR"
        mount --bind "$TMPDIR" "$TMPDIR"
        mount -o remount,bind,ro /
        if touch /cord19-read-only-probe 2>/dev/null; then echo "the root filesystem is still writable" >&2; exit 3; fi
        exec "$@"
        """;

    [ReadOnlyRootFact]
    public async Task The_panel_runs_every_phase_with_a_read_only_root_writing_only_its_data_folder_and_tmp()
    {
        using var data = new TempDirectory();
        using var scratch = new TempDirectory();
        // As docker-compose runs it: the state and the job queue in PostgreSQL, the results in an S3-compatible server.
        var database = await TestPostgres.CreateDatabaseAsync();
        try
        {
            await using var s3 = await S3rver.StartAsync();
            await using var app = await RunningApp.StartAsync(data.Path, new Dictionary<string, string>
            {
                ["TMPDIR"] = scratch.Path, ["CORD19_POSTGRES"] = database,
                ["CORD19_S3_BUCKET"] = S3rver.Bucket, ["CORD19_S3_ENDPOINT"] = s3.Endpoint,
                ["CORD19_S3_ACCESS_KEY_ID"] = "S3RVER", ["CORD19_S3_SECRET_ACCESS_KEY"] = "S3RVER",
            }, [.. ReadOnlyRootFactAttribute.Unshare, "sh", "-c", ReadOnlyRoot, "sh"]);
            using var http = app.CreateClient();

            for (var phase = 1; phase <= 7; phase++)
            {
                var accepted = await http.PostAsync($"{app.Url}/api/phases/{phase}/run", null);
                Assert.True(accepted.IsSuccessStatusCode, $"phase {phase}: {await accepted.Content.ReadAsStringAsync()}\n{app.Output}");
                JsonElement state;
                var waited = Stopwatch.StartNew();
                do
                {
                    await Task.Delay(250);
                    state = (await http.GetFromJsonAsync<JsonElement[]>($"{app.Url}/api/phases"))![phase - 1];
                } while (state.GetProperty("status").GetString() == "Running" && waited.Elapsed < TimeSpan.FromMinutes(3));
                Assert.True(state.GetProperty("status").GetString() == "Succeeded",
                    $"phase {phase} ended {state.GetProperty("status")}: {state}\n{await http.GetStringAsync($"{app.Url}/api/runs/{state.GetProperty("runId")}/log")}\n{app.Output}");
            }
            using var results = s3.CreateClient();
            Assert.True((await results.ListObjectsV2Async(new() { BucketName = S3rver.Bucket })).KeyCount > 0, "Phases 4 to 6 wrote no results.");
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(database);
        }
    }

    /// <summary>Runs where a private mount namespace can be made (root, or unprivileged user namespaces); skipped otherwise, saying so.</summary>
    private sealed class ReadOnlyRootFactAttribute : FactAttribute
    {
        public static readonly string[] Unshare = Environment.UserName == "root"
            ? ["unshare", "--mount", "--propagation", "private"]
            : ["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private"];

        public ReadOnlyRootFactAttribute()
        {
            try
            {
                using var probe = Process.Start(new ProcessStartInfo(Unshare[0], [.. Unshare[1..], "true"]) { RedirectStandardError = true })!;
                probe.WaitForExit(10_000);
                if (probe.ExitCode == 0) return;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // No unshare (util-linux) on this machine.
            }
            Skip = "This machine cannot make a mount namespace (unshare --mount), so the panel is not run under a read-only root here; " +
                   "ComposeFileTests still checks that docker-compose.yml asks for one.";
        }
    }
}
