using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Oaims.Service.Rest;

/// <summary>
/// The fast upload endpoint's own listener: one HTTP/1.1 request (<see cref="HttpImageUpload"/>) per connection, each on a
/// thread of its own. Not Kestrel: Kestrel receives a request body 4 KiB per system call into buffers of its own, and
/// the endpoint on Kestrel moved 280-310 MB/s from Python on this 2-core machine where this listener moved 460-540 MB/s
/// in the same hour (load average 6); here the body is received straight into the image's arrays, up to 1 MiB per call. Cleartext gRPC needs an HTTP/2-only listener anyway, so the uploads
/// had to have a port of their own.
/// </summary>
public sealed class UploadListener : IDisposable
{
    readonly Socket _listener;
    readonly HttpImageUpload _endpoint;
    readonly X509Certificate2? _certificate;
    readonly int _idleMilliseconds, _maxConnections;
    readonly ILogger _log;
    readonly ConcurrentDictionary<Socket, bool> _open = new();
    int _stopped;

    /// <summary>Binds <paramref name="address"/> and starts accepting; connections beyond twice the concurrent upload limit are refused at once.</summary>
    public UploadListener(ListenAddress address, HttpImageUpload endpoint, ServiceLimits limits, X509Certificate2? certificate, ILogger log)
    {
        _endpoint = endpoint;
        _certificate = certificate;
        _idleMilliseconds = checked(limits.UploadIdleSeconds * 1000);
        _maxConnections = 2 * limits.MaxConcurrentUploads;
        _log = log;
        _listener = new Socket(address.Ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(new IPEndPoint(address.Ip, address.Port));
            _listener.Listen(64);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        new Thread(Accept) { IsBackground = true, Name = "OAIMS upload listener" }.Start();
    }

    /// <summary>The bound port (the real one when port 0 was asked for).</summary>
    public int Port { get; }

    void Accept()
    {
        while (true)
        {
            Socket connection;
            try { connection = _listener.Accept(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; } // stopped
            if (_open.Count >= _maxConnections || Volatile.Read(ref _stopped) == 1)
            {
                _log.LogWarning("Upload connection from {Remote} refused: {Open} connections open already", connection.RemoteEndPoint, _open.Count);
                connection.Dispose();
                continue;
            }
            _open[connection] = true;
            new Thread(() => Serve(connection)) { IsBackground = true, Name = "OAIMS upload" }.Start();
        }
    }

    void Serve(Socket socket)
    {
        try
        {
            socket.NoDelay = true;
            socket.ReceiveBufferSize = 4 << 20; // fewer wake-ups per megabyte than the default; measured faster on loopback
            socket.ReceiveTimeout = socket.SendTimeout = _idleMilliseconds;
            using var stream = Secured(new NetworkStream(socket, ownsSocket: true));
            _endpoint.Serve(stream);
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or ObjectDisposedException)
        {
            // The client went away before its reply could be written (or the TLS handshake failed): nothing to answer.
            _log.LogInformation("Upload connection from {Remote} ended early: {Reason}", SafeRemote(socket), e.Message);
        }
        finally
        {
            _open.TryRemove(socket, out _);
            socket.Dispose();
        }
    }

    Stream Secured(NetworkStream stream)
    {
        if (_certificate is null) return stream;
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        tls.AuthenticateAsServer(_certificate, clientCertificateRequired: false, checkCertificateRevocation: false);
        return tls;
    }

    static string SafeRemote(Socket socket)
    {
        try { return socket.RemoteEndPoint?.ToString() ?? "?"; }
        catch (ObjectDisposedException) { return "?"; }
    }

    /// <summary>Stops accepting and closes the connections still open (their uploads store nothing).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        _listener.Dispose();
        foreach (var socket in _open.Keys) socket.Dispose();
    }
}
