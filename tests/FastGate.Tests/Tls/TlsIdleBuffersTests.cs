using System.Net.Security;
using System.Net.Sockets;
using FastGate.Core.Tls;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Tls;

/// <summary>
/// Releasing OpenSSL's record buffers and SslStream's memory-BIO buffers between requests reaches the real SSL handle
/// of this runtime's SslStream (it fails when a runtime update renames the field, moves libssl or stops using memory
/// BIOs), and the connection keeps working after it.
/// </summary>
public sealed class TlsIdleBuffersTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task Release_OnAnIdleConnection_FreesOpenSslBuffers_AndTrafficContinues()
    {
        Assert.True(TlsIdleBuffers.IsAvailable, TlsIdleBuffers.Describe());
        var server = _pki.IssueServer("idle.test", "idle.test").Certificate;
        var (clientSocket, serverSocket) = await Loopback.ConnectedPairAsync();
        using var clientOwner = clientSocket;
        using var serverOwner = serverSocket;
        await using var serverStream = new SslStream(new NetworkStream(serverSocket, ownsSocket: false));
        await using var clientStream = new SslStream(new NetworkStream(clientSocket, ownsSocket: false));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Task.WhenAll(
            serverStream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = server }, timeout.Token),
            clientStream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "idle.test",
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == server.GetCertHashString(),
            }, timeout.Token));

        var buffers = TlsIdleBuffers.For(serverStream); // once per connection, as the gateway does
        var handle = buffers.Ssl;
        Assert.NotNull(handle);
        for (var round = 0; round < 3; round++)
        {
            var request = new byte[100 + round];
            await clientStream.WriteAsync(request, timeout.Token);
            await ReadExactlyAsync(serverStream, request.Length, timeout.Token);
            var response = new byte[20_000]; // more than one TLS record
            await serverStream.WriteAsync(response, timeout.Token);
            await ReadExactlyAsync(clientStream, response.Length, timeout.Token);

            // Both directions have used OpenSSL's read and write buffers; nothing is pending, so OpenSSL frees them.
            // SslStream's output BIO grew to a whole 16 KiB record; it is emptied too (small BIO buffers are kept).
            Assert.True(TlsIdleBuffers.BioBufferBytes(handle) >= 16 * 1024, $"round {round}: BIOs hold {TlsIdleBuffers.BioBufferBytes(handle)} B");
            Assert.True(buffers.Release(), $"round {round}: OpenSSL kept its buffers");
            var kept = TlsIdleBuffers.BioBufferBytes(handle);
            Assert.True(kept < 2 * TlsIdleBuffers.ReleasedBioBufferBytes, $"round {round}: BIOs still hold {kept} B");
        }
    }

    [Fact]
    public async Task Release_BeforeTheHandshake_DoesNothing()
    {
        var (socket, peer) = await Loopback.ConnectedPairAsync();
        using var socketOwner = socket;
        using var peerOwner = peer;
        await using var stream = new SslStream(new NetworkStream(socket, ownsSocket: false));
        Assert.Null(TlsIdleBuffers.For(stream).Ssl); // no SSL handle before the handshake
        var none = default(TlsConnectionBuffers);
        Assert.False(none.Release());
    }

    private static async Task ReadExactlyAsync(Stream stream, int length, CancellationToken cancellationToken)
    {
        var buffer = new byte[length];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
    }
}
