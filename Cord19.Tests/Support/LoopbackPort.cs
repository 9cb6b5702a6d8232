using System.Net;
using System.Net.Sockets;

namespace Cord19.Tests.Support;

/// <summary>Ports for the servers the tests start on 127.0.0.1.</summary>
public static class LoopbackPort
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
