using System.Net;
using System.Net.Sockets;
using Cord19.Tests.Support;

namespace Cord19.Tests.Hosting;

/// <summary>What a person starting the panel sees when it cannot start: one line with the cause and the fix.</summary>
public sealed class StartRefusalTests
{
    [Fact]
    public async Task An_address_another_program_holds_stops_the_start_with_one_line_and_no_stack_trace()
    {
        using var data = new TempDirectory();
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)holder.LocalEndpoint).Port}";

        var (exitCode, output, errors) = await RunningApp.RunToExitAsync(new Dictionary<string, string> { ["CORD19_DATA_DIR"] = data.Path }, "--urls", address);

        AssertRefused(exitCode, errors, $"Failed to bind to address {address}: address already in use. Another program listens there");
        // Stopping before it started is not a background service failing.
        Assert.DoesNotContain("BackgroundService failed", output);
    }

    [Theory]
    [InlineData("notaurl", "Invalid url: 'notaurl'")]
    [InlineData("http://127.0.0.1:99999", "Specified argument was out of the range of valid values. (Parameter 'port')")]
    public async Task An_address_the_panel_cannot_listen_on_is_named_with_the_fix(string address, string cause)
    {
        using var data = new TempDirectory();
        var (exitCode, _, errors) = await RunningApp.RunToExitAsync(new Dictionary<string, string> { ["CORD19_DATA_DIR"] = data.Path }, "--urls", address);

        AssertRefused(exitCode, errors, $"{cause}. Give the panel an address it can listen on, e.g. --urls http://127.0.0.1:5252 (it was given {address}).");
    }

    [Fact]
    public async Task A_second_panel_on_the_same_SQLite_data_folder_refuses_to_start_and_leaves_the_first_one_alone()
    {
        using var data = new TempDirectory();
        await using var first = await RunningApp.StartAsync(data.Path);

        var (exitCode, _, errors) = await RunningApp.RunToExitAsync(new Dictionary<string, string> { ["CORD19_DATA_DIR"] = data.Path },
            "--urls", $"http://127.0.0.1:{LoopbackPort.Free()}");

        AssertRefused(exitCode, errors, $"CORD19_DATA_DIR: another panel is already running on the data folder '{data.Path}'");
        using var http = first.CreateClient();
        Assert.True((await http.GetAsync($"{first.Url}/api/phases")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_PostgreSQL_nobody_listens_for_is_named_with_the_fix()
    {
        var port = LoopbackPort.Free();
        var (exitCode, _, errors) = await StartOnPostgresAsync($"Host=127.0.0.1;Port={port};Username=cord19;Password=the-secret;Database=cord19");

        AssertRefused(exitCode, errors, $"PostgreSQL at 127.0.0.1:{port} (database cord19, user cord19, from CORD19_POSTGRES) could not be reached");
        Assert.Contains("Start PostgreSQL there, or correct the host and port.", errors);
        Assert.DoesNotContain("the-secret", errors);
    }

    [Fact]
    public async Task A_password_PostgreSQL_refuses_is_named_with_the_fix()
    {
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(TestPostgres.AdminConnectionString) { Password = "not-the-password" };
        var (exitCode, _, errors) = await StartOnPostgresAsync(connection.ConnectionString);

        AssertRefused(exitCode, errors, $"PostgreSQL at {connection.Host}:{connection.Port} (database {connection.Database}, user {connection.Username}, " +
                                        "from CORD19_POSTGRES) refused the sign-in: password authentication failed");
        Assert.Contains("PostgreSQL keeps the POSTGRES_PASSWORD its volume was first made with", errors);
        Assert.DoesNotContain("not-the-password", errors);
    }

    /// <summary>Exit code 1 and the one line, with no exception or stack trace around it.</summary>
    private static void AssertRefused(int exitCode, string errors, string line)
    {
        Assert.Equal(1, exitCode);
        Assert.Contains($"Refusing to start: {line}", errors);
        Assert.DoesNotContain("Unhandled exception", errors);
        Assert.DoesNotContain("   at ", errors);
    }

    private static async Task<(int ExitCode, string Output, string Errors)> StartOnPostgresAsync(string connectionString)
    {
        using var data = new TempDirectory();
        return await RunningApp.RunToExitAsync(new Dictionary<string, string> { ["CORD19_DATA_DIR"] = data.Path, ["CORD19_POSTGRES"] = connectionString },
            "--urls", $"http://127.0.0.1:{LoopbackPort.Free()}");
    }
}
