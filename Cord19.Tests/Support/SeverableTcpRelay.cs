using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Cord19.Core.Configuration;
using Npgsql;

namespace Cord19.Tests.Support;

/// <summary>
/// A TCP relay on a loopback port to a real server, which a test can sever: every connection through it drops, and new
/// ones are closed as soon as they open, until it is mended. What a fail-over or a restart of the server looks like
/// from the client's side, without stopping the server the other tests share. Or it can hold: the connections drop
/// and new ones open but are never answered, as a server gone quiet looks. Or it can stall: nothing is dropped, but no
/// byte goes through either way until it is mended, as a network partition looks from both sides.
/// </summary>
public sealed class SeverableTcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _host;
    private readonly int _port;
    private readonly ConcurrentDictionary<TcpClient, TcpClient> _open = new(); // client → server
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile bool _severed;
    private volatile bool _holding;
    // Completed while bytes go through; a stall puts an open one in its place, which the mend completes.
    private volatile TaskCompletionSource _flowing = Flowing();
    private readonly ConcurrentBag<TcpClient> _held = [];

    public SeverableTcpRelay(string host, int port)
    {
        _host = host;
        _port = port;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>A relay to the PostgreSQL that <paramref name="connectionString"/> names, and the connection string through it.</summary>
    public static SeverableTcpRelay ToPostgres(string connectionString, out string throughRelay)
    {
        var direct = new NpgsqlConnectionStringBuilder(connectionString);
        var relay = new SeverableTcpRelay(direct.Host!, direct.Port);
        throughRelay = new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = relay.Port }.ConnectionString;
        return relay;
    }

    /// <summary>A relay to the PostgreSQL that <paramref name="options"/> name, which from then on reach it through the relay.</summary>
    public static SeverableTcpRelay ToPostgres(Cord19Options options)
    {
        var relay = ToPostgres(options.Postgres!, out var throughRelay);
        options.Postgres = throughRelay;
        return relay;
    }

    /// <summary>Connections dropped through the relay while it was severed (the ones open then, and the ones tried since).</summary>
    public int Dropped => _dropped;

    private int _dropped;

    public void Sever()
    {
        _severed = true;
        foreach (var (client, server) in _open)
        {
            Drop(client);
            server.Dispose();
        }
    }

    /// <summary>Drops every connection, then takes new ones and never answers them.</summary>
    public void Hold()
    {
        _holding = true;
        Sever();
    }

    /// <summary>Nothing drops, nothing goes through: open connections go quiet, and new ones are taken and never answered.</summary>
    public void Stall()
    {
        _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _holding = true;
    }

    private static TaskCompletionSource Flowing()
    {
        var flowing = new TaskCompletionSource();
        flowing.SetResult();
        return flowing;
    }

    /// <summary>
    /// Takes connections again, and what a stall kept goes through. The held ones drop: a client still waiting on one
    /// learns at once, as at a partition's end.
    /// </summary>
    public void Mend()
    {
        (_severed, _holding) = (false, false);
        _flowing.TrySetResult();
        while (_held.TryTake(out var client)) Drop(client);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            if (_holding) _held.Add(client);
            else if (_severed) Drop(client);
            else _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var server = new TcpClient();
        _open[client] = server;
        try
        {
            await server.ConnectAsync(_host, _port, _stop.Token);
            var up = PumpAsync(client.GetStream(), server.GetStream());
            var down = PumpAsync(server.GetStream(), client.GetStream());
            await Task.WhenAny(up, down);
        }
        catch (Exception)
        {
            // One side went away, or the relay was severed: both sides are closed below.
        }
        finally
        {
            _open.TryRemove(client, out _);
            client.Dispose();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[81920];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            await _flowing.Task.WaitAsync(_stop.Token);
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }

    private void Drop(TcpClient client)
    {
        Interlocked.Increment(ref _dropped);
        try
        {
            // A reset, as a server that went away gives, rather than a polite end of stream. A connection that ended on its
            // own while Sever went through the open ones is disposed already (its Client is then null): nothing to reset.
            if (client.Client is { } socket) socket.LingerState = new LingerOption(true, 0);
        }
        catch (ObjectDisposedException) { /* disposed between the look and the set: the same */ }
        client.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var (client, server) in _open)
        {
            client.Dispose();
            server.Dispose();
        }
        foreach (var client in _held) client.Dispose();
        await _accepting;
        _stop.Dispose();
    }
}
