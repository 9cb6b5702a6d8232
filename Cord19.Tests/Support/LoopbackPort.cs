using System.Net;
using System.Net.Sockets;

namespace Cord19.Tests.Support;

/// <summary>Ports for the servers the tests start on 127.0.0.1.</summary>
public static class LoopbackPort
{
    private static readonly HashSet<int> GivenOut = [];

    /// <summary>
    /// A port nothing listens on, never one given out before in this test run. The port is free when asked, but the
    /// server it is for binds it later; the system may hand the same port to the next caller meanwhile.
    /// Once in CI the S3 tests got an app's "302 Found" from their S3 server's address, which that would explain (an
    /// inference, not something observed).
    /// </summary>
    public static int Free()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (GivenOut)
                if (GivenOut.Add(port)) return port;
        }
    }

    /// <summary>True once something accepts connections on <paramref name="port"/>, false after <paramref name="timeout"/>.</summary>
    public static async Task<bool> WaitForListenerAsync(int port, TimeSpan timeout, Func<bool>? gaveUp = null)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until && gaveUp?.Invoke() != true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        return false;
    }
}
