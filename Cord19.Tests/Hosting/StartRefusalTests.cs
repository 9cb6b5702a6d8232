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

        Assert.Equal(1, exitCode);
        Assert.Contains($"Refusing to start: Failed to bind to address {address}: address already in use. Another program listens there", errors);
        Assert.DoesNotContain("Unhandled exception", errors);
        Assert.DoesNotContain("   at ", errors);
        // Stopping before it started is not a background service failing.
        Assert.DoesNotContain("BackgroundService failed", output);
    }
}
